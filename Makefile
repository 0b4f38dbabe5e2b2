# salesperf: `make demo` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench lint typecheck docs lock clean install screenshot

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	@touch $(STAMP)

# Always reinstall the package itself, so tests run against what would be shipped.
install: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .

# Builds the demo organisation, prints its scorecards, then serves its dashboard (Ctrl+C stops).
demo: install
	$(BIN)/salesperf demo --context startup --serve

# Every test: DuckDB, PostgreSQL, Spark, the browser and the slow ones. Tests are grouped by
# module and engine (tests/conftest.py), so the engine suites spread over the two workers.
test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The edit-test loop: lint and the DuckDB tier (no other engine, no browser, nothing slow),
# against the working tree's source (no reinstall).
check: $(STAMP)
	$(BIN)/ruff check src tests bench
	PYTHONPATH=$(CURDIR)/src $(BIN)/python -m pytest -q -n 2 --dist loadgroup \
	  -m "not postgres and not spark and not browser and not slow"

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

# Regenerates the lock (needs uv on PATH): names, versions and hashes only.
lock:
	uv pip compile pyproject.toml --extra dev -c constraints.txt --universal --python-version 3.11 \
	  --generate-hashes --no-emit-index-url --no-emit-find-links --no-header -o requirements.lock

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

# Regenerates the documents derived from declarations (a test fails when they are stale).
docs: install
	$(BIN)/python -m typer salesperf.cli.app utils docs --name salesperf --output docs/cli.md
	$(BIN)/python -m salesperf.metrics.docs > docs/metrics.md

# The terminal's scorecard (docs/images/demo.svg) and the dashboard's overview, weekly report and
# quadrant, taken in Chromium by tests/test_screenshots.py (docs/images/*.png).
screenshot: install
	$(BIN)/python docs/screenshot.py
	SALESPERF_SCREENSHOTS=docs $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_screenshots.py
