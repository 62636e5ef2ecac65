"""The README's make-train table: `make train`'s defaults (Focus-N-Fix) and DRaFT, before and after a change of weights.

    python tools/make_train_table.py --before OLD --after NEW [--readme README.md]

OLD and NEW are folders holding the run folders `train/` (`make train`) and `draft/` (`make train ARGS="-p method
draft -p out_dir .../draft"`). The script copies each run's metrics, settings and weights fingerprint into
`data/make_train.json` and writes the table between the README's markers. `tests/test_shapesworld.py` renders the
table again from the json (the README must be it) and checks that the "after" runs used the shipped weights (their
fingerprint is that of today's model and reward files), so a retrained reward without a rerun fails the tests.
"""
import argparse, json, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO/'data'/'make_train.json'
MARK = ('<!-- make_train: data/make_train.json -->\n', '<!-- end make_train -->')
RUNS = ('focus_n_fix', 'draft')

def read_run(folder:Path) -> dict:
    "The parts of a finished run folder the table needs."
    need = ('metrics.json', 'config.json', 'fingerprint.json', 'per_image.csv')
    miss = [f for f in need if not (folder/f).is_file()]
    if miss:
        sys.exit(f"{folder}: no {', '.join(miss)}; is it a finished `make train` run folder?")
    m, c, fp = (json.loads((folder/f).read_text()) for f in need[:3])
    keys = ('method', 'beta', 'steps', 'lr', 'batch_size', 'K', 'lora_rank', 'seed', 'guidance', 'sample_steps', 'prompts', 'eval_prompts')
    import csv
    with open(folder/'per_image.csv', newline='') as fh:
        prompts = {r['prompt'] for r in csv.DictReader(fh)}
    return dict(config={k: c[k] for k in keys}, fingerprint=fp, eval=m['eval'], distinct_prompts=len(prompts),
                seconds_per_step=m['train']['seconds_per_step'])

def pct(x): return f'{100 * x:.1f} %'
def f3(x): return f'{x:.3f}'

def render(d:dict) -> str:
    "The markdown table of `data/make_train.json`: before → after for base, Focus-N-Fix and DRaFT."
    b, a = d['before'], d['after']
    rows = [('oracle glitch rate', 'judge_glitch', pct), ('mean artifact reward', 'reward', f3),
            ('oracle alignment', 'judge_alignment', f3), ('oracle mark rate', 'judge_mark', pct)]
    def change(key, fmt, run, when):   # a value before → after; the base images are the Focus-N-Fix run's
        return ' → '.join(fmt(side[run]['eval'][f'{key}_{when}']) for side in (b, a))
    c = a['focus_n_fix']['config']   # before and after share their settings (main() refuses runs that do not)
    out = [f"| (old reward → retrained reward) | base | Focus-N-Fix (β = {c['beta']:g}) | DRaFT (β = 0) |", '|---|---|---|---|']
    for name, key, fmt in rows:
        out.append(f'| {name} | ' + ' | '.join([change(key, fmt, 'focus_n_fix', 'base')] + [change(key, fmt, s, 'tuned') for s in RUNS]) + ' |')
    ps = lambda r: f"{r['eval']['psnr_outside']:.1f} dB / {r['eval']['ssim_outside']:.3f}"
    out.append('| PSNR / SSIM outside the mask vs base | — | ' + ' | '.join(f'{ps(b[s])} → {ps(a[s])}' for s in RUNS) + ' |')
    n = {(r[s]['eval']['n_images'], r[s]['distinct_prompts']) for r in (b, a) for s in RUNS}
    return ('\n'.join(out) + ''.join(f"\n\n{i} evaluation images ({p} distinct prompts), one seed each, the same noise for base and tuned."
                                     for i, p in sorted(n))
            + f"\n\nSettings of all four runs (`make train`'s defaults when they ran): lr {c['lr']:g}, CFG {c['guidance']:g}, "
              f"K = {c['K']}, LoRA rank {c['lora_rank']}, batch {c['batch_size']}, {c['sample_steps']} DDIM steps, "
              f"{c['steps']} steps, seed {c['seed']}.\n")

def collect(folder:Path) -> dict:
    runs = {s: read_run(Path(folder)/('train' if s == 'focus_n_fix' else 'draft')) for s in RUNS}
    same = {k: v for k, v in runs['focus_n_fix']['config'].items() if k not in ('method', 'beta')}
    if any(runs['draft']['config'][k] != v for k, v in same.items()):
        sys.exit(f"{folder}: train/ and draft/ differ in more than method and β; rerun them with the same settings")
    return runs

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--before', required=True, type=Path)
    p.add_argument('--after', required=True, type=Path)
    p.add_argument('--readme', type=Path, default=None)
    a = p.parse_args(argv)
    d = dict(before=collect(a.before), after=collect(a.after))
    for s in RUNS:
        cb, ca = d['before'][s]['config'], d['after'][s]['config']
        if cb != ca:
            sys.exit(f"{s}: the before and after runs differ in settings ({ {k: (cb[k], ca[k]) for k in cb if cb[k] != ca[k]} }); "
                     "compare runs with the same seeds and settings")
    sys.path.insert(0, str(REPO))
    from focus_n_fix.storage import atomic_write, write_json
    write_json(OUT, d)
    if a.readme:
        text = a.readme.read_text()
        i, j = text.index(MARK[0]) + len(MARK[0]), text.index(MARK[1])
        atomic_write(a.readme, text[:i] + render(d) + text[j:])
    print(render(d))

if __name__ == '__main__':
    main()
