"""Fivetran-landed HubSpot and ad platform tables, read in place by dbt, give the same marts as
the API-shaped pages and the platforms' CSV exports."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.config import PROJECT_ROOT
from orchestration.generator.fivetran import write_fivetran_ads, write_fivetran_hubspot
from orchestration.runner import run_daily
from tests.conftest import make_project
from tests.truth import all_marts

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fivetran")]

AS_OF = date(2026, 10, 31)


def test_fivetran_tables_give_the_same_marts_as_pages_and_exports(tmp_path, sample_data):
    pages = make_project(tmp_path / "pages", sample_data)
    run_daily(pages.settings, AS_OF, quiet=True)

    sources = (PROJECT_ROOT / "sources.yml").read_text().replace("  from: files", "  from: fivetran")
    for platform in ("google_ads", "linkedin_ads", "meta_ads", "microsoft_ads"):
        sources = sources.replace(f"  {platform}: files", f"  {platform}: fivetran")
    landed = make_project(tmp_path / "fivetran", sample_data, sources_text=sources)
    counts = write_fivetran_hubspot(sample_data, landed.settings.warehouse)
    assert counts["contact"] > 2000 and counts["deal_stage"] > 0
    ad_counts = write_fivetran_ads(sample_data, landed.settings.warehouse)
    assert ad_counts["microsoft_ads.campaign_performance_daily_report"] > 0
    summary = run_daily(landed.settings, AS_OF, quiet=True)
    assert summary.failed_steps == []

    expected, got = all_marts(pages.settings.warehouse), all_marts(landed.settings.warehouse)
    assert set(got) == set(expected)
    for table in expected:
        assert got[table] == expected[table], table
    con = duckdb.connect(str(landed.settings.warehouse), read_only=True)
    try:
        raw_hubspot = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name like 'hubspot_%'").fetchone()[0]
        raw_ads = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name like '%_ads_campaign_stats'").fetchone()[0]
    finally:
        con.close()
    assert raw_hubspot == 0, "in Fivetran mode nothing reads the HubSpot pages"
    assert raw_ads == 0, "nor the ad platforms' CSVs"
