"""The copy BI tools read, replaced atomically after every run whose blocking checks passed.

BI tools never open the warehouse itself: DuckDB would lock them out while a run writes, and
they would see marts that failed their checks. The published file is written beside the
warehouse under a temporary name and renamed over the previous one. A reader that holds the old
file open keeps reading it, unchanged; the next connection sees the new one. After a failed run
nothing is renamed, so BI keeps the last reconciled numbers.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from funnel.engine import Engine

PUBLISHED_SCHEMA = "marts"
# MetricFlow's time spine: published too, so that `funnel metrics` queries the published copy.
METRICS_SCHEMA = "utilities"
# Written in an older storage format so that BI drivers bundling duckdb 1.1 or later can read it.
STORAGE_VERSION = "v1.1.0"


def publish(
    engine: Engine, published: Path, *, run_id: str, as_of: str | None, contract_version: str
) -> dict[str, int]:
    """Copy every table of schema `marts` from the engine that built them to `published`;
    returns row counts per table."""
    staging = published.with_name(published.name + ".incoming")
    staging.unlink(missing_ok=True)
    Path(str(staging) + ".wal").unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{_quote(staging)}' as published (storage_version '{STORAGE_VERSION}')")
        for schema in (PUBLISHED_SCHEMA, METRICS_SCHEMA):
            con.execute(f"create schema published.{schema}")
            for table in engine.tables(schema):
                source = engine.relation(con, schema, table)
                con.execute(f"create table published.{schema}.{table} as select * from {source}")
                if schema == PUBLISHED_SCHEMA:
                    counts[table] = con.execute(f"select count(*) from published.{schema}.{table}").fetchall()[0][0]
        con.execute(
            f"create table published.{PUBLISHED_SCHEMA}._publication as "
            "select ?::varchar as run_id, ?::varchar as as_of, ?::varchar as contract_version, "
            "?::timestamptz as published_at",
            [run_id, as_of, contract_version, datetime.now(UTC)],
        )
        con.execute("checkpoint published")
        con.execute("detach published")
    finally:
        con.close()
    os.replace(staging, published)
    return counts


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
