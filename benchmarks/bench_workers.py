"""Two of `make train`'s runs (artifact reward, CFG 5, β 2, lr 1e-3, batch 8, 20 DDIM steps; STEPS fine-tuning steps, a
small evaluation) on this machine, scheduled two ways: one after another with two threads each, or side by side with one
thread each (what `make paper`'s two workers do). Prints each way's wall time; `make paper`'s default follows the faster.

    .venv/bin/python benchmarks/bench_workers.py [STEPS]
"""
import os, subprocess, sys, tempfile, time
from pathlib import Path

STEPS = sys.argv[1] if len(sys.argv) > 1 else '20'
BIN = Path(sys.executable).parent
ARGS = ['--model', 'shapesworld', '--reward', 'artifact', '--prompts', 'train', '--guidance', '5', '--beta', '2.0',
        '--lr', '1e-3', '--batch_size', '8', '--sample_steps', '20', '--K', '2', '--steps', STEPS, '--eval_seeds', '1',
        '--judge', 'shapesworld']

def start(out, seed, threads, evals):
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'HF_HUB_OFFLINE': '1'}
    return subprocess.Popen([BIN/'fnf-train', *ARGS, '--eval_prompts', evals, '--seed', str(seed), '--threads', str(threads),
                             '--out_dir', out], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

def wait(p):
    _, err = p.communicate()
    if p.returncode:
        raise SystemExit(err[-2000:])

with tempfile.TemporaryDirectory() as d:
    evals = Path(d)/'eval.txt'
    from focus_n_fix.prompts import load_prompts
    evals.write_text('\n'.join(load_prompts('artifact_eval')[:16]) + '\n')
    t0 = time.time()
    for s in (0, 1):
        wait(start(f'{d}/serial{s}', s, 2, evals))
    serial = time.time() - t0
    t0 = time.time()
    ps = [start(f'{d}/side{s}', s, 1, evals) for s in (0, 1)]
    for p in ps:
        wait(p)
    side = time.time() - t0
print(f"cores: {len(os.sched_getaffinity(0))}; two runs of {STEPS} steps + 16 evaluation images each")
print(f"one after another, 2 threads each: {serial:7.1f} s")
print(f"side by side,      1 thread each:  {side:7.1f} s   ({serial / side:.2f}x the throughput)")
