"""Incremental loads (funnel/sources/manifest.py): a daily load reads only new and changed files,
a changed file replaces exactly the rows it brought, a deleted file is reported and its rows are
retired only when asked. Pages in HubSpot's CRM v3 list shape (tests/test_loader.py), CSVs in
Google Ads' campaign-report columns."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from funnel.sources import ads, hubspot
from funnel.sources.loader import insert_records, load_csv_files, load_json_pages, start_replacing
from tests.test_loader import contact, page, quarantine, write

CONTACTS = hubspot.TABLES["hubspot_contacts"]
GOOGLE = ads.TABLES["google_ads_campaign_stats"]
HEADER = "date,customer_id,customer_currency_code,campaign_id,campaign_name,cost_micros,clicks,impressions,conversions"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def age(path, seconds: int = 60) -> None:
    """Date a file back, as a file written before the last run is (a rewrite within the same
    second as a load is hashed whatever its stamp: see manifest.py)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns - seconds * 10**9, stat.st_mtime_ns - seconds * 10**9))


def rows_by_file(con) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for file, contact_id in con.execute(
        "select _source_file, id from raw.hubspot_contacts order by _source_file, id"
    ).fetchall():
        found.setdefault(file, []).append(contact_id)
    return found


def loaded_at(con) -> dict[str, object]:
    return dict(con.execute("select id, _loaded_at from raw.hubspot_contacts").fetchall())


@pytest.fixture
def three_pages(con, tmp_path):
    for n, ids in enumerate((["1", "2"], ["3", "4"], ["5"]), start=1):
        write(tmp_path, f"hubspot/contacts/page-0000{n}.json", page([contact(i) for i in ids]))
        age(tmp_path / f"hubspot/contacts/page-0000{n}.json")
    first = load_json_pages(con, tmp_path, CONTACTS)
    assert (first.files, first.read_files, first.rows) == (3, 3, 5)
    return tmp_path


def test_a_second_load_of_the_same_files_reads_none(con, three_pages):
    before = loaded_at(con)
    again = load_json_pages(con, three_pages, CONTACTS)
    assert (again.files, again.read_files, again.rows, again.deleted_files) == (3, 0, 5, ())
    assert loaded_at(con) == before


def test_a_changed_file_replaces_exactly_its_own_rows(con, three_pages):
    before = loaded_at(con)
    # Contact 3 changed stage, contact 4 moved out of the page, contact 6 is new on it.
    changed = contact("3", properties={"email": "x@acme.io", "lifecyclestage": "marketingqualifiedlead"})
    write(three_pages, "hubspot/contacts/page-00002.json", page([changed, contact("6")]))

    result = load_json_pages(con, three_pages, CONTACTS)

    assert result.read_files == 1
    assert rows_by_file(con) == {
        "hubspot/contacts/page-00001.json": ["1", "2"],
        "hubspot/contacts/page-00002.json": ["3", "6"],
        "hubspot/contacts/page-00003.json": ["5"],
    }
    stage = con.execute("select properties->>'lifecyclestage' from raw.hubspot_contacts where id = '3'").fetchall()
    assert stage == [("marketingqualifiedlead",)]
    after = loaded_at(con)
    assert {i: after[i] == before[i] for i in ("1", "2", "5")} == {"1": True, "2": True, "5": True}
    assert after["3"] > before["3"]


def test_a_new_file_is_the_only_one_read(con, three_pages):
    write(three_pages, "hubspot/contacts/page-00004.json", page([contact("7")]))
    result = load_json_pages(con, three_pages, CONTACTS)
    assert (result.read_files, result.rows) == (1, 6)


def test_a_file_written_again_with_the_same_bytes_is_not_read_again(con, three_pages):
    path = three_pages / "hubspot/contacts/page-00001.json"
    path.write_bytes(path.read_bytes())  # a new modification time, the same content
    before = loaded_at(con)
    result = load_json_pages(con, three_pages, CONTACTS)
    assert result.read_files == 0
    assert loaded_at(con) == before


def test_a_rewrite_in_the_same_second_as_the_load_is_still_seen(con, tmp_path):
    path = tmp_path / "hubspot/contacts/page-00001.json"
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1"), contact("2")]))
    load_json_pages(con, tmp_path, CONTACTS)
    stamp = path.stat().st_mtime_ns
    write(tmp_path, "hubspot/contacts/page-00001.json", page([contact("1"), contact("9")]))
    os.utime(path, ns=(stamp, stamp))  # same size, same time: only the bytes differ
    result = load_json_pages(con, tmp_path, CONTACTS)
    assert result.read_files == 1
    assert rows_by_file(con) == {"hubspot/contacts/page-00001.json": ["1", "9"]}


def test_a_deleted_file_is_reported_and_its_rows_kept_until_retired(con, three_pages):
    (three_pages / "hubspot/contacts/page-00003.json").unlink()

    kept = load_json_pages(con, three_pages, CONTACTS)
    assert (kept.deleted_files, kept.retired, kept.rows) == (("hubspot/contacts/page-00003.json",), False, 5)
    # Still reported on the next run: nobody acted on it.
    assert load_json_pages(con, three_pages, CONTACTS).deleted_files == ("hubspot/contacts/page-00003.json",)

    retired = load_json_pages(con, three_pages, CONTACTS, retire_deleted=True)
    assert (retired.retired, retired.rows) == (True, 4)
    assert "hubspot/contacts/page-00003.json" not in rows_by_file(con)
    assert load_json_pages(con, three_pages, CONTACTS).deleted_files == ()


def test_full_refresh_reads_every_file(con, three_pages):
    result = load_json_pages(con, three_pages, CONTACTS, full_refresh=True)
    assert (result.read_files, result.rows) == (3, 5)


def test_a_broken_file_stays_quarantined_until_it_is_fixed(con, three_pages):
    write(three_pages, "hubspot/contacts/page-00002.json", page([contact("3")])[:20])
    load_json_pages(con, three_pages, CONTACTS)
    assert [q[0] for q in quarantine(con, "hubspot.contacts")] == ["hubspot/contacts/page-00002.json"]
    assert "hubspot/contacts/page-00002.json" not in rows_by_file(con)

    # Unchanged, it is not read again, and its quarantine entry stays.
    assert load_json_pages(con, three_pages, CONTACTS).read_files == 0
    assert len(quarantine(con, "hubspot.contacts")) == 1

    write(three_pages, "hubspot/contacts/page-00002.json", page([contact("3"), contact("4")]))
    fixed = load_json_pages(con, three_pages, CONTACTS)
    assert (fixed.read_files, fixed.rows, quarantine(con, "hubspot.contacts")) == (1, 5, [])


def test_a_table_an_api_sync_replaced_is_loaded_whole_from_files_again(con, three_pages):
    """API mode replaces raw tables without files: the next files load cannot replace file by file."""
    # What hubspot_api/raw_tables.py does with a sync's records.
    start_replacing(con, CONTACTS)
    insert_records(
        con,
        CONTACTS,
        "select 'dlt:contacts' as filename, 1 as position, $rec::json as rec, now() as _loaded_at",
        params={"rec": json.dumps(contact("8"))},
    )
    result = load_json_pages(con, three_pages, CONTACTS)
    assert (result.read_files, result.rows) == (3, 5)
    assert "8" not in [row for rows in rows_by_file(con).values() for row in rows]


def test_a_changed_csv_replaces_its_rows_and_its_quarantined_lines(con, tmp_path):
    write(
        tmp_path,
        "ads/google_ads/campaign_stats_2025-05.csv",
        HEADER + "\n2025-05-01,c1,USD,k1,brand,1500000,3,100,0.5\n",
    )
    write(
        tmp_path,
        "ads/google_ads/campaign_stats_2025-06.csv",
        HEADER + "\n2025-06-01,c1,USD,k1,brand,lots,3,100,0.5\n2025-06-02,c1,USD,k1,brand,2000000,4,90,0\n",
    )
    for name in ("campaign_stats_2025-05.csv", "campaign_stats_2025-06.csv"):
        age(tmp_path / "ads/google_ads" / name)
    first = load_csv_files(con, tmp_path, GOOGLE)
    assert (first.read_files, first.rows, [q[1] for q in quarantine(con, "ads.google_ads")]) == (2, 2, [2])

    # June is re-exported with the bad cost fixed (late-arriving corrections are the normal case).
    write(
        tmp_path,
        "ads/google_ads/campaign_stats_2025-06.csv",
        HEADER + "\n2025-06-01,c1,USD,k1,brand,1000000,3,100,0.5\n2025-06-02,c1,USD,k1,brand,2000000,4,90,0\n",
    )
    second = load_csv_files(con, tmp_path, GOOGLE)

    costs = con.execute("select date::varchar, cost_micros from raw.google_ads_campaign_stats order by date").fetchall()
    assert second.read_files == 1
    assert costs == [("2025-05-01", 1500000), ("2025-06-01", 1000000), ("2025-06-02", 2000000)]
    assert quarantine(con, "ads.google_ads") == []
