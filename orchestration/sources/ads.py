"""Ad platforms' daily campaign reports and the daily FX rates, each in its own columns.

Column names and currencies stay the platform's own in raw (Google's `cost_micros`, LinkedIn's
`cost_in_local_currency`, Meta's `spend`); `stg_ads__spend` puts them on one scale.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.sources.loader import CsvFiles, LoadResult, load_csv_files

_COUNTS = {"clicks": "BIGINT", "impressions": "BIGINT"}

TABLES: dict[str, CsvFiles] = {
    "google_ads_campaign_stats": CsvFiles(
        source="ads.google_ads",
        table="google_ads_campaign_stats",
        folder="ads/google_ads",
        columns={
            "date": "DATE",
            "customer_id": "VARCHAR",
            "customer_currency_code": "VARCHAR",
            "campaign_id": "VARCHAR",
            "campaign_name": "VARCHAR",
            "cost_micros": "BIGINT",
            **_COUNTS,
            "conversions": "DOUBLE",
        },
    ),
    "linkedin_ads_campaign_stats": CsvFiles(
        source="ads.linkedin_ads",
        table="linkedin_ads_campaign_stats",
        folder="ads/linkedin_ads",
        columns={
            "date": "DATE",
            "account_id": "VARCHAR",
            "currency": "VARCHAR",
            "campaign_id": "VARCHAR",
            "campaign_name": "VARCHAR",
            "cost_in_local_currency": "DECIMAL(18,2)",
            **_COUNTS,
            "external_website_conversions": "DOUBLE",
        },
    ),
    "meta_ads_campaign_stats": CsvFiles(
        source="ads.meta_ads",
        table="meta_ads_campaign_stats",
        folder="ads/meta_ads",
        columns={
            "date_start": "DATE",
            "date_stop": "DATE",
            "account_id": "VARCHAR",
            "account_currency": "VARCHAR",
            "campaign_id": "VARCHAR",
            "campaign_name": "VARCHAR",
            "spend": "DECIMAL(18,2)",
            **_COUNTS,
            "conversions": "DOUBLE",
        },
    ),
    "fx_rates_daily": CsvFiles(
        source="fx",
        table="fx_rates_daily",
        folder="fx",
        columns={"date": "DATE", "from_currency": "VARCHAR", "to_currency": "VARCHAR", "rate": "DECIMAL(18,6)"},
    ),
}


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return [load_csv_files(con, data_dir, spec) for spec in TABLES.values()]
