# Second screen: local SGD instead of Adam (fedproto.py `opt`), z as fedconfigs1.py.
import json
base = dict(data='dig_train.txt', clip=1.0, every=25, budget=330, opt='sgd')
cfgs = [
    dict(name='S1 k32 c128 r400 sgd0.1 eta4', k=32, cohort=128, rounds=400, local_lr=0.1, eta=4),
    dict(name='S2 k32 c128 r400 sgd0.3 eta4', k=32, cohort=128, rounds=400, local_lr=0.3, eta=4),
    dict(name='S3 k1 c4096 r400 sgd0.1 eta4', k=1, cohort=4096, rounds=400, local_lr=0.1, eta=4),
    dict(name='S4 k1 c4096 r400 sgd0.3 eta4', k=1, cohort=4096, rounds=400, local_lr=0.3, eta=4),
    dict(name='S5 k1 c4096 r400 sgd1.0 eta4', k=1, cohort=4096, rounds=400, local_lr=1.0, eta=4),
    dict(name='S6 k1 c4096 r400 sgd0.3 eta4 eps8', k=1, cohort=4096, rounds=400, local_lr=0.3, eta=4, z=0.7651),
    dict(name='S7 k1 c4096 r400 sgd0.3 eta16', k=1, cohort=4096, rounds=400, local_lr=0.3, eta=16),
    dict(name='S8 k32 c1024 r400 sgd0.3 eta4 eps8', k=32, cohort=1024, rounds=400, local_lr=0.3, eta=4, z=2.8520),
]
for c in cfgs:
    print(json.dumps({**base, **c}))
