# Focus-N-Fix: `make train` runs the main job, `make test` runs every test. Both install into .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install train test test-nbs test-py export clean-nbs bench paper paper-dry browser study outputs outputs-check docs docs-screenshot

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The main job: papermill runs nbs/train.ipynb on the embedded default; pass papermill options in ARGS,
# e.g. make train ARGS="-p steps 50 -p beta 0.5"
train: install
	mkdir -p runs
	$(BIN)/python tools/run_notebook.py runs/train.log 'make train' --log-output nbs/train.ipynb runs/train.ipynb $(ARGS)

test: test-nbs test-py

# Every component notebook runs top to bottom; train.ipynb, human_study.ipynb and the paper notebooks are run by pytest through papermill.
test-nbs: install
	$(BIN)/nbdev-test --n-workers 2 --timing --skip-file-re '^([_.]|train|paper|human_study)'

# -rs prints why a test skipped (the browser test without a browser).
test-py: install browser
	$(BIN)/pytest -q -rs tests

# Headless Chromium for the browser tests (the study page, tests/test_study_browser.py; the docs site,
# tests/test_docs.py): Debian's chromium and
# chromium-driver, installed with apt-get when this runs as root on Debian; anywhere else the test skips and says why.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "browser: $$(chromium --version 2>/dev/null | head -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "browser: apt-get could not install chromium chromium-driver; the browser test will skip"; \
	else \
	  echo "browser: chromium / chromedriver absent and no root apt-get to install them; the browser test will skip"; \
	fi

export: install
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean

bench: install
	$(BIN)/python benchmarks/bench_step.py

# The paper's figures and tables: the runs (reused when finished), then one notebook per figure or table, into figures/.
PAPER_NBS := paper_runs paper_grids paper_tables paper_beta_sweep paper_sequential paper_table1 paper_forgetting paper_claims
# paper_runs schedules the runs (nbs/68_workflow.ipynb): as many at once as PAPER_WORKERS (empty: every core, or one per
# GPU), or on a dask cluster with PAPER_RUN_ARGS="-p scheduler runs/scheduler.json" (README: SLURM).
PAPER_CFG ?= configs/paper_full.yaml
PAPER_WORKERS ?=
PAPER_RUN_ARGS ?= $(if $(PAPER_WORKERS),-p workers $(PAPER_WORKERS))
paper: install
	mkdir -p runs/paper
	for nb in $(PAPER_NBS); do extra=; [ $$nb = paper_runs ] && extra="$(PAPER_RUN_ARGS)"; \
	  $(BIN)/papermill --log-output nbs/$$nb.ipynb runs/paper/$$nb.ipynb -f $(PAPER_CFG) $$extra || exit 1; done

# What make paper would recompute and why (settings or weights changed, a selection not yet made); runs nothing.
paper-dry: install
	mkdir -p runs/paper
	$(BIN)/papermill nbs/paper_runs.ipynb runs/paper/paper_runs_dry.ipynb -f $(PAPER_CFG) -p dry_run True --log-output 2>&1 \
	  | sed -n '/^what *$$/,$$p' | grep -v '^Ending Cell\|^Executing'

# A blinded human study of make paper's runs, one per experiment (100 pairs per method), into runs/study/:
# send runs/study/<experiment>/page/ to raters, keep key.json, then fnf-study ingest runs/study/<experiment> answers/*.csv
STUDY_CFG ?= configs/study_paper.yaml
STUDY_ROOT ?= runs/paper
study: install
	@test -f $(STUDY_ROOT)/runs.csv || { echo "make study: $(STUDY_ROOT)/runs.csv is missing: run make paper first"; exit 1; }
	mkdir -p runs/study
	$(BIN)/papermill nbs/human_study.ipynb runs/study/study.ipynb -f $(STUDY_CFG) -p root $(STUDY_ROOT)

# Notebooks keep their outputs. `make outputs` executes every component notebook (as nbdev-test does) and every
# papermill entry notebook (default parameters, in a temporary folder: never over runs/, data/ or figures/) in
# place, then nbdev-clean, and stamps each with the hash of its code cells; `make outputs NBS="12_world train"`
# redoes some. tests/test_outputs.py fails when a notebook's outputs are missing or stale.
NBS ?=
outputs: install
	$(BIN)/python tools/nb_outputs.py run $(NBS)

outputs-check: install
	$(BIN)/python tools/nb_outputs.py check

# The documentation site, into _docs/ (not committed): nbdev processes the notebooks with their outputs, README.md
# is the index page. Quarto renders it where `quarto` is on PATH; here it is not (the quarto-cli package on PyPI
# downloads its binary from GitHub at install), so tools/docs_site.py renders nbdev's processed notebooks itself.
docs: install
	$(BIN)/python tools/docs_site.py

# The README's picture of the site: the browser check's screenshot of the index, 800 px wide, 64 colours.
docs-screenshot: docs browser
	FNF_DOCS_PREBUILT=1 $(BIN)/pytest -q -rs tests/test_docs.py
	$(BIN)/python -c "from PIL import Image; im = Image.open('_docs_screenshots/index.png').convert('RGB'); \
	im = im.resize((800, round(im.height * 800 / im.width)), Image.LANCZOS); \
	im.quantize(64).save('docs/screenshot.png', optimize=True)"
