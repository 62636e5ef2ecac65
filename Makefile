# Focus-N-Fix: `make train` runs the main job, `make test` runs every test. Both install into .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install train test test-nbs test-py export clean-nbs bench

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

# Every component notebook runs top to bottom; train.ipynb is run by pytest through papermill instead.
test-nbs: install
	$(BIN)/nbdev-test --n-workers 2 --timing --skip-file-re '^([_.]|train)'

test-py: install
	$(BIN)/pytest -q tests

export: install
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean

bench: install
	$(BIN)/python benchmarks/bench_step.py
