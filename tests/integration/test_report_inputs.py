"""Team reports in every shape the product accepts: monthly and weekly numbers, amounts in the
reporting currency, and record-level lists that replace a team's view."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from orchestration.runner import run_daily

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("report_inputs")]

NEW_YORK = ZoneInfo("America/New_York")
UNKNOWN_ID = "999999999"


def _won_revenue_by_month(data_dir, deals: pd.DataFrame) -> dict[str, float]:
    """Won revenue per month from the raw deal pages (closedwon history) and the truth amounts."""
    won_at = {}
    for page in sorted((data_dir / "hubspot" / "deals").glob("*.json")):
        for deal in json.loads(page.read_text())["results"]:
            wins = [
                h["timestamp"] for h in deal["propertiesWithHistory"].get("dealstage", []) if h["value"] == "closedwon"
            ]
            if wins and deal["properties"]["pipeline"] == "default":
                won_at[deal["id"]] = min(wins)
    amounts = deals.set_index("deal_id")["amount_reporting"].to_dict()
    totals: dict[str, float] = {}
    for deal_id, when in won_at.items():
        month = pd.Timestamp(when).tz_convert(NEW_YORK).strftime("%Y-%m")
        totals[month] = totals.get(month, 0.0) + float(amounts[int(deal_id)])
    return totals


def _marketing_weekly_mqls(data_dir, monday: date) -> int:
    """Marketing's tool, recomputed from the raw pages: records whose MQL date, as it stood when
    the report was pulled (the Tuesday after, 09:00 UTC), falls in the week read in UTC."""
    sunday = monday + timedelta(days=6)
    snapshot = pd.Timestamp(sunday + timedelta(days=1), tz="UTC") + pd.Timedelta(hours=9)
    count = 0
    for folder in ("contacts", "contacts_archived"):
        for page in sorted((data_dir / "hubspot" / folder).glob("*.json")):
            for record in json.loads(page.read_text())["results"]:
                created = pd.Timestamp(record["properties"]["createdate"])
                archived = pd.Timestamp(record["archivedAt"]) if record.get("archivedAt") else None
                if created > snapshot or (archived is not None and archived <= snapshot):
                    continue
                writes = [
                    w
                    for w in record["propertiesWithHistory"].get("hs_lifecyclestage_marketingqualifiedlead_date", [])
                    if pd.Timestamp(w["timestamp"]) <= snapshot
                ]
                if writes:
                    latest = max(writes, key=lambda w: w["timestamp"])
                    count += monday <= pd.Timestamp(latest["value"]).date() <= sunday
    return count


def test_weekly_counts_amounts_and_record_lists_are_reconciled(fresh_project, sample_data):
    settings = fresh_project.settings
    truth = sample_data / "truth"
    deals = pd.read_csv(truth / "deals.csv")
    entries = pd.read_csv(truth / "stage_entries.csv")

    # Finance: pipeline created per month, customers per week, bookings per month — all as the
    # canonical rules count them, computed here from the truth and the raw deal pages.
    deals["month"] = pd.to_datetime(deals["created_at"], utc=True).dt.tz_convert(NEW_YORK).dt.strftime("%Y-%m")
    default = deals[deals["pipeline"] == "default"]
    months = ["2026-08", "2026-09", "2026-10"]
    won = _won_revenue_by_month(settings.data_dir, deals)
    mondays = [date(2026, 9, 7) + timedelta(weeks=w) for w in range(6)]
    customers = entries[entries["stage"] == "customer"]
    rows = []
    for month in months:
        start = date.fromisoformat(month + "-01")
        end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
        rows.append(
            [
                "finance",
                "pipeline_created",
                start,
                end,
                round(default[default["month"] == month]["amount_reporting"].sum(), 2),
            ]
        )
        rows.append(["finance", "bookings", start, end, round(won.get(month, 0.0), 2)])
    for monday in mondays:
        sunday = monday + timedelta(days=6)
        count = (
            (customers["entered_date"] >= monday.isoformat()) & (customers["entered_date"] <= sunday.isoformat())
        ).sum()
        rows.append(["finance", "new_customers", monday, sunday, int(count)])
    with (settings.data_dir / "reports" / "finance.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["team", "metric", "period_start", "period_end", "value"])
        writer.writerows(rows)
    # Marketing also reports MQLs weekly; its view then counts by week.
    with (settings.data_dir / "reports" / "marketing_weekly.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["team", "metric", "period_start", "period_end", "value"])
        writer.writerows(["marketing", "mqls", monday, monday + timedelta(days=6), 10] for monday in mondays)

    # Marketing lists the records behind its March 2026 MQLs: those its tool counts, plus one
    # id HubSpot has never had.
    baseline = run_daily(settings, date(2026, 10, 31), quiet=True)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        listed = [
            r[0]
            for r in con.execute(
                "select contact_id from intermediate.int_team_view_records "
                "where team = 'marketing' and team_metric = 'mqls' and period_start = '2026-03-01'"
            ).fetchall()
        ]
        before = con.execute(
            "select count(*) from marts.alignment_divergences where team = 'marketing' and team_metric = 'mqls' "
            "and period_start = '2026-03-01'"
        ).fetchone()[0]
    finally:
        con.close()
    assert baseline.failed_steps == [] and listed
    (settings.data_dir / "reports" / "records").mkdir()
    with (settings.data_dir / "reports" / "records" / "marketing_mqls_2026-03.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["team", "metric", "period_start", "period_end", "record_id"])
        writer.writerows(["marketing", "mqls", "2026-03-01", "2026-03-31", rid] for rid in [*listed, UNKNOWN_ID])

    summary = run_daily(settings, date(2026, 10, 31), quiet=True)
    assert summary.failed_steps == []
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        finance = con.execute(
            "select team_metric, period_start, team_value, canonical_value, status from marts.alignment_reconciliation "
            "where team = 'finance' order by 1, 2"
        ).fetchall()
        march = con.execute(
            "select team_computed_value, explained_delta, team_value - canonical_value "
            "from marts.alignment_reconciliation "
            "where team = 'marketing' and team_metric = 'mqls' and period_start = '2026-03-01'"
        ).fetchone()
        weekly = con.execute(
            "select period_start, team_computed_value, canonical_value, explained_delta, team_value - canonical_value "
            "from marts.alignment_reconciliation where team = 'marketing' and period_end - period_start = 6 "
            "order by period_start"
        ).fetchall()
        unknown = con.execute(
            "select reason from marts.alignment_divergences where record_id = ?", [UNKNOWN_ID]
        ).fetchall()
        after = con.execute(
            "select count(*) from marts.alignment_divergences where team = 'marketing' and team_metric = 'mqls' "
            "and period_start = '2026-03-01'"
        ).fetchone()[0]
    finally:
        con.close()

    assert len(finance) == 12
    assert all(status == "ok" for *_, status in finance), finance
    assert all(float(reported) == float(canonical) for _, _, reported, canonical, _ in finance), finance
    assert sum(float(v) for m, _, v, _, _ in finance if m == "bookings") > 0
    assert sum(float(v) for m, _, v, _, _ in finance if m == "new_customers") > 0
    # Weekly: the view counts what marketing's tool counts that week, and the divergences
    # explain all of the tool's difference with the canonical count.
    assert len(weekly) == len(mondays)
    for monday, computed, canonical, explained, _ in weekly:
        assert computed == _marketing_weekly_mqls(settings.data_dir, monday)
        assert explained == computed - canonical
        week = entries[
            (entries["stage"] == "mql")
            & (entries["entered_date"] >= monday.isoformat())
            & (entries["entered_date"] <= (monday + timedelta(days=6)).isoformat())
        ]
        assert canonical == len(week)
    assert sum(computed for _, computed, *_ in weekly) > 0
    # The listed records replace the view: one more record, explained as not in the CRM.
    assert march[0] == len(listed) + 1
    assert unknown == [("not_in_crm",)]
    assert after == before + 1
    finance_check = next(c for c in summary.checks if c.check == "alignment_finance")
    assert finance_check.passed
