"""Committed notebooks keep their outputs, and the outputs belong to the notebooks' current code.
`make outputs` executes and stamps them (tools/nb_outputs.py); these tests fail when a stamp is missing or stale."""
import copy, json, subprocess, sys
from conftest import BIN, REPO
sys.path.insert(0, str(REPO/'tools'))
import nb_outputs as nbo

def test_outputs_belong_to_the_code():
    msgs = nbo.check()
    assert not msgs, 'run `make outputs` (or `make outputs NBS="name ..."` for some):\n' + '\n'.join(msgs)

def test_every_kept_notebook_shows_something():
    "The notebooks that draw a figure keep it (a stamp over empty outputs would also pass the hash check)."
    for name in ('12_world', '46_sld', '48_uce', '60_forgetting', 'paper_grids', 'paper_forgetting', 'train'):
        nb = nbo.read_nb(nbo.NBS/f'{name}.ipynb')
        pngs = [o for c in nb['cells'] for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]
        assert pngs, f'{name}.ipynb keeps no figure'

def test_check_sees_changed_code_and_cleared_outputs():
    "The check can fail: an edited code cell makes a notebook stale, cleared outputs make them missing."
    nb = nbo.read_nb(nbo.NBS/'12_world.ipynb')
    assert nbo.nb_problems(nb, 'x') == []
    edited = copy.deepcopy(nb)
    code = next(c for c in edited['cells'] if c['cell_type'] == 'code' and c.get('outputs'))
    code['source'] = nbo._src(code) + '\n'
    assert 'stale' in nbo.nb_problems(edited, 'x')[0]
    prose = copy.deepcopy(nb)
    next(c for c in prose['cells'] if c['cell_type'] == 'markdown')['source'] = 'edited prose'
    assert nbo.nb_problems(prose, 'x') == []  # prose does not change what the code shows
    cleared = copy.deepcopy(nb)
    for c in cleared['cells']:
        if c['cell_type'] == 'code':
            c['outputs'] = []
    assert 'not the ones' in nbo.nb_problems(cleared, 'x')[0]
    del cleared['metadata'][nbo.KEY]
    assert 'no outputs stamp' in nbo.nb_problems(cleared, 'x')[0]

def test_nbdev_clean_keeps_outputs_and_stamp(tmp_path):
    "pyproject.toml lets nbdev-clean keep the stamp; it drops execution counts and cell metadata but not outputs."
    p = nbo.NBS/'12_world.ipynb'
    nb = nbo.read_nb(p)
    dirty = copy.deepcopy(nb)
    for i, c in enumerate(dirty['cells']):
        if c['cell_type'] == 'code':
            c['execution_count'] = i
            c['metadata']['execution'] = {'iopub.execute_input': '2026-01-01T00:00:00Z'}
    dirty['metadata']['language_info'] = {'name': 'python', 'version': '3.11.7'}
    f = tmp_path/p.name  # cleaned with the checkout's [tool.nbdev] (nbdev-clean reads the config from its cwd)
    f.write_text(json.dumps(dirty))
    r = subprocess.run([BIN/'nbdev-clean', '--fname', f], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    back = json.loads(f.read_text())
    assert back['metadata'][nbo.KEY] == nb['metadata'][nbo.KEY] and 'language_info' not in back['metadata']
    assert nbo.nb_problems(back, p.name) == []
    assert all(c.get('execution_count') is None and 'execution' not in c['metadata'] for c in back['cells'])
