# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: help demo test lint docs docs-serve bench mutation train-default clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"

$(VENV)/.demo-installed: $(BIN)/activate pyproject.toml
	$(PY) -m pip install --quiet -e ".[plot]"
	@touch $@

$(VENV)/.test-installed: $(BIN)/activate pyproject.toml
	$(PY) -m pip install --quiet -e ".[all]" --group test --group lint
	@touch $@ $(VENV)/.demo-installed

$(VENV)/.docs-installed: $(BIN)/activate pyproject.toml
	$(PY) -m pip install --quiet -e . --group docs
	@touch $@

$(VENV)/.bench-installed: $(VENV)/.test-installed
	$(PY) -m pip install --quiet --group bench
	$(PY) -m pip install --quiet --no-deps --group bench-nodeps
	@touch $@

demo: $(VENV)/.demo-installed  ## route the bundled sample workload offline and chart the savings
	$(BIN)/tier-router demo --output demo_output

test: $(VENV)/.test-installed  ## run the whole test suite (offline)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed  ## ruff + mypy
	$(BIN)/ruff check shared_core langchain_router llamaindex_router tests benchmarks examples docs
	$(BIN)/mypy

docs: $(VENV)/.docs-installed  ## build the documentation site into site/ (warnings are errors)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(VENV)/.docs-installed  ## serve the documentation site on 127.0.0.1:8000
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

bench: $(VENV)/.bench-installed  ## routing quality and speed benchmarks (needs ../shared/data)
	$(PY) benchmarks/run_all.py

MUTATION_JOBS ?= 2
mutation: $(VENV)/.test-installed  ## mutation testing of the promise-carrying modules (mutmut; long, not in CI)
	$(PY) -m pip install --quiet --group mutation
	nice -n 10 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(PY) benchmarks/mutation_score.py

train-default:  $(VENV)/.test-installed ## retrain the shipped embedded default from ../shared/data
	$(PY) -m shared_core.training.train_default --data-dir ../shared/data

clean:
	rm -rf $(VENV) demo_output .pytest_cache site
