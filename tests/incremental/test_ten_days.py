"""Ten daily runs, each building incrementally on the last, end with exactly the marts a full build
of the tenth day's export gives. Records arrive late, change after they were first exported, get
merged away and purged (tests/incremental/arrivals.py); the contract changes on day 6, which must
rebuild everything and say so."""

from __future__ import annotations

import re
from datetime import date, timedelta

import duckdb
import pytest

from sample_company import generate
from tests.conftest import make_project
from tests.incremental.arrivals import DailyExports

pytestmark = pytest.mark.slow

FIRST_DAY = date(2026, 10, 22)
CONTRACT_CHANGE_DAY = 6
# Every table dbt builds from the contact pages per record, then every BI-facing mart.
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, kind in con.execute(
        """
        select c.table_schema, c.table_name, c.column_name, c.data_type
        from information_schema.columns as c
        join information_schema.tables as t using (table_catalog, table_schema, table_name)
        where c.table_catalog = ? and t.table_type = 'BASE TABLE'
        order by c.table_schema, c.table_name, c.ordinal_position
        """,
        [catalog],
    ).fetchall():
        # When a row was loaded, and which people a run rebuilt, differ by construction.
        if schema in COMPARED_SCHEMAS and column != "_loaded_at" and table != "int_people_to_rebuild":
            found.setdefault(f"{schema}.{table}", []).append((column, kind))
    return found


def _differences(daily_path, full_path) -> dict[str, tuple[int, int]]:
    """table → (rows only in the incremental warehouse, rows only in the full build)."""
    con = duckdb.connect()
    con.execute(f"attach '{daily_path}' as daily (read_only)")
    con.execute(f"attach '{full_path}' as full_build (read_only)")
    daily, full = _tables(con, "daily"), _tables(con, "full_build")
    assert sorted(daily) == sorted(full)
    assert daily == full
    # Sums of doubles may add up in another order: compared to 9 decimals.
    found = {}
    for table, columns in daily.items():
        select = ", ".join(
            f"round({name}, 9)" if kind in ("DOUBLE", "FLOAT") else f'"{name}"' for name, kind in columns
        )
        only_daily, only_full = (
            con.execute(
                f"select count(*) from (select {select} from {a}.{table} except all select {select} from {b}.{table})"
            ).fetchall()[0][0]
            for a, b in (("daily", "full_build"), ("full_build", "daily"))
        )
        if only_daily or only_full:
            found[table] = (only_daily, only_full)
    con.close()
    return found


def test_ten_incremental_days_equal_a_full_build_of_the_last(tmp_path):
    final = tmp_path / "final"
    generate(final, contacts=400, months=6, seed=5, page_size=20)
    exports = DailyExports(final, days=10)
    data = tmp_path / "data"
    daily = make_project(tmp_path / "daily", data)

    outputs = []
    for day in range(1, 11):
        exports.write(day, data)
        if day == CONTRACT_CHANGE_DAY:
            contract = daily.settings.contract
            contract.write_text(
                contract.read_text().replace(
                    "competitor_domains: [rivalmetrics.io, pipelinepro.com]",
                    "competitor_domains: [rivalmetrics.io, pipelinepro.com, yahoo.com]",
                )
            )
        # Pages that held only early versions of records archived since are gone by the last day:
        # the operator retires their rows, as the run's warning says to.
        retire = ["--retire-deleted"] if day == 10 else []
        result = daily.funnel("run", "--date", (FIRST_DAY + timedelta(days=day - 1)).isoformat(), *retire, timeout=900)
        assert result.returncode in (0, 1), result.stderr[-3000:]
        outputs.append(result.stderr)

    build_lines = [next(line.strip() for line in out.splitlines() if "build: " in line) for out in outputs]
    assert build_lines[0] == "build: full rebuild, because no earlier build is recorded in this warehouse"
    assert (
        build_lines[CONTRACT_CHANGE_DAY - 1] == "build: full rebuild, because the contract changed since the last build"
    )
    incremental = (
        "build: incremental, only the records loaded since the last build, and the people they concern, are rebuilt"
    )
    assert [n + 1 for n, line in enumerate(build_lines) if line == incremental] == [2, 3, 4, 5, 7, 8, 9, 10]
    # The person-level models rebuilt some people each incremental day, never everyone.
    rebuilt = [re.search(r"build: ([\d,]+) of ([\d,]+) people rebuilt", out) for out in outputs]
    assert [n + 1 for n, found in enumerate(rebuilt) if found] == [2, 3, 4, 5, 7, 8, 9, 10]
    shares = [int(found[1].replace(",", "")) / int(found[2].replace(",", "")) for found in rebuilt if found]
    assert all(0 < share < 0.5 for share in shares), shares

    # The loads were incremental too: the contact pages in the warehouse were read on several
    # days, each when it last changed.
    ((loads,),) = daily.rows(
        "select count(distinct loaded_at) from raw._load_manifest where \"table\" = 'hubspot_contacts'"
    )
    assert loads >= 3

    full = make_project(tmp_path / "full", data, contract_text=daily.settings.contract.read_text())
    result = full.funnel("run", "--date", (FIRST_DAY + timedelta(days=9)).isoformat(), timeout=900)
    assert result.returncode in (0, 1), result.stderr[-3000:]

    assert _differences(daily.settings.warehouse, full.settings.warehouse) == {}
    # Not an empty comparison: the per-record tables and the funnel hold the company.
    counts = daily.rows(
        "select (select count(*) from staging.base_hubspot__contact_lifecycle_history), "
        "(select count(*) from marts.fct_stage_entries)"
    )[0]
    assert counts[0] > 1000 and counts[1] > 300
