"""`make paper` at CI size: the same notebooks through papermill, into a temporary folder (never over figures/);
and the README's tables and prose numbers are the ones in figures/, not typed."""
import json, re
import pytest
import pandas as pd
from conftest import BIN, REPO, run
from focus_n_fix.figures import readme_mismatches
from focus_n_fix.panel import simulated_name
from focus_n_fix.protocol import claims, read_protocol

def paper_notebooks():
    "The notebooks `make paper` runs, in its order (read from the Makefile, so the test follows it)."
    return re.search(r'^PAPER_NBS := (.*)$', (REPO/'Makefile').read_text(), re.M)[1].split()

@pytest.fixture(scope='module')
def paper_ci(tmp_path_factory):
    "make paper's notebooks at CI size into a temporary folder, the runs scheduled on two workers (68_workflow); (root, figures)."
    tmp = tmp_path_factory.mktemp('paper')
    root, figs = tmp/'runs', tmp/'figures'
    before = {p: p.stat().st_mtime_ns for p in (REPO/'figures').rglob('*')} if (REPO/'figures').is_dir() else {}
    for nb in paper_notebooks():
        extra = ['-p', 'workers', '2'] if nb == 'paper_runs' else []
        r = run([BIN/'papermill', REPO/'nbs'/f'{nb}.ipynb', tmp/f'{nb}.ipynb', '-p', 'root', root, '-p', 'fig_dir', figs, *extra],
                timeout=1800)
        assert r.returncode == 0, (nb, r.stderr[-3000:])
        if nb == 'paper_runs':   # the progress lines (on the terminal under make paper's --log-output; here in the notebook)
            shown = ''.join(''.join(o.get('text', '')) for c in json.loads((tmp/f'{nb}.ipynb').read_text())['cells']
                            for o in c.get('outputs', []))
            assert re.search(r'paper runs: \d+ done, 0 running, 0 queued', shown), shown[-2000:]
    after = {p: p.stat().st_mtime_ns for p in (REPO/'figures').rglob('*')} if (REPO/'figures').is_dir() else {}
    assert after == before  # the committed figures are untouched
    return root, figs

TIMING = re.compile(r'seconds|s_per_|per_step|per_image|minutes')   # fields that measure time, not results

def results(root):
    "What paper_runs wrote that the figures read, timing fields and run-folder paths' roots aside."
    strip = lambda v: json.loads(json.dumps(v).replace(str(root), 'ROOT'))
    def table(name):
        t = pd.read_csv(root/name)
        return t[[c for c in t.columns if not TIMING.search(c)]].replace(str(root), 'ROOT', regex=True)
    def nums(d):
        return {k: nums(v) for k, v in d.items() if not TIMING.search(k)} if isinstance(d, dict) else d
    return dict(runs=table('runs.csv'), selection=table('selection.csv'), choices=strip(json.loads((root/'choices.json').read_text())),
                sequential=nums(json.loads((root/'sequential.json').read_text())),
                make_train={m: nums(json.loads((root/'make_train'/m/'metrics.json').read_text())['eval'])
                            for m in ('focus_n_fix', 'draft')})

def test_two_workers_equal_one(paper_ci, tmp_path):
    "The runs scheduled on two workers, each in its own process, give the numbers of one by one in the notebook's process."
    one = tmp_path/'runs'
    r = run([BIN/'papermill', REPO/'nbs'/'paper_runs.ipynb', tmp_path/'paper_runs.ipynb', '-p', 'root', one, '-p', 'workers', '0'],
            timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = results(paper_ci[0]), results(one)
    pd.testing.assert_frame_equal(a.pop('runs'), b.pop('runs'))
    pd.testing.assert_frame_equal(a.pop('selection'), b.pop('selection'))
    assert a == b
    meta = json.loads((paper_ci[0]/'meta.json').read_text())
    assert meta['workers'] == 2 and meta['threads'] == 1
    jobs = pd.read_csv(paper_ci[0]/'jobs.csv')
    assert len(jobs) >= 30 and (jobs.seconds > 0).all()   # every run and evaluation was a job of its own

def test_paper_dry_run(paper_ci, tmp_path):
    "The dry run on finished runs reuses all; after one run's weights change, it names that run and what waits for it."
    root = paper_ci[0]
    dry = lambda: run([BIN/'papermill', REPO/'nbs'/'paper_runs.ipynb', tmp_path/'dry.ipynb', '-p', 'root', root,
                       '-p', 'dry_run', 'True', '--log-output'], timeout=900)
    r = dry()
    assert r.returncode == 0, r.stderr[-3000:]
    assert re.search(r'^reuse +\d+$', r.stdout + r.stderr, re.M) and not re.search(r'^(run|redo|waits) +\d+$', r.stdout + r.stderr, re.M)
    f = root/'artifact'/'select'/'focus_n_fix_lr0.001_beta0.25'/'fingerprint.json'
    saved = f.read_text()
    f.write_text(json.dumps({**json.loads(saved), 'reward': 'f' * 64}))   # as if the artifact reward had been retrained
    try:
        r = dry()
    finally:
        f.write_text(saved)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert re.search(r'artifact/select/focus_n_fix_lr0.001_beta0.25 +redo .*was computed from other weights \(reward: ffffffffffff ->', out), out[-3000:]
    for part in ('artifact: DRaFT and Focus-N-Fix, every seed', 'artifact: the β sweep', 'sequential fine-tuning'):
        assert re.search(re.escape(part) + r' +waits +its settings depend on artifact/select/focus_n_fix_lr0.001_beta0.25', out), part
    assert not (tmp_path/'runs.csv').exists()

def test_paper_pipeline_ci(paper_ci):
    root, figs = paper_ci
    made = {p.name for p in figs.iterdir()}
    for stem in ('fig1_teaser', 'fig3_concept', 'fig4_artifact', 'fig_beta_sweep'):
        assert {f'{stem}.png', f'{stem}.csv'} <= made, (stem, made)
    for stem in ('fig5_forgetting_concept', 'fig5_forgetting_artifact'):
        assert {f'{stem}.png', f'{stem}.csv'} <= made, (stem, made)
    for stem in ('table2_preservation', 'table_methods', 'table_sequential', 'table_forgetting', 'claims', 'table_protocol',
                 'table_selection', 'table_make_train', 'table1_simulated_raters', 'table1_uce_simulated_raters',
                 'table1_sensitivity_simulated_raters'):
        assert {f'{stem}.csv', f'{stem}.md'} <= made, (stem, made)
    # the claims table is what the claims logic (66_protocol, tested there on a table with known answers) says of the runs
    runs_ = pd.read_csv(root/'runs.csv')
    tf = pd.read_csv(figs/'table_forgetting.csv')
    want = claims(runs_[~runs_.path.str.contains('_beta')], tf[tf.test == 'difference of the changes'],
                  pd.read_csv(figs/simulated_name('table1_scores_with_ci')))
    got = pd.read_csv(figs/'claims.csv', dtype=str)
    assert got.fillna('').values.tolist() == want.astype(str).values.tolist()
    assert set(got.claim) == {'1', '2', '2 (whole image)', '3', '4'} and set(got.met) <= {'met', 'NOT met'}
    # every choice came from the protocol's candidates, made on the selection prompts
    sel, choices = pd.read_csv(root/'selection.csv'), json.loads((root/'choices.json').read_text())
    assert choices['guidance'] in read_protocol(REPO/'configs'/'protocol.yaml')['choose']['guidance']['candidates']
    assert (sel.groupby(['choice', 'experiment'], dropna=False).chosen.sum() == 1).all()
    t1 = pd.read_csv(figs/'table1_simulated_raters.csv')
    assert set(t1.method) <= {'SLD', 'RG', 'RG + RC', 'DRaFT', 'Focus-N-Fix'} and 'UCE' not in set(t1.method)

def test_readme_tables_are_the_figures():
    "Every marked table and number of the README is its file's (figures/*.md, figures/numbers.json)."
    assert readme_mismatches(REPO/'README.md', REPO) == []

def test_train_defaults_are_the_protocol_choice():
    "train.ipynb's defaults are the artifact experiment's choices of the protocol (guidance, β, lr), as make paper made them."
    import ast, papermill
    d = {k: ast.literal_eval(v['default']) for k, v in papermill.inspect_notebook(str(REPO/'nbs'/'train.ipynb')).items()}
    f = REPO/'figures'/'numbers.json'
    if not f.is_file():  # make paper has not run since the protocol (configs/protocol.yaml) made the choices
        pytest.skip("figures/numbers.json is missing: make paper has not run under configs/protocol.yaml yet, so there "
                    "is no protocol choice to compare train.ipynb's defaults with")
    n = json.loads(f.read_text())
    assert (f"{d['guidance']:g}", f"{d['beta']:g}", f"{d['lr']:g}") == (n['choice.guidance'], n['choice.artifact.beta'],
                                                                     n['choice.artifact.lr'])

def test_slurm_job_script(tmp_path):
    "The README's SLURM cluster for make paper renders a job script asking for one GPU and a one-thread worker (no cluster here)."
    pytest.importorskip('dask_jobqueue')
    from dask_jobqueue import SLURMCluster
    call = re.search(r'SLURMCluster\((.*?)\)\n', (REPO/'README.md').read_text(), re.S)[1]
    kw = eval(f'dict({call})', {})   # the README's own arguments
    kw['scheduler_options'] = {'scheduler_file': str(tmp_path/'scheduler.json')}
    cluster = SLURMCluster(**kw)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert '#SBATCH --gres=gpu:1' in script and '--nthreads 1' in script, script
