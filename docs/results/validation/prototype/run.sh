#!/bin/bash
# one process per config, all on the one GPU; results stream to $OUT/res.jsonl
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader
nvidia-cuda-mps-control -d 2>&1 && echo "mps on"
python3 .gpu/$1 > /tmp/cfgs.jsonl
i=0
while read -r line; do
  timeout $2 python3 .gpu/proto.py "$line" $OUT/res.jsonl > /tmp/log_$i.txt 2>&1 &
  i=$((i+1))
done < /tmp/cfgs.jsonl
sleep 45; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; uptime
wait
for f in /tmp/log_*.txt; do echo "== $f"; grep -v '^{' $f | tail -5; done
echo done
