"""Ad platforms' daily campaign reports, the daily FX rates and the UTM ↔ campaign mapping.

Column names and currencies stay the platform's own in raw (Google's `cost_micros`, LinkedIn's
`cost_in_local_currency`, Meta's `spend`, Microsoft's `Spend`); `stg_ads__spend` puts them on
one scale.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from funnel.sources.loader import CsvFiles, LoadResult, load_all

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
    "microsoft_ads_campaign_stats": CsvFiles(
        source="ads.microsoft_ads",
        table="microsoft_ads_campaign_stats",
        folder="ads/microsoft_ads",
        columns={
            "TimePeriod": "DATE",
            "AccountId": "VARCHAR",
            "CampaignId": "VARCHAR",
            "CampaignName": "VARCHAR",
            "CurrencyCode": "VARCHAR",
            "Spend": "DECIMAL(18,2)",
            "Clicks": "BIGINT",
            "Impressions": "BIGINT",
            "Conversions": "DOUBLE",
        },
    ),
    "fx_rates_daily": CsvFiles(
        source="fx",
        table="fx_rates_daily",
        folder="fx",
        columns={"date": "DATE", "from_currency": "VARCHAR", "to_currency": "VARCHAR", "rate": "DECIMAL(18,6)"},
    ),
}


# Optional: which utm_campaign a platform's campaign is, when the names differ
# (`mappings/utm_campaigns.csv`: platform,campaign_id,utm_campaign). Without it, the campaign
# name is taken as the utm_campaign.
MAPPINGS: dict[str, CsvFiles] = {
    "utm_campaign_map": CsvFiles(
        source="mappings",
        table="utm_campaign_map",
        folder="mappings",
        pattern="utm_campaigns*.csv",
        columns={"platform": "VARCHAR", "campaign_id": "VARCHAR", "utm_campaign": "VARCHAR"},
    ),
}


def platform_of(table: str) -> str | None:
    """The ad platform a raw table belongs to (None for FX and the mapping): its spec's source."""
    spec = TABLES.get(table) or MAPPINGS.get(table)
    return spec.source.removeprefix("ads.") if spec and spec.source.startswith("ads.") else None


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return load_all(con, data_dir, [*TABLES.values(), *MAPPINGS.values()])
