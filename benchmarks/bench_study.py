"""Size of a ShapesWorld study page and its time until the first pair shows in headless Chromium.

    python benchmarks/bench_study.py                      # 100 pairs of one method (reward guidance), 20 DDIM steps
    python benchmarks/bench_study.py --methods rg rg_rc   # 100 pairs of each of two methods
    python benchmarks/bench_study.py --screenshot figures/study_page.png   # also the README's screenshot of the page

Makes (or reuses) training-free runs on the first `--n_pairs` distinct prompts of `artifact_eval` with the paper
pipeline's sampler settings (20 DDIM steps, CFG 3), builds a study of them (the paper's 3 concept aspects, 1 repeated
and 2 known-answer pairs), and opens its page `--loads` times, each in a fresh headless Chromium with a fresh profile,
at `study.html?rater=bench&token=...` (the page starts at once, as behind a crowdsourcing link). Prints the page's size and,
per load, the page's own clock (performance.now(), from navigation start) when the first pair's two images were
decoded, and the DOMContentLoaded and load events; the browser's start-up is timed apart.
"""
import argparse, json, statistics, sys, tempfile, time
from pathlib import Path
from focus_n_fix.methods import run
from focus_n_fix.prompts import load_prompts
from focus_n_fix.study import browser_missing, build_study, chromium_driver, read_tokens, screenshot

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='runs/bench_study', help='runs and study folder (runs are reused when finished)')
    ap.add_argument('--n_pairs', type=int, default=100)
    ap.add_argument('--methods', nargs='+', default=['rg'])
    ap.add_argument('--loads', type=int, default=5)
    ap.add_argument('--screenshot', default=None, help='also save a screenshot of the page (rater "demo", after one pair)')
    a = ap.parse_args()
    why = browser_missing()
    if why:
        sys.exit(f"bench_study: no headless Chromium: {why}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    prompts = list(dict.fromkeys(load_prompts('artifact_eval')))[:a.n_pairs]
    (out/'prompts.txt').write_text('\n'.join(prompts) + '\n')
    kw = dict(model='shapesworld', reward='artifact', eval_prompts=str(out/'prompts.txt'), eval_seeds=1, sample_steps=20,
              guidance=3.0, rg_scale=10.0, base_images=str(out/'base.safetensors'))
    runs = {}
    for m in a.methods:
        runs[m] = out/m
        t0 = time.time()
        run(method=m, out_dir=str(runs[m]), **kw)
        print(f"run {m}: {time.time() - t0:.1f} s (0 when reused)")
    study = out/f"study_{'_'.join(a.methods)}"
    t0 = time.time()
    key = build_study(runs, study, 'concept', n_pairs=a.n_pairs, name='bench')
    built = time.time() - t0
    page = study/'page'/'study.html'
    data = json.loads(page.read_text().split('id="study-data">', 1)[1].split('</script>', 1)[0])
    img_bytes = sum(len(s) for s in data['images'].values())
    print(f"study {key['study']}: {key['n_items']} pairs on the page ({key['n_pairs']} pairs x {len(runs)} method(s) + "
          f"{key['n_items'] - key['n_pairs'] * len(runs)} attention pairs), {len(data['images'])} distinct images; built in {built:.1f} s")
    print(f"page size: {page.stat().st_size} bytes ({page.stat().st_size / 1e3:.1f} kB), of which images as data: URIs "
          f"{img_bytes} bytes ({img_bytes / page.stat().st_size:.0%})")
    rows = []
    for k in range(a.loads):
        with tempfile.TemporaryDirectory() as prof:
            t0 = time.time()
            d = chromium_driver(Path(prof))
            start = time.time() - t0
            try:
                t0 = time.time()
                d.get(page.resolve().as_uri() + f'?rater=bench&token={read_tokens(study)[0]}')
                while d.execute_script('return window.fnfFirstItem === undefined'):
                    time.sleep(0.005)
                wall = time.time() - t0
                first, dcl, load = d.execute_script("""const n = performance.getEntriesByType('navigation')[0];
                    return [window.fnfFirstItem, n.domContentLoadedEventEnd, n.loadEventEnd]""")
                assert d.execute_script('return document.body.dataset.pos') == '0'
            finally:
                d.quit()
        rows.append(dict(first_item_ms=first, dom_content_loaded_ms=dcl, load_ms=load, wall_s=wall, browser_start_s=start))
        print(f"load {k + 1}: first pair shown at {first:.1f} ms (page clock), DOMContentLoaded {dcl:.1f} ms, load {load:.1f} ms; "
              f"driver.get -> first pair {wall * 1e3:.0f} ms wall; browser start {start:.2f} s")
    med = {c: statistics.median(r[c] for r in rows) for c in rows[0]}
    print(f"median of {a.loads}: first pair {med['first_item_ms']:.1f} ms (range {min(r['first_item_ms'] for r in rows):.1f}-"
          f"{max(r['first_item_ms'] for r in rows):.1f}), DOMContentLoaded {med['dom_content_loaded_ms']:.1f} ms, "
          f"load {med['load_ms']:.1f} ms, wall {med['wall_s'] * 1e3:.0f} ms, browser start {med['browser_start_s']:.2f} s")
    if a.screenshot:
        print('screenshot:', screenshot(study, a.screenshot, size=(900, 760)))


if __name__ == '__main__':
    main()
