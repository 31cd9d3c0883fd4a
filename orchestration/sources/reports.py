"""The numbers each team reported: `reports/<team>.csv` (team,metric,period_start,period_end,value)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.sources.loader import CsvFiles, LoadResult, load_csv_files

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
}


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return [load_csv_files(con, data_dir, spec) for spec in TABLES.values()]
