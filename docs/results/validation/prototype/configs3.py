import json
D = dict(data='.gpu/dig_train.txt', dim=32, maxlen=10, scale=10, lr=0.01, batch=256, epochs=6, budget=190, repeat='pos', neg=2048, lr_decay=0.7, extra=[2])
def c(name, **kw):
    d = dict(D); d.update(kw); d['name'] = name; return d
cfgs = [
    c('T0_base'),
    c('T1_tail20x1', tail_epochs=1, tail_frac=0.2),
    c('T2_tail20x2', tail_epochs=2, tail_frac=0.2),
    c('T3_tail50x1', tail_epochs=1, tail_frac=0.5),
    c('T5_tail10x1', tail_epochs=1, tail_frac=0.1),
    c('T7_tail20x1_e5', epochs=5, tail_epochs=1, tail_frac=0.2),
    c('T6_yc_tail20x1', data='.gpu/yc_train.txt', tail_epochs=1, tail_frac=0.2),
    c('T8_yc_base', data='.gpu/yc_train.txt'),
    c('C5_core_s12_do01_sampled', enc='core', scale=12, dropout=0.1),
    c('C6_core_s12_do01_full_d08', enc='core', scale=12, dropout=0.1, neg=0, lr_decay=0.8, epochs=8),
    c('C7_yc_core_s12_do01_sampled', data='.gpu/yc_train.txt', enc='core', scale=12, dropout=0.1),
]
for x in cfgs: print(json.dumps(x))
