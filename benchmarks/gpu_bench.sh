#!/bin/bash
# The real-scale benchmark on one GPU, as one prepared run (the device tool's $OUT receives the figures):
# SD v1.4's architecture first (the train_step variants, then the compiled chain), then SDXL's; random weights.
# Needs diffusers' wheels in .whl/ where the GPU image lacks diffusers (see README, "Performance").
set -o pipefail
export PYTHONUNBUFFERED=1
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
OUT=${OUT:-runs/gpu_bench}
mkdir -p $OUT
keep() { grep --line-buffered -v -E 'it/s\]|Loading|Writing|Fetching' | tee -a "$1"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/sd14.txt $OUT/sdxl.txt
python3 -c "import torch, diffusers, transformers, peft, accelerate; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__, 'accelerate', accelerate.__version__)" 2>&1 | tee -a $OUT/sd14.txt
SD="--arch sd14 --size 512 --batch 4 --sample_steps 50 --guidance 7.5 --K 2 --rank 64 --bank_size 8"
timeout ${T1:-220} python3 benchmarks/bench_step.py $SD --reps 3 --rows bank,draft,fly,bank_ckpt --plain 2>&1 | keep $OUT/sd14.txt
timeout ${T2:-200} python3 benchmarks/bench_step.py $SD --reps 3 --rows bank_ckpt_compile,bank_compile 2>&1 | keep $OUT/sd14.txt
timeout ${T3:-175} python3 benchmarks/bench_step.py --arch sdxl --size 1024 --batch 1 --sample_steps 50 --guidance 5 --K 2 --rank 64 \
  --bank_size 2 --reps 2 --rows bank,draft,fly 2>&1 | keep $OUT/sdxl.txt
