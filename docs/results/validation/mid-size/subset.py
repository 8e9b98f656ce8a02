"""A data set in the shared format restricted to its N most clicked training items.

    python3 subset.py SRC_DIR DST_DIR N

Every training session and every test prefix keeps only the N most clicked items (ties by the
smaller id), in order; training sessions left with fewer than 2 clicks and test cases whose
target is not among them or whose prefix is left empty are dropped. Item ids stay as they are.
Used for the mid-size catalogue runs (../federated.md, "Mid-size catalogues"; docs/MODEL.md).
"""
import sys
from collections import Counter
from pathlib import Path

src, dst, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
train = [line.split() for line in (src / 'train_sessions.txt').read_text().splitlines() if line.strip()]
counts = Counter(item for session in train for item in session)
keep = {item for item, _ in sorted(counts.items(), key=lambda kv: (-kv[1], int(kv[0])))[:n]}
dst.mkdir(parents=True, exist_ok=True)
kept_train = [[i for i in s if i in keep] for s in train]
kept_train = [s for s in kept_train if len(s) >= 2]
(dst / 'train_sessions.txt').write_text(''.join(' '.join(s) + '\n' for s in kept_train))
cases = []
for line in (src / 'test.tsv').read_text().splitlines():
    if not line.strip():
        continue
    prefix, target = line.split('\t')
    p = [i for i in prefix.split() if i in keep]
    if target in keep and p:
        cases.append(' '.join(p) + '\t' + target)
(dst / 'test.tsv').write_text(''.join(c + '\n' for c in cases))
print(f'{dst}: {len(keep)} items, {len(kept_train)} of {len(train)} training sessions, {len(cases)} test cases')
