# Research prototype (not shipped): the SDK's session model mirrored in PyTorch, to explore
# training and architecture choices on the validation split of the training sessions (last 10 %
# of sessions, every prefix) quickly on a GPU. Findings are ported to the tfjs model and checked
# there with `npm run eval`.
import argparse, json, math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path):
    with open(path) as f:
        return [list(map(int, l.split())) for l in f if l.strip()]


def examples(sessions, L):
    X, Y = [], []
    for s in sessions:
        for n in range(1, len(s)):
            p = s[max(0, n - L):n]
            X.append([0] * (L - len(p)) + p)
            Y.append(s[n])
    return torch.tensor(X, dtype=torch.long), torch.tensor(Y, dtype=torch.long)


def val_cases(sessions, L):
    # as the harness's expandSessions: for each session, prefixes from longest to shortest
    X, Y = [], []
    for s in sessions:
        for n in range(len(s) - 1, 0, -1):
            p = s[max(0, n - L):n]
            X.append([0] * (L - len(p)) + p)
            Y.append(s[n])
    return torch.tensor(X, dtype=torch.long), torch.tensor(Y, dtype=torch.long)


def glorot(r, c):
    lim = math.sqrt(6 / (r + c))
    return nn.Parameter((torch.rand(r, c) * 2 - 1) * lim)


class Model(nn.Module):
    def __init__(self, N, c):
        super().__init__()
        d, L = c['dim'], c['maxlen']
        self.c, self.N, self.d, self.L = c, N, d, L
        item = torch.randn(N + 1, d) / math.sqrt(d)
        item[0] = 0
        self.item = nn.Parameter(item)
        self.pos = nn.Parameter(torch.randn(L, d) * 0.1 / math.sqrt(d))
        self.W1, self.W2, self.v, self.out = glorot(d, d), glorot(d, d), glorot(d, 1), glorot(2 * d, d)
        enc = c.get('enc', 'narm')
        if c.get('ggnn', 0) > 0:
            self.Win, self.Wout = glorot(d, d), glorot(d, d)
            self.bin, self.bout = nn.Parameter(torch.zeros(d)), nn.Parameter(torch.zeros(d))
            self.Wih, self.Whh = glorot(2 * d, 3 * d), glorot(d, 3 * d)
        self.sa = nn.ParameterList()
        for _ in range(c.get('sa', 0)):
            self.sa.extend([glorot(d, d), glorot(d, d), glorot(d, d)])
        rep = c.get('repeat', 'none')
        if rep in ('pos', 'posgate'):
            self.rep = nn.Parameter(torch.zeros(L))
        if rep == 'posgate':
            self.repu = glorot(d, 1)
            self.repb = nn.Parameter(torch.zeros(1))

    def table(self):
        return self.item

    def items_out(self):
        t = self.table()
        if self.c['scale'] > 0:
            t = F.normalize(t, dim=1, eps=1e-6)
        return t

    def ggnn(self, e, x):
        B, L, d = e.shape
        mask = (x > 0).float()
        same = ((x[:, :, None] == x[:, None, :]) & (x[:, :, None] > 0)).float()  # [B,L,L]
        cnt = same.sum(-1).clamp(min=1)  # positions holding my item
        E = torch.zeros(B, L, L, device=x.device)
        cons = (mask[:, :-1] * mask[:, 1:])
        idx = torch.arange(L - 1, device=x.device)
        E[:, idx, idx + 1] = cons
        Aout = (same @ E @ same).clamp(max=1) / cnt[:, None, :]
        Ain = (same @ E.transpose(1, 2) @ same).clamp(max=1) / cnt[:, None, :]
        Aout = Aout / Aout.sum(-1, keepdim=True).clamp(min=1e-9)
        Ain = Ain / Ain.sum(-1, keepdim=True).clamp(min=1e-9)
        h = e
        for _ in range(self.c['ggnn']):
            ain = Ain @ (h @ self.Win) + self.bin
            aout = Aout @ (h @ self.Wout) + self.bout
            gi = torch.cat([ain, aout], -1) @ self.Wih
            gh = h @ self.Whh
            ir, iz, inn = gi.chunk(3, -1)
            hr, hz, hn = gh.chunk(3, -1)
            r = torch.sigmoid(ir + hr)
            z = torch.sigmoid(iz + hz)
            n = torch.tanh(inn + r * hn)
            h = (1 - z) * h + z * n
        return h * mask[..., None]

    def encode(self, x):
        c = self.c
        mask = x > 0
        raw = self.table()[x]
        e = raw
        if c.get('ggnn', 0) > 0:
            e = self.ggnn(e, x)
        e = e + self.pos
        if self.training and c.get('dropout', 0) > 0:
            e = F.dropout(e, c['dropout'])
        for i in range(len(self.sa) // 3):
            wq, wk, wv = self.sa[3 * i], self.sa[3 * i + 1], self.sa[3 * i + 2]
            sc = (e @ wq) @ (e @ wk).transpose(1, 2) / math.sqrt(self.d)
            sc = sc.masked_fill(~mask[:, None, :], -1e9)
            e = e + torch.softmax(sc, -1) @ (e @ wv)
        last = e[:, -1]
        k = e @ self.W1
        q = (last @ self.W2)[:, None]
        en = (torch.sigmoid(k + q) @ self.v).squeeze(-1)
        en = en.masked_fill(~mask, -1e9)
        alpha = torch.softmax(en, 1)
        if c.get('enc', 'narm') == 'core':
            vals = raw if not (self.training and c.get('dropout', 0) > 0) else F.dropout(raw, c['dropout'])
            h = (alpha[..., None] * vals).sum(1)
        else:
            s = (alpha[..., None] * e).sum(1)
            h = torch.cat([s, last], 1) @ self.out
        hraw = h
        if c['scale'] > 0:
            h = F.normalize(h, dim=1, eps=1e-6) * c['scale']
        return h, hraw

    def repeat_scores(self, x, hraw, boost=None):
        B, L = x.shape
        mask = (x > 0).float()
        rep = self.c.get('repeat', 'none')
        if boost is not None:
            w = torch.full((B, L), float(boost), device=x.device)
        elif rep in ('pos', 'posgate'):
            w = self.rep[None, :].expand(B, L)
            if rep == 'posgate':
                w = w + (hraw @ self.repu + self.repb)
        else:
            return None
        R = torch.zeros(B, self.N + 1, device=x.device)
        R.scatter_add_(1, x, w * mask)
        return R

    def logits(self, x, boost=None):
        h, hraw = self.encode(x)
        lg = h @ self.items_out().T
        R = self.repeat_scores(x, hraw, boost)
        if R is not None:
            lg = lg + R
        return lg


def metrics(model, X, Y, bs=2048, boost=None, stride=None, extra=0):
    model.eval()
    hits, rr, n = 0.0, 0.0, 0
    rep_h, rep_rr, rep_n = 0.0, 0.0, 0
    with torch.no_grad():
        for i in range(0, len(Y), bs):
            x, y = X[i:i + bs], Y[i:i + bs]
            lg = model.logits(x, boost)
            if extra:
                lg = lg + model.repeat_scores(x, None, boost=extra)
            lg[:, 0] = -1e30
            t = lg.gather(1, y[:, None])
            rank = (lg > t).sum(1) + 1
            h = (rank <= 20).float()
            r = torch.where(rank <= 20, 1.0 / rank.float(), torch.zeros_like(h))
            hits += h.sum().item(); rr += r.sum().item(); n += len(y)
            isrep = (x == y[:, None]).any(1)
            rep_h += h[isrep].sum().item(); rep_rr += r[isrep].sum().item(); rep_n += int(isrep.sum().item())
    model.train()
    return {'p20': 100 * hits / n, 'mrr20': 100 * rr / n, 'rep_p20': 100 * rep_h / max(rep_n, 1), 'rep_mrr20': 100 * rep_rr / max(rep_n, 1), 'n': n}


def setup(c):
    """Seeds torch and splits the (last `limit`) training sessions: all but the last 10 % fit, those
    are held out. Returns the device, the highest item id, the fit and the held-out sessions."""
    torch.manual_seed(c.get('seed', 1))
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    sessions = load(c['data'])
    if c.get('limit'):
        sessions = sessions[-c['limit']:]
    N = max(max(s) for s in sessions)
    cut = len(sessions) - max(1, int(len(sessions) * 0.1))
    return dev, N, sessions[:cut], sessions[cut:]


def run(c, out):
    dev, N, fit, held = setup(c)
    L = c['maxlen']
    X, Y = examples(fit, L)
    VX, VY = val_cases(held, L)
    step = math.ceil(len(VY) / 5000)
    SX, SY = VX[::step], VY[::step]
    X, Y, VX, VY, SX, SY = [t.to(dev) for t in (X, Y, VX, VY, SX, SY)]
    model = Model(N, c).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=c['lr'])
    B = c['batch']
    t0 = time.time()
    counts = torch.bincount(Y, minlength=N + 1).float()
    p_item = counts / counts.sum()
    tail = c.get('tail_epochs', 0)
    nfull = c['epochs']
    for ep in range(nfull + tail):
        for g in opt.param_groups:
            g['lr'] = c['lr'] * (c.get('lr_decay', 1.0) ** ep)
        if ep >= nfull:
            # recency: extra epochs over the most recent fraction of the fit examples
            lo = int(len(Y) * (1 - c['tail_frac']))
            perm = lo + torch.randperm(len(Y) - lo, device=dev)
        else:
            perm = torch.randperm(len(Y), device=dev)
        tot, nb = 0.0, 0
        for i in range(0, len(Y), B):
            idx = perm[i:i + B]
            x, y = X[idx], Y[idx]
            if c.get('neg', 0) > 0:
                # sampled softmax as the tfjs trainer: uniform negatives shared by the batch plus
                # the batch's targets (logQ-corrected), accidental hits masked
                h, hraw = model.encode(x)
                neg = torch.randint(1, N + 1, (c['neg'],), device=dev)
                cand = torch.cat([neg, y])
                tab = model.items_out()
                pos = (h * tab[y]).sum(1, keepdim=True)
                lg = h @ tab[cand].T
                lq_c = torch.log(c['neg'] / N + len(y) * p_item[cand])
                lq_y = torch.log(c['neg'] / N + len(y) * p_item[y])
                lg = lg - lq_c[None, :]
                pos = pos - lq_y[:, None]
                lg = lg.masked_fill(cand[None, :] == y[:, None], -1e9)
                parts = [pos, lg]
                if c.get('repeat', 'none') in ('pos', 'posgate'):
                    # joint repeat scores with sampled softmax: the target and each row's own
                    # session items carry their repeat score; the session items are candidates
                    # of their own (one column per item: its last position), and drop out of the
                    # shared negatives
                    Bn, L = x.shape
                    w = model.rep[None, :].expand(Bn, L)
                    if c['repeat'] == 'posgate':
                        w = w + (hraw @ model.repu + model.repb)
                    m = (x > 0).float()
                    same = (x[:, :, None] == x[:, None, :]).float()  # [B,L,L]
                    score_pos = (same * (w * m)[:, None, :]).sum(-1)  # repeat score of the item at each position
                    tgt_rep = ((x == y[:, None]).float() * w * m).sum(1, keepdim=True)
                    parts[0] = pos + tgt_rep
                    later = torch.triu(same, diagonal=1).sum(-1) > 0
                    keep = (x > 0) & (x != y[:, None]) & ~later
                    sess_lg = (h[:, None, :] * tab[x]).sum(-1) + score_pos
                    sess_lg = sess_lg.masked_fill(~keep, -1e9)
                    in_sess = (cand[None, :, None] == x[:, None, :]).any(-1)
                    parts[1] = lg.masked_fill(in_sess, -1e9)
                    parts.append(sess_lg)
                loss = F.cross_entropy(torch.cat(parts, 1), torch.zeros(len(y), dtype=torch.long, device=dev))
            else:
                lg = model.logits(x)
                lg[:, 0] = -1e30
                loss = F.cross_entropy(lg, y, label_smoothing=c.get('ls', 0.0))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.item[0].zero_()
            tot += loss.item() if nb % 50 == 0 else 0
            nb += 1
        res = {'name': c['name'], 'epoch': ep + 1, 'secs': round(time.time() - t0, 1)}
        m = metrics(model, VX, VY)
        res.update({k: round(v, 2) for k, v in m.items()})
        s = metrics(model, SX, SY)
        res['s5k'] = [round(s['p20'], 2), round(s['mrr20'], 2)]
        if c.get('repeat', 'none') == 'none':
            for b in c.get('boosts', [2, 4]):
                mb = metrics(model, VX, VY, boost=b)
                res[f'boost{b}'] = [round(mb['p20'], 2), round(mb['mrr20'], 2)]
        if c.get('repeat', 'none') in ('pos', 'posgate'):
            for b in c.get('extra', []):
                mb = metrics(model, VX, VY, extra=b)
                res[f'extra{b}'] = [round(mb['p20'], 2), round(mb['mrr20'], 2)]
            res['rep_w'] = [round(v, 2) for v in model.rep.detach().cpu().tolist()]
        print(json.dumps(res), flush=True)
        out.write(json.dumps(res) + '\n'); out.flush()
        if time.time() - t0 > c.get('budget', 1e9):
            break


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('config')
    ap.add_argument('out')
    a = ap.parse_args()
    c = json.loads(a.config)
    with open(a.out, 'a') as f:
        run(c, f)
