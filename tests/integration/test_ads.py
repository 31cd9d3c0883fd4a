"""Ad spend: four platforms in four currencies, a UTM mapping, and a missing FX rate that stops
the run instead of being taken as 1."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from orchestration.runner import run_daily

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("ads")]

AS_OF = date(2026, 10, 31)


def test_four_currencies_convert_exactly_and_a_utm_mapping_renames_campaigns(fresh_project, sample_data):
    settings = fresh_project.settings
    google = pd.read_csv(sorted((settings.data_dir / "ads" / "google_ads").glob("*.csv"))[-1], dtype=str)
    campaign_id = google["campaign_id"].iloc[0]
    campaign = google["campaign_name"].iloc[0]
    (settings.data_dir / "mappings").mkdir()
    with (settings.data_dir / "mappings" / "utm_campaigns.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [["platform", "campaign_id", "utm_campaign"], ["google_ads", campaign_id, "spring_search_push"]]
        )

    summary = run_daily(settings, AS_OF, quiet=True)
    assert summary.failed_steps == []

    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        currencies = dict(con.execute("select currency, count(*) from staging.stg_ads__spend group by 1").fetchall())
        renamed = con.execute(
            "select sum(spend) from marts.marketing_spend_daily where campaign = 'spring_search_push'"
        ).fetchone()[0]
        remaining = con.execute(
            "select count(*) from marts.marketing_spend_daily where campaign = ?", [campaign]
        ).fetchone()[0]
        spend = con.execute(
            "select date::varchar, channel, campaign, spend from marts.marketing_spend_daily"
        ).fetchall()
    finally:
        con.close()
    assert set(currencies) == {"USD", "EUR", "GBP", "CAD"}

    truth = pd.read_csv(sample_data / "truth" / "spend_daily.csv", dtype=str)
    truth.loc[truth["campaign"] == campaign, "campaign"] = "spring_search_push"
    expected = {(r.date, r.channel, r.campaign, Decimal(r.spend_reporting)) for r in truth.itertuples()}
    assert {(d, c, k, Decimal(str(v))) for d, c, k, v in spend} == expected
    assert renamed > 0 and remaining == 0


def test_a_missing_fx_rate_stops_the_run_and_is_never_taken_as_one(fresh_project):
    settings = fresh_project.settings
    fx = settings.data_dir / "fx" / "fx_rates_daily.csv"
    rows = fx.read_text().splitlines()
    kept = [row for row in rows if not row.startswith("2026-03-15,CAD")]
    assert len(kept) == len(rows) - 1
    fx.write_text("\n".join(kept) + "\n")

    summary = run_daily(settings, AS_OF, quiet=True)

    assert not summary.success and not settings.published.exists()
    failed = {c.check: c for c in summary.checks if not c.passed}
    # The failure names what to fix: the campaign, its currency and the day without a rate.
    spend = failed["ad_spend_has_an_fx_rate"]
    assert spend.failures and all(
        row["currency"] == "CAD" and row["rate_date"] == "2026-03-15" and row["platform"] == "microsoft_ads"
        for row in spend.failures
    ), spend.failures
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        flagged = con.execute(
            "select currency, spend_date::varchar, spend_reporting from staging.stg_ads__spend where is_missing_fx_rate"
        ).fetchall()
    finally:
        con.close()
    assert flagged and all(c == "CAD" and d == "2026-03-15" and s is None for c, d, s in flagged)
