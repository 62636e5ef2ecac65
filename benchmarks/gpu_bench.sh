#!/bin/bash
# The real-scale benchmark on one GPU, as one prepared run (the device tool's $OUT receives the figures), issue 17's
# levers: SD v1.4's architecture with every row, the baseline rows re-measured in the same run; the compile cache
# shown by a second process that compiles the same graphs again (inductor's on-disk cache, one machine); then SDXL's
# architecture, the bank baseline and every lever together, two timed steps each. Random weights. Sized to stay well
# inside the device tool's 10 minutes per command (T1..T5 are the parts' time limits in seconds).
. "$(dirname "$0")/gpu_env.sh"   # pipefail, diffusers from .whl/, PYTHONPATH, OUT, keep
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/sd14.txt $OUT/sdxl.txt
python3 -c "import torch, diffusers, transformers, peft, accelerate; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__, 'accelerate', accelerate.__version__)" 2>&1 | tee -a $OUT/sd14.txt
SD="--arch sd14 --size 512 --batch 4 --sample_steps 50 --guidance 7.5 --K 2 --rank 64 --bank_size 8"
timeout ${T1:-120} python3 benchmarks/bench_step.py $SD --reps 3 --rows bank,draft,bank_merge,bank_ckpt 2>&1 | keep $OUT/sd14.txt
echo "== LoRA layers vs merged, one no-grad chain (profiler)" | tee -a $OUT/sd14.txt
timeout ${T2:-80} python3 benchmarks/profile_lora.py --arch sd14 --size 512 --batch 4 --steps 50 --guidance 7.5 --rank 64 --reps 3 2>&1 | keep $OUT/sd14.txt
echo "== compiled rows (first process: compiles; the first-step column holds the compile)" | tee -a $OUT/sd14.txt
timeout ${T3:-140} python3 benchmarks/bench_step.py $SD --reps 3 --rows bank_max,bank_compile 2>&1 | keep $OUT/sd14.txt
echo "== the same rows in a second process (inductor's cache warm: the first-step column shows what the cache saves)" | tee -a $OUT/sd14.txt
timeout ${T4:-80} python3 benchmarks/bench_step.py $SD --reps 2 --rows bank_max 2>&1 | keep $OUT/sd14.txt
timeout ${T5:-110} python3 benchmarks/bench_step.py --arch sdxl --size 1024 --batch 1 --sample_steps 50 --guidance 5 --K 2 --rank 64 \
  --bank_size 2 --reps 2 --rows bank,bank_max 2>&1 | keep $OUT/sdxl.txt
