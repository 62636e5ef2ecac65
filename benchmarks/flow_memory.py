"""Memory of one Focus-N-Fix step on SD 3.5 Medium and FLUX.1-dev at 1024 px, batch 1, bf16 base weights and a
float32 LoRA of rank 64: an ESTIMATE computed on the meta device (shapes only: no memory, no compute), not a
measurement.

    python benchmarks/flow_memory.py          # output kept in benchmarks/results/flow_memory_estimate.txt

It counts the parameters of each component (`bench_step.py`'s random-weight architectures), the LoRA's parameters
with their gradient and AdamW state (16 bytes each), and the tensors autograd saves for backward in one transformer
call with the LoRA (saved-tensor hooks; parameters and repeats not counted). The math attention path that the meta
device takes saves (L, L) attention matrices that a fused kernel (flash / memory-efficient attention on a GPU) does
not; they are printed apart and left out of the totals. Not counted: allocator fragmentation, cuBLAS workspaces,
temporary buffers inside a call, the VAE decode's graph. So the totals are lower bounds of what a GPU will show."""
import sys
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
import bench_step as b
from focus_n_fix.lora import add_lora
from focus_n_fix.sampling import pack_latents

GiB, CARD = 2**30, 81559 * 2**20          # an H100 80GB reports 81559 MiB

def saved_bytes(fn, params) -> tuple[int, int]:
    "Bytes autograd saves in `fn()`: (all but (L, L) attention matrices, those matrices), parameters left out."
    pids, seen, tot = {id(p) for p in params}, set(), [0, 0]
    def pack(t):
        if id(t) not in pids and id(t) not in seen:
            seen.add(id(t))
            square = t.dim() >= 2 and t.shape[-1] == t.shape[-2] and t.shape[-1] > 300
            tot[int(square)] += t.numel() * t.element_size()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return tuple(tot)

def call(arch, tr, dt):
    "One transformer call at 1024 px: FLUX batch 1 (guidance embedding, T5 512 tokens); SD3 CFG batch 2 (T5 256 + CLIP 77)."
    x = torch.randn(1, 16, 128, 128, dtype=dt)
    if arch == 'flux1':
        lat = pack_latents(x)
        return lambda: tr(hidden_states=lat, encoder_hidden_states=torch.randn(1, 512, 4096, dtype=dt),
                          pooled_projections=torch.randn(1, 768, dtype=dt), timestep=torch.ones(1, dtype=dt), guidance=torch.ones(1),
                          img_ids=torch.zeros(lat.shape[1], 3), txt_ids=torch.zeros(512, 3), return_dict=False)
    return lambda: tr(hidden_states=torch.cat([x, x]), encoder_hidden_states=torch.randn(2, 333, 4096, dtype=dt),
                      pooled_projections=torch.randn(2, 2048, dtype=dt), timestep=torch.ones(2), return_dict=False)

def main(K=2):
    dt = torch.bfloat16
    print(f"estimate (meta device), 1024 px, batch 1, bf16 weights, float32 LoRA rank 64 + AdamW, K = {K}; card {CARD / GiB:.1f} GiB")
    for arch in ('sd35m', 'flux1'):
        with b.built_on('meta', dt):
            pipe = b.FLOW_ARCHS[arch](1024)
        gib = lambda m: sum(p.numel() * p.element_size() for p in m.parameters()) / GiB
        tr = pipe.transformer
        w_tr = gib(tr)
        w_text = sum(gib(getattr(pipe, k)) for k in ('text_encoder', 'text_encoder_2', 'text_encoder_3') if getattr(pipe, k, None) is not None)
        w_vae = gib(pipe.vae)
        tr.requires_grad_(False)
        lora = add_lora(tr, 64)
        n_lora = sum(p.numel() for p in lora)
        opt = n_lora * 16 / GiB                       # float32 weight, gradient, AdamW's two moments
        with torch.device('meta'):
            act, att = saved_bytes(call(arch, tr, dt), list(tr.parameters()))
        act, att = act / GiB, att / GiB
        fixed = w_tr + w_text + w_vae + opt
        blocks = len(tr.transformer_blocks) + len(getattr(tr, 'single_transformer_blocks', []))
        tokens, width = (4096 + 512, 3072) if arch == 'flux1' else (2 * (4096 + 333), 1536)   # SD3: CFG batch 2
        inputs = blocks * tokens * width * 2 / GiB    # what per-block checkpointing keeps: each block's bf16 input
        print(f"\n{arch}: transformer {sum(p.numel() for p in tr.parameters()) - n_lora:,} parameters ({w_tr:.1f} GiB), text encoders "
              f"{w_text:.1f} GiB, VAE {w_vae:.2f} GiB; LoRA {n_lora:,} parameters, with gradient and AdamW {opt:.2f} GiB")
        print(f"  saved for backward by one transformer call with the LoRA: {act:.1f} GiB "
              f"(+ {att:.1f} GiB of (L, L) attention matrices on an unfused attention path, not counted below)")
        rows = [('no checkpointing: K calls keep their graphs', fixed + K * act),
                ("grad_checkpoint (the project's, per call): one call recomputed at a time", fixed + act),
                ('  + text encoders off the GPU after encoding (not wired in)', fixed - w_text + act),
                (f'block_checkpoint (per block): {blocks} block inputs + one block', fixed + inputs + act / blocks),
                ('FSDP over 8 GPUs, frozen weights sharded (not wired in), per call', (w_tr + w_text + w_vae) / 8 + opt + act)]
        for name, v in rows:
            print(f"  {name:<72}{v:>7.1f} GiB  {'under' if v < CARD / GiB else 'OVER'} {CARD / GiB:.1f} GiB (a lower bound)")

if __name__ == '__main__':
    main()
