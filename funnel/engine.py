"""Where the models live, and how the checks, the report and the publication read them.

The loaders always land raw data in the DuckDB warehouse; dbt builds the models on the engine
FUNNEL_ENGINE names. Everything that reads a model after dbt goes through `models(settings)`:

- `DuckDBEngine` reads the warehouse file with short-lived connections (funnel/warehouse.py);
- `SparkEngine` keeps one Spark session per process (funnel/spark_server.py, in .venv-spark) on
  dbt's metastore; each query's result comes back as one Parquet file read with DuckDB.

Only small results cross to pandas (validation slices are aggregates or failing rows); a
publication copies whole marts as Parquet, never through pandas. The SQL given to an engine is
the common subset of DuckDB and Spark SQL: `::` casts, `group by all`, `filter (where …)`, no
double-quoted identifiers (Spark reads them as strings) and no bound parameters.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from funnel.config import Settings
from funnel.spark_lake import spark_conf, spark_python
from funnel.warehouse import connect, query_df


class EngineError(RuntimeError):
    """A query the engine refused, with its message."""


class Engine(Protocol):
    name: str

    def query_df(self, sql: str) -> pd.DataFrame: ...

    def rows(self, sql: str) -> list[tuple]: ...

    def tables(self, schema: str) -> list[str]: ...

    def relation(self, con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
        """A relation `con` (an in-memory DuckDB) can select the whole table from."""
        ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse

    def query_df(self, sql: str) -> pd.DataFrame:
        return query_df(self.warehouse, sql)

    def rows(self, sql: str) -> list[tuple]:
        with connect(self.warehouse, read_only=True) as con:
            return con.execute(sql).fetchall()

    def tables(self, schema: str) -> list[str]:
        with connect(self.warehouse, read_only=True) as con:
            found = con.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_type = 'BASE TABLE' order by table_name",
                [schema],
            ).fetchall()
        return [row[0] for row in found]

    def relation(self, con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
        attached = {row[0] for row in con.execute("select database_name from duckdb_databases()").fetchall()}
        if "warehouse" not in attached:
            con.execute(f"attach '{_quote(self.warehouse)}' as warehouse (read_only)")
        return f'warehouse."{schema}"."{table}"'


class SparkEngine:
    """One Spark session per process, started at the first query (a JVM takes seconds to
    start) and stopped by `close_all()`: before dbt-spark opens the same Derby metastore, which
    admits one process, and when the process exits."""

    name = "spark"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.results = settings.spark_dir / "results"
        self._server: subprocess.Popen | None = None
        self._numbers = itertools.count()

    def _start(self) -> subprocess.Popen:
        python = spark_python()
        if not python.exists():
            raise EngineError(f"FUNNEL_ENGINE=spark needs {python}: run `make spark-env`")
        self.settings.spark_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.results, ignore_errors=True)
        log = open(self.settings.spark_dir / "query-session.log", "ab")  # noqa: SIM115 (the server's lifetime)
        server = subprocess.Popen(
            [str(python), str(Path(__file__).with_name("spark_server.py")), json.dumps(spark_conf(self.settings))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=self.settings.spark_dir,  # Derby writes derby.log into the cwd
            text=True,
        )
        log.close()
        hello = server.stdout.readline()
        if not hello:
            server.wait()
            raise EngineError(
                f"the Spark session did not start (exit {server.returncode}); see "
                f"{self.settings.spark_dir / 'query-session.log'}"
            )
        return server

    def _run(self, sql: str) -> Path:
        """Run `sql` on Spark; returns the folder holding its result as Parquet."""
        if self._server is None or self._server.poll() is not None:
            self._server = self._start()
        out = self.results / str(next(self._numbers))
        self._server.stdin.write(json.dumps({"query": sql, "out": str(out)}) + "\n")
        self._server.stdin.flush()
        reply = json.loads(self._server.stdout.readline() or '{"error": "the Spark session ended"}')
        if "error" in reply:
            raise EngineError(f"Spark: {reply['error']}")
        return out

    def _read(self, sql: str):
        folder = self._run(sql)
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        return con, f"read_parquet('{_quote(folder)}/*.parquet')"

    def query_df(self, sql: str) -> pd.DataFrame:
        con, source = self._read(sql)
        try:
            return con.execute(f"select * from {source}").df()
        finally:
            con.close()

    def rows(self, sql: str) -> list[tuple]:
        con, source = self._read(sql)
        try:
            return con.execute(f"select * from {source}").fetchall()
        finally:
            con.close()

    def tables(self, schema: str) -> list[str]:
        # SHOW TABLES answers (namespace, tableName, isTemporary); a schema dbt has not built yet
        # has no tables.
        if schema not in {row[0] for row in self.rows("show schemas")}:
            return []
        return sorted(row[1] for row in self.rows(f"show tables in {schema}") if not row[2])

    def relation(self, con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
        return f"read_parquet('{_quote(self._run(f'select * from {schema}.{table}'))}/*.parquet')"

    def close(self) -> None:
        if self._server is not None:
            with contextlib.suppress(OSError, ValueError):
                self._server.stdin.close()
            try:
                self._server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None
        shutil.rmtree(self.results, ignore_errors=True)


_SPARK: dict[Path, SparkEngine] = {}


def models(settings: Settings) -> Engine:
    """The engine that holds the models of this configuration."""
    if settings.engine != "spark":
        return DuckDBEngine(settings.warehouse)
    key = settings.spark_dir.resolve()
    if key not in _SPARK:
        _SPARK[key] = SparkEngine(settings)
    return _SPARK[key]


def close_all() -> None:
    """Stop every Spark session this process started (they hold dbt's metastore)."""
    for engine in list(_SPARK.values()):
        engine.close()
    _SPARK.clear()


atexit.register(close_all)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def spark_available() -> list[str]:
    """What FUNNEL_ENGINE=spark still needs on this machine (empty when ready)."""
    missing = []
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("Java 17 (Debian: openjdk-17-jre-headless)")
    if not spark_python().exists():
        missing.append("dbt-spark and pyspark (make spark-env)")
    return missing
