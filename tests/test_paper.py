"""`make paper` at CI size: the same notebooks through papermill, into a temporary folder (never over figures/);
and the README's tables are the ones in figures/, not typed."""
import re
from conftest import BIN, REPO, run
from focus_n_fix.figures import readme_mismatches

def paper_notebooks():
    "The notebooks `make paper` runs, in its order (read from the Makefile, so the test follows it)."
    return re.search(r'^PAPER_NBS := (.*)$', (REPO/'Makefile').read_text(), re.M)[1].split()

def test_paper_pipeline_ci(tmp_path):
    root, figs = tmp_path/'runs', tmp_path/'figures'
    before = {p: p.stat().st_mtime_ns for p in (REPO/'figures').rglob('*')} if (REPO/'figures').is_dir() else {}
    for nb in paper_notebooks():
        r = run([BIN/'papermill', REPO/'nbs'/f'{nb}.ipynb', tmp_path/f'{nb}.ipynb', '-p', 'root', root, '-p', 'fig_dir', figs],
                timeout=1800)
        assert r.returncode == 0, (nb, r.stderr[-3000:])
    made = {p.name for p in figs.iterdir()}
    for stem in ('fig1_teaser', 'fig3_concept', 'fig4_artifact', 'fig_beta_sweep'):
        assert {f'{stem}.png', f'{stem}.csv'} <= made, (stem, made)
    for stem in ('fig5_forgetting_concept', 'fig5_forgetting_artifact'):
        assert {f'{stem}.png', f'{stem}.csv'} <= made, (stem, made)
    for stem in ('table2_preservation', 'table_methods', 'table_sequential', 'table_forgetting', 'claims',
                 'table1_simulated_raters', 'table1_sensitivity_simulated_raters'):
        assert {f'{stem}.csv', f'{stem}.md'} <= made, (stem, made)
    after = {p: p.stat().st_mtime_ns for p in (REPO/'figures').rglob('*')} if (REPO/'figures').is_dir() else {}
    assert after == before  # the committed figures are untouched

def test_readme_tables_are_the_figures():
    assert readme_mismatches(REPO/'README.md', REPO) == []
