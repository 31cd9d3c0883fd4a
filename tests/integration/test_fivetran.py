"""Fivetran-landed HubSpot and ad platform tables, read in place by dbt, give the same marts as
the API-shaped pages and the platforms' CSV exports, whether the connection is in soft-delete mode
or in history mode; and the landed tables have Fivetran's columns."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from funnel.config import PROJECT_ROOT
from orchestration.runner import run_daily
from sample_company.exports.fivetran import write_fivetran_ads, write_fivetran_hubspot, write_fivetran_salesforce
from tests.conftest import make_project
from tests.truth import all_marts

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fivetran")]

AS_OF = date(2026, 10, 31)


def fivetran_sources() -> str:
    """sources.yml with HubSpot and every ad platform read from Fivetran's tables."""
    sources = (PROJECT_ROOT / "sources.yml").read_text().replace("  from: files", "  from: fivetran")
    for platform in ("google_ads", "linkedin_ads", "meta_ads", "microsoft_ads"):
        sources = sources.replace(f"  {platform}: files", f"  {platform}: fivetran")
    return sources


@pytest.fixture(scope="module")
def pages_run(default_run):
    """The files path (pages and CSV exports): the shared default run (conftest), compared with
    each mode: its marts and the steps it failed."""
    project, summary = default_run
    return all_marts(project.settings.warehouse), summary.failed_steps


@pytest.mark.parametrize("mode", ["soft_delete", "history"])
def test_fivetran_tables_give_the_same_marts_as_pages_and_exports(tmp_path, sample_data, pages_run, mode):
    pages_marts, pages_failed = pages_run
    landed = make_project(tmp_path / "fivetran", sample_data, sources_text=fivetran_sources())
    counts = write_fivetran_hubspot(sample_data, landed.settings.warehouse, mode=mode)
    assert counts["contact"] > 2000 and counts["deal_stage"] > 0
    if mode == "history":
        records = json.loads((sample_data / "manifest.json").read_text())["counts"]
        assert counts["contact"] > records["contacts"] + records["contacts_archived"], "contacts have versions"
        assert counts["deal"] > records["deals"] + records["deals_archived"], "a version per stage change"
    ad_counts = write_fivetran_ads(sample_data, landed.settings.warehouse, mode=mode)
    assert ad_counts["microsoft_ads.campaign_performance_daily_report"] > 0
    summary = run_daily(landed.settings, AS_OF, quiet=True)
    # Whatever the files path fails (a check on the sample company), the landed tables fail alike.
    assert summary.failed_steps == pages_failed

    got = all_marts(landed.settings.warehouse)
    assert set(got) == set(pages_marts)
    for table in pages_marts:
        assert got[table] == pages_marts[table], f"{mode}: {table}"
    con = duckdb.connect(str(landed.settings.warehouse), read_only=True)
    try:
        raw_hubspot = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name like 'hubspot_%'"
        ).fetchone()[0]
        raw_ads = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name like '%_ads_campaign_stats'"
        ).fetchone()[0]
    finally:
        con.close()
    assert raw_hubspot == 0, "in Fivetran mode nothing reads the HubSpot pages"
    assert raw_ads == 0, "nor the ad platforms' CSVs"


SYSTEM = {
    "soft_delete": {"_fivetran_deleted", "_fivetran_synced"},
    "history": {"_fivetran_start", "_fivetran_end", "_fivetran_active", "_fivetran_synced"},
}
HISTORY_ONLY = {"_fivetran_start", "_fivetran_end", "_fivetran_active"}

# Tables whose columns are exactly Fivetran's: data columns, and whether the table carries
# `_fivetran_deleted` in soft-delete mode.
EXPECTED = {
    "hubspot.deal_contact": ({"deal_id", "contact_id", "type_id", "category"}, False),
    "hubspot.owner": (
        {
            "owner_id",
            "email",
            "first_name",
            "last_name",
            "active_user_id",
            "created_at",
            "updated_at",
            "portal_id",
            "type",
        },
        False,
    ),
    "hubspot.team_user": ({"team_id", "user_id", "is_secondary_user"}, True),
    "hubspot.deal_pipeline_stage": (
        {
            "stage_id",
            "pipeline_id",
            "label",
            "display_order",
            "probability",
            "is_closed",
            "active",
            "created_at",
            "updated_at",
        },
        True,
    ),
    "hubspot.form": ({"guid", "name", "form_type", "created_at", "updated_at", "portal_id"}, True),
    "hubspot.contact_form_submission": (
        {"contact_id", "conversion_id", "form_id", "timestamp", "page_url", "page_id", "portal_id", "title"},
        False,
    ),
    "salesforce.opportunity_contact_role": (
        {"id", "opportunity_id", "contact_id", "is_primary", "role", "is_deleted"},
        False,
    ),
    "salesforce.user": ({"id", "email", "first_name", "last_name", "department", "is_active", "created_date"}, True),
}
# Report and native history tables: the same columns in both modes.
EXPECTED_ANY_MODE = {
    "hubspot.deal_stage": {
        "deal_id",
        "value",
        "date_entered",
        "source",
        "source_id",
        "_fivetran_start",
        "_fivetran_end",
        "_fivetran_active",
        "_fivetran_synced",
    },
    "google_ads.campaign_stats": {
        "id",
        "customer_id",
        "date",
        "cost_micros",
        "clicks",
        "impressions",
        "conversions",
        "conversions_value",
        "view_through_conversions",
        "device",
        "ad_network_type",
        "_fivetran_id",
        "_fivetran_synced",
    },
    "facebook_ads.account_history": {"id", "name", "currency", "account_status", "timezone_name", "_fivetran_synced"},
    "facebook_ads.basic_ad_actions": {
        "ad_id",
        "date",
        "action_type",
        "value",
        "index",
        "_fivetran_id",
        "_fivetran_synced",
    },
}


def _columns(con, qualified: str) -> dict[str, str]:
    schema, table = qualified.split(".")
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    )


@pytest.mark.parametrize("mode", ["soft_delete", "history"])
def test_landed_tables_have_fivetrans_columns_and_keep_merged_contacts(tmp_path, sample_data, mode):
    """No pipeline run: the writers' tables, their columns and how they flag merges and deletions."""
    warehouse = tmp_path / "landed.duckdb"
    write_fivetran_hubspot(sample_data, warehouse, mode=mode)
    write_fivetran_ads(sample_data, warehouse, mode=mode)
    # The default sample has no Salesforce pages: the tables are empty but have their columns.
    write_fivetran_salesforce(sample_data, warehouse, mode=mode)
    archived = {
        int(r["id"]): r["archivedAt"]
        for page in sorted((sample_data / "hubspot" / "contacts_archived").glob("*.json"))
        for r in json.loads(page.read_text())["results"]
    }
    manifest = json.loads((sample_data / "manifest.json").read_text())["counts"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table, (data, soft_deleted) in EXPECTED.items():
            system = SYSTEM[mode] - ({"_fivetran_deleted"} if mode == "soft_delete" and not soft_deleted else set())
            assert set(_columns(con, table)) == data | system, table
        for table, columns in EXPECTED_ANY_MODE.items():
            assert set(_columns(con, table)) == columns, table

        contact = _columns(con, "hubspot.contact")
        assert contact["id"] == "BIGINT" and contact["property_hubspot_owner_id"] == "BIGINT"
        assert contact["property_createdate"] == "TIMESTAMP WITH TIME ZONE"
        assert contact["property_hubspotscore"] == "DOUBLE" and contact["property_associatedcompanyid"] == "BIGINT"
        assert ("_fivetran_deleted" in contact) == (mode == "soft_delete")
        assert HISTORY_ONLY <= set(contact) if mode == "history" else not HISTORY_ONLY & set(contact)
        deal = _columns(con, "hubspot.deal")
        assert "deal_id" in deal and "id" not in deal
        assert "closed_won" not in _columns(con, "hubspot.deal_pipeline_stage"), "deprecated in Fivetran's schema"
        assert any(name.startswith("property_hs_v2_date_entered_") for name in deal)
        linkedin = _columns(con, "linkedin_ads.ad_analytics_by_campaign")
        assert linkedin["day"] == "TIMESTAMP"

        # The latest version of each contact: merged-away records stay live rows (their survivor
        # lists them), only deletions are flagged, dated by the sync that saw them.
        flag = "_fivetran_deleted" if mode == "soft_delete" else "not _fivetran_active"
        moment = "_fivetran_synced" if mode == "soft_delete" else "_fivetran_end"
        latest = con.execute(
            f"""
            with latest as (
                select * from hubspot.contact
                qualify row_number() over (partition by id order by {
                "_fivetran_synced" if mode == "soft_delete" else "_fivetran_start"
            } desc) = 1
            ),
            listed as (
                select distinct cast(trim(unnest(string_split(property_hs_merged_object_ids, ';'))) as bigint) as id
                from latest
            )
            select id, id in (select id from listed) as is_listed, {flag} as is_deleted,
                strftime({moment}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' as deleted_at
            from latest
            """
        ).fetchall()
        merged = [row for row in latest if row[1]]
        deleted = [row for row in latest if row[2]]
        assert len(merged) == manifest["contacts_merged_away"] and not any(row[2] for row in merged)
        assert len(deleted) == manifest["contacts_deleted"] and not any(row[1] for row in deleted)
        assert {row[0]: row[3] for row in deleted} == {i: archived[i] for i, *_ in deleted}
        # A merge is dated by the survivor's hs_merged_object_ids history: its merged record's archivedAt.
        merges = con.execute(
            "select min(strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%g') || 'Z'), id from ("
            "    select timestamp, cast(trim(unnest(string_split(value, ';'))) as bigint) as id"
            "    from hubspot.contact_property_history where name = 'hs_merged_object_ids'"
            ") group by id"
        ).fetchall()
        assert {i: at for at, i in merges} == {row[0]: archived[row[0]] for row in merged}
        if mode == "history":
            versions = con.execute("select count(*) - count(distinct id) from hubspot.contact").fetchone()[0]
            assert versions > 0, "contacts have earlier versions"
    finally:
        con.close()
