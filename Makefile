# Two commands for a fresh clone with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DO_NOT_TRACK := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: demo test test-slow test-spark lint bench clean

# Re-installs whenever pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/funnel demo

# `make test` skips the cases marked slow (several full runs or a 25,000-contact sync each);
# `make test-slow` runs only those. CI (.ci/run) runs both.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m slow

# The models on Spark (needs Java 17 and `pip install -e '.[spark]'`; `make test` runs it too
# when both are there, and skips it when not).
test-spark: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	$(BIN)/python -m pytest -m spark

# Python format and lint (ruff), SQL lint of the dbt models compiled by dbt (sqlfluff, .sqlfluff).
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf warehouse data .dagster dbt_project/target dbt_project/logs expectations/gx/uncommitted
