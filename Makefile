# The two commands a newcomer needs: `make run` and `make test`. Each creates .venv when it is
# missing and installs the project into it, so a fresh machine with Python 3.11+ needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Lotsen needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lotsen serve

test: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/mypy
	$(BIN)/lotsen validate content
	$(BIN)/lotsen i18n check --min 100
	$(BIN)/lotsen test content
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/mypy

# Issue #9: end to end against two python-telegram-bot baselines, the engine, content scale,
# storage and idle memory; prints a table, writes bench/results/<date>-<machine>.json.
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
