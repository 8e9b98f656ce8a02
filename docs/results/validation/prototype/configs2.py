import json
D = dict(data='.gpu/dig_train.txt', dim=32, maxlen=10, scale=10, lr=0.01, batch=256, epochs=12, budget=300, repeat='pos', extra=[1, 2])
def c(name, **kw):
    d = dict(D); d.update(kw); d['name'] = name; return d
cfgs = [
    c('R1_narm_pos_decay07', lr_decay=0.7),
    c('R2_narm_pos_neg2048', neg=2048),
    c('R3_narm_pos_neg2048_decay07', neg=2048, lr_decay=0.7),
    c('R4_core_pos_s14_do02_decay08', enc='core', scale=14, dropout=0.2, lr_decay=0.8),
    c('R5_core_pos_s14_do02_neg2048', enc='core', scale=14, dropout=0.2, neg=2048),
    c('R6_core_pos_s12_do01', enc='core', scale=12, dropout=0.1),
    c('R7_narm_pos_do01_decay08', dropout=0.1, lr_decay=0.8),
    c('R8_narm_pos_ls01_decay07', ls=0.1, lr_decay=0.7),
    c('R9_narm_pos_decay07_seed2', lr_decay=0.7, seed=2),
    c('R10_narm_posgate_neg2048_decay07', repeat='posgate', neg=2048, lr_decay=0.7),
    c('R11_narm_pos_dim48_decay07', dim=48, lr_decay=0.7),
    c('R12_narm_pos_ggnn1_decay07', ggnn=1, lr_decay=0.7),
    c('R13_core_pos_s10_do02_neg2048_decay07', enc='core', dropout=0.2, neg=2048, lr_decay=0.7),
    c('Y3_yc_narm_pos_neg2048', data='.gpu/yc_train.txt', neg=2048),
    c('Y4_yc_core_pos_s14_do02_neg2048', data='.gpu/yc_train.txt', enc='core', scale=14, dropout=0.2, neg=2048),
    c('Y5_yc_narm_pos_neg2048_decay07', data='.gpu/yc_train.txt', neg=2048, lr_decay=0.7),
]
for x in cfgs: print(json.dumps(x))
