"""Real faults: `fnf-train` killed with SIGKILL at several moments — inside checkpoint writes, mid-way through a log
line, between a temporary file and its rename — resumes each time to LoRA weights bit-identical to an uninterrupted
run, and leaves no half-written file in the run folder.

The kills come from the hook `storage.fault_point`: FOCUS_N_FIX_KILL_AT=<point>:<n> kills the process the n-th time
it reaches <point>."""
import json, signal
import pytest
from safetensors.torch import load_file
from conftest import BIN, run

ARGS = ['--steps', '4', '--sample_steps', '4', '--K', '1', '--eval_seeds', '1', '--batch_size', '2', '--checkpoint_every', '1',
        '--lr', '0.01']

def train(out, kill=None):
    return run([BIN/'fnf-train', '--out_dir', out, *ARGS], env={'FOCUS_N_FIX_KILL_AT': kill} if kill else None)

@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    "An uninterrupted run."
    d = tmp_path_factory.mktemp('faults')/'reference'
    r = train(d)
    assert r.returncode == 0, r.stderr[-3000:]
    return d

def state(d):
    "What must come out the same: final LoRA weights, adapter, log, evaluation."
    ck = json.loads((d/'checkpoint.json').read_text())['dir']
    return dict(weights=load_file(d/ck/'weights.safetensors'), adapter=load_file(d/'pytorch_lora_weights.safetensors'),
                log=(d/'log.jsonl').read_text(), eval=json.loads((d/'metrics.json').read_text())['eval'])

KILLS = [  # one or more kills, each followed by a resume
    ['checkpoint.weights:2'],           # inside the second checkpoint write: weights written, optimiser not
    ['checkpoint.rename:3'],            # checkpoint folder renamed, pointer still on the previous one
    ['checkpoint.pointer:1'],           # pointer moved, the older checkpoint not yet removed
    ['log.torn:3'],                     # half of the third log line written
    ['step.logged:2', 'atomic:2'],      # after a logged step; then, resumed, between a temporary file and its rename
    ['atomic:22'],                      # late: writing the evaluation images (4 setup writes: marker, fingerprint, config,
                                        # log; 4 per checkpoint; 1 metrics)
    ['atomic:24'],                      # the last write: metrics.json with its evaluation and the files' checksums
]

@pytest.mark.parametrize('kills', KILLS, ids=['+'.join(k) for k in KILLS])
def test_killed_run_resumes_exactly(reference, tmp_path, kills):
    d = tmp_path/'run'
    for k in kills:
        r = train(d, kill=k)
        assert r.returncode == -signal.SIGKILL, (k, r.returncode, r.stderr[-2000:])
    assert not (d/'metrics.json').is_file() or 'eval' not in json.loads((d/'metrics.json').read_text())
    r = train(d)
    assert r.returncode == 0, r.stderr[-3000:]
    got, want = state(d), state(reference)
    assert got['weights'].keys() == want['weights'].keys()
    assert all(got['weights'][k].equal(want['weights'][k]) for k in want['weights'])      # bit-identical
    assert got['adapter'].keys() == want['adapter'].keys() and got['adapter']
    assert all(got['adapter'][k].equal(want['adapter'][k]) for k in want['adapter'])
    assert got['log'] == want['log'] and got['eval'] == want['eval']
    left = [p.name for p in d.rglob('*') if '.tmp' in p.name or p.name.startswith('.fnf-tmp-')]
    assert not left, left
