"""What the page is about: the warehouse file, opened read-only, and the run it is as of.

The file is attached under a fixed catalog name and every query reads `marts.<table>` from it;
RunContext holds the run's reporting day and the months the page shows around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from funnel.contract.model import Contract
from funnel.publish import PUBLISHED_SCHEMA

MONTHS_SHOWN = 12
SOURCE_CATALOG = "dashboard_source"
REQUIRED_MARTS = (
    "fct_stage_entries",
    "funnel_conversion_period",
    "alignment_reconciliation",
    "pipeline_contribution",
    "pipeline_deals",
    "attribution_credit",
    "sla_speed_to_lead",
    "targets_vs_actuals",
)


class DashboardError(Exception):
    """The file cannot feed the dashboard (missing, unreadable, no marts): one line for a person."""


@dataclass(frozen=True)
class RunContext:
    """What the marts are as of: the run's last reporting day and the months around it."""

    run_day: date
    timezone: str
    as_of: datetime | None
    contract_version: str | None

    @property
    def last_full_month(self) -> date:
        """First day of the last calendar month that ended on or before the run's day."""
        if (self.run_day + timedelta(days=1)).day == 1:
            return self.run_day.replace(day=1)
        return _add_months(self.run_day.replace(day=1), -1)

    @property
    def months(self) -> list[date]:
        """The months shown: the run's month (maybe partial) and the ones before it."""
        last = self.run_day.replace(day=1)
        return [_add_months(last, offset) for offset in range(1 - MONTHS_SHOWN, 1)]

    @property
    def window(self) -> tuple[date, date]:
        """[first day of the first month shown, first day after the last) for SQL filters."""
        return self.months[0], _add_months(self.months[-1], 1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_key(month: date) -> str:
    return month.strftime("%Y-%m")


def _period_key(start: date, end: date) -> str:
    """'2026-09' for a calendar month (as funnel.checks.explain labels it), else 'start..end'."""
    if start.day == 1 and end == _add_months(start, 1) - timedelta(days=1):
        return _month_key(start)
    return f"{start}..{end}"


# --- reading the file ---------------------------------------------------------------------------


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, refused in one line when the file cannot feed the dashboard."""
    if not warehouse.is_file():
        raise DashboardError(
            f"{warehouse} does not exist: run the pipeline until its checks pass (the published copy), "
            "or give --warehouse PATH to a DuckDB file with schema marts"
        )
    # Attached under a fixed name: a file called marts.duckdb would otherwise make `marts.x`
    # ambiguous (catalog or schema?).
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_quote(warehouse)}' as {SOURCE_CATALOG} (read_only)")
        con.execute(f"use {SOURCE_CATALOG}")
    except duckdb.Error as error:
        con.close()
        raise DashboardError(f"cannot open {warehouse}: {' '.join(str(error).split())[:300]}") from None
    tables = _tables(con)
    missing = [t for t in REQUIRED_MARTS if (PUBLISHED_SCHEMA, t) not in tables]
    if missing:
        con.close()
        more = f" (and {len(missing) - 1} other marts)" if len(missing) > 1 else ""
        raise DashboardError(
            f"{warehouse} has no {PUBLISHED_SCHEMA}.{missing[0]}{more}: not a funnel warehouse, or an older one"
        )
    return con


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def run_day_of(as_of: datetime, timezone: str) -> date:
    """The run's last reporting day: as_of is the exclusive end of that day (funnel/run_day.py)."""
    return (as_of - timedelta(milliseconds=1)).astimezone(ZoneInfo(timezone)).date()


def run_context(con: duckdb.DuckDBPyConnection, contract: Contract) -> RunContext:
    """The run's as_of: `marts._publication` in the published copy; in a working warehouse the
    build's own parameters (int_run_context, with the timezone it ran in). A build without as_of
    ran "as of now": its latest entry date stands in for the run's day."""
    tables = _tables(con)
    timezone, as_of, version = contract.reporting.timezone, None, None
    if (PUBLISHED_SCHEMA, "_publication") in tables:
        rows = _rows(
            con, f"select epoch(cast(as_of as timestamptz)), contract_version from {PUBLISHED_SCHEMA}._publication"
        )
        as_of, version = rows[0] if rows else (None, None)
    else:
        schema = next((s for s, t in sorted(tables) if t == "int_run_context"), None)
        if schema is not None:
            rows = _rows(
                con, f'select epoch(as_of), contract_version, reporting_timezone from "{schema}".int_run_context'
            )
            if rows:
                as_of, version, timezone = rows[0][0], rows[0][1], rows[0][2] or timezone
    if as_of is not None:
        instant = datetime.fromtimestamp(as_of, UTC)
        return RunContext(run_day_of(instant, timezone), timezone, instant, version)
    latest = _rows(con, f"select max(entered_date) from {PUBLISHED_SCHEMA}.fct_stage_entries")[0][0]
    return RunContext(latest or date.today(), timezone, None, version)
