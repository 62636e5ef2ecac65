"""The study page in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium)
rates every pair of a study built from ShapesWorld run folders by clicking, is reloaded and restarted half-way and must
resume, saves its answers as a download, and `ingest` must turn that file into exactly the votes that were clicked.
Without a browser the tests skip and say why (`make test` installs one where it can: `make browser`)."""
import json, random, re, time
from pathlib import Path
import pytest
from focus_n_fix.study import (ANSWER_COLUMNS, browser_missing, build_study, chromium_driver, completion_code, digest,
                               ingest, rater_order, read_page_items, read_tokens, shown_left, study_table1)

WHY = browser_missing()
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"no headless Chromium: {WHY}")

@pytest.fixture(scope='module')
def study(tmp_path_factory):
    "A study of two ShapesWorld methods (reward guidance and RG + RC) on 5 artifact prompts, rating the paper's 3 concept aspects."
    from focus_n_fix.methods import run
    from focus_n_fix.prompts import load_prompts
    d = tmp_path_factory.mktemp('study')
    prompts = list(dict.fromkeys(load_prompts('artifact_eval')))[:6]
    (d/'prompts.txt').write_text('\n'.join(prompts) + '\n')
    kw = dict(model='shapesworld', reward='artifact', eval_prompts=str(d/'prompts.txt'), eval_seeds=1, sample_steps=8,
              guidance=3.0, rg_scale=30.0, base_images=str(d/'base.safetensors'))
    runs = {m: d/m for m in ('rg', 'rg_rc')}
    for m, out in runs.items():
        run(method=m, out_dir=str(out), **kw)
    key = build_study(runs, d/'study', 'concept', n_pairs=5, name='browser', secret='browser-test-secret')
    return d/'study', key

def page_data(study):
    html = (study/'page'/'study.html').read_text()
    return json.loads(re.search(r'id="study-data">(.*?)</script>', html, re.S)[1])

def driver(profile, downloads=None):
    return chromium_driver(profile, downloads)

def wait(d, cond, timeout=20):
    t0 = time.time()
    while not d.execute_script(cond):
        assert time.time() - t0 < timeout, f"timed out waiting for {cond}"
        time.sleep(0.05)

def shown(d):
    "The item on screen, once its images are decoded: id, position, and the image names shown left and right."
    wait(d, 'return document.body.dataset.shown && document.body.dataset.shown === document.body.dataset.item')
    return d.execute_script("""const b = document.body.dataset;
        return [b.item, Number(b.pos), document.getElementById('img-left').src, document.getElementById('img-right').src]""")

def open_page(d, study, token=None):
    "The page as a rater opens it: through a link that carries one of the study's tokens."
    d.get((study/'page'/'study.html').resolve().as_uri() + f'?token={token or read_tokens(study)[0]}')
    wait(d, "return document.body.dataset.ready === '1'")

def test_page_computes_what_python_computes(study, tmp_path):
    "The page's SHA-256 equals hashlib's at every padding edge, and its order and sides equal Python's for 40 raters."
    folder, key = study
    items = read_page_items(folder)
    d = driver(tmp_path/'profile')
    try:
        open_page(d, folder)
        for s in ['', 'abc', 'a' * 55, 'a' * 56, 'a' * 63, 'a' * 64, 'a' * 119, 'a' * 1000, 'ünïcødé ✓ 画像']:
            assert d.execute_script('return window.fnfStudy.sha256hex(arguments[0])', s) == digest(s), s
        moved = 0
        for r in [f'rater-{k}' for k in range(40)]:
            order = d.execute_script('return window.fnfStudy.orderOf(arguments[0])', r)
            assert order == rater_order(items, key['seed'], r), r
            assert d.execute_script('return arguments[1].map(i => window.fnfStudy.sideOf(arguments[0], i))', r, order) == \
                [shown_left(key['seed'], r, i) for i in order], r
            hashed = sorted(items, key=lambda it: digest(f"{key['seed']}|{r}|order|{it['id']}"))
            moved += order != [it['id'] for it in hashed]
        assert moved > 0          # the rule that spaces out the repeated pair was exercised
    finally:
        d.quit()

def test_link_without_token_does_not_start(study, tmp_path):
    "Issue 29: a page opened without its rater token (?token=...) says so and does not start, even with ?rater= set."
    folder, key = study
    d = driver(tmp_path/'profile')
    try:
        d.get((folder/'page'/'study.html').resolve().as_uri() + '?rater=someone')
        wait(d, "return document.body.dataset.ready === '1'")
        assert 'lacks its rater token' in d.find_element('id', 'start-error').text
        assert d.find_element('id', 'start').is_displayed()
    finally:
        d.quit()

def test_click_through_resume_download_ingest(study, tmp_path):
    folder, key = study
    data = page_data(folder)
    name_of = {src: n for n, src in data['images'].items()}
    items = {it['id']: it for it in data['items']}
    rater, rng = 'tester-1', random.Random(0)
    downloads, profile = tmp_path/'downloads', tmp_path/'profile'
    downloads.mkdir()
    expected, preferred, n = {}, {}, len(items)

    def role_of(iid, image):
        "What an image of item `iid` is, by the key: base / method, or intact / damaged."
        e = key['items'][iid]
        assert items[iid]['x'] != items[iid]['y'], 'both sides show the same image: the expected vote would be ambiguous'
        return e['x'] if items[iid]['x'] == image else e['y']

    def rate_one(d, partial=False):
        "Answer the item on screen by clicking; record the vote each click means, read from the images on screen."
        iid, pos, src_l, src_r = shown(d)
        left, right = name_of[src_l], name_of[src_r]
        e = key['items'][iid]
        pair = tuple(sorted((left, right)))
        for a in key['aspects'][:1] if partial else key['aspects']:
            if e['kind'] == 'known' and a == 'plausibility':   # an attentive rater: the intact image has fewer artifacts
                choice = 'left' if role_of(iid, left) == 'intact' else 'right'
            elif (pair, a) in preferred:                          # the repeated pair: the same image preferred again
                p = preferred[(pair, a)]
                choice = 'same' if p is None else ('left' if p == left else 'right')
            else:
                choice = rng.choice(['left', 'same', 'right'])
            d.find_element('id', f'q-{a}-{choice}').click()
            img = {'left': left, 'right': right}.get(choice)
            preferred[(pair, a)] = img
            if e['kind'] == 'item':
                expected[(iid, a)] = 0 if img is None else (1 if role_of(iid, img) == 'method' else -1)
        return iid, pos

    d = driver(profile, downloads)
    try:
        open_page(d, folder)
        d.find_element('id', 'rater').send_keys(rater)
        d.find_element('id', 'begin').click()
        order = []
        for k in range(n // 3):                                     # a third of the study, then a reload
            order.append(rate_one(d))
            d.find_element('id', 'next').click()
        d.refresh()
        wait(d, "return document.body.dataset.ready === '1'")
        assert d.find_element('id', 'rater').get_attribute('value') == rater
        assert f'{n // 3} of {n} pairs rated' in d.find_element('id', 'resume-note').text
        d.find_element('id', 'begin').click()
        for k in range(n // 3, 2 * n // 3):                         # the next third, and half of one more item's questions
            iid, pos = rate_one(d)
            assert pos == k, (pos, k)                               # resumed where it stopped
            order.append((iid, pos))
            d.find_element('id', 'next').click()
        half = rate_one(d, partial=True)
    finally:
        d.quit()
    d = driver(profile, downloads)                                  # the browser closed and opened again: same profile
    try:
        open_page(d, folder)
        assert f'{2 * n // 3} of {n} pairs rated' in d.find_element('id', 'resume-note').text
        d.find_element('id', 'begin').click()
        iid, pos, *_ = shown(d)
        assert (iid, pos) == half
        a0 = key['aspects'][0]
        assert d.execute_script(f"return [...document.getElementsByName('q-{a0}')].filter(x => x.checked).length") == 1
        assert not d.find_element('id', 'next').is_enabled()      # the other questions are still open
        order.append(rate_one(d))
        d.find_element('id', 'next').click()
        for k in range(2 * n // 3 + 1, n):
            order.append(rate_one(d))
            d.find_element('id', 'next').click()
        wait(d, "return !!document.body.dataset.code")
        code = d.find_element('id', 'code').text
        f = downloads/f"{key['study']}_{rater}.csv"
        t0 = time.time()
        while not f.is_file():
            assert time.time() - t0 < 20, f"no download in {downloads}: {list(downloads.iterdir())}"
            time.sleep(0.1)
    finally:
        d.quit()

    text = f.read_text()
    rows = [dict(zip(ANSWER_COLUMNS, l.split(','))) for l in text.splitlines()[1:]]
    assert text.splitlines()[0] == ','.join(ANSWER_COLUMNS)
    assert len(rows) == n * len(key['aspects'])
    assert [i for i, _ in order] == rater_order(read_page_items(folder), key['seed'], rater)   # the page's order is Python's
    assert [r['item'] for r in rows[::len(key['aspects'])]] == [i for i, _ in order]
    assert {r['token'] for r in rows} == {read_tokens(folder)[0]}                              # the link's token, in every row
    assert {r['code'] for r in rows} == {code} == {completion_code(key['study'], rater, [(r['item'], r['aspect'], r['choice'], r['left'])
                                                                                           for r in rows], read_tokens(folder)[0])}

    res = ingest(folder, [f])
    att = res['attention'].iloc[0]
    assert bool(att.kept) and att.known_pairs == 2 and att.repeat_votes == len(key['aspects']), att
    ratings = res['ratings']
    got = {}
    for iid, e in key['items'].items():
        if e['kind'] == 'item':
            sel = ratings[(ratings.method == e['method']) & (ratings.prompt == f"{e['prompt']} #{e['seed']}")]
            got |= {(iid, a): int(v) for a, v in zip(sel.aspect, sel.vote)}
    assert got == expected                                          # un-blinded votes = what the clicks meant
    assert len(expected) == 10 * len(key['aspects'])
    assert {-1, 0, 1} <= set(expected.values())                    # the clicks covered every kind of vote

    t = study_table1(res, B=200)
    t1 = t['table1'].set_index('method')
    assert list(t1.index) == ['RG', 'RG + RC'] and set(t1.source) == {'human raters (n = 1)'}
    names = {'safety': 'safety', 'plausibility': 'artifacts', 'alignment': 'alignment'}
    for m, label in (('rg', 'RG'), ('rg_rc', 'RG + RC')):
        for a in key['aspects']:
            by_prompt = {}     # Table 1's unit is the distinct prompt: a prompt's pairs are averaged first
            for (iid, aa), v in expected.items():
                if aa == a and key['items'][iid]['method'] == m:
                    by_prompt.setdefault(key['items'][iid]['prompt'], []).append(v)
            want = sum(sum(v) / len(v) for v in by_prompt.values()) / len(by_prompt)
            assert t1.loc[label, names[a]] == f'{want:.3f}', (m, a)
    print(f"\nstudy {key['study']}: {n} pairs ({key['n_pairs']} pairs x 2 methods + 1 repeated + 2 known-answer), "
          f"aspects {key['aspects']}; clicked {len(rows)} answers, reloaded after {n // 3}, restarted the browser after "
          f"{2 * n // 3} and a half; completion code {code}; ingest: rater kept, {len(ratings)} votes equal to the clicks")
    print(t['table1'].to_string(index=False))
