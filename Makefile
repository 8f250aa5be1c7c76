# Two commands for a fresh machine: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
TOOLS := .venv-tools
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
export FINOPS_WAREHOUSE ?= $(CURDIR)/warehouse/finops.duckdb
export FINOPS_LANDING ?= $(CURDIR)/demo/landing
# Bytecode is written (this machine and CI set PYTHONDONTWRITEBYTECODE): with it unset every process after the first
# reads the project's and the tests' compiled modules (and pytest's rewritten test modules) instead of compiling them
# again: each test worker, dbt run and CLI subprocess (make test's collection alone: 58 s -> 13 s per worker). The
# __pycache__ folders are git-ignored.
unexport PYTHONDONTWRITEBYTECODE
SEED ?= 42
ROWS ?= 60000

.PHONY: install demo test test-fast test-spark compare-engines lint docs docs-serve dev dashboard bench clean

install: $(VENV)/.installed

# --compile-bytecode: every installed module compiled once here, not again by each process that imports it (each
# test worker, dbt run, CLI subprocess: several seconds each when bytecode cannot be cached, PYTHONDONTWRITEBYTECODE)
$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(TOOLS)/bin/uv || { $(PY) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv; }
	UV_PROJECT_ENVIRONMENT=$(VENV) $(TOOLS)/bin/uv sync --frozen --extra dev --extra scale --python $(PY) --quiet --compile-bytecode
	@touch $@

## make demo: generate the demo enterprise's exports, run the whole pipeline through Dagster, print the summary.
## Each run also loads the OpenAI, Anthropic and SaaS invoice APIs from local demo servers (--demo-vendors, fake keys)
## and the business KPIs: the CSV drop under the landing zone and the demo SQLite database (--demo-kpis).
demo: install
	rm -rf demo/landing $(dir $(FINOPS_WAREHOUSE))
	$(BIN)/finops generate --seed $(SEED) --rows $(ROWS)
	@echo "== first run: both billing months as first delivered; the vendor and SaaS invoice APIs, business KPIs and finance (AP, cards, FX, ledger) loaded =="
	$(BIN)/finops run --demo-vendors --demo-kpis --demo-finance
	$(BIN)/finops generate --seed $(SEED) --rows $(ROWS) --redeliver
	@echo "== second run: the provider re-delivered a month; it replaces the earlier delivery; nothing new from the APIs; two corrected KPI rows =="
	$(BIN)/finops run --demo-vendors --demo-kpis --demo-finance

## make test: every test (unit, dbt unit tests, ingestion, FOCUS conformance, end to end through Dagster), as CI runs
## it: on two workers, each test file whole on one worker (its module-scoped warehouse is built once), handed out in
## collection order (--no-loadscope-reorder) with the longest files first (tests/conftest.py) so both finish together;
## the small demo pipeline run is built once per session and shared by the workers (tests/support/shared_state.py).
## make test-spark: only the Spark tests (tests/spark: the small demo built on DuckDB, its raw layer written to the
## Parquet lake, the `spark` selector of dbt_project/selectors.yml built on PySpark and compared row for row; `make
## test` runs them too). make compare-engines: the same comparison on the `make demo` warehouse (docs/scale-out.md).
## make test-fast: the edit loop, every test not marked slow (no end-to-end run, no dbt build of a whole lineage).
PYTEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-spark: install
	$(BIN)/python -m pytest -q tests/spark

compare-engines: install
	$(BIN)/python -m tools.compare_engines --warehouse $(FINOPS_WAREHOUSE)

test-fast: install
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not slow"

## make lint: ruff (rules and line length in pyproject.toml), ruff's formatter, sqlfluff on the dbt project's SQL, and
## MetricFlow's validation of the semantic models and metrics (dbt parse writes the semantic manifest it reads; no
## warehouse needed: an empty one in a temporary folder, named finops.duckdb like the default so the manifest's
## relations keep their catalog name).
PY_PATHS := ingestion orchestration data_quality serving dashboard finops_cli finops_demo tools tests benchmarks dbt_project/scripts
lint: install
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	cd dbt_project && FINOPS_WAREHOUSE=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models --processes 2
	cd dbt_project && export FINOPS_WAREHOUSE=$$(mktemp -d)/finops.duckdb && $(BIN)/dbt parse --quiet \
		&& $(BIN)/mf validate-configs --skip-dw

## make docs: the reference (docs/, mkdocs.yml) as a site in build/site; --strict: a broken link or a page missing
## from the nav fails. make docs-serve: the same, served at http://127.0.0.1:8000 and rebuilt on every change.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d build/site

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict

## make dev: the Dagster UI, with the demo OpenAI and Anthropic APIs served locally for its runs.
dev: install
	cd $(CURDIR) && $(BIN)/finops demo-vendors -- $(BIN)/dg dev

## make dashboard: the executive web app on http://127.0.0.1:8501 over the published copy (make demo builds one).
## DASHBOARD_ARGS="--port 8600" to change the port.
dashboard: install
	$(BIN)/finops dashboard $(DASHBOARD_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .venv-focus-validator warehouse demo dbt_project/target dbt_project/target-spark dbt_project/logs

## make bench: the scale benchmark (issue: 10M-row month vs the DuckDB floor and focus_converter). Writes benchmarks/results/latest.json.
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
