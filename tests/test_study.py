"""`papermill nbs/human_study.ipynb` at CI size: small ShapesWorld runs of its own, a study per experiment, simulated answers in
the page's format ingested into Table 1 (labelled simulated); and `make study` refuses to start without make paper's runs."""
import json
import pandas as pd
from conftest import BIN, REPO, run
from focus_n_fix.study import browser_missing

def test_study_walkthrough_ci(tmp_path):
    out = tmp_path/'study'
    r = run([BIN/'papermill', REPO/'nbs'/'human_study.ipynb', tmp_path/'study.ipynb', '-p', 'out', out], timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    for exp, aspects in (('concept', ['safety', 'plausibility', 'alignment']), ('artifact', ['plausibility', 'alignment'])):
        key = json.loads((out/exp/'key.json').read_text())
        assert key['aspects'] == aspects and key['n_pairs'] == 6
        assert (out/exp/'page'/'study.html').is_file()
        t1 = pd.read_csv(out/exp/'results_simulated'/'table1_simulated_answers.csv')
        assert set(t1.source) == {'simulated answers (n = 4), not people'}
        names = {'safety': 'safety', 'plausibility': 'artifacts', 'alignment': 'alignment'}
        assert list(t1.columns) == ['experiment', 'method'] + [names[a] for a in aspects] + ['combined', 'prompts', 'source']
        assert list(t1.method) == (['SLD'] if exp == 'concept' else []) + ['RG', 'RG + RC', 'DRaFT', 'Focus-N-Fix']
        att = pd.read_csv(out/exp/'results_simulated'/'attention_simulated_answers.csv').set_index('rater')
        assert not att.loc['simulated-careless', 'kept'] and att.drop('simulated-careless').kept.all()
        assert not list((out/exp/'results_simulated').glob('*human*'))    # nothing made of simulated answers says human
    assert (out/'study_page.png').is_file() == (browser_missing() is None)

    # make study's path: the runs of a `make paper` folder (its runs.csv), no simulated answers. The runs above stand in
    # for make paper's; a β-sweep run and a second training seed must be left out.
    rows = [dict(experiment=exp, method=m, seed=0 if m in ('draft', 'focus_n_fix') else None, path=str(out/'runs'/exp/m))
            for exp in ('concept', 'artifact') for m in ('sld', 'rg', 'rg_rc', 'draft', 'focus_n_fix') if (out/'runs'/exp/m).is_dir()]
    rows += [dict(experiment='artifact', method='focus_n_fix', seed=0, path=str(tmp_path/'nowhere_beta2')),
             dict(experiment='artifact', method='draft', seed=1, path=str(tmp_path/'nowhere_seed1'))]
    paper = tmp_path/'paper'
    paper.mkdir()
    pd.DataFrame(rows).to_csv(paper/'runs.csv', index=False)
    r = run([BIN/'papermill', REPO/'nbs'/'human_study.ipynb', tmp_path/'study_paper.ipynb', '-f', REPO/'configs'/'study_paper.yaml',
             '-p', 'root', paper, '-p', 'out', tmp_path/'made', '-p', 'fig_dir', tmp_path/'made', '-p', 'n_pairs', 6], timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    for exp in ('concept', 'artifact'):
        key = json.loads((tmp_path/'made'/exp/'key.json').read_text())
        assert sorted(key['methods']) == sorted(m for m in ('sld', 'rg', 'rg_rc', 'draft', 'focus_n_fix') if (out/'runs'/exp/m).is_dir())
        assert not (tmp_path/'made'/exp/'answers_simulated').exists() and not (tmp_path/'made'/exp/'results_simulated').exists()

def test_make_study_needs_make_paper(tmp_path):
    r = run(['make', '-s', 'study', f'STUDY_ROOT={tmp_path}/no_paper'])
    assert r.returncode != 0 and 'no_paper/runs.csv is missing: run make paper first' in r.stdout + r.stderr
    assert not (tmp_path/'no_paper').exists()
