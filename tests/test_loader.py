"""Loading export files into raw.*: bad input is quarantined with file and line, the rest loads."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from funnel.sources import ads, hubspot, reports
from funnel.sources.loader import load_csv_files, load_json_pages

CONTACT = {
    "id": "1001",
    "properties": {"email": "jane@acme.io", "lifecyclestage": "lead"},
    "propertiesWithHistory": {"lifecyclestage": [{"value": "lead", "timestamp": "2025-05-01T10:00:00.000Z"}]},
    "createdAt": "2025-05-01T10:00:00.000Z",
    "updatedAt": "2025-05-02T10:00:00.000Z",
    "archived": False,
}


def page(records: list[dict], after: str | None = None) -> str:
    body = {"results": records}
    if after:
        body["paging"] = {
            "next": {"after": after, "link": f"https://api.hubapi.com/crm/v3/objects/contacts?after={after}"}
        }
    return json.dumps(body)


def contact(contact_id: str, **changes) -> dict:
    return {**CONTACT, "id": contact_id, **changes}


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def quarantine(con, source: str) -> list[tuple]:
    return con.execute(
        "select file, line, record_id, reason from raw.quarantine where source = ? order by file, line", [source]
    ).fetchall()


def test_a_truncated_page_is_quarantined_and_the_other_pages_load(con, tmp_path):
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1001"), contact("1002")], after="1003"))
    full = page([contact("1003")])
    write(tmp_path, "hubspot/contacts/page-00002.json", full[: len(full) // 2])
    write(tmp_path, "hubspot/contacts_archived/page-00001.json", page([contact("1004", archived=True)]))

    result = load_json_pages(con, tmp_path, hubspot.TABLES["hubspot_contacts"])

    ids = [r[0] for r in con.execute("select id from raw.hubspot_contacts order by id").fetchall()]
    assert ids == ["1001", "1002", "1004"]
    assert quarantine(con, "hubspot.contacts") == [
        (
            "hubspot/contacts/page-00002.json",
            None,
            None,
            "file is not valid JSON (truncated or corrupt export): re-export it",
        )
    ]
    assert (result.rows, result.quarantined_files, result.quarantined_records) == (3, 1, 0)


def test_bad_records_are_quarantined_with_their_position_and_reason(con, tmp_path):
    records = [
        contact("1001"),
        contact("1002", createdAt="yesterday"),
        {k: v for k, v in contact("1003").items() if k != "id"},
        contact("1004", properties="not an object"),
    ]
    write(tmp_path, "hubspot/contacts/page-00001.json", page(records))

    load_json_pages(con, tmp_path, hubspot.TABLES["hubspot_contacts"])

    assert con.execute("select id from raw.hubspot_contacts").fetchall() == [("1001",)]
    assert quarantine(con, "hubspot.contacts") == [
        ("hubspot/contacts/page-00001.json", 2, "1002", "field 'createdAt' is missing or not an ISO-8601 timestamp"),
        ("hubspot/contacts/page-00001.json", 3, None, "record has no id: the export is not a HubSpot object list"),
        ("hubspot/contacts/page-00001.json", 4, "1004", "field 'properties' is missing or not an object"),
    ]


def test_a_page_without_results_is_not_taken_for_an_empty_page(con, tmp_path):
    write(tmp_path, "hubspot/contacts/page-00001.json", json.dumps({"status": "error", "message": "rate limited"}))
    load_json_pages(con, tmp_path, hubspot.TABLES["hubspot_contacts"])
    assert quarantine(con, "hubspot.contacts")[0][3].startswith("no list at $.results[*]")


def test_reloading_the_same_files_does_not_duplicate_rows(con, tmp_path):
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1001"), contact("1002")]))
    write(
        tmp_path,
        "reports/marketing.csv",
        "team,metric,period_start,period_end,value\nmarketing,mqls,2025-05-01,2025-05-31,10\n",
    )
    for _ in range(3):
        load_json_pages(con, tmp_path, hubspot.TABLES["hubspot_contacts"])
        load_csv_files(con, tmp_path, reports.TABLES["team_reports"])
    assert con.execute("select count(*) from raw.hubspot_contacts").fetchone()[0] == 2
    assert con.execute("select count(*) from raw.team_reports").fetchone()[0] == 1


def test_a_csv_missing_a_column_is_quarantined_by_name_and_the_others_load(con, tmp_path):
    header = (
        "date,customer_id,customer_currency_code,campaign_id,campaign_name,cost_micros,clicks,impressions,conversions"
    )
    write(
        tmp_path,
        "ads/google_ads/campaign_stats_2025-05.csv",
        header + "\n2025-05-01,c1,USD,k1,brand,1500000,3,100,0.5\n",
    )
    write(
        tmp_path,
        "ads/google_ads/campaign_stats_2025-06.csv",
        header.replace(",cost_micros", "") + "\n2025-06-01,c1,USD,k1,brand,3,100,0.5\n",
    )

    load_csv_files(con, tmp_path, ads.TABLES["google_ads_campaign_stats"])

    assert con.execute("select date::varchar, cost_micros from raw.google_ads_campaign_stats").fetchall() == [
        ("2025-05-01", 1500000)
    ]
    ((file, line, _, reason),) = quarantine(con, "ads.google_ads")
    assert (file, line) == ("ads/google_ads/campaign_stats_2025-06.csv", None)
    assert reason.startswith("missing column(s) cost_micros; expected header: date,customer_id")


def test_csv_values_that_do_not_cast_are_quarantined_with_their_line(con, tmp_path):
    write(
        tmp_path,
        "reports/sales.csv",
        "team,metric,period_start,period_end,value\n"
        "sales,leads,2025-05-01,2025-05-31,21\n"
        "sales,leads,2025-06-01,2025-06-30,lots\n"
        "sales,leads,2025-07-01,2025-07-31,38\n",
    )

    load_csv_files(con, tmp_path, reports.TABLES["team_reports"])

    assert [r[0] for r in con.execute("select value::int from raw.team_reports order by period_start").fetchall()] == [
        21,
        38,
    ]
    ((file, line, _, reason),) = quarantine(con, "reports")
    assert (file, line) == ("reports/sales.csv", 3)
    assert "value" in reason and "lots" in reason


def test_columns_in_another_order_are_read_by_name(con, tmp_path):
    write(
        tmp_path,
        "reports/finance.csv",
        "value,team,metric,period_end,period_start\n42,finance,customers,2025-05-31,2025-05-01\n",
    )
    load_csv_files(con, tmp_path, reports.TABLES["team_reports"])
    assert con.execute("select team, metric, value::int from raw.team_reports").fetchall() == [
        ("finance", "customers", 42)
    ]


def test_a_failed_load_leaves_the_previous_contents(con, tmp_path, monkeypatch):
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1001")]))
    spec = hubspot.TABLES["hubspot_contacts"]
    load_json_pages(con, tmp_path, spec)
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1001"), contact("1002")]))
    broken = type(spec)(**{**spec.__dict__, "columns": {**spec.columns, "properties": "no_such_column"}})
    with pytest.raises(duckdb.Error):
        load_json_pages(con, tmp_path, broken)
    assert con.execute("select id from raw.hubspot_contacts").fetchall() == [("1001",)]
