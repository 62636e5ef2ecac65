"""The package as a user installs it: a built wheel in a fresh virtual environment outside the checkout, with
ShapesWorld (data/) inside the wheel as package data.

Installing torch and the rest into a fresh environment would cost about 5.5 GB and a minute or more, so the fresh
environment sees the project environment's third-party packages through a `.pth` file that names its
site-packages folder as a plain path. Python reads a path line without processing the `.pth` files inside that
folder, so the checkout's editable install (its finder and its `.pth`) is NOT active there: focus_n_fix can only
come from the wheel, and the test asserts that it does."""
import json, os, shutil, subprocess, sys, sysconfig, venv, zipfile
from pathlib import Path
from conftest import REPO

ENV = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
ENV.update(HF_HUB_OFFLINE='1', OMP_NUM_THREADS='1')

def sh(cmd, cwd, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-4000:])
    return r.stdout

def source_copy(dst:Path) -> Path:
    "The checkout's files that git would take (tracked, or new and not ignored), copied: a build writes build/ beside them."
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split('\0')
    for f in filter(None, files):
        if (REPO/f).is_file():
            (dst/f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO/f, dst/f)
    return dst

def test_wheel_in_fresh_venv(tmp_path):
    src = source_copy(tmp_path/'src')
    sh([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-w', tmp_path/'dist', src], cwd=tmp_path)
    whl, = (tmp_path/'dist').glob('focus_n_fix-*.whl')
    names = set(zipfile.ZipFile(whl).namelist())
    data = sorted(str(p.relative_to(REPO)) for p in (REPO/'data').rglob('*') if p.is_file())
    missing = [f for f in data if f'focus_n_fix/{f}' not in names]
    assert not missing, f'the wheel lacks {missing}'

    env = tmp_path/'venv'
    venv.create(env, with_pip=True)
    py = env/'bin'/'python'
    site = Path(sh([py, '-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).strip())
    deps = Path(sysconfig.get_paths()['purelib'])  # the project environment's third-party packages
    (site/'_project_deps.pth').write_text(f'{deps}\n')
    sh([py, '-m', 'pip', 'install', '--no-deps', '--no-index', whl], cwd=tmp_path)

    work = tmp_path/'work'  # a cwd outside the checkout
    work.mkdir()
    where = json.loads(sh([py, '-c', (
        "import json, sys, importlib.metadata as md, focus_n_fix\n"
        "from focus_n_fix.prompts import data_dir, load_prompts\n"
        "print(json.dumps({'file': focus_n_fix.__file__, 'data': str(data_dir()), 'train': len(load_prompts('train')),\n"
        "  'finders': [type(f).__name__ for f in sys.meta_path],\n"
        "  'dist': str(md.distribution('focus-n-fix').locate_file(''))}))")], cwd=work).splitlines()[-1])
    pkg = site/'focus_n_fix'
    assert Path(where['file']).parent == pkg, where           # imported from the wheel's install location
    assert REPO not in Path(where['file']).parents, where      # ... not from the checkout
    assert not any('Editable' in f for f in where['finders']), where  # the checkout's editable finder is not active
    assert Path(where['data']) == pkg/'data', where             # ShapesWorld from the package data
    assert Path(where['dist']) == site and where['train'] > 0, where

    run = work/'run'
    sh([env/'bin'/'fnf-train', '--model', 'tiny-random', '--reward', 'blueness', '--prompts', 'tiny',
        '--eval_prompts', 'tiny', '--judge', 'None', '--steps', 2, '--sample_steps', 4, '--eval_seeds', 1,
        '--out_dir', run], cwd=work)
    m = json.loads((run/'metrics.json').read_text())
    assert m['train']['steps'] == 2 and (run/'pytorch_lora_weights.safetensors').is_file(), m

    out = sh([py, '-c', (
        "import json, focus_n_fix\n"
        "from focus_n_fix.pipelines import load_pipeline\n"
        "from focus_n_fix.sampling import draw\n"
        "from focus_n_fix.rewards import load_reward\n"
        "pipe = load_pipeline('shapesworld')\n"
        "im = draw(pipe, ['a red circle'], [0], steps=4, guidance=3.0)\n"
        "r = load_reward('artifact')\n"
        "print(json.dumps({'shape': list(im.shape), 'std': float(im.std()), 'unet': str(pipe.name_or_path)}))")],
        cwd=work)
    s = json.loads(out.splitlines()[-1])
    assert s['shape'] == [1, 3, 32, 32] and s['std'] > 0.01, s
    assert Path(s['unet']).resolve() == (pkg/'data'/'shapesworld').resolve(), s
