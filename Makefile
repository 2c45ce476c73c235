# `make deps` then `make test` is the README's test command and what CI runs (through .ci/run).
PYTHON ?= python

.PHONY: deps test lint typecheck layers unit docs

# System packages the full suite drives (Chromium, PostgreSQL); apt-get, with sudo when not root.
deps:
	bash scripts/install-deps.sh

# Lint, types, layering and every test with coverage; stops with a message if `make deps` is needed.
test:
	PYTHON=$(PYTHON) bash scripts/run-tests.sh

lint:
	$(PYTHON) -m ruff check src tests benchmarks
	$(PYTHON) -m ruff format --check src tests benchmarks

typecheck:
	$(PYTHON) -m mypy

layers:
	lint-imports

# Fast feedback: every test that does not need the AWS emulator (no system packages either:
# browser and PostgreSQL tests skip when those are missing).
unit:
	$(PYTHON) -m pytest -n auto -m "not lab"

docs:
	awsaudit checks --format markdown > docs/checks.md
