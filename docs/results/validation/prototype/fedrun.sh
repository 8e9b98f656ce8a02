#!/bin/bash
# one process per config line, all on the one GPU; results stream to $OUT/fed.jsonl
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader
cd .gpu
python3 ${2:-fedconfigs1.py} > /tmp/cfgs.jsonl
i=0
while read -r line; do
  timeout $1 python3 fedproto.py "$line" $OUT/fed.jsonl > $OUT/log_$i.txt 2>&1 &
  i=$((i+1))
done < /tmp/cfgs.jsonl
sleep 90; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; uptime
wait
for f in $OUT/log_*.txt; do echo "== $f"; tail -3 $f; done
echo done
