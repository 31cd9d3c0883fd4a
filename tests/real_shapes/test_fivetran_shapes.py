"""Fivetran-landed tables as Fivetran lands them: the Northwind portal written by hand in
Fivetran's published schemas (fixtures/northwind_fivetran/*.sql), in soft-delete mode and in
history mode, with the property columns a portal lacks left out, an older connection's column
name, segmented ad reports and an ad account whose history has no update time. Every expected
value below was read off the fixture files by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from funnel.checks.landed import declared, problem, profile
from funnel.config import PROJECT_ROOT
from orchestration.runner import run_daily
from tests.conftest import make_project

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("real_shapes_fivetran")]

FIXTURES = Path(__file__).parent / "fixtures"
LANDED = FIXTURES / "northwind_fivetran"
AS_OF = date(2025, 6, 30)
ISO = "%Y-%m-%dT%H:%M:%SZ"

# The portal has no deal_currency_code property: it is a EUR portal.
SOURCES = (
    (PROJECT_ROOT / "sources.yml")
    .read_text()
    .replace("  from: files", "  from: fivetran\n  default_currency: EUR", 1)
    .replace("  google_ads: files", "  google_ads: fivetran")
    .replace("  linkedin_ads: files", "  linkedin_ads: fivetran")
    .replace("  meta_ads: files", "  meta_ads: fivetran")
    .replace("  microsoft_ads: files", "  microsoft_ads: fivetran")
    .replace("reports: files", "reports: off")
)

# Fivetran keeps every property's history: each entry is dated by it, at the same instants as
# the stage-date properties of the API-shaped export (test_hubspot_exports).
EXPECTED_ENTRIES = [
    ("101", "lead", "2025-03-01T09:05:00Z", False, "history"),
    ("101", "mql", "2025-03-05T10:00:00Z", False, "history"),
    ("101", "sql", "2025-03-11T10:00:00Z", False, "history"),
    ("101", "opportunity", "2025-03-20T15:00:00Z", False, "created"),
    ("101", "customer", "2025-04-15T12:00:00Z", False, "history"),  # deal_stage closedwon
    ("102", "lead", "2025-04-02T14:00:00Z", False, "history"),
    ("102", "mql", "2025-04-02T14:30:00Z", True, "history"),
    ("102", "sql", "2025-04-02T14:30:00Z", False, "history"),
    ("103", "lead", "2025-04-10T08:00:00Z", False, "history"),  # deleted deal 504 counts for nobody
    ("104", "lead", "2025-04-22T16:00:00Z", False, "history"),
    ("104", "mql", "2025-04-28T13:00:00Z", False, "history"),
    ("104", "sql", "2025-05-06T09:00:00Z", True, "history"),
    ("104", "opportunity", "2025-05-06T09:00:00Z", False, "created"),
    ("106", "lead", "2025-02-14T09:00:00Z", False, "history"),  # 107, a live row Fivetran kept, merged into 106
    ("106", "mql", "2025-05-11T10:00:00Z", False, "history"),
    ("109", "lead", "2025-06-01T10:00:00Z", False, "history"),
    ("109", "mql", "2025-06-03T13:00:00Z", False, "history"),
    ("109", "sql", "2025-06-10T10:00:00Z", True, "created"),
    ("109", "opportunity", "2025-06-10T10:00:00Z", False, "created"),
]

EXPECTED_PEOPLE = [
    ("101", "paid_search", False, ""),
    ("102", "outbound", False, ""),
    ("103", "outbound", False, ""),
    ("104", "events", False, ""),
    ("105", "organic", True, "test"),
    ("106", "organic", False, ""),
    ("108", "paid_social", True, "archived"),  # _fivetran_deleted, or its last version closed
    ("109", "paid_search", False, ""),
]

# EUR at the create date's rate (fx/fx_rates_daily.csv): 1.08, 1.125, 1.14.
EXPECTED_DEALS = [
    ("501", "EUR", 12000.0, 12960.0, True),
    ("502", "EUR", 5000.0, 5625.0, False),
    ("503", "EUR", 2500.5, 2850.57, False),
]

# Ad spend per day, summed over the reports' segments and ads, in USD.
EXPECTED_SPEND = [
    ("2025-06-01", "paid_search", "spring-launch", 20.0, 15),  # two device segments; latest campaign name
    ("2025-06-02", "paid_social", "q2-abm", 34.47, 3),  # 30.50 EUR × 1.13 = 34.465; `day` was a timestamp
    ("2025-06-03", "paid_social", "retargeting", 15.25, 9),  # two ads; the account's latest sync says USD
    ("2025-06-04", "paid_search", "brand-bing", 10.0, 3),  # two device/network segments
]


def _landed_project(root: Path, mode: str):
    project = make_project(
        root,
        FIXTURES / "northwind",
        contract_text=(FIXTURES / "northwind" / "funnel.yml").read_text(),
        sources_text=SOURCES,
    )
    project.settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(project.settings.warehouse))
    try:
        con.execute((LANDED / "soft_delete.sql").read_text())
        if mode == "history":
            con.execute((LANDED / "history.sql").read_text())
    finally:
        con.close()
    return project


@pytest.fixture(scope="module", params=["soft_delete", "history"])
def landed_run(request, tmp_path_factory):
    project = _landed_project(tmp_path_factory.mktemp(request.param), request.param)
    return request.param, project, run_daily(project.settings, AS_OF, quiet=True)


def test_every_mart_builds_and_the_run_publishes(landed_run):
    mode, project, summary = landed_run
    assert summary.success, (mode, summary.failed_steps, [c.description for c in summary.blocking_failures])
    assert project.settings.published.exists()


def test_stage_entries_as_the_portal_has_them(landed_run):
    _, project, _ = landed_run
    rows = project.rows(
        f"select person_id, stage, strftime(entered_at, '{ISO}'), is_backfilled, evidence "
        "from marts.fct_stage_entries order by person_id, stage_order"
    )
    assert rows == EXPECTED_ENTRIES


def test_deleted_and_merged_records_are_not_people(landed_run):
    _, project, _ = landed_run
    people = project.rows(
        "select person_id, channel, is_excluded, coalesce(exclusion_reason, '') "
        "from marts.dim_people order by person_id"
    )
    assert people == EXPECTED_PEOPLE
    statuses = dict(project.rows("select contact_id, record_status from intermediate.int_contacts_resolved"))
    assert statuses["107"] == "merged" and statuses["108"] == "deleted"
    archived_at = dict(
        project.rows(
            f"select contact_id, strftime(archived_at, '{ISO}') from staging.stg_hubspot__contacts where is_archived"
        )
    )
    # The merge is dated by 106's hs_merged_object_ids history; the deletion by Fivetran's flags.
    assert archived_at == {"107": "2025-05-12T10:00:00Z", "108": "2025-03-20T09:00:00Z"}


def test_deals_without_a_currency_column_are_in_the_portal_currency(landed_run):
    _, project, _ = landed_run
    deals = project.rows(
        "select deal_id, currency, amount, amount_reporting, is_won from marts.pipeline_deals order by deal_id"
    )
    assert [(d, c, float(a), float(r), w) for d, c, a, r, w in deals] == EXPECTED_DEALS
    # The pipeline's `closed_won` (an older connection's name for is_closed): won is closed at 1.0,
    # and the open stage at probability 0 is not lost.
    stages = dict(
        (s, (won, lost))
        for s, won, lost in project.rows(
            "select stage_id, is_won, is_lost from staging.stg_hubspot__deal_pipeline_stages"
        )
    )
    assert stages == {
        "appointmentscheduled": (False, False),
        "qualifiedtobuy": (False, False),
        "closedwon": (True, False),
        "closedlost": (False, True),
    }


def test_no_staging_model_has_duplicate_ids(landed_run):
    _, project, _ = landed_run
    for model, key in (
        ("stg_hubspot__contacts", "contact_id"),
        ("stg_hubspot__companies", "company_id"),
        ("stg_hubspot__deals", "deal_id"),
        ("stg_hubspot__owners", "owner_id"),
        ("stg_hubspot__forms", "form_id"),
        ("stg_hubspot__deal_pipeline_stages", "stage_id"),
    ):
        assert project.rows(f"select count(*) - count(distinct {key}) from staging.{model}") == [(0,)], model
    assert project.rows("select count(*) from staging.stg_hubspot__companies where is_archived") == [(1,)]


def test_segmented_ad_reports_are_summed_to_campaign_days(landed_run):
    _, project, _ = landed_run
    spend = project.rows(
        "select strftime(date, '%Y-%m-%d'), channel, campaign, spend, clicks "
        "from marts.marketing_spend_daily order by date"
    )
    assert [(d, ch, c, round(float(s), 6), int(k)) for d, ch, c, s, k in spend] == EXPECTED_SPEND
    types = dict(
        project.rows(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'staging' and table_name = 'stg_ads__spend'"
        )
    )
    assert types["spend_date"] == "DATE"
    assert project.rows("select platform_conversions from staging.stg_ads__spend where platform = 'meta_ads'") == [
        (2.0,)
    ]


def test_absent_property_columns_are_read_as_null_and_named_in_a_warning(landed_run):
    mode, _, summary = landed_run
    warnings = {c.asset: c.description for c in summary.warnings if c.check == "landed_shape"}
    assert warnings["hubspot/deal"] == (
        "hubspot.deal: column(s) absent, read as NULL: property_deal_currency_code, property_dealtype, "
        "property_deal_source"
    )
    assert "property_hs_lead_status" in warnings["hubspot/contact"]
    assert "hubspot/deal_pipeline_stage" not in warnings, "closed_won stands for is_closed: nothing is missing"


def test_a_missing_id_column_or_table_stops_the_run_naming_it(tmp_path):
    """No pipeline run: the landed-table profile the run checks before dbt."""
    project = _landed_project(tmp_path / "p", "soft_delete")
    con = duckdb.connect(str(project.settings.warehouse))
    try:
        con.execute("alter table hubspot.deal drop column deal_id")
        con.execute("drop table hubspot.owner")
        con.execute("insert into hubspot.company (id) values (null)")
    finally:
        con.close()
    from funnel import compiled
    from funnel.contract.load import load_contract
    from orchestration.definitions import build_definitions

    build_definitions(project.settings)  # parses the dbt project: the manifest declares the tables
    # Fivetran sources are not the checkout's sources.yml: the run's project is a compiled copy.
    built = compiled.for_run(load_contract(project.settings.contract), project.settings).dbt_project_dir
    tables = declared(built / "target" / "manifest.json", ["hubspot_fivetran"])
    problems = {
        p for p in (problem(row) for row in profile(project.settings.warehouse, tables).to_dict("records")) if p
    }
    assert problems == {
        "hubspot.deal: no column deal_id (the funnel cannot do without it)",
        "hubspot.owner is not in the warehouse: land it, or switch the source",
        "hubspot.company: 1 rows without a key",
    }
