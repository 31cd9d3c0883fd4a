"""Broken export files stop the run before dbt, name the file, and leave the valid rows loaded."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from orchestration.runner import run_daily

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bad_input")]


def test_a_truncated_page_and_a_csv_missing_a_column_fail_the_run_by_name(fresh_project):
    settings = fresh_project.settings
    pages = sorted((settings.data_dir / "hubspot" / "contacts").glob("*.json"))
    truncated = pages[3]
    truncated.write_text(truncated.read_text()[:5000])
    spend = sorted((settings.data_dir / "ads" / "linkedin_ads").glob("*.csv"))[0]
    lines = spend.read_text().splitlines()
    spend.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")  # drop the last column
    report = settings.data_dir / "reports" / "sales.csv"
    report_lines = report.read_text().splitlines()
    report_lines[4] = report_lines[4].rsplit(",", 1)[0] + ",about forty"
    report.write_text("\n".join(report_lines) + "\n")

    summary = run_daily(settings, date(2026, 10, 31), quiet=True)

    assert not summary.success and summary.failed_steps == []
    failed = {c.asset: c.description for c in summary.blocking_failures}
    assert set(failed) == {"raw/hubspot_contacts", "raw/linkedin_ads_campaign_stats", "raw/team_reports"}
    assert "reports/sales.csv:5: line 5:" in failed["raw/team_reports"] and "about forty" in failed["raw/team_reports"]
    assert f"hubspot/contacts/{truncated.name}: file is not valid JSON" in failed["raw/hubspot_contacts"]
    assert (
        f"ads/linkedin_ads/{spend.name}: missing column(s) external_website_conversions"
        in failed["raw/linkedin_ads_campaign_stats"]
    )

    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        loaded = con.execute("select count(*) from raw.hubspot_contacts").fetchone()[0]
        reports_loaded = con.execute("select count(*) from raw.team_reports").fetchone()[0]
        marts = con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0]
    finally:
        con.close()
    counts = json.loads((settings.data_dir / "manifest.json").read_text())["counts"]
    assert loaded == counts["contacts"] + counts["contacts_archived"] - 100  # one page of 100 lost, the rest kept
    assert marts == 0  # dbt never ran on incomplete data
    assert reports_loaded == 71  # 72 numbers reported, one line quarantined
