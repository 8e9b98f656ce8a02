import json
D = dict(data='.gpu/dig_train.txt', dim=32, maxlen=10, scale=10, lr=0.01, batch=256, epochs=10, budget=400)
def c(name, **kw):
    d = dict(D); d.update(kw); d['name'] = name; return d
cfgs = [
    c('A1_sampled2048', neg=2048, boosts=[4]),
    c('A2_full'),
    c('A3_full_s16', scale=16),
    c('A4_full_lr003', lr=0.003),
    c('A5_full_do02', dropout=0.2),
    c('A6_full_decay07', lr_decay=0.7),
    c('B1_ggnn1', ggnn=1),
    c('B2_sa1', sa=1),
    c('B3_core_s14_do02', enc='core', scale=14, dropout=0.2),
    c('B4_rep_pos', repeat='pos'),
    c('B5_rep_posgate', repeat='posgate'),
    c('B6_ggnn_posgate_do02', ggnn=1, repeat='posgate', dropout=0.2),
    c('C1_dim64', dim=64),
    c('C2_dim100', dim=100),
    c('C3_maxlen20', maxlen=20),
    c('D1_ls01', ls=0.1),
    c('Y1_yc_sampled2048', data='.gpu/yc_train.txt', neg=2048, boosts=[2, 4, 6]),
    c('Y2_yc_full_posgate', data='.gpu/yc_train.txt', repeat='posgate'),
]
for x in cfgs: print(json.dumps(x))
