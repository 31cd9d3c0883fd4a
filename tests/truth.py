"""Compare warehouse marts with the generator's known answer, row for row."""

from __future__ import annotations

from pathlib import Path

import duckdb

# mart query ↔ truth file query; both yield the same columns as text.
COMPARISONS = {
    "fct_stage_entries": (
        "select person_id, stage, strftime(entered_at, '%Y-%m-%dT%H:%M:%S.%gZ'), cast(entered_date as varchar), "
        "channel, cast(is_backfilled as varchar) from marts.fct_stage_entries",
        "select person_id, stage, entered_at, entered_date, channel, is_backfilled "
        "from read_csv('{truth}/stage_entries.csv', all_varchar=true)",
    ),
    "funnel_daily": (
        "select cast(date as varchar), channel, stage, cast(entries as varchar) from marts.funnel_daily",
        "select date, channel, stage, entries from read_csv('{truth}/funnel_daily.csv', all_varchar=true)",
    ),
    "dim_people": (
        "select person_id, channel, coalesce(owner_id, ''), cast(is_excluded as varchar), "
        "coalesce(exclusion_reason, ''), "
        + ", ".join(
            f"coalesce(strftime({s}_at, '%Y-%m-%dT%H:%M:%S.%gZ'), '')"
            for s in ("lead", "mql", "sql", "opportunity", "customer")
        )
        + " from marts.dim_people",
        "select person_id, channel, coalesce(owner_id, ''), is_excluded, coalesce(exclusion_reason, ''), "
        + ", ".join(f"coalesce({s}_at, '')" for s in ("lead", "mql", "sql", "opportunity", "customer"))
        + " from read_csv('{truth}/people.csv', all_varchar=true)",
    ),
    "pipeline_deals": (
        "select deal_id, pipeline_id, cast(amount_reporting as varchar), deal_stage_id, cast(is_won as varchar), "
        "cast(is_lost as varchar), coalesce(primary_person_id, ''), source_channel, sourced_by "
        "from marts.pipeline_deals",
        "select deal_id, pipeline, amount_reporting, stage, is_won, is_lost, coalesce(primary_person_id, ''), "
        "source_channel, sourced_by from read_csv('{truth}/deals.csv', all_varchar=true)",
    ),
    "marketing_spend_daily": (
        "select cast(date as varchar), channel, campaign, cast(spend as varchar) from marts.marketing_spend_daily",
        "select date, channel, campaign, spend_reporting from read_csv('{truth}/spend_daily.csv', all_varchar=true)",
    ),
}


def differences(warehouse: Path, truth_dir: Path, mart: str) -> tuple[int, list[tuple], list[tuple]]:
    """(rows in truth, rows only in truth, rows only in the mart)."""
    mart_sql, truth_sql = COMPARISONS[mart]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        mart_rows = con.execute(mart_sql).fetchall()
        truth_rows = con.execute(truth_sql.format(truth=truth_dir)).fetchall()
    finally:
        con.close()
    mart_set, truth_set = set(mart_rows), set(truth_rows)
    assert len(mart_set) == len(mart_rows) and len(truth_set) == len(truth_rows), "duplicate rows"
    return len(truth_rows), sorted(truth_set - mart_set)[:10], sorted(mart_set - truth_set)[:10]


def all_marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of schema `marts` with its rows sorted: two runs compared mart for mart."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()
