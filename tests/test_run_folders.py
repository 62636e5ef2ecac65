"""Run folders as a new user meets them through `fnf-train` and papermill: a folder of other work is refused and
kept, bad numbers and settings files end in one clear line, a finished run is handed back only when it is the
run asked for and intact, one writer per folder, a shared bank built once, progress on the terminal, Ctrl-C
resumable. Each test names the input of issue 14 it pins."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
from safetensors.torch import load_file
from conftest import BIN, REPO, SMALL, run, snapshot

TINY = ['--model', 'tiny-random', '--reward', 'blueness', '--prompts', 'tiny', '--eval_prompts', 'tiny', '--judge', 'None',
        '--steps', '2', '--sample_steps', '4', '--eval_seeds', '1']

def fnf(out, *args, **kw):
    return run([BIN/'fnf-train', '--out_dir', out, *args], **kw)

def one_error(r, contains):
    "The command failed with one `fnf-train: error:` line saying `contains`, and no traceback."
    assert r.returncode != 0, r.stdout[-1000:]
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    assert 'fnf-train: error:' in r.stderr and contains in r.stderr, r.stderr[-2000:]

def test_folder_of_other_work_is_refused_and_kept(tmp_path):
    "1. out_dir holding someone's checkpoint-500/ and .draft.tmp.md: refused, both kept (they used to be deleted)."
    x = tmp_path/'x'
    (x/'checkpoint-500').mkdir(parents=True)
    (x/'checkpoint-500'/'m.safetensors').write_text('w')
    (x/'.draft.tmp.md').write_text('d')
    before = snapshot(x)
    one_error(fnf(x, *TINY), 'holds files this project did not write (.draft.tmp.md, checkpoint-500)')
    assert snapshot(x) == before

@pytest.mark.parametrize('out', ['', '.'])
def test_current_directory_is_refused(out):
    "1. --out_dir '' or '.': refused before anything is written."
    before = sorted(p.name for p in REPO.iterdir())
    one_error(fnf(out, *TINY), 'is the current directory')
    assert sorted(p.name for p in REPO.iterdir()) == before

def test_out_dir_that_is_a_file(tmp_path):
    "5. out_dir naming a file."
    (tmp_path/'f').write_text('mine')
    one_error(fnf(tmp_path/'f', *TINY), 'is a file, not a folder')
    assert (tmp_path/'f').read_text() == 'mine'

@pytest.mark.skipif(os.geteuid() == 0, reason='root writes into read-only folders; the check is tested in 01_runfolder for others')
def test_read_only_out_dir(tmp_path):
    "5. a read-only out_dir."
    (tmp_path/'ro').mkdir()
    os.chmod(tmp_path/'ro', 0o555)
    one_error(fnf(tmp_path/'ro'/'run', *TINY), 'permission denied')

@pytest.mark.parametrize('args,msg', [
    (['--lr', 'inf'], 'lr=inf must be a finite number'),
    (['--beta', 'nan'], 'beta=nan must be a finite number'),
    (['--guidance', 'nan'], 'guidance=nan must be a finite number'),
    (['--lora_alpha', '0'], 'lora_alpha=0.0 must be > 0'),
    (['--grad_clip', '-1'], 'grad_clip=-1.0 must be >= 0 (0 turns clipping off)'),
    (['--steps', '2.7'], "steps='2.7' (from the command line) must be an integer"),
    (['--steps', 'ten'], "steps='ten' (from the command line) must be an integer"),
    (['--lora_rnak', '8'], 'unrecognized arguments: --lora_rnak'),
])
def test_bad_numbers_refused(tmp_path, args, msg):
    "2 and 5. Each used to train (an all-NaN adapter, an untrained one, another alpha, no clipping) and exit 0."
    r = fnf(tmp_path/'run', *TINY, *args)
    assert r.returncode != 0 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'run').exists()

@pytest.mark.parametrize('text,msg', [
    ('steps: 2.7\n', 'must be an integer'),
    ('steps: ten\n', "steps='ten'"),
    ('- steps\n- lr\n', 'holds a list; it must be a mapping'),
    ('lora_rnak: 8\n', "unknown setting 'lora_rnak'"),
    ('reward: os:system\n', "reward 'os:system'"),
])
def test_bad_settings_file(tmp_path, text, msg):
    "5. YAML mistakes: a message naming the file and the setting."
    f = tmp_path/'run.yaml'
    f.write_text(text)
    r = fnf(tmp_path/'run', '--config', f, '--sample_steps', '4', '--eval_seeds', '1')   # the defaults: tiny-random, blueness
    one_error(r, msg)
    assert str(f) in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'run').exists()

def test_yaml_number_as_text_is_a_number(tmp_path):
    "5. `lr: 1e-3` (a string to PyYAML) used to end in TypeError; now it is the number 0.001."
    f = tmp_path/'run.yaml'
    f.write_text('lr: 1e-3\nsteps: 1\n')
    r = fnf(tmp_path/'run', '--config', f, '--sample_steps', '4', '--eval_seeds', '1')
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((tmp_path/'run'/'config.json').read_text())['lr'] == 1e-3

def test_binary_prompts_file(tmp_path):
    "5. a prompts file that is not text: the file is named."
    (tmp_path/'p.txt').write_bytes(b'\x89PNG\r\n\x1a\n\xff\xfe\x00')
    one_error(fnf(tmp_path/'run', *TINY[:4], '--prompts', tmp_path/'p.txt', *TINY[6:]), str(tmp_path/'p.txt'))

def test_finished_run_with_fewer_steps_is_refused(finished_run, tmp_path):
    "3. A finished 2-step run asked for 1 step used to hand back the 2-step adapter and rewrite config.json to 1."
    d = tmp_path/'run'
    import shutil
    shutil.copytree(finished_run, d)
    before = snapshot(d)
    one_error(fnf(d, *SMALL[:1], '1', *SMALL[2:]), 'holds a run trained to step 2; steps=1 is fewer')
    assert snapshot(d) == before

def test_damaged_finished_run_is_refused(finished_run, tmp_path):
    "3. A truncated adapter in a finished run used to be handed back (exit 0)."
    d = tmp_path/'run'
    import shutil
    shutil.copytree(finished_run, d)
    ad = d/'pytorch_lora_weights.safetensors'
    ad.write_bytes(ad.read_bytes()[:200])
    one_error(fnf(d, *SMALL), 'pytorch_lora_weights.safetensors changed since the run finished')

def test_damaged_files_named(finished_run, tmp_path):
    "5. A truncated checkpoint and a garbage config.json: errors naming the file."
    import shutil
    d = tmp_path/'run'
    shutil.copytree(finished_run, d)
    (d/'metrics.json').unlink()                       # unfinished: it will resume from its checkpoint
    w = d/'checkpoint-0000002'/'weights.safetensors'
    w.write_bytes(w.read_bytes()[:40])
    one_error(fnf(d, *SMALL[2:], '--steps', '3'), 'checkpoint-0000002 cannot be read')
    (d/'config.json').write_text('garbage')
    one_error(fnf(d, *SMALL), 'config.json (the settings of a run) is not valid JSON')

def test_all_nan_reward_stops_with_error(tmp_path):
    "2. A reward that is always NaN used to skip every step and exit 0 with an untrained adapter."
    r = fnf(tmp_path/'run', *SMALL[:1], '6', *SMALL[2:], '--reward', 'broken_rewards:nan_reward', '--checkpoint_every', '2')
    one_error(r, '4 steps in a row had a non-finite reward')
    assert json.loads((tmp_path/'run'/'checkpoint.json').read_text())['step'] == 2
    assert not (tmp_path/'run'/'pytorch_lora_weights.safetensors').exists()

def test_huge_guidance_names_guidance(tmp_path):
    "Issue 29: --guidance 1e308 blamed the reward and lr and reported a checkpoint kept for an adapter that never moved."
    r = fnf(tmp_path/'run', *TINY, '--steps', '6', '--guidance', '1e308', '--checkpoint_every', '2')
    one_error(r, 'guidance=1e+308, far above the usual 1 to 15')
    assert 'no step has moved the adapter' in r.stderr, r.stderr[-1500:]

def _wait_for(cond, timeout=300):
    t0 = time.time()
    while not cond():
        assert time.time() - t0 < timeout, 'timed out'
        time.sleep(0.2)

def _state(pid) -> str:
    return Path(f'/proc/{pid}/stat').read_text().split(')')[-1].split()[0]

def test_second_writer_refused(tmp_path):
    "4. Two fnf-train on one out_dir used to both run (or one crashed); now the second is refused, naming the first."
    d = tmp_path/'run'
    env = {**os.environ, 'PYTHONPATH': str(REPO/'tests'), 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1',
           'FOCUS_N_FIX_KILL_AT': 'step.logged:1:STOP'}   # the first stops itself (SIGSTOP) after its first step, holding the lock
    args = [*SMALL, '--checkpoint_every', '1']
    first = subprocess.Popen([BIN/'fnf-train', '--out_dir', d, *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: first.poll() is not None or _state(first.pid) == 'T')
        assert first.poll() is None, first.communicate()[1][-2000:]
        one_error(fnf(d, *args), f'is being written by pid {first.pid}')
    finally:
        first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=900)
    assert first.returncode == 0, err[-3000:]
    assert [json.loads(l)['step'] for l in (d/'log.jsonl').read_text().splitlines()] == [1, 2]   # one writer: each step once

def test_stale_lock_taken_over(tmp_path):
    "4. A run killed with SIGKILL leaves its lock file; the next run takes it over, says so, and resumes."
    d = tmp_path/'run'
    r = fnf(d, *SMALL, '--checkpoint_every', '1', env={'FOCUS_N_FIX_KILL_AT': 'step.logged:1'})
    assert r.returncode == -signal.SIGKILL and (d/'.focus_n_fix.lock').is_file()
    r = fnf(d, *SMALL, '--checkpoint_every', '1')
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'took over the lock left by pid' in r.stderr and 'which is no longer running' in r.stderr
    assert not (d/'.focus_n_fix.lock').exists()

def test_shared_bank_built_once(tmp_path):
    "4. Two runs started together on one bank_file: the first draws it, the other waits and loads it."
    env = {**os.environ, 'PYTHONPATH': str(REPO/'tests'), 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1'}
    bank = tmp_path/'banks'/'shared.safetensors'
    procs = [subprocess.Popen([BIN/'fnf-train', '--out_dir', tmp_path/f'run{i}', *SMALL, '--bank_size', '64', '--bank_file', bank],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (0, 1)]
    errs = [p.communicate(timeout=900)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-2000:] for e in errs]
    assert sum('drawing the reference bank' in e for e in errs) == 1, errs

def test_progress_on_the_terminal(tmp_path):
    "7. fnf-train shows training and evaluation progress (steps, seconds per step, time left) on stderr."
    r = fnf(tmp_path/'run', *TINY)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'fine-tuning 2/2 steps, ' in r.stderr and ' s/step, 0m00s left' in r.stderr, r.stderr[-2000:]
    assert 'evaluating: the method 4/4 images' in r.stderr and 'evaluating: the base model 4/4 images' in r.stderr

def test_papermill_progress_and_unknown_parameter(tmp_path):
    """2 and 7. papermill -p lora_rnak 64 used to be ignored (a warning); now the notebook stops naming lora_rank.
    With --log-output (as `make train` runs it) the loop's progress reaches the terminal."""
    nb = [BIN/'papermill', '--log-output', REPO/'nbs'/'train.ipynb', tmp_path/'out.ipynb', '-p', 'out_dir', tmp_path/'run',
          '-p', 'model', 'tiny-random', '-p', 'reward', 'blueness', '-p', 'prompts', 'tiny', '-p', 'eval_prompts', 'tiny',
          '-p', 'judge', 'None', '-p', 'steps', 2, '-p', 'sample_steps', 4, '-p', 'batch_size', 2]
    r = run(nb + ['-p', 'lora_rnak', 64])
    assert r.returncode != 0 and "unknown parameter 'lora_rnak' (did you mean 'lora_rank'?)" in r.stderr, r.stderr[-3000:]
    assert not (tmp_path/'run').exists()
    r = run(nb)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'fine-tuning 2/2 steps' in r.stderr + r.stdout

def test_sigint_exits_with_one_line_and_resumes(tmp_path):
    "8. Ctrl-C (SIGINT, sent by the fault hook after step 2 is logged): one line, exit 130, and the same command resumes."
    args = [*SMALL[:1], '4', *SMALL[2:], '--checkpoint_every', '1', '--lr', '0.01']
    r = fnf(tmp_path/'run', *args, env={'FOCUS_N_FIX_KILL_AT': 'step.logged:2:INT'})
    assert r.returncode == 130, (r.returncode, r.stderr[-3000:])
    assert r.stderr.strip().splitlines()[-1] == 'fnf-train: interrupted; resume with the same command'
    assert 'Traceback' not in r.stderr and not (tmp_path/'run'/'.focus_n_fix.lock').exists()
    assert fnf(tmp_path/'run', *args).returncode == 0
    assert fnf(tmp_path/'ref', *args).returncode == 0
    a, b = (load_file(tmp_path/x/'checkpoint-0000004'/'weights.safetensors') for x in ('run', 'ref'))
    assert a.keys() == b.keys() and all(a[k].equal(b[k]) for k in a)

def test_user_temp_like_files_survive_a_continued_run(tmp_path):
    "Issue 29: a user's `.notes.tmp1` in a finished run folder was deleted when the run was continued (`--steps 3`)."
    d = tmp_path/'run'
    assert fnf(d, *TINY).returncode == 0
    mine = ['.notes.tmp1', '.draft.tmp.md', 'notes.txt', '.plot.png.tmp3']
    for n in mine:
        (d/n).write_text('mine')
    r = fnf(d, *TINY[:-6], '--steps', '3', '--sample_steps', '4', '--eval_seeds', '1')
    assert r.returncode == 0, r.stderr[-2000:]
    assert all((d/n).read_text() == 'mine' for n in mine)
    assert json.loads((d/'metrics.json').read_text())['train']['steps'] == 3
    assert not [p.name for p in d.rglob('.fnf-tmp-*')]   # and the run left none of its own
