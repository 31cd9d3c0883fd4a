# Two commands for a fresh clone with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DO_NOT_TRACK := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: demo test test-slow test-spark spark-env lint bench dashboard clean

# Re-installs whenever pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing unified-funnel into $(VENV): Dagster, dbt (DuckDB, Postgres), Great Expectations,"
	@echo "DuckDB, pandas and the test tools — about 2-3 minutes the first time, seconds after that …"
	@start=$$(date +%s); $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' \
		&& echo "Installed in $$(( $$(date +%s) - start )) s."
	@# Data Docs' CSS/JS, pinned npm files checked by sha256 (funnel/checks/docs_assets.py); the
	@# docs read without them too, so an offline install goes on.
	-$(BIN)/python -m funnel.checks.docs_assets
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/funnel demo

# `make test` skips the cases marked slow (several full runs or a 25,000-contact sync each);
# `make test-slow` runs only those. CI (.ci/run) runs both.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m slow

# dbt on Spark runs in its own environment: pyspark 4 does not support pandas 3, and beside Great
# Expectations it changes what GX imports (it exits pytest-xdist workers). funnel/spark_lake.py
# runs .venv-spark/bin/dbt (or $FUNNEL_SPARK_DBT). Java 17: Debian's openjdk-17-jre-headless.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed-stamp

$(SPARK_STAMP): Makefile
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		'dbt-core~=1.11.0' 'dbt-spark[session]==1.11.*' 'pyspark>=4,<5'
	@touch $(SPARK_STAMP)

spark-env: $(SPARK_STAMP)

# The models on Spark against DuckDB; `make test` runs it too when Java and .venv-spark are there.
test-spark: $(STAMP) $(SPARK_STAMP)
	$(BIN)/python -m pytest -m spark

# Python format and lint (ruff), SQL lint of the dbt models compiled by dbt (sqlfluff, .sqlfluff).
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models

# The starter dashboard (funnel/dashboard/): one self-contained HTML page over the published
# marts, warehouse/artifacts/dashboard/index.html. WAREHOUSE=path reads another DuckDB file with
# schema marts, e.g. `make dashboard WAREHOUSE=warehouse/funnel.duckdb` (the working warehouse).
dashboard: $(STAMP)
	$(BIN)/funnel dashboard $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf warehouse data .dagster .venv-spark dbt_project/target dbt_project/logs expectations/gx/uncommitted
