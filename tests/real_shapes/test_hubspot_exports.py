"""HubSpot exports as real tools write them: a small portal written by hand in HubSpot's own API
shapes (fixtures/northwind, see its README), exported without property history, with typed
dlt/Airbyte-style pages beside string-valued API pages, a deal without a currency and an export
tool's other stream next to the contacts. Every expected value below was read off the fixture
files by hand."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from funnel.sources.hubspot import TABLES as HUBSPOT_TABLES
from funnel.sources.loader import load_json_pages
from funnel.warehouse import connect
from orchestration.runner import run_daily
from tests.conftest import make_project

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("real_shapes_hubspot")]

NORTHWIND = Path(__file__).parent / "fixtures" / "northwind"
CONTRACT = (NORTHWIND / "funnel.yml").read_text()
AS_OF = date(2025, 6, 30)
ISO = "%Y-%m-%dT%H:%M:%SZ"

# (person, stage, entered at (UTC), backfilled, evidence), from the fixture's stage-date properties.
EXPECTED_ENTRIES = [
    ("101", "lead", "2025-03-01T09:05:00Z", False, "stage_date_property"),
    ("101", "mql", "2025-03-05T10:00:00Z", False, "stage_date_property"),
    ("101", "sql", "2025-03-11T10:00:00Z", False, "stage_date_property"),  # epoch ms 1741687200000
    ("101", "opportunity", "2025-03-20T15:00:00Z", False, "created"),  # deal 501 created
    ("101", "customer", "2025-04-15T12:00:00Z", False, "stage_date_property"),  # hs_v2_date_entered_closedwon
    ("102", "lead", "2025-04-02T14:00:00Z", False, "stage_date_property"),
    ("102", "mql", "2025-04-02T14:30:00Z", True, "stage_date_property"),  # skipped: dated at SQL
    ("102", "sql", "2025-04-02T14:30:00Z", False, "stage_date_property"),
    ("103", "lead", "2025-04-10T08:00:00Z", False, "stage_date_property"),  # only hs_v2_date_entered_lead
    ("104", "lead", "2025-04-22T16:00:00Z", False, "stage_date_property"),
    ("104", "mql", "2025-04-28T13:00:00Z", False, "stage_date_property"),
    ("104", "sql", "2025-05-06T09:00:00Z", True, "stage_date_property"),  # skipped: opportunity date
    ("104", "opportunity", "2025-05-06T09:00:00Z", False, "created"),  # deal 502
    ("106", "lead", "2025-02-14T09:00:00Z", False, "stage_date_property"),  # merged-away 107's date
    ("106", "mql", "2025-05-11T10:00:00Z", False, "stage_date_property"),
    ("109", "lead", "2025-06-01T10:00:00Z", False, "stage_date_property"),  # a JSON number: epoch ms
    ("109", "mql", "2025-06-03T13:00:00Z", False, "stage_date_property"),  # -04:00 offset
    ("109", "sql", "2025-06-10T10:00:00Z", True, "created"),  # skipped: deal 503 created
    ("109", "opportunity", "2025-06-10T10:00:00Z", False, "created"),
]


@pytest.fixture(scope="module")
def northwind(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("northwind"), NORTHWIND, contract_text=CONTRACT)
    summary = run_daily(project.settings, AS_OF, quiet=True)
    return project, summary


def test_a_portal_without_history_is_dated_by_the_stage_properties_hubspot_keeps(northwind):
    project, summary = northwind
    assert summary.success, summary.failed_steps or [c.description for c in summary.blocking_failures]
    rows = project.rows(
        f"select person_id, stage, strftime(entered_at, '{ISO}'), is_backfilled, evidence "
        "from marts.fct_stage_entries order by person_id, stage_order"
    )
    assert rows == EXPECTED_ENTRIES


def test_people_channels_from_real_source_combinations_and_exclusions(northwind):
    project, _ = northwind
    people = project.rows(
        "select person_id, channel, is_excluded, coalesce(exclusion_reason, '') "
        "from marts.dim_people order by person_id"
    )
    assert people == [
        ("101", "paid_search", False, ""),
        ("102", "outbound", False, ""),  # OFFLINE / CRM_UI / userId:9001 (the API's words)
        ("103", "outbound", False, ""),  # OFFLINE / CONTACTS / CRM_UI (older portals)
        ("104", "events", False, ""),  # OFFLINE / IMPORT
        ("105", "organic", True, "test"),  # test+form@…
        ("106", "organic", False, ""),  # its first record, merged-away 107, was a referral
        ("108", "paid_social", True, "archived"),  # deleted, and nobody else
        ("109", "paid_search", False, ""),
    ]


def test_deals_take_the_portal_currency_and_typed_amounts(northwind):
    project, _ = northwind
    deals = project.rows(
        "select deal_id, currency, amount, amount_reporting, is_won, is_lost, primary_person_id "
        "from marts.pipeline_deals order by deal_id"
    )
    assert [(d, c, float(a), float(r), w, lost, p) for d, c, a, r, w, lost, p in deals] == [
        ("501", "USD", 12000.0, 12000.0, True, False, "101"),
        # No deal_currency_code: the portal's company currency (account/details.json), EUR at 1.125.
        # Its stage has probability 0.0 but is open: neither won nor lost.
        ("502", "EUR", 5000.0, 5625.0, False, False, "104"),
        ("503", "USD", 2500.5, 2500.5, False, False, "109"),  # a JSON number and a lower-case "usd"
    ]


def test_nothing_valid_is_lost_and_other_streams_are_not_read_as_contacts(northwind):
    project, _ = northwind
    assert project.rows("select count(*) from raw.quarantine") == [(0,)]
    files = project.rows("select distinct _source_file from raw.hubspot_contacts order by 1")
    assert files == [
        ("hubspot/contacts/page-00001.json",),
        ("hubspot/contacts/page-00002.json",),
        ("hubspot/contacts_archived/page-00001.json",),
    ]
    assert project.rows("select count(*) from raw.hubspot_contacts") == [(9,)]
    assert project.rows("select count(*) from raw.hubspot_deals") == [(3,)]


def test_a_contract_without_teams_gets_the_canonical_funnel_alone(northwind):
    project, summary = northwind
    assert summary.success
    assert project.rows("select count(*) from marts.alignment_reconciliation") == [(0,)]
    assert project.rows("select count(*) from marts.alignment_divergences") == [(0,)]
    assert project.settings.published.exists()


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    """The same portal exported with neither history nor stage-date properties, and without its
    account details: nothing dates a lifecycle stage, and deal 502 has no currency at all."""
    data = tmp_path_factory.mktemp("undated") / "data"
    shutil.copytree(NORTHWIND, data)
    shutil.rmtree(data / "hubspot" / "account")
    for page in [*(data / "hubspot").glob("contacts/*.json"), *(data / "hubspot").glob("contacts_archived/*.json")]:
        document = json.loads(page.read_text())
        for record in document["results"]:
            record["properties"] = {
                k: v
                for k, v in record["properties"].items()
                if not k.startswith(("hs_lifecyclestage_", "hs_v2_date_entered_"))
            }
        page.write_text(json.dumps(document))
    project = make_project(data.parent / "project", data, contract_text=CONTRACT)
    return project, run_daily(project.settings, AS_OF, quiet=True)


def test_a_portal_with_nothing_to_date_stages_fails_the_run_naming_each_criterion(undated):
    project, summary = undated
    assert not summary.success
    evidence = next(c for c in summary.blocking_failures if c.check == "stage_evidence")
    assert {row["criterion"] for row in evidence.failures} == {
        "stages.0.entry.lifecycle_stage_reached",
        "stages.1.entry.lifecycle_stage_reached",
        "stages.2.entry.lifecycle_stage_reached",
    }
    assert "no lifecycle stage history or lifecycle stage dates" in evidence.description
    assert not project.settings.published.exists(), "an empty funnel is never published"


def test_the_contract_check_then_names_the_criteria_with_their_lines(undated):
    project, _ = undated
    result = project.funnel("contract", "check")
    assert result.returncode == 3
    lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("  funnel.yml:")]
    lifecycle_lines = [n for n, text in enumerate(CONTRACT.splitlines(), start=1) if "lifecycle_stage_reached" in text]
    assert [line.split(":")[1] for line in lines] == [str(n) for n in lifecycle_lines]
    assert all("nothing in the data dates it" in line for line in lines)


def test_a_deal_with_no_currency_at_all_is_named_with_the_rate_it_lacks(undated):
    _, summary = undated
    fx = next(c for c in summary.blocking_failures if c.check == "pipeline_deals_have_an_fx_rate")
    assert fx.failures == [
        {"deal_id": "502", "currency": "(none: no deal_currency_code, no portal currency)", "rate_date": "2025-05-06"}
    ]


def test_legacy_pipelines_are_refused_naming_the_shape(tmp_path):
    """A pipelines export from the legacy /deals/v1/pipelines endpoint (pipelineId, stageId,
    closedWon) is quarantined with a reason that names the shape and the v3 endpoint to use."""
    folder = tmp_path / "hubspot" / "pipelines"
    folder.mkdir(parents=True)
    (folder / "deals.json").write_text(
        json.dumps(
            {
                "results": [
                    {
                        "pipelineId": "default",
                        "label": "Sales Pipeline",
                        "displayOrder": 0,
                        "active": True,
                        "stages": [
                            {
                                "stageId": "closedwon",
                                "label": "Closed Won",
                                "probability": 1,
                                "active": True,
                                "displayOrder": 5,
                                "closedWon": True,
                            }
                        ],
                    }
                ]
            }
        )
    )
    with connect(tmp_path / "w.duckdb") as con:
        result = load_json_pages(con, tmp_path, HUBSPOT_TABLES["hubspot_deal_pipelines"])
        reasons = con.execute("select file, line, reason from raw.quarantine").fetchall()
    assert result.rows == 0
    assert reasons == [
        (
            "hubspot/pipelines/deals.json",
            1,
            "legacy pipeline shape (pipelineId, stages[].stageId: /deals/v1/pipelines): export "
            "GET /crm/v3/pipelines/deals, whose pipelines and stages have `id` and "
            "metadata.isClosed/probability",
        )
    ]
