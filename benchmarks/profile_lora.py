"""What the LoRA layers cost in the chain's steps without gradient: one no-grad sampling chain of the base UNet, of
the UNet with its adapter as separate layers, and of the UNet with the adapter merged (`merged_lora`), timed and
profiled (torch.profiler: the top operators by self time, with the adapter as layers and merged).

    python benchmarks/profile_lora.py                                              # ShapesWorld, CPU
    python benchmarks/profile_lora.py --arch sd14 --size 512 --batch 4 --rank 64   # on a GPU (bf16 base weights)

Nothing here is a test: the numbers are for reading."""
import argparse, statistics, sys, time
from pathlib import Path
import torch
from torch.profiler import ProfilerActivity, profile, record_function
sys.path.insert(0, str(Path(__file__).parent))
from bench_step import sd14
from focus_n_fix.lora import add_lora, base_model, merged_lora
from focus_n_fix.pipelines import encode_text, encode_uncond, load_pipeline
from focus_n_fix.sampling import initial_noise, sample

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', default='shapesworld', choices=['shapesworld', 'sd14'], help="SD v1.x conditioning only")
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--guidance', type=float, default=3.0)
    ap.add_argument('--rank', type=int, default=4)
    ap.add_argument('--reps', type=int, default=5)
    a = ap.parse_args()
    gpu = torch.cuda.is_available()
    dev, dt = ('cuda', torch.bfloat16) if gpu else ('cpu', torch.float32)
    pipe = load_pipeline('shapesworld', dtype=dt, device=dev) if a.arch == 'shapesworld' else \
        sd14(a.size).to(dev, dt)
    add_lora(pipe.unet, a.rank)
    for p in pipe.unet.parameters():
        if p.requires_grad:
            torch.nn.init.normal_(p, std=0.01)
    ps = ['a red circle'] * a.batch
    cond, uncond = encode_text(pipe, ps), encode_uncond(pipe, a.batch)
    xT = initial_noise(pipe, list(range(a.batch)), dtype=dt)
    sync = torch.cuda.synchronize if gpu else (lambda: None)
    def chain(mode):
        with torch.no_grad():
            if mode == 'base':
                with base_model(pipe.unet):
                    return sample(pipe, cond, uncond, xT, steps=a.steps, guidance=a.guidance)
            return sample(pipe, cond, uncond, xT, steps=a.steps, guidance=a.guidance, merge=mode == 'merged')
    modes = ('base', 'layers', 'merged')
    for m in modes:
        chain(m)                                                  # warm-up
    times = {m: [] for m in modes}
    for _ in range(a.reps):                                       # interleaved, so that drift hits every mode alike
        for m in modes:
            sync()
            t0 = time.perf_counter()
            chain(m)
            sync()
            times[m].append(time.perf_counter() - t0)
    print(f"device {torch.cuda.get_device_name() if gpu else 'cpu'}, torch {torch.__version__}, threads {torch.get_num_threads()}; "
          f"arch {a.arch}, batch {a.batch}, {a.steps} steps, CFG {a.guidance}, LoRA rank {a.rank}, base dtype {dt}")
    base = statistics.median(times['base'])
    for m in modes:
        t = statistics.median(times[m])
        print(f"  no-grad chain, {m:<7} {t:8.3f} s (median of {a.reps})   x base {t / base:5.2f}")
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else [])
    for m in ('layers', 'merged'):
        with profile(activities=acts) as prof:
            with record_function(f'chain_{m}'):
                chain(m)
            sync()
        key = 'self_cuda_time_total' if gpu else 'self_cpu_time_total'
        print(f"\n{m}: top operators by self time")
        print(prof.key_averages().table(sort_by=key, row_limit=8))

if __name__ == '__main__':
    main()
