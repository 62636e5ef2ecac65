# Focus-N-Fix: `make train` runs the main job, `make test` runs every test. Both install into .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install train test test-nbs test-py export clean-nbs bench paper outputs outputs-check

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
	$(BIN)/papermill nbs/train.ipynb runs/train.ipynb $(ARGS)

test: test-nbs test-py

# Every component notebook runs top to bottom; train.ipynb and the paper notebooks are run by pytest through papermill.
test-nbs: install
	$(BIN)/nbdev-test --n-workers 2 --timing --skip-file-re '^([_.]|train|paper)'

test-py: install
	$(BIN)/pytest -q tests

export: install
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean

bench: install
	$(BIN)/python benchmarks/bench_step.py

# The paper's figures and tables: the runs (reused when finished), then one notebook per figure or table, into figures/.
PAPER_NBS := paper_runs paper_grids paper_tables paper_beta_sweep paper_sequential paper_table1 paper_forgetting paper_claims
PAPER_CFG ?= configs/paper_full.yaml
paper: install
	mkdir -p runs/paper
	for nb in $(PAPER_NBS); do $(BIN)/papermill nbs/$$nb.ipynb runs/paper/$$nb.ipynb -f $(PAPER_CFG) || exit 1; done

# Notebooks keep their outputs. `make outputs` executes every component notebook (as nbdev-test does) and every
# papermill entry notebook (default parameters, in a temporary folder: never over runs/, data/ or figures/) in
# place, then nbdev-clean, and stamps each with the hash of its code cells; `make outputs NBS="12_world train"`
# redoes some. tests/test_outputs.py fails when a notebook's outputs are missing or stale.
NBS ?=
outputs: install
	$(BIN)/python tools/nb_outputs.py run $(NBS)

outputs-check: install
	$(BIN)/python tools/nb_outputs.py check
