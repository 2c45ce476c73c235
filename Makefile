# `make test` is the README's test command and what CI runs (through .ci/run).
PYTHON ?= python

.PHONY: test lint typecheck layers unit docs

test:
	PYTHON=$(PYTHON) bash scripts/run-tests.sh

lint:
	$(PYTHON) -m ruff check src tests benchmarks
	$(PYTHON) -m ruff format --check src tests benchmarks

typecheck:
	$(PYTHON) -m mypy

layers:
	lint-imports

unit:
	$(PYTHON) -m pytest -n auto

docs:
	awsaudit checks --format markdown > docs/checks.md
