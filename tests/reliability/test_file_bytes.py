"""Every byte of a file accounted for: a bad byte loses its record (or line), not the source; a
byte-order mark is not data; a file in another dialect or outside the data folder is named.

Loader level, on a real DuckDB: pages in HubSpot's CRM v3 shape, CSVs in the shapes sources/
declares (team reports, FX rates)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from funnel.sources.ads import TABLES as AD_TABLES
from funnel.sources.hubspot import TABLES as HUBSPOT_TABLES
from funnel.sources.loader import load_csv_files, load_json_pages
from funnel.sources.reports import TABLES as REPORT_TABLES

BOM = b"\xef\xbb\xbf"


def _contact(record_id: str, first_name: str) -> dict:
    return {
        "id": record_id,
        "properties": {
            "hs_object_id": record_id,
            "firstname": first_name,
            "email": f"p{record_id}@example.io",
            "createdate": "2025-05-01T09:00:00.000Z",
            "lastmodifieddate": "2025-05-01T09:00:00.000Z",
        },
        "createdAt": "2025-05-01T09:00:00.000Z",
        "updatedAt": "2025-05-01T09:00:00.000Z",
        "archived": False,
    }


def _page(*contacts: dict) -> bytes:
    return json.dumps({"results": list(contacts), "paging": {}}, ensure_ascii=False).encode()


def _load_contacts(root: Path):
    con = duckdb.connect()
    result = load_json_pages(con, root, HUBSPOT_TABLES["hubspot_contacts"])
    loaded = con.execute(
        "select id, properties->>'firstname', _source_file from raw.hubspot_contacts order by id"
    ).fetchall()
    quarantined = con.execute("select file, line, record_id, reason from raw.quarantine order by all").fetchall()
    return result, loaded, quarantined


@pytest.fixture
def contacts(tmp_path) -> Path:
    folder = tmp_path / "hubspot" / "contacts"
    folder.mkdir(parents=True)
    return folder


def test_invalid_utf8_in_one_record_loses_only_that_record(contacts):
    # A Latin-1 "ö" (one byte, 0xF6) inside a UTF-8 export, in the second contact's first name.
    page = _page(_contact("1", "Ana"), _contact("2", "J-RG"), _contact("3", "Zoë")).replace(b"J-RG", b"J\xf6rg")
    (contacts / "page-00001.json").write_bytes(page)
    (contacts / "page-00002.json").write_bytes(_page(_contact("4", "Li")))

    result, loaded, quarantined = _load_contacts(contacts.parent.parent)

    assert loaded == [
        ("1", "Ana", "hubspot/contacts/page-00001.json"),
        ("3", "Zoë", "hubspot/contacts/page-00001.json"),
        ("4", "Li", "hubspot/contacts/page-00002.json"),
    ]
    assert quarantined == [
        (
            "hubspot/contacts/page-00001.json",
            2,
            "2",
            "invalid UTF-8 in properties.firstname: re-export the record (the rest of the file loaded)",
        )
    ]
    assert (result.rows, result.quarantined_records) == (3, 1)


def test_a_page_with_a_byte_order_mark_loads_fully(contacts):
    (contacts / "page-00001.json").write_bytes(BOM + _page(_contact("1", "Ana"), _contact("2", "Björn")))
    _, loaded, quarantined = _load_contacts(contacts.parent.parent)
    assert [(i, name) for i, name, _ in loaded] == [("1", "Ana"), ("2", "Björn")]
    assert quarantined == []


def test_a_link_leaving_the_data_folder_is_refused_by_path_and_one_inside_is_read(tmp_path):
    data = tmp_path / "data"
    contacts = data / "hubspot" / "contacts"
    contacts.mkdir(parents=True)
    elsewhere = tmp_path / "another_company" / "contacts.json"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(_page(_contact("9", "Eve")))
    (contacts / "page-00001.json").symlink_to(elsewhere)
    archive = data / "archive" / "page-00002.json"
    archive.parent.mkdir()
    archive.write_bytes(_page(_contact("2", "Ana")))
    (contacts / "page-00002.json").symlink_to(archive)

    result, loaded, quarantined = _load_contacts(data)

    assert [(i, name) for i, name, _ in loaded] == [("2", "Ana")]
    assert quarantined == [
        (
            "hubspot/contacts/page-00001.json",
            None,
            None,
            f"a link to {elsewhere.resolve()}, outside the data folder: not read",
        )
    ]
    assert result.quarantined_files == 1


def _load_csv(root: Path, spec):
    con = duckdb.connect()
    result = load_csv_files(con, root, spec)
    rows = con.execute(f"select * exclude (_loaded_at) from raw.{spec.table} order by all").fetchall()
    quarantined = con.execute("select file, line, reason from raw.quarantine order by all").fetchall()
    return result, rows, quarantined


def test_csv_files_with_a_byte_order_mark_load_fully_and_a_bad_byte_loses_its_line(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "marketing.csv").write_bytes(
        BOM + b"team,metric,period_start,period_end,value\r\n"
        b"marketing,mqls,2025-05-01,2025-05-31,12\r\n"
        b"market\xffing,mqls,2025-06-01,2025-06-30,13\r\n"
        b"marketing,leads,2025-05-01,2025-05-31,40\r\n"
    )
    fx = tmp_path / "fx"
    fx.mkdir()
    (fx / "fx_rates_daily.csv").write_bytes(BOM + b"date,from_currency,to_currency,rate\n2025-05-01,EUR,USD,1.13\n")

    _, rows, quarantined = _load_csv(tmp_path, REPORT_TABLES["team_reports"])
    assert [(team, metric, str(start), float(value)) for team, metric, start, _, value, _ in rows] == [
        ("marketing", "leads", "2025-05-01", 40.0),
        ("marketing", "mqls", "2025-05-01", 12.0),
    ]
    assert len(quarantined) == 1 and quarantined[0][:2] == ("reports/marketing.csv", 3)
    assert "line 3" in quarantined[0][2] and "utf-8" in quarantined[0][2].lower()

    _, rates, fx_quarantined = _load_csv(tmp_path, AD_TABLES["fx_rates_daily"])
    assert [(str(day), currency, quote, float(rate)) for day, currency, quote, rate, _ in rates] == [
        ("2025-05-01", "EUR", "USD", 1.13)
    ]
    assert fx_quarantined == []


@pytest.mark.parametrize(("delimiter", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_in_another_dialect_says_which_separator_it_found(tmp_path, delimiter, word):
    reports = tmp_path / "reports"
    reports.mkdir()
    lines = ["team,metric,period_start,period_end,value", "marketing,mqls,2025-05-01,2025-05-31,12"]
    (reports / "sales.csv").write_text("\n".join(line.replace(",", delimiter) for line in lines) + "\n")
    result, rows, quarantined = _load_csv(tmp_path, REPORT_TABLES["team_reports"])
    assert rows == [] and result.quarantined_files == 1
    assert quarantined == [
        (
            "reports/sales.csv",
            None,
            f"the columns are separated by {word}: export the file comma-separated "
            "(header: team,metric,period_start,period_end,value)",
        )
    ]
