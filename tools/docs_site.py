"""The documentation site: nbdev processes the notebooks (with their kept outputs), the README is the index page.

    python tools/docs_site.py            # into _docs/ (`make docs`)

nbdev prepares the pages as `nbdev-docs` does: `_quarto.yml` / `nbdev.yml` from pyproject.toml, the module index,
`sidebar.yml`, and `_proc/` (each notebook with its directives applied: exported code shown as API docs through
`show_doc`, `#| hide` cells gone, a front-matter cell with the page's title and file name). Then:
- with Quarto on PATH, Quarto renders `_proc/` (nbdev's own `render_quarto`), as `nbdev-docs` would;
- without it, this script renders the same `_proc/` notebooks to HTML itself: the cells' markdown (equations as
  MathML), code with the directives' echo / include / output: asis, and the stored outputs (PNG figures as files,
  tables, text). Quarto's PyPI package (`quarto-cli`) ships no wheel: its source build downloads the Quarto binary
  from GitHub, which these machines cannot reach, and no Debian or npm package carries Quarto.
Either way README.md becomes index.html, with figures/ and docs/ copied in so its images and links work. The site
loads nothing from the network (no CDN): it reads the same offline as when published.
"""
import html, json, os, re, shutil, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO/'_docs'

def prepare() -> Path:
    "nbdev's steps of `nbdev-docs` before rendering (without its Quarto install): returns the `_proc/` folder."
    os.chdir(REPO)
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.serve import proc_nbs
    import nbdev.doclinks
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__()
    return proc_nbs(n_workers=2)

def sidebar(cache:Path) -> list[str]:
    "The notebooks in nbdev's sidebar order."
    import yaml
    side = yaml.safe_load((cache/'sidebar.yml').read_text())['website']['sidebar']['contents']
    flat = lambda xs: [y for x in xs for y in (flat(x['contents']) if isinstance(x, dict) else [x])]
    return [x for x in flat(side) if x.endswith('.ipynb')]

# ---- markdown and math -----------------------------------------------------------------------------------------
_MATH = re.compile(r'(`+)(.+?)\1|\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$(?![\w$])', re.S)

def _mathml(tex:str, display:bool) -> str:
    try:
        from latex2mathml.converter import convert
        return convert(tex.strip(), display='block' if display else 'inline')
    except Exception:  # a formula the converter does not know: show its TeX
        return f'<code class="tex">{html.escape(tex)}</code>'

def markdown(text:str) -> str:
    "Markdown (CommonMark + tables, raw HTML allowed) with $…$ and $$…$$ as MathML; code spans keep their dollars."
    from markdown_it import MarkdownIt
    stash = []
    def keep(m):
        if m.group(1):  # a code span: leave it alone
            return m.group(0)
        stash.append(_mathml(m.group(3) if m.group(3) is not None else m.group(4), m.group(3) is not None))
        return f'FNFMATH{len(stash) - 1}FNFMATH'  # a plain token: markdown-it rewrites control characters
    body = MarkdownIt('commonmark', {'html': True}).enable('table').render(_MATH.sub(keep, text))
    return re.sub(r'FNFMATH(\d+)FNFMATH', lambda m: stash[int(m.group(1))], body)

# ---- notebook cells ----------------------------------------------------------------------------------------------
_DIR = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def directives(src:str) -> tuple[dict, str]:
    "Quarto / nbdev `#| key: value` lines at the top of a cell, and the code without them."
    lines, d = src.splitlines(), {}
    while lines and _DIR.match(lines[0]):
        k, v = _DIR.match(lines[0]).groups()
        d[k] = v.strip().strip("'\"") or 'true'
        lines.pop(0)
    return d, '\n'.join(lines)

def highlight(code:str) -> str:
    from pygments import highlight as hl
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    return hl(code, PythonLexer(), HtmlFormatter(cssclass='highlight'))

def _text(x) -> str:
    return ''.join(x) if isinstance(x, list) else str(x)

_ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')

def output_html(o:dict, asis:bool, img_dir:Path, stem:str, n:list) -> str:
    "One stored output: figures as files beside the page, tables and markdown rendered, text escaped."
    import base64
    t = o.get('output_type')
    if t == 'stream':  # a carriage return overwrites its line, as in a terminal or Jupyter
        txt = '\n'.join(ln.rsplit('\r', 1)[-1] for ln in _ANSI.sub('', _text(o.get('text', ''))).split('\n'))
        return f'<pre class="output {o.get("name", "")}">{html.escape(txt)}</pre>'
    if t == 'error':
        tb = _ANSI.sub('', '\n'.join(o.get('traceback', [])))
        return f'<pre class="output error">{html.escape(tb)}</pre>'
    data = o.get('data', {})
    for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg')):
        if mime in data:
            n[0] += 1
            img_dir.mkdir(parents=True, exist_ok=True)
            name = f'output-{n[0]}.{ext}'
            (img_dir/name).write_bytes(base64.b64decode(_text(data[mime])))
            return f'<figure class="output"><img src="{stem}_files/{name}" alt="output {n[0]}" loading="eager"></figure>'
    if 'image/svg+xml' in data:
        return f'<figure class="output">{_text(data["image/svg+xml"])}</figure>'
    if 'text/markdown' in data and asis:
        return f'<div class="output asis">{markdown(_text(data["text/markdown"]))}</div>'
    if 'text/html' in data:
        return f'<div class="output html">{_text(data["text/html"])}</div>'
    if 'text/markdown' in data:
        return f'<div class="output">{markdown(_text(data["text/markdown"]))}</div>'
    if 'text/plain' in data:
        return f'<pre class="output">{html.escape(_text(data["text/plain"]))}</pre>'
    return ''

def page_body(nb:dict, img_dir:Path, stem:str) -> tuple[dict, str]:
    "The front matter and the HTML of a processed notebook's cells."
    import yaml
    fm, parts, n = {}, [], [0]
    for c in nb['cells']:
        src = _text(c.get('source', ''))
        if c['cell_type'] == 'raw' and src.lstrip().startswith('---'):
            fm.update(yaml.safe_load(src.strip().strip('-')) or {})
        elif c['cell_type'] == 'markdown':
            parts.append(markdown(src))
        elif c['cell_type'] == 'code':
            d, code = directives(src)
            if d.get('include') == 'false':
                continue
            if d.get('echo') != 'false' and code.strip():
                parts.append(f'<div class="cell-input">{highlight(code)}</div>')
            if d.get('output') != 'false':
                parts += [output_html(o, d.get('output') == 'asis', img_dir, stem, n) for o in c.get('outputs', [])]
    return fm, '\n'.join(parts)

# ---- the pages ---------------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#212529;line-height:1.5}
header{background:#2780e3;color:#fff;padding:.6rem 1.2rem;font-size:1.25rem}
header a{color:#fff;text-decoration:none}
.wrap{display:flex;align-items:flex-start}
nav{width:15rem;flex:none;padding:1rem;font-size:.9rem;position:sticky;top:0;max-height:100vh;overflow:auto}
nav a{display:block;color:#343a40;text-decoration:none;padding:.1rem 0}
nav a.here{font-weight:600;color:#2780e3}
main{flex:1;min-width:0;max-width:62rem;padding:1rem 2rem 4rem}
h1.title{margin-bottom:.2rem}
p.subtitle{color:#6c757d;font-size:1.1rem;margin-top:0}
pre,code{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{padding:.5rem;overflow:auto}
.cell-input .highlight{background:#f8f9fa;border-left:3px solid #dee2e6;margin:.8rem 0 .2rem}
.cell-input pre{margin:0}
pre.output{background:#fff;border:1px solid #f1f3f5;margin:.2rem 0 .8rem}
pre.output.error{color:#b00020}
figure.output{margin:.3rem 0 1rem}
figure.output img{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}
th,td{border:1px solid #dee2e6;padding:.25rem .5rem}
main img{max-width:100%}
footer{color:#6c757d;font-size:.8rem;padding:1rem 2rem}
"""

def page(title:str, subtitle:str, body:str, nav:str, site_title:str, how:str) -> str:
    sub = f'<p class="subtitle">{html.escape(subtitle)}</p>' if subtitle else ''
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – {html.escape(site_title)}</title>
<link rel="stylesheet" href="styles.css"><link rel="stylesheet" href="pygments.css"></head>
<body><header><a href="index.html">{html.escape(site_title)}</a></header>
<div class="wrap"><nav>{nav}</nav>
<main><h1 class="title">{html.escape(title)}</h1>{sub}
{body}
</main></div><footer>{how}</footer></body></html>
"""

def render_fallback(cache:Path, out:Path, cfg) -> list[str]:
    "Render `_proc/` and README.md into `out` without Quarto; returns the pages written."
    from pygments.formatters import HtmlFormatter
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out/'styles.css').write_text(CSS)
    (out/'pygments.css').write_text(HtmlFormatter().get_style_defs('.highlight'))
    pages = []  # (file name, title, subtitle, body)
    for name in sidebar(cache):
        nb = json.loads((cache/name).read_text(encoding='utf-8'))
        stem = Path(name).stem
        fm, body = page_body(nb, out/f'{stem}_files', stem)
        pages.append((fm.get('output-file', f'{stem}.html'), fm.get('title', stem), fm.get('description', ''), body))
    readme = (REPO/'README.md').read_text(encoding='utf-8')
    title = re.match(r'#\s+(.*)', readme)
    pages.insert(0, ('index.html', title[1] if title else cfg.title, '', markdown(re.sub(r'\A#\s+.*\n', '', readme))))
    how = (f'Built by tools/docs_site.py from nbdev\'s processed notebooks ({len(pages) - 1} pages and the README); '
           'rendered without Quarto, which these machines cannot install.')
    for f, t, sub, body in pages:
        nav = '\n'.join(f'<a href="{g}"{" class=here" if g == f else ""}>{html.escape(u)}</a>' for g, u, *_ in pages)
        (out/f).write_text(page(t, sub, body, nav, cfg.title, how), encoding='utf-8')
    return [p[0] for p in pages]

def copy_assets(out:Path):
    "What the README links to: figures/ and docs/."
    for d in ('figures', 'docs'):
        if (REPO/d).is_dir():
            shutil.copytree(REPO/d, out/d, dirs_exist_ok=True)

def build() -> Path:
    from nbdev.config import get_config
    cfg = get_config()
    cache = prepare()
    out = REPO/cfg.doc_path.name
    if shutil.which('quarto'):
        from nbdev.quarto import _fix_quarto_nav
        from nbdev.quarto_render import render_quarto
        shutil.copy(REPO/'README.md', cache/'index.md')
        copy_assets(cache)
        render_quarto(cache, cache/out.name, n_workers=2)
        shutil.rmtree(out, ignore_errors=True)
        shutil.move(cache/out.name, out)
        _fix_quarto_nav(out)
    else:
        print('quarto is not on PATH: rendering nbdev\'s processed notebooks without it (see tools/docs_site.py)')
        render_fallback(cache, out, cfg)
    copy_assets(out)
    return out

if __name__ == '__main__':
    import time
    t = time.time()
    out = build()
    size = sum(p.stat().st_size for p in out.rglob('*') if p.is_file())
    print(f'{out.relative_to(REPO)}/: {len(list(out.glob("*.html")))} pages, {size / 2**20:.1f} MiB, {time.time() - t:.0f} s')
