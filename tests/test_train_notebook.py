"`papermill nbs/train.ipynb` produces the run folder, and its adapter reproduces the tuned images in a fresh pipeline."
import json
import pytest
import torch
from safetensors import safe_open
from conftest import BIN, REPO, SMALL, run
from focus_n_fix.pipelines import load_pipeline, encode_text, encode_uncond
from focus_n_fix.sampling import initial_noise, sample

def reload_matches(out):
    "Load the run's adapter into a fresh pipeline and redraw its evaluation images from their seeds."
    cfg = json.loads((out/'config.json').read_text())
    with safe_open(out/'eval_images.safetensors', 'pt') as f:
        tuned, base, meta = f.get_tensor('tuned'), f.get_tensor('base'), f.metadata()
    prompts, seeds = json.loads(meta['prompts']), json.loads(meta['seeds'])
    pipe = load_pipeline(cfg['model'])
    pipe.load_lora_weights(out)
    with torch.no_grad():
        img = sample(pipe, encode_text(pipe, prompts), encode_uncond(pipe, len(prompts)), initial_noise(pipe, seeds),
                     steps=cfg['sample_steps'], guidance=cfg['guidance'])
    assert (tuned - base).abs().max() > 1e-4, 'training changed nothing: the reload check would be vacuous'
    assert (img - tuned).abs().max() < 1e-5

def test_papermill_train_and_reload(tmp_path):
    "The notebook's defaults (ShapesWorld, artifact reward, oracle judge) with a few small steps."
    out = tmp_path/'run'
    r = run([BIN/'papermill', REPO/'nbs'/'train.ipynb', tmp_path/'train.ipynb', '-p', 'out_dir', out,
             '-p', 'steps', 3, '-p', 'sample_steps', 6, '-p', 'batch_size', 2, '-p', 'lr', 0.01])
    assert r.returncode == 0, r.stderr[-3000:]
    for f in ('pytorch_lora_weights.safetensors', 'config.json', 'metrics.json', 'log.jsonl', 'eval_images.safetensors', 'per_image.csv',
              'eval_grid.png'):
        assert (out/f).is_file(), f
    cfg, m = json.loads((out/'config.json').read_text()), json.loads((out/'metrics.json').read_text())
    assert cfg['steps'] == 3 and cfg['lr'] == 0.01 and m['train']['steps'] == 3
    assert (cfg['model'], cfg['reward'], cfg['method'], cfg['judge']) == ('shapesworld', 'artifact', 'focus_n_fix', 'shapesworld')
    assert m['eval']['n_images'] == 256  # the artifact evaluation set
    keys = {'reward_base', 'reward_tuned', 'psnr_outside', 'ssim_outside', 'judge_glitch_base', 'judge_glitch_tuned'}
    assert keys <= set(m['eval'])
    assert 0 < m['eval']['judge_glitch_base'] < 1  # the oracle found glitches in some base images, not all
    reload_matches(out)

def test_papermill_tiny_random(tmp_path):
    "The same notebook on the random-weight pipeline with a closed-form reward and no judge."
    out = tmp_path/'run'
    r = run([BIN/'papermill', REPO/'nbs'/'train.ipynb', tmp_path/'train.ipynb', '-p', 'out_dir', out, '-p', 'model', 'tiny-random',
             '-p', 'reward', 'blueness', '-p', 'prompts', 'tiny', '-p', 'eval_prompts', 'tiny', '-p', 'judge', 'None',
             '-p', 'steps', 2, '-p', 'sample_steps', 4, '-p', 'batch_size', 2, '-p', 'lr', 0.01])
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out/'metrics.json').read_text())
    assert 'judge_glitch_base' not in m['eval'] and m['train']['steps'] == 2

def test_sdxl_train_and_reload(tmp_path):
    "The same loop fine-tunes an SDXL pipeline (two text encoders, added conditions); its adapter reloads too."
    r = run([BIN/'fnf-train', '--model', 'tiny-random-xl', '--out_dir', tmp_path/'xl', *SMALL, '--lr', '0.01'])
    assert r.returncode == 0, r.stderr[-3000:]
    reload_matches(tmp_path/'xl')

@pytest.mark.parametrize('args,msg', [
    (['-p', 'stpes', '2'], "ValueError: unknown parameter 'stpes' (did you mean 'steps'?)"),
    (['-p', 'steps', 'abc'], "steps"),
    (['-p', 'out_dir', ''], "out_dir ''"),
])
def test_make_train_parameter_error_is_one_line(tmp_path, args, msg):
    "Issue 29: a mistyped parameter of make train ends with the notebook's message as the last line, no traceback; it goes to the log."
    log = tmp_path/'train.log'
    r = run([BIN/'python', REPO/'tools'/'run_notebook.py', log, 'make train', '--log-output', REPO/'nbs'/'train.ipynb',
             tmp_path/'out.ipynb', *args], timeout=300)
    assert r.returncode != 0
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith('make train: error: ') and msg in last, last
    assert 'Traceback' in log.read_text()   # papermill's whole output is kept
