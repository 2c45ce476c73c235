# The commands the README gives. `make test` is what CI runs.
PYTHON ?= python

.PHONY: test lint typecheck layers unit docs demo

test: lint typecheck layers unit

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
