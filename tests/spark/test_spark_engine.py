"""The same run on Spark: `FUNNEL_ENGINE=spark funnel run --date 2026-10-31` on the demo company
loads the sources, exports the raw tables as a Parquet lake, builds every model, data test and
singular test with dbt-spark on a local PySpark, runs the checks through the Spark session
(funnel/engine.py); every mart equals the DuckDB run's, row for row (floating values within 1e-9),
and the same checks fail for the same metric-periods.

Runs in `make test` when Java and .venv-spark (`make spark-env`) are there, alone with
`make test-spark`; CI installs both (.ci/run), and there a missing one fails instead of skipping.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from funnel.engine import close_all, models
from funnel.publish import publish
from funnel.spark_lake import spark_dbt, table_files
from tests.conftest import make_project

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


def _failing(summary: dict) -> dict[str, set]:
    """Each failed check, with the metric-periods (or other keys) of its failing rows."""
    found: dict[str, set] = {}
    for check in summary["checks"]:
        if not check["passed"]:
            found[f"{check['asset']}:{check['check']}"] = {
                (row.get("metric"), row.get("period")) if "period" in row else json.dumps(row, sort_keys=True)
                for row in check["failures"]
            }
    return found


def test_a_run_on_spark_builds_the_marts_and_fails_the_checks_of_the_duckdb_run(
    default_run, sample_data, tmp_path, spark_ready
):
    duck_project, duck_summary = default_run
    project = make_project(tmp_path / "spark_run", sample_data)
    env = {**project.env(), "FUNNEL_ENGINE": "spark"}
    command = [str(Path(sys.executable).with_name("funnel")), "run", "--date", AS_OF.isoformat()]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    # The demo's checks fail on purpose (exit 1): on Spark exactly as on DuckDB.
    assert result.returncode == 1, output[-4000:]
    settings = project.settings
    # Raw data landed in DuckDB and went to the lake; no model was built in DuckDB.
    with duckdb.connect(str(settings.warehouse), read_only=True) as landed:
        schemas = {row[0] for row in landed.execute("select schema_name from information_schema.schemata").fetchall()}
    assert "raw" in schemas and not schemas & {"staging", "intermediate", "marts"}, schemas
    assert (settings.lake / "raw" / "hubspot_contacts").exists()
    assert not settings.published.exists(), "a failing run must not publish"

    # The same checks fail, for the same metric-periods.
    alerts = sorted((settings.artifacts_dir / "alerts").glob("run-*.json"))
    assert len(alerts) == 1
    on_spark = _failing(json.loads(alerts[0].read_text()))
    on_duckdb = _failing(json.loads(duck_summary.to_json()))
    print(f"failing checks on both engines: {sorted(on_spark)}")
    assert on_spark and on_spark == on_duckdb

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{duck_project.settings.warehouse}' as duck (read_only)")
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
        spark_files = table_files(settings, "marts", mart)
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

    # A publication reads the marts through the Spark session: the same tables and rows as the
    # DuckDB warehouse holds, instants still instants.
    published = tmp_path / "published.duckdb"
    counts = publish(
        models(dataclasses.replace(settings, engine="spark")), published, run_id="t", as_of=None, contract_version="1"
    )
    close_all()
    assert counts == {mart: con.execute(f"select count(*) from duck.marts.{mart}").fetchall()[0][0] for mart in marts}
    con.execute(f"attach '{published}' as pub (read_only)")
    types = (
        "select table_name, column_name, data_type from information_schema.columns where table_catalog = '{}' "
        "and table_schema = 'marts' and table_name <> '_publication' and data_type like 'TIMESTAMP%' order by all"
    )
    assert con.execute(types.format("pub")).fetchall() == con.execute(types.format("duck")).fetchall()

    # The report was read through the Spark session too.
    report = (settings.artifacts_dir / "reports" / "latest.html").read_text(encoding="utf-8")
    duck_report = (duck_project.settings.artifacts_dir / "reports" / "latest.html").read_text(encoding="utf-8")
    for team_metric in sorted({key[0] for keys in on_duckdb.values() for key in keys if isinstance(key, tuple)}):
        assert report.count(team_metric) == duck_report.count(team_metric), team_metric
