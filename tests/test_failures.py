"Bad input: a clear message, at once, and nothing already in the run folder lost."
import shutil, time
import pytest
from conftest import BIN, SMALL, run, snapshot

def fail(args, out, **kw):
    t0 = time.time(); r = run([BIN/'fnf-train', '--out_dir', out, *SMALL, *args], **kw)
    assert r.returncode != 0
    return r.stderr, time.time() - t0

@pytest.fixture
def used_run(finished_run, tmp_path):
    d = tmp_path/'run'; shutil.copytree(finished_run, d); return d

@pytest.mark.parametrize('args,msg', [
    (['--model', './no/such/pipeline'], 'no such folder'),
    (['--model', 'CompVis/stable-diffusion-v1-4'], 'not in the local Hugging Face cache and HF_HUB_OFFLINE is set'),
])
def test_missing_model_leaves_no_folder(tmp_path, args, msg):
    err, secs = fail(args, tmp_path/'new')
    assert 'fnf-train: error:' in err and msg in err, err[-2000:]
    assert secs < 60 and not (tmp_path/'new').exists()

@pytest.mark.parametrize('args,msg', [
    (['--model', './no/such/pipeline'], 'holds a run with other settings (model:'),
    (['--prompts', 'missing-prompts.txt'], "no such file and no named set"),
    (['--reward', 'no_such_reward'], 'unknown reward'),
    (['--K', '9'], 'must lie in [1, sample_steps=4]'),
    (['--K', '0'], 'K=0 must be an integer >= 1'),
    (['--lora_rank', '8'], 'holds a run with other settings'),
])
def test_clear_error_and_run_kept(used_run, args, msg):
    before = snapshot(used_run)
    err, secs = fail(args, used_run)
    assert 'fnf-train: error:' in err and msg in err, err[-2000:]
    assert secs < 60
    assert snapshot(used_run) == before

def test_empty_prompts_file(used_run, tmp_path):
    (tmp_path/'empty.txt').write_text('\n  \n')
    before = snapshot(used_run)
    err, _ = fail(['--prompts', tmp_path/'empty.txt'], used_run)
    assert 'hold no prompt' in err and snapshot(used_run) == before

def test_mask_of_wrong_shape(tmp_path):
    err, _ = fail(['--reward', 'broken_rewards:bad_mask_reward'], tmp_path/'run')
    assert 'region mask has shape (2, 1, 7, 7)' in err and 'must return a (2, 1, 32, 32) mask' in err

def test_nan_reward_skips_steps(tmp_path):
    "An occasional non-finite step (a bf16 overflow) is skipped and the run goes on; an always-NaN reward stops it."
    import json
    r = run([BIN/'fnf-train', '--out_dir', tmp_path/'run', *SMALL, '--reward', 'broken_rewards:nan_once_reward'])
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'step skipped, weights untouched' in r.stderr
    assert json.loads((tmp_path/'run'/'metrics.json').read_text())['train']['skipped_steps'] == 1
    r = run([BIN/'fnf-train', '--out_dir', tmp_path/'nan', *SMALL, '--reward', 'broken_rewards:nan_reward'])
    assert r.returncode != 0 and 'every one of the 2 steps was skipped' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'nan'/'pytorch_lora_weights.safetensors').exists()

def test_interrupted_run_resumes(finished_run, tmp_path):
    "A run cut after its step-2 checkpoint continues to step 3 from it, keeping its log."
    d = tmp_path/'run'; shutil.copytree(finished_run, d)
    (d/'metrics.json').unlink(); (d/'pytorch_lora_weights.safetensors').unlink()
    r = run([BIN/'fnf-train', '--out_dir', d, *SMALL[2:], '--steps', '3'])
    assert r.returncode == 0, r.stderr[-2000:]
    assert [l.split(',')[0] for l in (d/'log.jsonl').read_text().splitlines()] == ['{"step": 1', '{"step": 2', '{"step": 3']
    assert (d/'checkpoint-0000003').is_dir() and not (d/'checkpoint-0000002').exists()

@pytest.mark.parametrize('flag,what', [('--bank_file', 'a reference bank'), ('--base_images', 'a cache of base images')])
@pytest.mark.parametrize('kind', ['text', 'adapter'])
def test_cache_file_of_another_kind(finished_run, tmp_path, flag, what, kind):
    "Issue 29: --bank_file / --base_images naming a text file or an adapter (KeyError: 'prompts' before): one line, nothing written."
    f = tmp_path/'notes.txt'
    if kind == 'text':
        f.write_text('my notes')
    else:
        f = tmp_path/'adapter.safetensors'
        shutil.copy(finished_run/'pytorch_lora_weights.safetensors', f)
    before = f.read_bytes()
    extra = ['--beta', '1', '--bank_size', '4'] if flag == '--bank_file' else []
    err, _ = fail([flag, f, *extra, '--redo_stale', 'True'], tmp_path/'new')
    assert 'fnf-train: error:' in err and f'is not {what}' in err and 'Traceback' not in err, err[-2000:]
    assert not (tmp_path/'new').exists() and f.read_bytes() == before
