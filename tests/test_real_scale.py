"""The real-scale path as a user meets it, on tiny pipelines: pipelines saved with the schedulers SD v1.4 and SDXL
ship (PNDM, Euler), loaded from their folders, fine-tuned with bf16 base weights and float32 LoRA weights, with a
dense (heatmap) and a saliency reward. Two crashes lived here: bf16 masks went through numpy (no bf16), and
`scheduler.step(..., eta=0.0)` is a TypeError for PNDM and Euler."""
import json
import pytest
import torch
from diffusers import EulerDiscreteScheduler, PNDMScheduler
from safetensors.torch import load_file
from conftest import BIN, run
from focus_n_fix.pipelines import tiny_pipeline

@pytest.fixture(scope='module')
def shipped(tmp_path_factory):
    "Tiny pipeline folders with PNDM and Euler schedulers."
    d = tmp_path_factory.mktemp('shipped')
    # the scheduler settings SD v1.4 and SDXL base ship: PNDM with skip_prk_steps, Euler with 'leading' timesteps
    for name, cls, kw in (('pndm', PNDMScheduler, dict(skip_prk_steps=True)),
                          ('euler', EulerDiscreteScheduler, dict(timestep_spacing='leading'))):
        p = tiny_pipeline()
        p.scheduler = cls.from_config(p.scheduler.config, **kw)
        p.save_pretrained(d/name)
    return d

@pytest.mark.parametrize('scheduler', ['pndm', 'euler'])
@pytest.mark.parametrize('reward', ['blueness', 'blueness-saliency'])
def test_bf16_shipped_scheduler_fine_tunes(shipped, tmp_path, scheduler, reward):
    out = tmp_path/'run'
    r = run([BIN/'fnf-train', '--model', shipped/scheduler, '--reward', reward, '--mixed_precision', 'bf16', '--out_dir', out,
             '--steps', '2', '--sample_steps', '4', '--K', '1', '--eval_seeds', '1', '--beta', '1.0', '--lr', '0.01'])
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out/'metrics.json').read_text())
    assert m['train']['steps'] == 2 and m['train']['skipped_steps'] == 0
    log = [json.loads(l) for l in (out/'log.jsonl').read_text().splitlines()]
    assert [rec['step'] for rec in log] == [1, 2] and all(rec['rc'] is not None for rec in log)  # computed at every step
    assert log[1]['rc'] > 0                                        # and, once the LoRA moved, not zero
    assert 0 < m['eval']['mask_fraction'] < 1                     # and the reward's region function made masks
    w = load_file(out/'checkpoint-0000002'/'weights.safetensors')
    assert w and {v.dtype for v in w.values()} == {torch.float32}  # LoRA weights float32 on a bf16 UNet
    assert any(v.abs().sum() > 0 for k, v in w.items() if 'lora_B' in k)

@pytest.mark.parametrize('name', ['paper_sd14', 'paper_sdxl'])
def test_paper_configs_are_complete_runs(name):
    "The real-model configs name every setting of a run, each a valid RunConfig value (a typo fails here, not on a GPU)."
    import yaml
    from pathlib import Path
    from focus_n_fix.methods import RunConfig, check_run_config
    cfg = yaml.safe_load((Path(__file__).parent.parent/'configs'/f'{name}.yaml').read_text())
    c = check_run_config(RunConfig(**cfg))
    assert c.reward == 'safety' and c.judge is None and c.prompts.endswith('.txt') and c.eval_prompts
    assert c.mixed_precision == 'auto' and c.grad_checkpoint and c.bank_size > 0

@pytest.mark.parametrize('name, hub_id, tiny', [('sd35', 'stabilityai/stable-diffusion-3.5-medium', 'tiny-random-sd3'),
                                                ('flux', 'black-forest-labs/FLUX.1-dev', 'tiny-random-flux')])
def test_flow_configs_are_complete_runs(name, hub_id, tiny):
    "configs/sd35.yaml and configs/flux.yaml: every setting a valid RunConfig value, checked with the tiny model of the same class."
    import yaml
    from pathlib import Path
    from focus_n_fix.evaluate import JUDGE_GROUP
    from focus_n_fix.finetune import adapter_targets
    from focus_n_fix.lora import TRANSFORMER_TARGETS
    from focus_n_fix.methods import RunConfig, check_run_config
    from focus_n_fix.pipelines import denoiser, is_flow, load_pipeline
    from focus_n_fix.prompts import load_prompts
    from focus_n_fix.real_rewards import clip_judge, safety_reward
    from focus_n_fix.rewards import REWARD_GROUP, REWARDS, resolve_name
    repo = Path(__file__).parent.parent
    cfg = yaml.safe_load((repo/'configs'/f'{name}.yaml').read_text())
    assert cfg['model'] == hub_id
    c = check_run_config(RunConfig(**{**cfg, 'model': tiny}))    # no weights of the real model here: its tiny twin
    assert set(cfg) >= {'reward', 'prompts', 'eval_prompts', 'judge', 'K', 'lora_rank', 'sample_steps', 'guidance', 'lr',
                        'steps', 'beta', 'batch_size', 'bank_size'}   # the starting points are written down, not defaults
    assert (c.reward, c.judge, c.method, c.mixed_precision) == ('safety', 'clip', 'focus_n_fix', 'auto')
    assert resolve_name(c.reward, REWARD_GROUP, REWARDS, 'reward') is safety_reward   # names resolve, no weights loaded
    assert resolve_name(c.judge, JUDGE_GROUP, what='judge') is clip_judge
    assert len(load_prompts(str(repo/c.prompts))) >= 20 and c.eval_prompts.endswith('.tsv')
    assert c.grad_checkpoint and c.bank_size > 0 and c.beta > 0 and 0 < c.K <= c.sample_steps
    assert c.block_checkpoint == (name == 'flux')   # FLUX.1-dev fits one 80 GB GPU only with it (flow_memory.py)
    pipe = load_pipeline(c.model)
    assert is_flow(pipe)
    assert adapter_targets(denoiser(pipe), c.lora_targets) == TRANSFORMER_TARGETS   # the default means the transformer list
