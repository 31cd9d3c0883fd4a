"""Ad platform exports (one CSV per platform and month) and the daily FX file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..simulate.ads import PLATFORM_CURRENCY, Ads
from ..simulate.clock import Clock, iso_dates
from ..truth.money_truth import cents_text
from .pages import write_csv

_ACCOUNTS = {
    "google_ads": "472-118-9034",
    "linkedin_ads": "508877213",
    "meta_ads": "act_1048576123",
    "microsoft_ads": "B015566778",
}


def _micros_text(micros: np.ndarray) -> list[str]:
    return [str(int(m)) for m in micros]


def write_ads(out: Path, ads: Ads, clock: Clock) -> dict:
    spend = ads.spend.merge(ads.campaigns[["campaign_id", "name"]], left_on="campaign", right_index=True)
    spend = spend.sort_values(["platform", "day", "campaign_id"], kind="stable", ignore_index=True)
    dates = np.datetime64(clock.first_day, "D") + spend["day"].to_numpy()
    spend["date"] = iso_dates(dates)
    spend["month"] = np.datetime_as_string(dates.astype("datetime64[M]"))
    counts = {}
    for platform, part in spend.groupby("platform", sort=True):
        counts[platform] = len(part)
        for month, rows in part.groupby("month", sort=True):
            table = _platform_table(platform, rows)
            write_csv(out / "ads" / platform / f"campaign_stats_{month}.csv", table)
    return counts


def _platform_table(platform: str, rows: pd.DataFrame) -> pd.DataFrame:
    account = _ACCOUNTS[platform]
    currency = PLATFORM_CURRENCY[platform]
    clicks = rows["clicks"].to_numpy()
    impressions = rows["impressions"].to_numpy()
    conversions = rows["conversions"].to_numpy()
    if platform == "google_ads":
        return pd.DataFrame(
            {
                "date": rows["date"].to_numpy(),
                "customer_id": account,
                "customer_currency_code": currency,
                "campaign_id": rows["campaign_id"].to_numpy(),
                "campaign_name": rows["name"].to_numpy(),
                "cost_micros": _micros_text(rows["native"].to_numpy()),
                "clicks": clicks,
                "impressions": impressions,
                "conversions": [f"{c:.2f}" for c in conversions],
            }
        )
    if platform == "linkedin_ads":
        return pd.DataFrame(
            {
                "date": rows["date"].to_numpy(),
                "account_id": account,
                "currency": currency,
                "campaign_id": rows["campaign_id"].to_numpy(),
                "campaign_name": rows["name"].to_numpy(),
                "cost_in_local_currency": cents_text(rows["native"].to_numpy()),
                "clicks": clicks,
                "impressions": impressions,
                "external_website_conversions": conversions.astype(np.int64),
            }
        )
    if platform == "microsoft_ads":
        # Microsoft Advertising's campaign performance report, in its own column names.
        return pd.DataFrame(
            {
                "TimePeriod": rows["date"].to_numpy(),
                "AccountId": account,
                "AccountName": "Acme Analytics",
                "CampaignId": rows["campaign_id"].to_numpy(),
                "CampaignName": rows["name"].to_numpy(),
                "CurrencyCode": currency,
                "Spend": cents_text(rows["native"].to_numpy()),
                "Clicks": clicks,
                "Impressions": impressions,
                "Conversions": conversions.astype(np.int64),
            }
        )
    return pd.DataFrame(
        {
            "date_start": rows["date"].to_numpy(),
            "date_stop": rows["date"].to_numpy(),
            "account_id": account,
            "account_currency": currency,
            "campaign_id": rows["campaign_id"].to_numpy(),
            "campaign_name": rows["name"].to_numpy(),
            "spend": cents_text(rows["native"].to_numpy()),
            "clicks": clicks,
            "impressions": impressions,
            "conversions": conversions.astype(np.int64),
        }
    )


def write_fx(out: Path, ads: Ads, clock: Clock) -> int:
    fx = ads.fx
    rate = fx["rate"].to_numpy()
    table = pd.DataFrame(
        {
            "date": iso_dates(np.datetime64(clock.first_day, "D") + fx["day"].to_numpy()),
            "from_currency": fx["currency"].to_numpy(),
            "to_currency": "USD",
            "rate": [f"{r // 1_000_000}.{r % 1_000_000:06d}" for r in rate.tolist()],
        }
    )
    write_csv(out / "fx" / "fx_rates_daily.csv", table)
    return len(table)
