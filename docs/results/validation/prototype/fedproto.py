# Research prototype (not shipped): the federated simulation of `scripts/eval/models/federated.ts`
# mirrored in PyTorch with every client of a round trained at once, to ask on a GPU what the
# Node harness cannot afford: how many rounds, how large a cohort and how many sessions per
# client DP-FedAvg needs to approach central training. The model is proto.py's (the SDK's session
# model with learned repeat weights, cosine logits x 10); the clients train as the SDK's devices do
# (lazy Adam, 64 uniform negatives a step shared by the batch, each negative's logit + log(items /
# negatives), the session's items as candidates of their own); each client's delta is cut to the
# round's rows (the edge's row subset: the most popular rows and a window that moves every round),
# clipped to L2 norm C; the server adds N(0, (z C)^2) to the sum and steps eta * sum / (q * clients).
#
# A client's local table is only the rows it can touch (its items and the negatives it will draw,
# drawn in advance): lazy Adam leaves every other row where it was, so this is exact, and it keeps
# a cohort of thousands of clients in a few hundred MB.
#
# Validation as proto.py: the last 10 % of the training sessions, every prefix; never test.tsv.
import json, math, sys, time
import torch
import torch.nn.functional as F
from proto import Model, setup, examples, val_cases, metrics


def run(c, out):
    dev, N0, fit, held = setup(c)
    # rows by descending popularity (row 0 = padding), as the harness indexes them
    cnt = torch.zeros(N0 + 1)
    for s in fit:
        for i in s:
            cnt[i] += 1
    order = torch.argsort(-cnt[1:], stable=True) + 1
    remap = torch.zeros(N0 + 1, dtype=torch.long)
    remap[order] = torch.arange(1, N0 + 1)
    fit = [[int(remap[i]) for i in s] for s in fit]
    held = [[int(remap[i]) for i in s] for s in held]
    N, L, d = N0, c.get('maxlen', 10), c.get('dim', 32)
    mc = {'dim': d, 'maxlen': L, 'scale': 10, 'repeat': 'pos'}
    model = Model(N, mc).to(dev)
    G = {k: p.detach().clone() for k, p in model.named_parameters()}  # the global model
    VX, VY = val_cases(held, L)
    step = math.ceil(len(VY) / 5000)
    SX, SY, VX, VY = VX[::step].to(dev), VY[::step].to(dev), VX.to(dev), VY.to(dev)

    k = c['k']
    clients = [fit[i:i + k] for i in range(0, len(fit), k)]
    cex = [examples(cl, L) for cl in clients]
    n = len(clients)
    q = min(1.0, c['cohort'] / n)
    z, C, eta = c.get('z', 0.0), c.get('clip', 1.0), c['eta']
    E, B, K, lr = c.get('local_epochs', 2), c.get('local_batch', 64), c.get('neg', 64), c.get('local_lr', 0.01)
    hot = c.get('hot', 3897)
    win = c.get('win', 3897)
    gen = torch.Generator().manual_seed(c.get('seed', 1) + 7)
    t0 = time.time()
    log_corr = math.log(N / K)

    def evaluate(r, full=False):
        with torch.no_grad():
            for kk, p in model.named_parameters():
                p.copy_(G[kk])
        m = metrics(model, VX, VY) if full else metrics(model, SX, SY)
        res = {'name': c['name'], 'round': r, 'secs': round(time.time() - t0, 1), 'full': full,
               'p20': round(m['p20'], 2), 'mrr20': round(m['mrr20'], 2), 'n': m['n'],
               'rep_w': [round(v, 2) for v in G['rep'].tolist()]}
        print(json.dumps(res), flush=True)
        out.write(json.dumps(res) + '\n'); out.flush()

    for r in range(c['rounds']):
        chosen = (torch.rand(n, generator=gen) < q).nonzero().flatten().tolist()
        chosen.sort(key=lambda i: len(cex[i][1]))  # chunks of alike sizes pad less
        # the round's rows: 0..hot-1 and a window over the rest that moves every round
        w0 = hot + (r * win) % (N + 1 - hot)
        inround = torch.zeros(N + 1, dtype=torch.bool, device=dev)
        inround[:hot] = True
        widx = (torch.arange(win) + (w0 - hot)) % (N + 1 - hot) + hot
        inround[widx.to(dev)] = True
        total = {kk: torch.zeros_like(v) for kk, v in G.items()}
        norms = []
        for c0 in range(0, len(chosen), c.get('chunk', 4096)):
            ids = chosen[c0:c0 + c.get('chunk', 4096)]
            m = len(ids)
            counts = [len(cex[i][1]) for i in ids]
            mx = max(counts)
            X = torch.zeros(m, mx, L, dtype=torch.long)
            Y = torch.zeros(m, mx, dtype=torch.long)
            V = torch.zeros(m, mx, dtype=torch.bool)
            for j, i in enumerate(ids):
                X[j, :counts[j]] = cex[i][0]; Y[j, :counts[j]] = cex[i][1]; V[j, :counts[j]] = True
            spe = math.ceil(mx / B)
            steps = E * spe
            negs = torch.randint(1, N + 1, (m, steps, K), generator=gen)
            # local row space: every global row the client can touch, sorted; duplicates map to the first
            allids = torch.cat([torch.zeros(m, 1, dtype=torch.long), X.reshape(m, -1), Y, negs.reshape(m, -1)], 1).to(dev)
            srt, _ = torch.sort(allids, 1)
            loc = lambda g: torch.searchsorted(srt, g.reshape(m, -1).contiguous()).reshape(g.shape)
            X, Y, V, negs = X.to(dev), Y.to(dev), V.to(dev), negs.to(dev)
            lX, lY, lneg = loc(X), loc(Y), loc(negs)
            R = srt.shape[1]
            P = {'item': G['item'][srt].clone()}
            for kk in ('pos', 'W1', 'W2', 'v', 'out', 'rep'):
                P[kk] = G[kk][None].expand(m, *G[kk].shape).clone()
            start = {kk: v.clone() for kk, v in P.items()}
            for v in P.values():
                v.requires_grad_(True)
            Am = {kk: torch.zeros_like(v) for kk, v in P.items()}
            Av = {kk: torch.zeros_like(v) for kk, v in P.items()}
            tcount = torch.zeros(m, device=dev)
            ar = torch.arange(m, device=dev)
            s_i = 0
            for ep in range(E):
                keys = torch.rand(m, mx, device=dev) + (~V).float() * 2  # valid examples first
                perm = torch.argsort(keys, 1)
                for s in range(spe):
                    cols = perm[:, s * B:(s + 1) * B]
                    x = torch.gather(lX, 1, cols[..., None].expand(-1, -1, L))
                    xg = torch.gather(X, 1, cols[..., None].expand(-1, -1, L))
                    y = torch.gather(lY, 1, cols)
                    val = torch.gather(V, 1, cols)
                    nb = val.sum(1)
                    if int(nb.sum()) == 0:
                        s_i += 1
                        continue
                    ng = lneg[:, s_i]  # [m, K]
                    s_i += 1
                    tab = P['item']
                    e = tab[ar[:, None, None], x] + P['pos'][:, None]  # [m,b,L,d]
                    mask = xg > 0
                    last = e[:, :, -1]
                    kq = torch.einsum('mbld,mde->mble', e, P['W1']) + torch.einsum('mbd,mde->mbe', last, P['W2'])[:, :, None]
                    en = torch.einsum('mble,me->mbl', torch.sigmoid(kq), P['v'][..., 0]).masked_fill(~mask, -1e9)
                    al = torch.softmax(en, 2)
                    sv = (al[..., None] * e).sum(2)
                    h = torch.einsum('mbf,mfd->mbd', torch.cat([sv, last], 2), P['out'])
                    h = F.normalize(h, dim=2, eps=1e-6) * 10
                    tn = F.normalize(tab, dim=2, eps=1e-6)
                    ty = tn[ar[:, None], y]  # [m,b,d]
                    w = P['rep'][:, None, :] * mask.float()  # [m,b,L]
                    pos = (h * ty).sum(2, keepdim=True) + ((x == y[..., None]).float() * w).sum(2, keepdim=True)
                    lg = torch.einsum('mbd,mkd->mbk', h, tn[ar[:, None], ng]) + log_corr
                    in_sess = (ng[:, None, :, None] == x[:, :, None, :]).any(-1) | (ng[:, None, :] == y[..., None])
                    lg = lg.masked_fill(in_sess, -1e9)
                    same = (x[..., :, None] == x[..., None, :]).float()
                    score_pos = (same * w[..., None, :]).sum(-1)
                    later = torch.triu(same, diagonal=1).sum(-1) > 0
                    keep = mask & (x != y[..., None]) & ~later
                    sess = (h[:, :, None, :] * tn[ar[:, None, None], x]).sum(-1) + score_pos
                    sess = sess.masked_fill(~keep, -1e9)
                    allg = torch.cat([pos, lg, sess], 2)
                    ce = torch.logsumexp(allg, 2) - allg[..., 0]
                    loss = ((ce * val.float()).sum(1) / nb.clamp(min=1).float()).sum()
                    grads = torch.autograd.grad(loss, list(P.values()))
                    with torch.no_grad():
                        active = (nb > 0).float()
                        tcount += active
                        b1, b2 = 0.9, 0.999
                        for (kk, p), g in zip(P.items(), grads):
                            shape = (m,) + (1,) * (p.dim() - 1)
                            act = active.view(shape)
                            if c.get('opt', 'adam') == 'sgd':
                                p.sub_(lr * g * act)
                                continue
                            if kk == 'item':
                                act = act * (g.abs().sum(2, keepdim=True) > 0).float()  # lazy Adam
                            Am[kk] = torch.where(act > 0, b1 * Am[kk] + (1 - b1) * g, Am[kk])
                            Av[kk] = torch.where(act > 0, b2 * Av[kk] + (1 - b2) * g * g, Av[kk])
                            tt = tcount.clamp(min=1).view(shape)
                            upd = lr * (Am[kk] / (1 - b1 ** tt)) / ((Av[kk] / (1 - b2 ** tt)).sqrt() + 1e-7)
                            p.sub_(upd * act)
            with torch.no_grad():
                D = {kk: P[kk].detach() - start[kk] for kk in P}
                # keep one slot per global row (the first), the round's rows only, never padding
                first = torch.ones_like(srt, dtype=torch.bool)
                first[:, 1:] = srt[:, 1:] != srt[:, :-1]
                keepr = first & inround[srt] & (srt > 0)
                D['item'] = D['item'] * keepr[..., None].float()
                sq = sum((D[kk] ** 2).reshape(m, -1).sum(1) for kk in D)
                nrm = sq.sqrt()
                norms.append(nrm)
                f = (C / nrm.clamp(min=1e-12)).clamp(max=1.0) if C > 0 else torch.ones_like(nrm)
                total['item'].index_add_(0, srt.reshape(-1), (D['item'] * f[:, None, None]).reshape(-1, d))
                for kk in ('pos', 'W1', 'W2', 'v', 'out', 'rep'):
                    total[kk] += (D[kk] * f.view((m,) + (1,) * (D[kk].dim() - 1))).sum(0)
        with torch.no_grad():
            denom = q * n
            for kk in G:
                noise = torch.randn_like(total[kk]) * (z * C) if z > 0 else 0
                stepv = (total[kk] + noise) / denom
                if kk == 'item':
                    stepv = stepv * inround[:, None].float()
                G[kk] += eta * stepv
            G['item'][0] = 0
        if (r + 1) % c.get('every', 25) == 0 or r + 1 == c['rounds']:
            evaluate(r + 1, full=(r + 1 == c['rounds']))
            nr = torch.cat(norms) if norms else torch.zeros(1)
            print(json.dumps({'name': c['name'], 'round': r + 1, 'clients': len(chosen), 'median_norm': round(float(nr.median()), 3)}), flush=True)
        if time.time() - t0 > c.get('budget', 1e9):
            evaluate(r + 1, full=True)
            break


if __name__ == '__main__':
    c = json.loads(sys.argv[1])
    with open(sys.argv[2], 'a') as f:
        run(c, f)
