"""BI served from PostgreSQL (funnel/publish_postgres.py), against a real server started here.

A passing `funnel run` publishes the DuckDB copy's marts into PostgreSQL, equal table by table; a
failing run leaves PostgreSQL as it was; a BI reader looping on another connection while
publications swap sees no error and only whole publications; the password is nowhere.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from funnel.publish_postgres import PostgresPublishError, publish_to_postgres, redacted
from tests.integration.test_publication import AS_OF, align_reports_with_truth, push_report
from tests.postgres_server import postgres_bin, start_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("postgres")]


@pytest.fixture(scope="module")
def postgres():
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = start_postgres()
    yield server
    server.stop()


def _run(project, url: str) -> subprocess.CompletedProcess:
    env = {**project.env(), "FUNNEL_PUBLISH_POSTGRES_URL": url}
    command = [str(Path(sys.executable).with_name("funnel")), "run", "--date", AS_OF.isoformat()]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


def _tables(con, sql: str) -> list[str]:
    return [row[0] for row in con.execute(sql).fetchall()]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _normal(value):
    """One representation per value across the two drivers (Decimal → float, timestamps → UTC)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.timestamp()
    return value


def pg_rows(url: str, table: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as pg:
        rows = pg.execute(f'select * from marts."{table}"').fetchall()
    return sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)


def duckdb_rows(path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f"select * from marts.{table}").fetchall()
    return sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)


def pg_publication(url: str) -> tuple:
    import psycopg

    with psycopg.connect(url) as pg:
        return pg.execute("select run_id, run_day, contract_version from marts._publication").fetchone()


def test_a_passing_run_serves_the_published_marts_and_a_failing_one_changes_nothing(fresh_project, postgres):
    url = postgres.database("bi")
    settings = fresh_project.settings
    align_reports_with_truth(settings.data_dir)

    passed = _run(fresh_project, url)
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr[-3000:]
    with duckdb.connect(str(settings.published), read_only=True) as con:
        tables = _tables(
            con, "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        )
        run_id, version = con.execute("select run_id, contract_version from marts._publication").fetchall()[0]
    import psycopg

    with psycopg.connect(url) as pg:
        served = [
            r[0]
            for r in pg.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        schemas = [r[0] for r in pg.execute("select nspname from pg_namespace where nspname like 'marts%'").fetchall()]
    assert served == tables and len(tables) > 10
    assert schemas == ["marts"]  # nothing incoming or retired left behind
    compared = 0
    for table in tables:
        if table == "_publication":
            continue
        ours, theirs = duckdb_rows(settings.published, table), pg_rows(url, table)
        assert len(ours) == len(theirs), table
        for a, b in zip(ours, theirs):
            assert all(_same(x, y) for x, y in zip(a, b)), (table, a, b)
        compared += len(ours)
    assert compared > 10_000
    assert pg_publication(url) == (run_id, AS_OF, version)

    # The password is in no output, log, report or run record.
    assert postgres.password not in passed.stdout + passed.stderr
    for path in [*settings.warehouse.parent.rglob("*"), *settings.dagster_home.rglob("*")]:
        if path.is_file() and path.suffix != ".duckdb":
            assert postgres.password.encode() not in path.read_bytes(), path

    # Beyond tolerance: the run fails its checks and PostgreSQL keeps the last publication.
    before = {t: pg_rows(url, t) for t in ("fct_stage_entries", "funnel_daily", "alignment_reconciliation")}
    push_report(settings.data_dir, "marketing", "mqls", "2026-03-01", 1.6)
    failed = _run(fresh_project, url)
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-3000:]
    assert pg_publication(url)[0] == run_id
    assert {t: pg_rows(url, t) for t in before} == before


READER = textwrap.dedent(
    """
    import json, sys, time, pathlib, psycopg
    url, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    seen, errors, reads = set(), [], 0
    deadline = time.monotonic() + 120  # bounded, whatever happens to the writer
    with psycopg.connect(url, autocommit=True) as pg:
        while not stop.exists() and time.monotonic() < deadline:
            try:
                row = pg.execute(
                    "select (select run_id from marts._publication), "
                    "(select count(*) from marts.fct_stage_entries), "
                    "(select sum(entries) from marts.funnel_daily)"
                ).fetchone()
                seen.add((row[0], int(row[1]), int(row[2])))
                reads += 1
            except Exception as exc:
                errors.append(repr(exc))
    print(json.dumps({"seen": sorted(map(list, seen)), "errors": errors[:5], "reads": reads}))
    """
)


def _variant(published: Path, target: Path) -> None:
    """The published copy with a third of the stage entries gone: a publication a reader can tell apart."""
    shutil.copyfile(published, target)
    with duckdb.connect(str(target)) as con:
        con.execute("delete from marts.fct_stage_entries where hash(stage_entry_id) % 3 = 0")


def test_a_reader_sees_whole_publications_only_and_a_failed_load_changes_nothing(default_run, postgres, tmp_path):
    project, _ = default_run
    url = postgres.database("swap")
    published = tmp_path / "a.duckdb"
    shutil.copyfile(project.settings.warehouse, published)
    variant = tmp_path / "b.duckdb"
    _variant(published, variant)
    versions = {"a": published, "b": variant}

    def publish(name: str) -> None:
        publish_to_postgres(
            versions[name], url, run_id=f"run-{name}", run_day=AS_OF, as_of=None, contract_version="test"
        )

    publish("a")
    expected = set()
    for name, path in versions.items():
        with duckdb.connect(str(path), read_only=True) as con:
            entries = con.execute("select count(*) from marts.fct_stage_entries").fetchall()[0][0]
            daily = con.execute("select sum(entries) from marts.funnel_daily").fetchall()[0][0]
        expected.add((f"run-{name}", int(entries), int(daily)))
    assert len({e[1] for e in expected}) == 2

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, url, str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        for name in ("b", "a", "b", "a", "b"):
            publish(name)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=180)
    result = json.loads(out)
    print(f"{result['reads']} reads during 5 publications; saw {len(result['seen'])} publication(s)")
    assert result["errors"] == []
    assert result["reads"] > 20
    assert {tuple(s) for s in result["seen"]} <= expected
    assert len(result["seen"]) == 2

    # A load that fails half-way (a column PostgreSQL gets no type for) leaves marts as it was.
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(variant, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute("create table marts.zz_lists as select [1, 2] as stage_list")
    with pytest.raises(PostgresPublishError, match=r"marts\.zz_lists\.stage_list"):
        publish_to_postgres(broken, url, run_id="run-broken", run_day=AS_OF, as_of=None, contract_version="test")
    assert pg_publication(url)[0] == "run-b"
    assert pg_rows(url, "fct_stage_entries") == duckdb_rows(variant, "fct_stage_entries")


def test_a_wrong_password_fails_in_one_line_without_the_password(postgres):
    wrong = postgres.url.replace(postgres.password, "not-the-password-123")
    with pytest.raises(PostgresPublishError) as raised:
        publish_to_postgres(
            Path("/nonexistent.duckdb"), wrong, run_id="x", run_day=None, as_of=None, contract_version="v"
        )
    message = str(raised.value)
    assert "not-the-password-123" not in message and "password authentication failed" in message
    assert redacted(wrong) in message


def test_the_url_is_shown_without_its_password():
    assert redacted("postgresql://bi:s3cret@db.example.com:5432/analytics") == (
        "postgresql://bi:***@db.example.com:5432/analytics"
    )
    assert redacted("postgresql://bi@db/analytics") == "postgresql://bi@db/analytics"
