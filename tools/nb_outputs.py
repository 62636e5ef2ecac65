"""Notebooks keep their outputs: execute them in place with their CI-sized parameters, stamp them, check the stamps.

    python tools/nb_outputs.py run [NB ...]    # execute (all, or the named notebooks), nbdev-clean, stamp
    python tools/nb_outputs.py check           # list notebooks whose outputs are missing or stale; exit 1 if any

`make outputs` runs the first. A stamp is `metadata.fnf_outputs` of the notebook (kept by nbdev-clean through
`allowed_metadata_keys` in pyproject.toml): the SHA-256 of the notebook's code cells as they were executed and of
the outputs as they were written. A notebook is stale when its code cells changed since (the outputs no longer
belong to its code), and its outputs are missing when the stamp is absent or the outputs were cleared or edited.
The stamp sees the notebook's own code only: a change in a module an earlier notebook exports, or in data/, does
not make it stale; `make outputs` before a release regenerates everything.

What runs, and how:
- component notebooks (nbs/[0-9]*.ipynb): as nbdev-test runs them (same skip flags, cwd nbs/), in one
  IPython shell each, two at a time, PNG figures (not retina: half the bytes, and no size metadata to keep);
- entry notebooks (papermill): with their default parameters, which are CI-sized except train.ipynb's (its
  defaults are `make train`: 100 steps, about 6 minutes); every one runs with a fresh temporary folder as cwd,
  so their relative out_dir / root / fig_dir defaults land there and never in runs/, data/ or figures/ (configs/ and
  nbs/ are linked into it, read-only by use, so that relative reads work as from the repository root). The paper
  notebooks run in `make paper`'s order in one such folder (each reads what the previous wrote).
  train.ipynb is not given small -p settings: papermill would commit an `injected-parameters` cell, and a later
  `make train` without ARGS (papermill injects only when given parameters) would run that cell's CI settings.
"""
import hashlib, json, multiprocessing, os, re, subprocess, sys, tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NBS = REPO/'nbs'
KEY = 'fnf_outputs'
BIN = Path(sys.executable).parent
# Component notebooks run in nbdev-test's environment (torch's default threads: some checks compare float sums at
# 1e-6 and were written against it); entry notebooks as the tests run them through papermill (one thread).
ENV = {'HF_HUB_OFFLINE': '1', 'PYTHONHASHSEED': '0', 'HF_HUB_DISABLE_PROGRESS_BARS': '1'}
PAPERMILL_ENV = {**ENV, 'OMP_NUM_THREADS': '1'}
# No progress bars or widget warnings in kept outputs (they are noise to a reader and change at every run): run in
# the component notebooks' shell, and as an IPython startup file in the papermill kernels.
QUIET = '''import warnings
warnings.filterwarnings('ignore', message='IProgress not found')
try:
    import diffusers.utils.logging
    diffusers.utils.logging.disable_progress_bar()
except ImportError:
    pass
'''
# matplotlib in the component notebooks' shell: PNG without the version stamp, so an upgrade that draws the same
# pixels writes the same bytes.
MPL_SETUP = ("%config InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}\n"
             "import matplotlib\nmatplotlib.rcParams['svg.hashsalt'] = 'focus_n_fix'")

def paper_notebooks() -> list[str]:
    "The paper notebooks in `make paper`'s order (read from the Makefile)."
    return re.search(r'^PAPER_NBS := (.*)$', (REPO/'Makefile').read_text(), re.M)[1].split()

def component_notebooks() -> list[Path]:
    return sorted(NBS.glob('[0-9]*.ipynb'))

def entry_chains() -> list[list[Path]]:
    "Entry notebooks in chains; a chain runs in order in one temporary folder, chains run side by side."
    paper = [NBS/f'{n}.ipynb' for n in paper_notebooks()]
    return [[NBS/'train.ipynb'], paper] + [[NBS/f'{n}.ipynb'] for n in ('pretrain', 'reward_models', 'world_report')]

def executed_notebooks() -> list[Path]:
    "Every notebook whose outputs are kept."
    return component_notebooks() + [p for c in entry_chains() for p in c]

def _src(c) -> str:
    s = c.get('source', '')
    return ''.join(s) if isinstance(s, list) else s

def code_hash(nb:dict) -> str:
    "SHA-256 of the code cells' sources, in order (markdown and metadata do not count)."
    srcs = [_src(c) for c in nb['cells'] if c['cell_type'] == 'code']
    return hashlib.sha256(json.dumps(srcs).encode()).hexdigest()

def _joined(x):
    "Multi-line strings as one string, whether stored as a string or as a list of lines (nbformat allows both)."
    if isinstance(x, dict):
        return {k: _joined(v) for k, v in x.items()}
    if isinstance(x, list):
        return ''.join(x) if x and all(isinstance(v, str) for v in x) else [_joined(v) for v in x]
    return x

def outputs_hash(nb:dict) -> str:
    "SHA-256 of the code cells' outputs as written (after nbdev-clean)."
    outs = [_joined(c.get('outputs', [])) for c in nb['cells'] if c['cell_type'] == 'code']
    return hashlib.sha256(json.dumps(outs, sort_keys=True).encode()).hexdigest()

def read_nb(p:Path) -> dict:
    return json.loads(Path(p).read_text(encoding='utf-8'))

def write_nb(nb:dict, p:Path):
    "Write as nbdev writes notebooks, atomically (a temporary file beside it, then rename)."
    from fastcore.nbio import nb2str
    p = Path(p)
    tmp = p.with_name(f'.{p.name}.tmp')
    tmp.write_text(nb2str(nb), encoding='utf-8')
    os.replace(tmp, p)

def nb_problems(nb:dict, name:str) -> list[str]:
    "Why the outputs of notebook `nb` do not belong to its code (empty when they do)."
    st = nb.get('metadata', {}).get(KEY)
    if not st:
        return [f'{name}: no outputs stamp (never executed by `make outputs`, or its outputs were cleared)']
    out = []
    if st.get('code') != code_hash(nb):
        out.append(f'{name}: stale, its code cells changed since its outputs were made')
    if st.get('outputs') != outputs_hash(nb):
        out.append(f'{name}: its outputs are not the ones `make outputs` wrote (cleared or edited by hand)')
    return out

def problems(p:Path) -> list[str]:
    return nb_problems(read_nb(p), Path(p).name)

def check(nbs=None) -> list[str]:
    return [m for p in (nbs or executed_notebooks()) for m in problems(p)]

def clean(paths):
    "nbdev-clean: keeps outputs, drops execution counts and volatile metadata (pyproject.toml [tool.nbdev])."
    for p in paths:
        subprocess.run([BIN/'nbdev-clean', '--fname', str(p)], check=True, cwd=REPO)

def merge_streams(outputs:list) -> list:
    "Consecutive stdout (or stderr) outputs as one, each line as a terminal leaves it after its carriage returns."
    out = []
    for o in outputs:
        if o.get('output_type') == 'stream' and out and out[-1].get('output_type') == 'stream' and out[-1]['name'] == o['name']:
            out[-1] = {**out[-1], 'text': _src({'source': out[-1]['text']}) + _src({'source': o['text']})}
        else:
            out.append(o)
    for o in out:
        if o.get('output_type') == 'stream':
            o['text'] = '\n'.join(ln.rsplit('\r', 1)[-1] for ln in _src({'source': o['text']}).split('\n'))
    return out

def stamp(p:Path):
    "Tidy `p`'s outputs as a reader sees them and record the hashes of its code and outputs (after nbdev-clean)."
    nb = read_nb(p)
    for c in nb['cells']:  # papermill gives every cell `tags: []`, which nbdev-clean keeps (tags are allowed)
        if c.get('metadata', {}).get('tags') == []:
            del c['metadata']['tags']
        if c['cell_type'] == 'code':
            c['outputs'] = merge_streams(c.get('outputs', []))
    nb['metadata'][KEY] = {'code': code_hash(nb), 'outputs': outputs_hash(nb)}
    write_nb(nb, p)

def run_component(p:Path) -> tuple[str, bool, float]:
    "Execute one component notebook as nbdev-test does, and write its outputs back into it."
    import time
    os.environ.update(ENV)
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.test import _skip_cell  # nbdev-test's own rule for the cells it leaves out (flags, eval: false)
    cfg = get_config()
    flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    nb = NBProcessor(p, rm_directives=False, process=True).nb
    t = time.time()
    k = CaptureShell(p, mpl_format='png')
    k.run_cell(MPL_SETUP)
    k.run_cell(QUIET)
    os.environ['IN_TEST'] = '1'
    try:
        with working_directory(p.parent):
            k.run_all(nb, exc_stop=True, preproc=_skip_cell(nb, flags, []))  # no per-cell timeout: a loaded machine is slow, not stuck
    except Exception:
        sys.stderr.write((k.prettytb(fname=p) or '') + '\n')
        return p.name, False, time.time() - t
    from fastcore.nbio import write_nb as nbio_write
    nbio_write(nb, p)
    return p.name, True, time.time() - t

def run_chain(chain:list[Path]) -> list[tuple[str, bool, float]]:
    "Execute entry notebooks in order with papermill, in place, with a fresh temporary folder as cwd."
    import time
    res = []
    with tempfile.TemporaryDirectory(prefix='fnf_outputs_') as d:
        startup = Path(d)/'ipython'/'profile_default'/'startup'
        startup.mkdir(parents=True)
        (startup/'00-quiet.py').write_text(QUIET)
        for sub in ('configs', 'nbs'):   # read as from the repository root (the protocol, train.ipynb's defaults); never written
            os.symlink(REPO/sub, Path(d)/sub)
        for p in chain:
            t = time.time()
            r = subprocess.run([BIN/'papermill', p, p, '--cwd', d, '--no-progress-bar', '--log-level', 'WARNING'],
                               env={**os.environ, **PAPERMILL_ENV, 'IPYTHONDIR': str(Path(d)/'ipython')}, capture_output=True, text=True)
            if r.returncode:
                sys.stderr.write(f'{p.name} failed:\n{r.stderr[-4000:]}\n')
            res.append((p.name, r.returncode == 0, time.time() - t))
            if r.returncode:
                break
    return res

def run(names=None, workers:int=2):
    "Execute the notebooks (all, or those named), then nbdev-clean and stamp the ones that ran through."
    chosen = {Path(n).stem for n in names} if names else None
    pick = lambda ps: [p for p in ps if chosen is None or p.stem in chosen]
    comps, chains = pick(component_notebooks()), [c for c in map(pick, entry_chains()) if c]
    if chosen and chosen - {p.stem for p in comps + [q for c in chains for q in c]}:
        sys.exit(f'not a notebook whose outputs are kept: {sorted(chosen - {p.stem for p in executed_notebooks()})}')
    # a fresh process per notebook, as a reader's kernel is: no state (imports, global seeds) carried over
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context('spawn'), max_tasks_per_child=1) as ex:
        futs = [ex.submit(run_chain, c) for c in chains] + [ex.submit(run_component, p) for p in comps]  # longest first
        results = [r for f in futs for r in (f.result() if isinstance(f.result(), list) else [f.result()])]
    ok = [NBS/n for n, good, _ in results if good]
    clean(ok)
    for p in ok:
        stamp(p)
    clean(ok)  # leaves nothing to change: the stamp is an allowed metadata key
    for n, good, t in sorted(results, key=lambda r: -r[2]):
        print(f'{n}: {t:.0f} s{"" if good else "  FAILED (outputs not written)"}')
    failed = [n for n, good, _ in results if not good]
    if failed:
        sys.exit(f'failed: {failed}')

if __name__ == '__main__':
    cmd, *rest = sys.argv[1:] or ['check']
    if cmd == 'run':
        run(rest or None)
    elif cmd == 'check':
        msgs = check([NBS/f'{Path(n).stem}.ipynb' for n in rest] or None)
        print('\n'.join(msgs) or f'outputs of {len(rest) or len(executed_notebooks())} notebooks are up to date')
        sys.exit(1 if msgs else 0)
    else:
        sys.exit(__doc__)
