"""Re-running a past day after newer data arrived gives the same marts: the run's instant bounds
every source at the staging boundary (docs/design.md, "The run's instant").

The sample company's data runs to 2026-10-31; the run is for 2026-10-15. Run A reads the data as
exported; run B reads it after more news arrived: a lead of before the run day became an MQL and
then a customer after it, an open deal was won after it, and a new contact and a new deal were
created after it. Every mart of A and B is identical, and A holds nothing dated after its day
(the exports hold two more weeks of contacts, deals, stage changes and spend).
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pytest

from orchestration.runner import run_daily
from sample_company import generate
from tests.conftest import make_project

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("rerun_past_day")]

RUN_DAY = date(2026, 10, 15)
AS_OF = "2026-10-16T04:00:00Z"  # the end of the run day in America/New_York
AFTER = ["2026-10-17T15:00:00.000Z", "2026-10-20T15:00:00.000Z"]  # news after the run day


def _pages(folder):
    for path in sorted(folder.glob("page-*.json")):
        yield path, json.loads(path.read_text())


def _news(data) -> dict:
    """Write what happened after the run day into the exports; returns the ids it touched."""
    touched = {}
    for path, page in _pages(data / "hubspot" / "contacts"):
        for record in page["results"]:
            props = record["properties"]
            if "lead" not in touched and props.get("lifecyclestage") == "lead" and record["updatedAt"] < "2026-09-01":
                history = record["propertiesWithHistory"]["lifecyclestage"]
                history[:0] = [
                    {"value": "customer", "timestamp": AFTER[1], "sourceType": "CRM_UI", "sourceId": "userId:1"},
                    {
                        "value": "marketingqualifiedlead",
                        "timestamp": AFTER[0],
                        "sourceType": "CRM_UI",
                        "sourceId": "userId:1",
                    },
                ]
                props.update(
                    lifecyclestage="customer",
                    lastmodifieddate=AFTER[1],
                    hs_lifecyclestage_marketingqualifiedlead_date=AFTER[0],
                    hs_lifecyclestage_customer_date=AFTER[1],
                )
                record["updatedAt"] = AFTER[1]
                touched["lead"] = record["id"]
                template = json.loads(json.dumps(record))
        path.write_text(json.dumps(page))
    new_contact = json.loads(json.dumps(template))
    new_contact.update(id="9990001", createdAt=AFTER[0], updatedAt=AFTER[0])
    new_contact["properties"].update(
        hs_object_id="9990001",
        email="news.after@example.com",
        createdate=AFTER[0],
        lastmodifieddate=AFTER[0],
        lifecyclestage="lead",
        hs_lifecyclestage_lead_date=AFTER[0],
        hs_lifecyclestage_customer_date=None,
        hs_lifecyclestage_marketingqualifiedlead_date=None,
        hs_merged_object_ids=None,
    )
    new_contact["propertiesWithHistory"] = {
        "lifecyclestage": [{"value": "lead", "timestamp": AFTER[0], "sourceType": "FORM", "sourceId": "x"}]
    }
    (data / "hubspot" / "contacts" / "page-09999.json").write_text(json.dumps({"results": [new_contact]}))
    touched["new_contact"] = "9990001"

    for path, page in _pages(data / "hubspot" / "deals"):
        for record in page["results"]:
            props = record["properties"]
            if (
                "deal" not in touched
                and props.get("pipeline") == "default"
                and props.get("dealstage") == "appointmentscheduled"
                and record["updatedAt"] < "2026-09-01"
            ):
                record["propertiesWithHistory"]["dealstage"].insert(
                    0, {"value": "closedwon", "timestamp": AFTER[0], "sourceType": "CRM_UI", "sourceId": "userId:1"}
                )
                # closedate has no history: a past day re-run would show its new value (docs/design.md).
                props.update(dealstage="closedwon", hs_lastmodifieddate=AFTER[0], hs_v2_date_entered_closedwon=AFTER[0])
                record["updatedAt"] = AFTER[0]
                touched["deal"] = record["id"]
                new_deal = json.loads(json.dumps(record))
        path.write_text(json.dumps(page))
    new_deal.update(id="49990001", createdAt=AFTER[1], updatedAt=AFTER[1])
    new_deal["properties"] = {
        key: value for key, value in new_deal["properties"].items() if not key.startswith("hs_v2_date_entered_")
    }
    new_deal["properties"].update(
        hs_object_id="49990001",
        createdate=AFTER[1],
        hs_lastmodifieddate=AFTER[1],
        closedate=None,
        dealstage="appointmentscheduled",
        hs_v2_date_entered_appointmentscheduled=AFTER[1],
    )
    new_deal["propertiesWithHistory"] = {
        "dealstage": [
            {"value": "appointmentscheduled", "timestamp": AFTER[1], "sourceType": "CRM_UI", "sourceId": "userId:1"}
        ]
    }
    (data / "hubspot" / "deals" / "page-09999.json").write_text(json.dumps({"results": [new_deal]}))
    touched["new_deal"] = "49990001"
    assert set(touched) == {"lead", "new_contact", "deal", "new_deal"}, touched
    return touched


def _differences(a, b) -> dict[str, tuple[int, int]]:
    """Rows of each mart found in one warehouse and not the other (as multisets, NaN = NaN)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{a.settings.warehouse}' as a (read_only)")
        con.execute(f"attach '{b.settings.warehouse}' as b (read_only)")
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'a' and table_schema = 'marts' "
                "order by 1"
            ).fetchall()
        ]
        return {
            table: tuple(
                con.execute(
                    f"select count(*) from (select * from {x}.marts.{table} except all select * from {y}.marts.{table})"
                ).fetchall()[0][0]
                for x, y in (("a", "b"), ("b", "a"))
            )
            for table in tables
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("rerun_past_day")
    exported = root / "exported"
    generate(exported, contacts=400, seed=7)
    newer = root / "newer"
    shutil.copytree(exported, newer)
    touched = _news(newer)
    projects = []
    for name, data in (("a", exported), ("b", newer)):
        project = make_project(root / name, data)
        summary = run_daily(project.settings, RUN_DAY, quiet=True)
        assert not summary.failed_steps, summary.failed_steps
        projects.append(project)
    return (*projects, touched)


def test_every_mart_is_the_same_after_newer_data_arrived(runs):
    a, b, touched = runs
    differences = _differences(a, b)
    assert len(differences) >= 16
    assert {table: counts for table, counts in differences.items() if counts != (0, 0)} == {}
    assert a.rows("select count(*) from marts.pipeline_deals") == b.rows("select count(*) from marts.pipeline_deals")
    # The news is in B's warehouse, before the boundary, so the boundary is what kept it out.
    assert b.rows(
        "select lifecycle_stage from staging.base_hubspot__contacts where contact_id = ?", [touched["lead"]]
    ) == [("customer",)]
    assert b.rows(
        "select count(*) from staging.base_hubspot__deals where deal_id in (?, ?)",
        [touched["deal"], touched["new_deal"]],
    ) == [(2,)]
    # B's contact is a customer now; at the run it was a lead, as history says (changed_after_run).
    assert b.rows(
        "select current_lifecycle_stage from intermediate.int_people as people "
        "join intermediate.int_contacts_resolved as resolved using (person_id) "
        "where resolved.contact_id = ?",
        [touched["lead"]],
    ) == [("lead",)]


def test_nothing_after_the_run_day_reaches_the_marts(runs):
    a, _, _ = runs
    # The exports run two weeks past the run day: spend, deals, contacts and stage changes.
    assert a.rows("select max(spend_date) > ? from staging.base_ads__spend", [RUN_DAY]) == [(True,)]
    assert a.rows("select max(created_at) > cast(? as timestamptz) from staging.base_hubspot__deals", [AS_OF]) == [
        (True,)
    ]
    assert a.rows("select max(date) = ? from marts.marketing_spend_daily", [RUN_DAY]) == [(True,)]
    [(deals_after,)] = a.rows(
        "select count(*) from marts.pipeline_deals where created_at >= cast(? as timestamptz)", [AS_OF]
    )
    [(entries_after,)] = a.rows(
        "select count(*) from marts.fct_stage_entries where entered_at >= cast(? as timestamptz)", [AS_OF]
    )
    assert (deals_after, entries_after) == (0, 0)
    [(won_after,)] = a.rows(
        "select count(*) from marts.pipeline_deals where is_won and won_at >= cast(? as timestamptz)", [AS_OF]
    )
    assert won_after == 0
