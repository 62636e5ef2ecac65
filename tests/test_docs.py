"""The documentation site (`make docs`, tools/docs_site.py): every notebook becomes a page with its outputs, the
README is the index; then a real headless Chromium opens the index and two pages, takes screenshots, and checks
that every image loaded. The browser check skips, saying why, where Chromium, its driver or selenium is missing."""
import functools, html as H, http.server, json, os, re, subprocess, threading
from pathlib import Path
import pytest
from conftest import BIN, REPO

SITE = REPO/'_docs'
SHOTS = REPO/'_docs_screenshots'  # ignored; `make docs-screenshot` copies the index's into docs/

@pytest.fixture(scope='module')
def site():
    if os.environ.get('FNF_DOCS_PREBUILT') and (SITE/'index.html').is_file():  # `make docs-screenshot`: reuse `make docs`
        return SITE
    r = subprocess.run([BIN/'python', REPO/'tools'/'docs_site.py'], capture_output=True, text=True, cwd=REPO, timeout=3000)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    print(r.stdout.strip().splitlines()[-1])
    return SITE

def page_of(nb:Path) -> str:
    "The page nbdev names for a notebook: its module (`default_exp`), else the notebook's name."
    src = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', src, re.M)
    return f'{m[1] if m else nb.stem}.html'

def test_every_notebook_is_a_page(site):
    nbs = sorted((REPO/'nbs').glob('*.ipynb'))
    assert len(nbs) >= 37
    for nb in nbs:
        page = site/page_of(nb)
        assert page.is_file(), f'{nb.name} became no page ({page.name})'
        d = json.loads(nb.read_text())
        title = next(''.join(c['source']).splitlines()[0].lstrip('# ').strip() for c in d['cells'] if c['cell_type'] == 'markdown')
        text = page.read_text()
        assert H.escape(title) in text or title in text, (nb.name, title)
        # every figure the notebook keeps is on its page, as a file beside it
        pngs = sum('image/png' in o.get('data', {}) for c in d['cells'] for o in c.get('outputs', []))
        imgs = re.findall(r'<img src="([^"]+_files/[^"]+)"', text)
        assert len(imgs) >= pngs, (nb.name, pngs, len(imgs))
        assert all((site/i).is_file() for i in imgs), nb.name

def test_index_is_the_readme(site):
    html = (site/'index.html').read_text()
    text = H.unescape(re.sub(r'<[^>]+>', '', html))
    readme = (REPO/'README.md').read_text()
    for ln in re.findall(r'^## (.+)$', readme, re.M):
        assert ln.replace('`', '') in text, ln
    assert '<table>' in html and 'Focus-N-Fix' in html
    for link in re.findall(r'\]\(((?:figures|docs)/[^)]+)\)', readme):  # README's images and links to files
        assert (site/link).is_file(), link

def test_api_docs_and_math(site):
    "nbdev's show_doc rendered the exported functions; equations became MathML."
    html = (site/'prompts.html').read_text()
    assert 'data_dir' in html and 'load_prompts' in html
    assert '<math' in (site/'objective.html').read_text()

# ---- the browser -------------------------------------------------------------------------------------------------
CHROMIUM, DRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--window-size=1280,900',
         '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']  # nothing but the local server is reachable

def browser():
    "A headless Chromium driven by selenium, or the reason there is none."
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        return None, f'selenium is not installed ({e}); `make install` installs it'
    for p in (CHROMIUM, DRIVER):
        if not Path(p).exists():
            return None, f'{p} is missing: `make browser` installs Debian\'s chromium and chromium-driver (apt, as root)'
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS:
        opts.add_argument(f)
    try:
        return webdriver.Chrome(service=Service(DRIVER), options=opts), ''
    except Exception as e:
        return None, f'Chromium did not start: {str(e).splitlines()[0]}'

@pytest.fixture(scope='module')
def server(site):
    "The site over HTTP on a free local port (quarto's and our pages are meant to be served, not opened as files)."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()

IMAGES = """return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);"""

def test_site_in_chromium(server):
    drv, why = browser()
    if drv is None:
        pytest.skip(why)
    SHOTS.mkdir(exist_ok=True)
    try:
        seen = {}
        for name in ('index.html', 'world.html', 'paper_grids.html'):
            drv.get(f'{server}/{name}')
            drv.execute_script('return document.readyState')
            imgs = drv.execute_script(IMAGES)
            seen[name] = imgs
            broken = [s for s, done, w in imgs if not (done and w > 0)]
            assert not broken, f'{name}: images that did not load: {broken}'
            assert imgs, f'{name} shows no image'
            assert drv.find_element('css selector', 'h1').text, name
            png = drv.get_screenshot_as_png()
            assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 10_000
            (SHOTS/name.replace('.html', '.png')).write_bytes(png)
        print({k: len(v) for k, v in seen.items()}, 'images loaded; screenshots in', SHOTS)
    finally:
        drv.quit()
