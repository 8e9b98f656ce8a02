# The federated screens of 2026-12-04 evening (fedproto.py); z from the repository's accountant
# (computeNoiseMultiplier, delta 1e-6, 400 rounds at the cohort's q over 168,003 fit sessions).
import json
D = '.gpu/dig_train.txt'
base = dict(data='dig_train.txt', eta=8, clip=1.0, every=25, budget=400)
cfgs = [
    dict(name='F0 k32 c128 r40 (harness defaults, no noise)', k=32, cohort=128, rounds=40, every=8),
    dict(name='F1 k32 c128 r400', k=32, cohort=128, rounds=400),
    dict(name='F2 k32 c1024 r400', k=32, cohort=1024, rounds=400),
    dict(name='F3 k32 c1024 r400 eps8', k=32, cohort=1024, rounds=400, z=2.8520),
    dict(name='F4 k1 c4096 r400', k=1, cohort=4096, rounds=400),
    dict(name='F5 k1 c4096 r400 eps8', k=1, cohort=4096, rounds=400, z=0.7651),
    dict(name='F6 k1 c4096 r400 eps1', k=1, cohort=4096, rounds=400, z=2.4237),
    dict(name='F7 k1 c16384 r400 eps8', k=1, cohort=16384, rounds=400, z=1.5804),
]
for c in cfgs:
    print(json.dumps({**base, **c}))
