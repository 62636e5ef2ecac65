"Shared helpers for the tests that notebooks cannot hold well: subprocess, papermill and failure-path runs."
import hashlib, os, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtual environment's scripts (fnf-train, papermill, accelerate)

def run(cmd, timeout=600, env=None, **kw):
    "Run a command with the tests' broken rewards importable; return the CompletedProcess."
    e = {**os.environ, 'PYTHONPATH': str(REPO/'tests'), 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1', **(env or {})}
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, env=e, cwd=REPO, **kw)

def snapshot(d):
    "File name -> md5 of everything under `d`: what a failed run must leave unchanged."
    return {str(f.relative_to(d)): hashlib.md5(f.read_bytes()).hexdigest() for f in sorted(Path(d).rglob('*')) if f.is_file()}

SMALL = ['--steps', '2', '--sample_steps', '4', '--K', '1', '--eval_seeds', '1', '--batch_size', '2']

@pytest.fixture(scope='session')
def finished_run(tmp_path_factory):
    "A small finished run folder, made once through the command line."
    d = tmp_path_factory.mktemp('runs')/'done'
    r = run([BIN/'fnf-train', '--out_dir', d, *SMALL])
    assert r.returncode == 0, r.stderr[-3000:]
    return d
