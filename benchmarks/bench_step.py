"""Time one fine-tuning step (sampling, reward, constraint, backward, AdamW) and plain sampling.

    python benchmarks/bench_step.py [--model tiny-random] [--reward blueness] [--prompts tiny] [--batch 2] [--sample_steps 10 50]
    python benchmarks/bench_step.py --model shapesworld --reward artifact --prompts train --batch 8 --sample_steps 20

Prints seconds per step for Focus-N-Fix and DRaFT, and images/s for sampling without gradient."""
import argparse, time
import torch
from focus_n_fix.finetune import TrainConfig, fnf_loss, step_batch
from focus_n_fix.pipelines import load_pipeline, encode_text, encode_uncond
from focus_n_fix.prompts import load_prompts
from focus_n_fix.rewards import load_reward
from focus_n_fix.sampling import add_lora, initial_noise, sample

def timed(f, reps):
    f()  # warm-up
    t0 = time.perf_counter()
    for _ in range(reps): f()
    return (time.perf_counter() - t0) / reps

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='tiny-random'); ap.add_argument('--reward', default='blueness'); ap.add_argument('--prompts', default='tiny')
    ap.add_argument('--batch', type=int, default=2); ap.add_argument('--sample_steps', type=int, nargs='+', default=[10, 50])
    ap.add_argument('--K', type=int, default=2); ap.add_argument('--rank', type=int, default=4); ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--guidance', type=float, default=7.5)
    a = ap.parse_args()
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    pipe = load_pipeline(a.model, device=dev); pipe.set_progress_bar_config(disable=True)
    reward, prompts = load_reward(a.reward, dev), load_prompts(a.prompts)
    torch.manual_seed(0); params = add_lora(pipe.unet, a.rank); opt = torch.optim.AdamW(params, lr=1e-4)
    print(f"device {dev}, torch threads {torch.get_num_threads()}, model {a.model}, batch {a.batch}, K {a.K}, LoRA rank {a.rank}")
    print(f"{'what':<34}{'sampling steps':>15}{'seconds':>10}{'images/s':>10}")
    for T in a.sample_steps:
        for method, beta in (('focus_n_fix', 1.0), ('draft', 0.0)):
            c = TrainConfig(model=a.model, method=method, beta=beta, K=a.K, sample_steps=T, batch_size=a.batch, guidance=a.guidance)
            def step():
                ps, ss = step_batch(prompts, 0, a.batch, 0)
                fnf_loss(pipe, reward, ps, ss, c)['loss'].backward(); opt.step(); opt.zero_grad()
            s = timed(step, a.reps); print(f"{'fine-tuning step, ' + method:<34}{T:>15}{s:>10.3f}{a.batch / s:>10.1f}")
        cond, uncond = encode_text(pipe, prompts[:1] * a.batch), encode_uncond(pipe, a.batch)
        xT = initial_noise(pipe, list(range(a.batch)))
        with torch.no_grad(): s = timed(lambda: sample(pipe, cond, uncond, xT, steps=T, guidance=a.guidance), a.reps)
        print(f"{'sampling (no gradient)':<34}{T:>15}{s:>10.3f}{a.batch / s:>10.1f}")

if __name__ == '__main__': main()
