"""Time one fine-tuning step, phase by phase: the project's `train_step` as a user runs it (`setup` from a pipeline
folder, the run's dtype, with and without the reference bank) and a plain diffusers + peft loop, on the same
architecture with random weights.

    python benchmarks/bench_step.py                                   # tiny pipeline, CPU
    python benchmarks/bench_step.py --arch shapesworld --reward artifact --prompts train --batch 8 --sample_steps 20 --guidance 3
    python benchmarks/bench_step.py --arch sd14 --size 512 --batch 4 --sample_steps 50 --rank 64    # on a GPU
    python benchmarks/bench_step.py --arch sdxl --size 1024 --batch 1 --sample_steps 50 --rank 64   # on a GPU
    python benchmarks/bench_step.py --arch sd14 --size 512 --batch 4 --sample_steps 50 --rank 64 --rows bank_ckpt,bank_ckpt_compile
    python benchmarks/bench_step.py --arch sd35m --size 1024 --batch 1 --sample_steps 40 --guidance 4.5 --rank 64 --cap_gib 80   # GPU
    python benchmarks/bench_step.py --arch flux1 --size 1024 --batch 1 --sample_steps 28 --guidance 3.5 --rank 64 --cap_gib 80    # GPU
    python benchmarks/bench_step.py --arch flux1 --size 64 --blocks 1 --text_layers 1 --batch 1 --sample_steps 2 --K 1 --reps 1  # CPU

`--rows` picks the train_step variants (DRaFT, I0 on the fly, the reference bank, with gradient checkpointing, with a
compiled chain, with the LoRA merged for the steps without gradient, `speed='fast'` and `speed='max'`; see ROWS); `--chains 8`
adds, per row, a step's time in base-model sampling chains of the same batch (medians of 8 interleaved pairs, three
repeats; the goal of issue 17 on ShapesWorld is <= 1.15 with the bank); `benchmarks/gpu_bench.sh` is the prepared GPU run whose output is in benchmarks/results/.

Architectures: `tiny` (the test pipeline), `shapesworld` (the shipped model), `sd14` and `sdxl` (SD v1.4's and SDXL
base's architectures built from config with random weights; `--size` sets the image side), `sd35m` and `flux1`
(Stable Diffusion 3.5 Medium's and FLUX.1-dev's: transformer, CLIP-L (+ CLIP-G), T5-XXL encoder, 16-channel VAE, the
schedulers they ship, random weights built directly in the run's dtype on the run's device, no folder written;
`--blocks` and `--text_layers` cut the transformer's and the text encoders' depth, at full width, for the CPU).
`--cap_gib 80` caps this process's GPU memory (`torch.cuda.set_per_process_memory_fraction`) to emulate an 80 GB card
on a larger one. Prints seconds per step, peak memory (GPU: allocated by torch; CPU: the process's peak resident set
so far, which includes building the model), and the share of each phase: reference chain (I0), tuned chain (I, with its K graph
steps and the decode), reward + constraint, backward, optimiser. Nothing here is a test: the numbers are for reading."""
import argparse, contextlib, gc, resource, statistics, tempfile, time
from pathlib import Path
import torch
from diffusers import (AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel,
                       SD3Transformer2DModel, StableDiffusion3Pipeline, StableDiffusionPipeline, StableDiffusionXLPipeline,
                       UNet2DConditionModel)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, T5Config, T5EncoderModel
import focus_n_fix.finetune as ft
from focus_n_fix.methods import RunConfig
from focus_n_fix.pipelines import char_tokenizer, load_pipeline, sd_scheduler, t5_char_tokenizer, tiny_pipeline

def clip_text(width, layers, heads, mlp, proj=None):
    tok = char_tokenizer(77)
    cfg = CLIPTextConfig(vocab_size=len(tok), hidden_size=width, intermediate_size=mlp, num_hidden_layers=layers,
                         num_attention_heads=heads, max_position_embeddings=77, projection_dim=proj or width,
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    return tok, (CLIPTextModelWithProjection if proj else CLIPTextModel)(cfg)

def sd_vae(size):
    return AutoencoderKL(block_out_channels=(128, 256, 512, 512), down_block_types=('DownEncoderBlock2D',) * 4,
                         up_block_types=('UpDecoderBlock2D',) * 4, layers_per_block=2, latent_channels=4, sample_size=size)

def sd14(size):
    "SD v1.4's architecture (UNet 860 M, CLIP ViT-L/14 text encoder, KL-f8 VAE) with random weights."
    tok, te = clip_text(768, 12, 12, 3072)
    unet = UNet2DConditionModel(sample_size=size // 8, layers_per_block=2, block_out_channels=(320, 640, 1280, 1280),
        down_block_types=('CrossAttnDownBlock2D',) * 3 + ('DownBlock2D',), up_block_types=('UpBlock2D',) + ('CrossAttnUpBlock2D',) * 3,
        cross_attention_dim=768, attention_head_dim=8)
    return StableDiffusionPipeline(vae=sd_vae(size), text_encoder=te, tokenizer=tok, unet=unet, scheduler=sd_scheduler(),
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)

def sdxl(size):
    "SDXL base's architecture (UNet 2.6 B, CLIP ViT-L + OpenCLIP bigG text encoders, KL-f8 VAE) with random weights."
    tok, te = clip_text(768, 12, 12, 3072)
    tok2, te2 = clip_text(1280, 32, 20, 5120, proj=1280)
    unet = UNet2DConditionModel(sample_size=size // 8, layers_per_block=2, block_out_channels=(320, 640, 1280),
        down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'),
        up_block_types=('CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'), transformer_layers_per_block=(1, 2, 10),
        attention_head_dim=(5, 10, 20), cross_attention_dim=2048, use_linear_projection=True, addition_embed_type='text_time',
        addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816)
    return StableDiffusionXLPipeline(vae=sd_vae(size), text_encoder=te, text_encoder_2=te2, tokenizer=tok, tokenizer_2=tok2,
                                     unet=unet, scheduler=sd_scheduler(), force_zeros_for_empty_prompt=True, add_watermarker=False)

def clip_real(width, layers, heads, mlp, proj=None):
    "A CLIP text encoder of the real vocabulary size (49408) over the char tokenizer (no download)."
    tok = char_tokenizer(77)
    cfg = CLIPTextConfig(vocab_size=49408, hidden_size=width, intermediate_size=mlp, num_hidden_layers=layers,
                         num_attention_heads=heads, max_position_embeddings=77, projection_dim=proj or width, hidden_act='gelu',
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    return tok, (CLIPTextModelWithProjection if proj else CLIPTextModel)(cfg).eval()

def t5_xxl(layers=24):
    "T5 v1.1 XXL's encoder (4.7 B parameters at 24 layers: d_model 4096, 64 heads, gated-GELU d_ff 10240, vocab 32128)."
    tok = t5_char_tokenizer()
    cfg = T5Config(vocab_size=32128, d_model=4096, d_kv=64, d_ff=10240, num_layers=layers, num_heads=64,
                   feed_forward_proj='gated-gelu', pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                   decoder_start_token_id=tok.pad_token_id)
    return tok, T5EncoderModel(cfg).eval()

def flow_vae(size, scaling, shift):
    "SD3's / FLUX's KL-f8 VAE: 16 latent channels, no quant convs."
    return AutoencoderKL(block_out_channels=(128, 256, 512, 512), down_block_types=('DownEncoderBlock2D',) * 4,
                         up_block_types=('UpDecoderBlock2D',) * 4, layers_per_block=2, latent_channels=16, sample_size=size,
                         scaling_factor=scaling, shift_factor=shift, use_quant_conv=False, use_post_quant_conv=False).eval()

def sd35m(size, blocks=None, text_layers=None):
    "Stable Diffusion 3.5 Medium's architecture (MMDiT-X, 24 blocks of width 1536, the first 13 with dual attention; CLIP-L, CLIP-G, T5-XXL)."
    n = blocks or 24
    tok, te = clip_real(768, text_layers or 12, 12, 3072, proj=768)
    tok2, te2 = clip_real(1280, text_layers or 32, 20, 5120, proj=1280)
    tok3, te3 = t5_xxl(text_layers or 24)
    tr = SD3Transformer2DModel(sample_size=size // 8, patch_size=2, in_channels=16, out_channels=16, num_layers=n,
                               attention_head_dim=64, num_attention_heads=24, joint_attention_dim=4096, caption_projection_dim=1536,
                               pooled_projection_dim=2048, pos_embed_max_size=384, dual_attention_layers=tuple(range(min(13, n))),
                               qk_norm='rms_norm').eval()
    return StableDiffusion3Pipeline(transformer=tr, scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
                                    vae=flow_vae(size, 1.5305, 0.0609), text_encoder=te, tokenizer=tok, text_encoder_2=te2,
                                    tokenizer_2=tok2, text_encoder_3=te3, tokenizer_3=tok3)

def flux1(size, blocks=None, text_layers=None):
    "FLUX.1-dev's architecture (19 double-stream + 38 single-stream blocks of width 3072, guidance embedding; CLIP-L, T5-XXL)."
    tok, te = clip_real(768, text_layers or 12, 12, 3072)
    tok2, te2 = t5_xxl(text_layers or 24)
    tr = FluxTransformer2DModel(patch_size=1, in_channels=64, num_layers=blocks or 19, num_single_layers=2 * blocks if blocks else 38,
                                attention_head_dim=128, num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768,
                                guidance_embeds=True, axes_dims_rope=(16, 56, 56)).eval()
    sch = FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15,
                                          base_image_seq_len=256, max_image_seq_len=4096)
    pipe = FluxPipeline(transformer=tr, scheduler=sch, vae=flow_vae(size, 0.3611, 0.1159), text_encoder=te, tokenizer=tok,
                        text_encoder_2=te2, tokenizer_2=tok2)
    pipe.default_sample_size = size // pipe.vae_scale_factor
    return pipe

FLOW_ARCHS = {'sd35m': sd35m, 'flux1': flux1}

@contextlib.contextmanager
def built_on(device, dtype):
    "Create parameters directly on `device` in `dtype` (12 B float32 parameters on the CPU first would eat the time budget)."
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            yield
    finally:
        torch.set_default_dtype(old)

def flow_loader(a):
    "A `load_pipeline` for the benchmark's flow architectures: a fresh random pipeline per row, built on the device."
    def load(model, dtype=torch.float32, device=None):
        if not str(model).startswith('bench:'):
            return load_pipeline(model, dtype=dtype, device=device)
        torch.manual_seed(0)
        with built_on(device or 'cpu', dtype):
            pipe = FLOW_ARCHS[a.arch](a.size, a.blocks, a.text_layers)
        return pipe                                       # already on `device`, in `dtype`
    return load

def n_params(pipe) -> str:
    net = ft.denoiser(pipe)
    text = sum(p.numel() for k in ('text_encoder', 'text_encoder_2', 'text_encoder_3') if getattr(pipe, k, None) is not None
               for p in getattr(pipe, k).parameters())
    return (f"transformer {sum(p.numel() for p in net.parameters()) / 1e9:.3f} B, text encoders {text / 1e9:.3f} B, "
            f"VAE {sum(p.numel() for p in pipe.vae.parameters()) / 1e9:.3f} B parameters")

def peak_gib():
    "Peak memory: allocated by torch on a GPU; the process's peak resident set on the CPU (Linux reports KiB)."
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

class Phases:
    "Accumulate wall time per phase, synchronising the GPU around each."
    def __init__(self):
        self.t, self.inside = {}, None
    def sync(self):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
    @contextlib.contextmanager
    def phase(self, name):
        self.sync()
        t0 = time.perf_counter()
        yield
        self.sync()
        self.t[name] = self.t.get(name, 0.) + time.perf_counter() - t0

def instrument(ph:Phases):
    "Wrap the library's reference chain, tuned chain, backward and optimiser step with timers."
    ref, samp, backward = ft.reference, ft.sample, torch.Tensor.backward
    def reference(*a, **k):
        with ph.phase('reference chain'):
            return ref(*a, **k)
    def sample(*a, **k):
        if k.get('K', 0) == 0:              # the reference chain's own call: timed by `reference`
            return samp(*a, **k)
        with ph.phase('tuned chain'):
            return samp(*a, **k)
    def bw(self, *a, **k):
        with ph.phase('backward'):
            return backward(self, *a, **k)
    ft.reference, ft.sample, torch.Tensor.backward = reference, sample, bw
    return lambda: (setattr(ft, 'reference', ref), setattr(ft, 'sample', samp), setattr(torch.Tensor, 'backward', backward))

ROWS = {   # --rows: what to time; bank rows share one bank (its build is timed once)
    'draft': ('DRaFT', dict(method='draft')),
    'fly': ('Focus-N-Fix, I0 on the fly', dict(beta=0.5)),
    'bank': ('Focus-N-Fix, reference bank', dict(beta=0.5, bank_size=1)),
    'bank_ckpt': ('FnF, bank, grad checkpoint', dict(beta=0.5, bank_size=1, grad_checkpoint=True)),
    'bank_compile': ('FnF, bank, compiled chain', dict(beta=0.5, bank_size=1, compile_unet=True)),
    'bank_blocks': ('FnF, bank, block checkpoint', dict(beta=0.5, bank_size=1, block_checkpoint=True)),
    'bank_ckpt_compile': ('FnF, bank, ckpt, compiled', dict(beta=0.5, bank_size=1, grad_checkpoint=True, compile_unet=True)),
    'draft_compile': ('DRaFT, compiled chain', dict(method='draft', compile_unet=True)),
    'bank_merge': ('FnF, bank, merged LoRA', dict(beta=0.5, bank_size=1, merge_lora=True)),
    'bank_merge_compile': ('FnF, bank, merged, compiled', dict(beta=0.5, bank_size=1, merge_lora=True, compile_unet=True)),
    'bank_fast': ("FnF, bank, speed='fast'", dict(beta=0.5, bank_size=1, speed='fast')),
    'bank_max': ("FnF, bank, speed='max'", dict(beta=0.5, bank_size=1, speed='max')),
    'draft_merge': ('DRaFT, merged LoRA', dict(method='draft', merge_lora=True)),
}

def free():
    "Release what the last row held, so that each row's peak memory is its own."
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()

def report(name, row, draft, flush=False):
    s, first, peak, shares = row
    sh = ', '.join(f'{k} {v}' if k.startswith('skipped') else f'{k} {v:.0%}' for k, v in shares.items() if abs(v) >= 0.005)
    x = f'{s / draft[0]:.2f}' if draft else '-'
    print(f"{name:<32}{s:>9.3f}{x:>9}{first:>10.1f}{peak if peak is not None else float('nan'):>10.2f}  {sh}", flush=flush)

def time_train_step(c:RunConfig, reps:int):
    "Seconds per `train_step` (after one warm-up step), the warm-up step's seconds, peak memory, phase shares."
    s = ft.setup(c)
    opt_step = s.opt.step
    ph = Phases()
    def step(*a, **k):
        with ph.phase('optimiser'):
            return opt_step(*a, **k)
    s.opt.step = step
    undo = instrument(ph)
    try:
        ph.sync()
        t_first = time.perf_counter()
        ft.train_step(s)                    # warm-up: includes compiling when compile_unet
        ph.sync()
        first = time.perf_counter() - t_first
        ph.t.clear()
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        ph.sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            ft.train_step(s)
        ph.sync()
        total = (time.perf_counter() - t0) / reps
    finally:
        undo()
    peak = peak_gib()
    shares = {k: v / reps / total for k, v in ph.t.items()}
    shares['other (reward, constraint, text, all-reduce, log)'] = 1 - sum(shares.values())
    shares['skipped steps (non-finite loss: no backward)'] = s.state['skipped']
    return total, first, peak, shares

def chain_ratio(c:RunConfig, pairs:int, repeats:int) -> list[tuple[float, float]]:
    """Median train_step time and median time of one base-model sampling chain at the same batch (no gradient), from
    `pairs` interleaved (chain, step) pairs, `repeats` times in one process; the warm-up step (compile) apart."""
    s = ft.setup(c)
    ft.train_step(s)                                   # warm-up: compiles when compile_unet
    ps, ss = ft.step_batch(s.prompts, 0, c.batch_size, c.seed)
    cond, uncond = ft.encode_text(s.pipe, ps), ft.encode_uncond(s.pipe, len(ps))
    xT = ft.initial_noise(s.pipe, ss, dtype=s.pipe.unet.dtype)
    def chain():
        with torch.no_grad(), ft.base_model(s.pipe.unet):
            ft.sample(s.pipe, cond, uncond, xT, steps=c.sample_steps, guidance=c.guidance)
    sync = Phases().sync
    def timed(f):
        sync()
        t0 = time.perf_counter()
        f()
        sync()
        return time.perf_counter() - t0
    chain()
    out = []
    for _ in range(repeats):
        t_chain, t_step = [], []
        for _ in range(pairs):
            t_chain.append(timed(chain))
            t_step.append(timed(lambda: ft.train_step(s)))
        out.append((statistics.median(t_step), statistics.median(t_chain)))
    return out

def plain_step(pipe, params, opt, prompts, seeds, T, K, guidance, beta, reward):
    "A Focus-N-Fix step written directly against diffusers and peft: what a user would write without this library."
    sch = pipe.scheduler
    dev, dt = pipe.unet.device, pipe.unet.dtype
    ids = pipe.tokenizer(prompts + [''] * len(prompts), padding='max_length', max_length=pipe.tokenizer.model_max_length,
                         truncation=True, return_tensors='pt').input_ids.to(dev)
    with torch.no_grad():
        emb = pipe.text_encoder(ids)[0]
    x0 = torch.stack([torch.randn(4, pipe.unet.config.sample_size, pipe.unet.config.sample_size,
                                  generator=torch.Generator().manual_seed(s)) for s in seeds]).to(dev, dt)
    def chain(k, adapters):
        (pipe.unet.enable_adapters if adapters else pipe.unet.disable_adapters)()
        sch.set_timesteps(T)
        x = x0
        for i, t in enumerate(sch.timesteps):
            with torch.set_grad_enabled(i >= T - k):
                e = pipe.unet(torch.cat([x, x]), t, encoder_hidden_states=emb).sample
                eu, ec = e.chunk(2)
                x = sch.step(eu + guidance * (ec - eu), t, x).prev_sample
        with torch.set_grad_enabled(k > 0):
            return (pipe.vae.decode(x / pipe.vae.config.scaling_factor).sample / 2 + 0.5).clamp(0, 1)
    with torch.no_grad():
        ref = chain(0, False)
        mask = reward.region(ref, prompts)
    img = chain(K, True)
    loss = -(reward(img, prompts) - beta * ((1 - mask) * (ref - img)).flatten(1).norm(dim=1).float()).mean()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', default='tiny', choices=['tiny', 'shapesworld', 'sd14', 'sdxl', *FLOW_ARCHS])
    ap.add_argument('--size', type=int, default=64, help='image side for sd14 / sdxl / sd35m / flux1')
    ap.add_argument('--blocks', type=int, default=None, help='sd35m: transformer blocks (of 24); flux1: double-stream blocks '
                    '(of 19), with twice as many single-stream ones (of 38); default: all')
    ap.add_argument('--text_layers', type=int, default=None, help='sd35m / flux1: layers of each text encoder (default: all)')
    ap.add_argument('--cap_gib', type=float, default=None, help='GPU: cap this process at this many GiB (emulates a smaller card)')
    ap.add_argument('--reward', default='blueness')
    ap.add_argument('--prompts', default='tiny')
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--sample_steps', type=int, default=10)
    ap.add_argument('--guidance', type=float, default=7.5)
    ap.add_argument('--K', type=int, default=2)
    ap.add_argument('--rank', type=int, default=4)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--bank_size', type=int, default=64, help='pool of the bank run (its build time is printed too)')
    ap.add_argument('--plain', action='store_true', help='also time a plain diffusers + peft loop')
    ap.add_argument('--rows', default='draft,fly,bank', help=f"comma-separated, of {', '.join(ROWS)}")
    ap.add_argument('--chains', type=int, default=0, help='also: each row as train-step time over base-chain time, '
                    'medians of this many interleaved (chain, step) pairs, three repeats (0: off)')
    a = ap.parse_args()
    gpu = torch.cuda.is_available()
    dev = torch.device('cuda' if gpu else 'cpu')
    if gpu and a.cap_gib:
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, a.cap_gib * 2**30 / total))
        print(f"memory capped at {a.cap_gib} GiB of {total / 2**30:.1f} GiB")
    flow = a.arch in FLOW_ARCHS
    if flow and (a.plain or a.chains):
        raise SystemExit('--plain and --chains: UNet architectures only')
    with tempfile.TemporaryDirectory() as d:
        model = 'shapesworld'
        if flow:
            model = f'bench:{a.arch}'                     # built per row by `flow_loader`, on the device, in the run's dtype
            ft.load_pipeline = flow_loader(a)
        elif a.arch != 'shapesworld':
            pipe = {'tiny': lambda s: tiny_pipeline(), 'sd14': sd14, 'sdxl': sdxl}[a.arch](a.size)
            model = str(Path(d)/'model')                  # a folder of its own: the bank file beside it is not the model
            pipe.save_pretrained(model)                   # the user's path: a pipeline folder, loaded by `setup`
            del pipe
        print(f"device {torch.cuda.get_device_name() if gpu else 'cpu'}, torch {torch.__version__}, threads {torch.get_num_threads()}; "
              f"arch {a.arch} ({a.size if a.arch in ('sd14', 'sdxl', *FLOW_ARCHS) else 32} px), batch {a.batch}, "
              f"{a.sample_steps} {'flow-matching Euler' if flow else 'DDIM'} steps, {'guidance' if a.arch == 'flux1' else 'CFG'} "
              f"{a.guidance}, K {a.K}, LoRA rank {a.rank}" + (f"; blocks {a.blocks or 'all'}, text layers {a.text_layers or 'all'}"
                                                            if flow else ''))
        if flow:
            with torch.device('meta'):                   # counted without memory
                print(n_params(FLOW_ARCHS[a.arch](a.size, a.blocks, a.text_layers)), flush=True)
        base = dict(model=model, reward=a.reward, prompts=a.prompts, batch_size=a.batch, sample_steps=a.sample_steps,
                    guidance=a.guidance, K=a.K, lora_rank=a.rank, steps=10**6, checkpoint_every=10**6)
        print(f"\n{'train_step':<32}{'s/step':>9}{'x DRaFT':>9}{'1st step':>10}{'peak GiB':>10}  phase shares", flush=True)
        rows = {}
        bank_file, build = Path(d)/'bank.safetensors', None
        for key in a.rows.split(','):
            name, kw = ROWS[key]
            kw = dict(kw)
            if kw.get('bank_size'):
                kw.update(bank_size=a.bank_size, bank_file=str(bank_file))
            try:
                with tempfile.TemporaryDirectory() as out:
                    c = RunConfig(out_dir=out, **base, **kw)
                    if kw.get('bank_size') and not bank_file.is_file():   # draw the bank first, timing `build_bank` alone
                        ph, build_bank = Phases(), ft.build_bank
                        def timed_build(*x, **k):
                            with ph.phase('build'):
                                return build_bank(*x, **k)
                        ft.build_bank = timed_build
                        try:
                            ft.setup(c)
                        finally:
                            ft.build_bank = build_bank
                        build = ph.t['build']
                    rows[name] = time_train_step(c, a.reps)
            except Exception as e:                # one failing row must not lose the others' figures
                print(f"{name}: failed: {type(e).__name__}: {e}", flush=True)
            free()
            if name in rows:
                report(name, rows[name], rows.get('DRaFT'), flush=True)
            if a.chains and name in rows:
                with tempfile.TemporaryDirectory() as out:
                    r = chain_ratio(RunConfig(out_dir=out, **base, **kw), a.chains, 3)
                print(f"  {'':<30}step / base chain: " + ', '.join(f'{st / ch:.2f} ({st:.3f} s / {ch:.3f} s)' for st, ch in r),
                      flush=True)
                free()
        if build is not None:
            per = build / a.bank_size
            print(f"bank build: {build:.1f} s for {a.bank_size} entries ({per:.3f} s each); over a run of N steps of batch "
                  f"{a.batch} with a pool of N x {a.batch} it adds {per * a.batch:.3f} s per step", flush=True)
        if a.plain:
            if a.arch == 'sdxl':
                print('plain loop: SD architectures only')
                return
            dt = torch.bfloat16 if gpu else torch.float32
            pipe = load_pipeline(model, dtype=dt, device=dev)
            from focus_n_fix.rewards import load_reward
            from focus_n_fix.lora import add_lora
            params = add_lora(pipe.unet, a.rank)
            opt = torch.optim.AdamW(params, lr=1e-4)
            reward = load_reward(a.reward, dev)
            ps = ['a red circle'] * a.batch
            step = lambda: plain_step(pipe, params, opt, ps, list(range(a.batch)), a.sample_steps, a.K, a.guidance, 0.5, reward)
            step()
            if gpu:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            for _ in range(a.reps):
                step()
            if gpu:
                torch.cuda.synchronize()
            s = (time.perf_counter() - t0) / a.reps
            peak = torch.cuda.max_memory_allocated() / 2**30 if gpu else float('nan')
            x = f"{s / rows['DRaFT'][0]:.2f}" if 'DRaFT' in rows else '-'
            print(f"{'plain diffusers + peft loop':<32}{s:>9.3f}{x:>9}{'':>10}{peak:>10.2f}", flush=True)

if __name__ == '__main__':
    main()
