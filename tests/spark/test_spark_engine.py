"""The same models on Spark (funnel/spark_lake.py): the demo company's raw tables exported as a
Parquet lake, every model, data test and singular test built by dbt-spark on a local PySpark, and
every mart equal to the DuckDB run's, row for row (floating values within 1e-9).

Runs in `make test` when Java and .venv-spark (`make spark-env`) are there, alone with
`make test-spark`; CI installs both (.ci/run), and there a missing one fails instead of skipping.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
from datetime import date

import duckdb
import pytest

from funnel.run_day import as_of_for
from funnel.spark_lake import SparkPaths, build_on_spark, spark_dbt

pytestmark = [pytest.mark.integration, pytest.mark.spark, pytest.mark.xdist_group("spark")]

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def spark_ready():
    missing = [
        name
        for name, present in (
            ("java", shutil.which("java") is not None),
            ("dbt-spark (make spark-env)", spark_dbt().exists()),
        )
        if not present
    ]
    if missing:
        message = f"Spark engine test needs {', '.join(missing)} (make spark-env; Debian openjdk-17-jre-headless)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _rows(con: duckdb.DuckDBPyConnection, source: str, columns: list[tuple[str, str]]) -> list[tuple]:
    """Rows in one representation: instants as naive UTC, numbers as doubles, sorted."""
    parts = []
    for name, kind in columns:
        if kind == "TIMESTAMP WITH TIME ZONE":
            parts.append(f"cast(timezone('UTC', cast({name} as timestamptz)) as varchar)")
        elif kind in ("DOUBLE", "FLOAT", "HUGEINT", "BIGINT", "INTEGER") or kind.startswith("DECIMAL"):
            parts.append(f"cast({name} as double)")
        else:
            parts.append(f"cast({name} as varchar)")
    rows = con.execute(f"select {', '.join(parts)} from {source}").fetchall()
    return sorted(
        rows, key=lambda row: tuple("" if v is None else str(v) if not isinstance(v, float) else "" for v in row)
    )


def _equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_every_mart_built_on_spark_equals_the_duckdb_run(default_run, tmp_path, spark_ready):
    project, _ = default_run
    dbt_dir = tmp_path / "dbt_project"
    shutil.copytree(project.settings.dbt_project_dir, dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    settings = dataclasses.replace(project.settings, dbt_project_dir=dbt_dir)
    paths = SparkPaths(lake=tmp_path / "lake", spark_dir=tmp_path / "spark")

    result = build_on_spark(settings, paths, as_of=as_of_for(AS_OF, "America/New_York"))
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((dbt_dir / "target" / "run_results.json").read_text())["results"]
    statuses = {r["status"] for r in results}
    built = [r for r in results if r["unique_id"].startswith("model.")]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    print(f"Spark: {len(built)} models, {len(tests)} data and singular tests, statuses {sorted(statuses)}")
    assert statuses <= {"success", "pass", "no-op"} and len(built) > 50 and len(tests) > 100

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{project.settings.warehouse}' as duck (read_only)")
    marts = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'duck' "
            "and table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    assert len(marts) >= 16
    compared = 0
    for mart in marts:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = 'duck' "
            "and table_schema = 'marts' and table_name = ? order by ordinal_position",
            [mart],
        ).fetchall()
        spark_files = paths.table_files("marts", mart)
        assert spark_files.exists(), f"Spark built no marts.{mart}"
        spark_source = f"read_parquet('{spark_files}/*.parquet')"
        spark_columns = [row[0] for row in con.execute(f"describe select * from {spark_source}").fetchall()]
        assert spark_columns == [name for name, _ in columns], mart
        ours, theirs = _rows(con, f"duck.marts.{mart}", columns), _rows(con, spark_source, columns)
        assert len(ours) == len(theirs), (mart, len(ours), len(theirs))
        differing = [(a, b) for a, b in zip(ours, theirs) if not all(_equal(x, y) for x, y in zip(a, b))]
        assert differing == [], (mart, differing[:3])
        compared += len(ours)
    print(f"{len(marts)} marts, {compared} rows equal on Spark and DuckDB")
    assert compared > 30_000
