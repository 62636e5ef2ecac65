#!/bin/bash
# The SD 3.5 Medium and FLUX.1-dev rows on one GPU, as one prepared run (the device tool's $OUT receives the
# figures): the real architectures with random weights created directly in bf16 on the GPU (no CPU copy, no
# folder), 1024 px, batch 1, LoRA rank 64, K 2, the project's train_step with the reference bank, with
# grad_checkpoint (per call) and with block_checkpoint (per transformer block); the process capped at an H100
# 80GB's 79.6 GiB (torch.cuda.set_per_process_memory_fraction) so that a larger card answers what fits in 80 GB.
# FLUX's DRaFT row is dropped: without any checkpointing it needs >= 136 GiB by the same estimate. NOT MEASURED YET: no GPU was lent to issue 20's session.
# benchmarks/flow_memory.py estimates (meta device) that FLUX's per-call checkpointing needs >= 85 GiB: expect
# its grad_checkpoint row to fail with out-of-memory under the cap (the script keeps going and records the failure)
# and its block_checkpoint row (about 37 GiB by the estimate) to fit.
. "$(dirname "$0")/gpu_env.sh"   # pipefail, diffusers from .whl/, PYTHONPATH, OUT, keep
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/flow.txt
COMMON="--size 1024 --batch 1 --K 2 --rank 64 --bank_size 1 --reps 2 --cap_gib 79.6"
timeout ${T1:-240} python3 benchmarks/bench_step.py --arch sd35m --sample_steps 40 --guidance 4.5 $COMMON --rows bank,bank_ckpt,bank_blocks 2>&1 | keep $OUT/flow.txt
timeout ${T2:-300} python3 benchmarks/bench_step.py --arch flux1 --sample_steps 28 --guidance 3.5 $COMMON --rows bank_blocks,bank_ckpt 2>&1 | keep $OUT/flow.txt
