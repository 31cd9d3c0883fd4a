"""The numbers each team reported: `reports/<team>.csv` (team,metric,period_start,period_end,value),
and optionally the records behind them: `reports/records/*.csv`
(team,metric,period_start,period_end,record_id — a HubSpot contact id per line)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from funnel.sources.loader import CsvFiles, LoadResult, load_all

TABLES: dict[str, CsvFiles] = {
    "team_reports": CsvFiles(
        source="reports",
        table="team_reports",
        folder="reports",
        columns={
            "team": "VARCHAR",
            "metric": "VARCHAR",
            "period_start": "DATE",
            "period_end": "DATE",
            "value": "DECIMAL(18,2)",
        },
    ),
    "team_report_records": CsvFiles(
        source="reports.records",
        table="team_report_records",
        folder="reports/records",
        columns={
            "team": "VARCHAR",
            "metric": "VARCHAR",
            "period_start": "DATE",
            "period_end": "DATE",
            "record_id": "VARCHAR",
        },
    ),
}


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return load_all(con, data_dir, TABLES.values())
