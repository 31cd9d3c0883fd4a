"""Bad values, one by one: each is read correctly, rejected with its file, record, field and
reason, or kept and listed as a warning naming the record. Never silently null, never silently
dropped.

The corpus is the northwind portal (tests/real_shapes) plus records written below in HubSpot's
API shapes (CRM v3 objects with `propertiesWithHistory`, newest change first) and a team report,
each carrying one of the values that used to change published numbers without a word.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from orchestration.runner import run_daily
from tests.conftest import make_project
from tests.real_shapes.test_hubspot_exports import CONTRACT, NORTHWIND

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("reliability_values")]

AS_OF = date(2025, 6, 30)
ISO = "%Y-%m-%dT%H:%M:%SZ"
ALIGNMENT = """
alignment:
  metrics:
    mqls: {stage: mql}
  tolerances:
    mqls: {relative: 1.0, absolute: 100, severity: warn}
  teams:
    marketing:
      reports: {mqls: mqls}
"""


def _history(*changes: tuple[str, str]) -> list[dict]:
    """A property's history as the v3 API returns it: newest first, each with its source."""
    return [
        {"value": value, "timestamp": at, "sourceType": "CRM_UI", "sourceId": "userId:9001", "updatedByUserId": 9001}
        for value, at in changes
    ]


def _contact(
    record_id: str, email: str, created: str, stage: str, history: list[dict], updated: str, **extra: str
) -> dict:
    return {
        "id": record_id,
        "properties": {
            "hs_object_id": record_id,
            "email": email,
            "createdate": created,
            "lastmodifieddate": updated,
            "lifecyclestage": stage,
            "hs_analytics_source": "ORGANIC_SEARCH",
            **extra,
        },
        "propertiesWithHistory": {"lifecyclestage": history},
        "createdAt": created,
        "updatedAt": updated,
        "archived": False,
    }


def _deal(record_id: str, amount: str, stage: str, pipeline: str = "default", currency: str = "USD") -> dict:
    return {
        "id": record_id,
        "properties": {
            "hs_object_id": record_id,
            "dealname": f"Deal {record_id}",
            "pipeline": pipeline,
            "dealstage": stage,
            "amount": amount,
            "deal_currency_code": currency,
            "createdate": "2025-05-20T10:00:00.000Z",
            "hs_lastmodifieddate": "2025-06-01T10:00:00.000Z",
        },
        "createdAt": "2025-05-20T10:00:00.000Z",
        "updatedAt": "2025-06-01T10:00:00.000Z",
        "archived": False,
    }


CONTACTS = [
    # 201: the MQL change dated in epoch milliseconds, as a string (2025-05-05T11:00:00Z): read.
    # The SQL change's timestamp is garbage: rejected, it dates nothing.
    _contact(
        "201",
        "ivo.petrov@harborline.io",
        "2025-05-01T09:00:00.000Z",
        "salesqualifiedlead",
        _history(
            ("salesqualifiedlead", "yesterday"),
            ("marketingqualifiedlead", "1746442800000"),
            ("lead", "2025-05-01T09:00:00.000Z"),
        ),
        "2025-05-09T10:00:00.000Z",
    ),
    # 202: a lifecycle stage this portal's contract does not know, now and in the history.
    _contact(
        "202",
        "mara.lind@fjordsoft.se",
        "2025-05-02T09:00:00.000Z",
        "prospect",
        _history(
            ("prospect", "2025-05-06T12:00:00.000Z"),
            ("lead", "2025-05-02T09:00:00.000Z"),
        ),
        "2025-05-06T12:00:00.000Z",
    ),
    # 203: every date in 2099 (a typo of a year); 204: every date in 1965.
    _contact(
        "203",
        "otto.kern@vantage.de",
        "2099-05-03T09:00:00.000Z",
        "lead",
        _history(("lead", "2099-05-03T09:00:00.000Z")),
        "2025-05-03T09:00:00.000Z",
    ),
    _contact(
        "204",
        "rui.sousa@atlantico.pt",
        "1965-05-03T09:00:00.000Z",
        "lead",
        _history(("lead", "1965-05-03T09:00:00.000Z")),
        "2025-05-03T09:00:00.000Z",
    ),
    # 205: one version here; another, with the same update time, in page-00004.
    _contact(
        "205",
        "lea.marchetti@corvo.it",
        "2025-05-04T09:00:00.000Z",
        "lead",
        _history(("lead", "2025-05-04T09:00:00.000Z")),
        "2025-05-10T10:00:00.000Z",
    ),
]
DUPLICATE = _contact(
    "205",
    "lea.marchetti@corvo.it",
    "2025-05-04T09:00:00.000Z",
    "marketingqualifiedlead",
    _history(("marketingqualifiedlead", "2025-05-10T10:00:00.000Z"), ("lead", "2025-05-04T09:00:00.000Z")),
    "2025-05-10T10:00:00.000Z",
)
DEALS = [
    _deal("601", "12,000.00 USD", "appointmentscheduled"),  # thousands separator and a code: 12000
    _deal("602", "12.000,50", "appointmentscheduled"),  # a European format: ambiguous, rejected
    _deal("603", "5000 GBP", "appointmentscheduled"),  # a GBP amount on a USD deal: rejected
    _deal("604", "-5000", "closedwon"),  # won, negative: kept, and a warning
    _deal("605", "3000", "closedwon", pipeline="ghost"),  # a pipeline the export does not have
]
REPORT = """\ufeffteam,metric,period_start,period_end,value
marketing,mqls,2025-05-01,2025-05-31,2
marketing,mqls,2025-06-30,2025-06-01,1
partners,mqls,2025-05-01,2025-05-31,4
marketing,sqls,2025-05-01,2025-05-31,1
"""


def write_corpus(data: Path) -> None:
    shutil.copytree(NORTHWIND, data)
    hubspot = data / "hubspot"
    (hubspot / "contacts" / "page-00003.json").write_text(json.dumps({"results": CONTACTS, "paging": {}}))
    (hubspot / "contacts" / "page-00004.json").write_text(json.dumps({"results": [DUPLICATE]}))
    (hubspot / "deals" / "page-00003.json").write_text(json.dumps({"results": DEALS}))
    (data / "reports").mkdir()
    (data / "reports" / "marketing.csv").write_text(REPORT, encoding="utf-8")  # with a BOM, as Excel saves


def corpus_project(root: Path, policies: str = ""):
    data = root / "data"
    write_corpus(data)
    contract = CONTRACT.replace("policies:\n", "policies:\n" + policies) + ALIGNMENT
    return make_project(root / "project", data, contract_text=contract)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    project = corpus_project(tmp_path_factory.mktemp("bad_values"))
    return project, run_daily(project.settings, AS_OF, quiet=True)


def _check(summary, name):
    return next(c for c in summary.checks if c.check == name)


def test_unreadable_values_are_rejected_by_file_record_and_field(corpus):
    project, summary = corpus
    rows = project.rows(
        "select source, file, record_id, field, raw_value, reason from intermediate.int_rejected_values "
        "order by source, record_id, field"
    )
    contacts, deals, reports = (
        "hubspot/contacts/page-00003.json",
        "hubspot/deals/page-00003.json",
        "reports/marketing.csv",
    )
    assert [(s, f, r, fld, v) for s, f, r, fld, v, _ in rows] == [
        ("hubspot.contacts", contacts, "201", "propertiesWithHistory.lifecyclestage.timestamp", "yesterday"),
        ("hubspot.contacts", contacts, "202", "lifecyclestage", "prospect"),
        ("hubspot.contacts", contacts, "202", "lifecyclestage (history, 2025-05-06 12:00:00+00)", "prospect"),
        ("hubspot.deals", "hubspot/deals/page-00003.json", "602", "amount", "12.000,50"),
        ("hubspot.deals", deals, "603", "amount", "5000 GBP"),
        ("hubspot.deals", deals, "605", "pipeline / dealstage", "ghost / closedwon"),
        ("reports", reports, "marketing / mqls / 2025-06-30", "period_end", "2025-06-01"),
        ("reports", reports, "marketing / sqls / 2025-05-01", "team, metric", "marketing, sqls"),
        ("reports", reports, "partners / mqls / 2025-05-01", "team, metric", "partners, mqls"),
    ]
    reasons = {(r, fld): reason for _, _, r, fld, _, reason in rows}
    assert reasons[("603", "amount")] == "the amount is in GBP, the deal in USD: it cannot be both"
    assert reasons[("605", "pipeline / dealstage")].startswith("no such deal pipeline in the pipelines export")
    assert reasons[("202", "lifecyclestage")].startswith("unknown lifecycle stage: add it to hubspot.lifecycle_order")

    # policies.quarantine_max_rows is 0: the run is not published, and says why, naming them.
    rejected = _check(summary, "rejected_values")
    assert not summary.success and not rejected.passed and rejected.severity == "ERROR"
    assert rejected.description.startswith("9 value(s) could not be read")
    assert not project.settings.published.exists()


def test_what_exporters_write_is_read(corpus):
    project, _ = corpus
    # 201's MQL change was an epoch-millisecond string: it dates the MQL (it used to be dropped,
    # and the MQL moved to a later date). Its SQL change has no readable date: no SQL entry.
    entries = project.rows(
        f"select stage, strftime(entered_at, '{ISO}'), is_backfilled from marts.fct_stage_entries "
        "where person_id = '201' order by stage_order"
    )
    assert entries == [("lead", "2025-05-01T09:00:00Z", False), ("mql", "2025-05-05T11:00:00Z", False)]
    deals = project.rows(
        "select deal_id, coalesce(cast(amount as varchar), 'null'), currency "
        "from staging.stg_hubspot__deals where deal_id between '601' and '605' order by deal_id"
    )
    assert deals == [
        ("601", "12000.00", "USD"),
        ("602", "null", "USD"),
        ("603", "null", "USD"),
        ("604", "-5000.00", "USD"),
        ("605", "3000.00", "USD"),
    ]
    # The BOM before the report's header is not part of the column name: the valid row is reconciled.
    reconciled = project.rows(
        "select team, metric, cast(period_start as varchar), team_value from marts.alignment_reconciliation"
    )
    assert [(t, m, p, int(r)) for t, m, p, r in reconciled] == [("marketing", "mqls", "2025-05-01", 2)]


def test_suspicious_values_are_kept_and_listed_as_warnings(corpus):
    project, summary = corpus
    rows = project.rows(
        "select kind, source, record_id, field, value from intermediate.int_value_warnings "
        "order by kind, record_id, field"
    )
    assert rows == [
        ("conflicting_duplicate", "hubspot.contacts", "205", "updatedAt", "2025-05-10 10:00:00+00"),
        ("date_out_of_range", "hubspot.contacts", "203", "createdate", "2099-05-03 09:00:00+00"),
        ("date_out_of_range", "hubspot.contacts", "203", "lifecyclestage (history)", "2099-05-03 09:00:00+00"),
        ("date_out_of_range", "hubspot.contacts", "204", "createdate", "1965-05-03 09:00:00+00"),
        ("date_out_of_range", "hubspot.contacts", "204", "lifecyclestage (history)", "1965-05-03 09:00:00+00"),
        ("negative_won_amount", "deals", "604", "amount", "-5000.00 USD"),
    ]
    # Kept: 204's lead entry of 1965 is in the funnel (a warning, not a silent change).
    assert project.rows("select strftime(entered_at, '%Y') from marts.fct_stage_entries where person_id = '204'") == [
        ("1965",)
    ]
    # The version in the file that sorts last counts, and the warning says so.
    assert project.rows("select lifecycle_stage from staging.stg_hubspot__contacts where contact_id = '205'") == [
        ("marketingqualifiedlead",)
    ]

    warnings = _check(summary, "value_warnings")
    assert not warnings.passed and warnings.severity == "WARN"  # the contract's default: warn
    assert warnings.description == "1 conflicting duplicate; 4 date out of range; 1 negative won amount"
    listed = {(row["kind"], row["record_id"]) for row in warnings.failures}
    assert listed == {(kind, record) for kind, _, record, _, _ in rows}


def test_the_report_lists_each_rejected_value_and_warning(corpus):
    project, _ = corpus
    page = (project.settings.artifacts_dir / "reports" / "latest.html").read_text()
    section = page.split("Values the run could not read, or that look wrong")[1].split("<h2>")[0]
    cells = [
        (row.split("</td><td>")[0], row.split("</td><td>")[3])
        for row in (r.split("<td>", 1)[1] for r in section.split("<tr>")[2:])
    ]
    assert sorted(cells) == sorted(
        [
            ("rejected_values", r)
            for r in (
                "201",
                "202",
                "202",
                "602",
                "603",
                "605",
                "marketing / mqls / 2025-06-30",
                "marketing / sqls / 2025-05-01",
                "partners / mqls / 2025-05-01",
            )
        ]
        + [("value_warnings", r) for r in ("203", "203", "204", "204", "205", "604")]
    )
    assert "ivo.petrov" not in page and "@" not in section


@pytest.mark.slow
def test_a_policy_turns_a_kind_of_warning_into_a_blocking_check(tmp_path):
    """Rejected values within policies.quarantine_max_rows pass; negative won amounts set to
    `block` stop publication, the other kinds still only warn."""
    project = corpus_project(
        tmp_path, policies="  quarantine_max_rows: 9\n  suspicious_values: {negative_won_amount: block}\n"
    )
    summary = run_daily(project.settings, AS_OF, quiet=True)
    assert _check(summary, "rejected_values").passed
    warnings = _check(summary, "value_warnings")
    assert not warnings.passed and warnings.severity == "ERROR"
    assert "1 negative won amount (blocks: policies.suspicious_values)" in warnings.description
    assert [c.check for c in summary.blocking_failures] == ["value_warnings"]
    assert not summary.success and not project.settings.published.exists()
