"""Syncing the 2,000-person sample company from a local HubSpot into raw.hubspot_*."""

from __future__ import annotations

import logging
import subprocess
import sys
import traceback
from collections import Counter
from datetime import timedelta

import duckdb
import pytest

from funnel.sources import hubspot as hubspot_files
from funnel.sources.hubspot_api import HubSpotError, sync_hubspot
from funnel.sources.hubspot_api.records import CRM_OBJECTS, ENGAGEMENTS
from sample_company.hubspot_api.portal import KINDS, Company
from sample_company.hubspot_api.server import Faults, HubSpotServer
from tests.hubspot_api.conftest import FAST, TOKEN, assert_matches, raw_snapshot

pytestmark = pytest.mark.integration


def sync(server, tmp_path, name="api", **options):
    options = {"retry": FAST, **options}
    warehouse, state = tmp_path / name / "funnel.duckdb", tmp_path / name / "state"
    return sync_hubspot(warehouse, base_url=server.url, token=server.token, state_dir=state, **options)


def test_the_api_and_the_export_files_give_the_same_raw_tables(hubspot, sample_data, tmp_path):
    hubspot.faults.association_page = 1  # every object's second association needs its own page
    result = sync(hubspot, tmp_path)

    files = tmp_path / "files.duckdb"
    con = duckdb.connect(str(files))
    try:
        loaded = {r.table: r.rows for r in hubspot_files.load(con, sample_data)}
    finally:
        con.close()
    assert result.objects == loaded
    assert raw_snapshot(tmp_path / "api" / "funnel.duckdb") == raw_snapshot(files)
    assert result.requests == hubspot.requests and result.retries == 0


def test_typed_property_values_land_the_same_as_strings(sample_data, tmp_path):
    with HubSpotServer(Company(sample_data), TOKEN, Faults(typed_values=True)) as typed:
        sync(typed, tmp_path, "typed")
    with HubSpotServer(Company(sample_data), TOKEN) as plain:
        sync(plain, tmp_path, "plain")

    con = duckdb.connect()
    try:
        con.execute(f"attach '{tmp_path / 'typed' / 'funnel.duckdb'}' as typed (read_only)")
        con.execute(f"attach '{tmp_path / 'plain' / 'funnel.duckdb'}' as plain (read_only)")
        # The wire really carried numbers: the typed sync's raw JSON came from them.
        for kind, crm in {**CRM_OBJECTS, **ENGAGEMENTS}.items():
            for name in sorted(set(crm.properties) - {"amount"}):
                differing = con.execute(
                    f"""
                    select count(*) from typed.raw.hubspot_{kind} t join plain.raw.hubspot_{kind} p using (id)
                    where json_extract_string(t.properties, '$."{name}"')
                          is distinct from json_extract_string(p.properties, '$."{name}"')
                    """
                ).fetchall()[0][0]
                assert differing == 0, (kind, name)
        # Amounts come back as numbers ("26262.40" → 26262.4); staging casts them to decimal(18, 2).
        assert (
            con.execute(
                """
            select count(*) from typed.raw.hubspot_deals t join plain.raw.hubspot_deals p using (id)
            where try_cast(json_extract_string(t.properties, '$."amount"') as decimal(18, 2))
                  is distinct from try_cast(json_extract_string(p.properties, '$."amount"') as decimal(18, 2))
            """
            ).fetchall()[0][0]
            == 0
        )
        for table in ("hubspot_contacts", "hubspot_deals"):
            assert (
                con.execute(
                    f"select count(*) from typed.raw.{table} t join plain.raw.{table} p using (id) "
                    "where t.properties_with_history::varchar <> p.properties_with_history::varchar"
                ).fetchall()[0][0]
                == 0
            )
        assert con.execute("select count(*) from typed.raw.hubspot_contacts").fetchall()[0][0] > 2000
    finally:
        con.close()


def test_incremental_syncs_follow_changes_archives_creations_and_purges(hubspot, tmp_path):
    company = hubspot.company
    first = sync(hubspot, tmp_path)
    active = [i for i, obj in company.objects["contacts"].items() if not obj["archived"]]
    archived = [i for i, obj in company.objects["contacts"].items() if obj["archived"]]
    deals = list(company.objects["deals"])

    company.touch("contacts", active[:30], {"lifecyclestage": "customer", "hubspotscore": "99"})
    company.archive("contacts", active[25:35])
    company.purge("contacts", archived[:2])
    company.restore("contacts", archived[2:4])
    created = [company.create("contacts", like=active[40]) for _ in range(5)]
    company.touch("deals", deals[:5], {"dealstage": "closedwon"})
    company.archive("deals", deals[5:7])
    company.touch("companies", list(company.objects["companies"])[:3], {"name": "Renamed Inc"})
    hubspot.reset_log()
    second = sync(hubspot, tmp_path)

    assert_matches(tmp_path / "api" / "funnel.duckdb", company)
    assert set(created) <= set(raw_contact_ids(tmp_path))
    # One window per object type the portal has: its changes, or the lookback's last minutes.
    kinds = [kind for kind in KINDS if company.objects[kind]]
    assert second.windows == len(kinds) < first.windows
    searched = Counter(entry.path.split("/")[-2] for entry in hubspot.log if entry.path.endswith("/search"))
    # Per object type: two probes and one window; one probe finds none of a type (engagements).
    assert searched == {kind: 3 if kind in kinds else 1 for kind in KINDS}

    third = sync(hubspot, tmp_path)
    assert_matches(tmp_path / "api" / "funnel.duckdb", company)
    assert third.objects == second.objects


def test_objects_modified_while_a_window_is_paged_do_not_hide_the_others(hubspot, tmp_path):
    """Search pages by offset: objects leaving the window shift the rest onto pages already read."""
    company = hubspot.company
    everyone = set(company.objects["contacts"])
    first_page: list[str] = []

    def modify_mid_window(kind: str, body: dict, answer: dict) -> None:
        after, limit = int(body.get("after") or 0), body.get("limit")
        if kind != "contacts" or limit != 100 or answer["total"] <= 300:
            return
        if after == 0 and not first_page:
            first_page.extend(result["id"] for result in answer["results"][:5])
        elif after == 100 and first_page and hubspot.faults.after_search:
            company.touch("contacts", first_page)  # they leave the window for a later instant
            hubspot.faults.after_search = None

    hubspot.faults.after_search = modify_mid_window
    sync(hubspot, tmp_path, window=timedelta(days=400))

    assert first_page and hubspot.faults.after_search is None
    assert set(raw_contact_ids(tmp_path)) == everyone
    sync(hubspot, tmp_path)
    assert_matches(tmp_path / "api" / "funnel.duckdb", company)


def raw_contact_ids(tmp_path) -> list[str]:
    con = duckdb.connect(str(tmp_path / "api" / "funnel.duckdb"), read_only=True)
    try:
        return [row[0] for row in con.execute("select id from raw.hubspot_contacts").fetchall()]
    finally:
        con.close()


def test_a_sync_cut_off_mid_way_resumes_and_ends_like_an_uninterrupted_one(hubspot, tmp_path):
    company = hubspot.company
    small = {"window": timedelta(days=10), "checkpoint_rows": 300}
    whole = sync(hubspot, tmp_path, "whole", **small)
    hubspot.faults.die_after_pages = hubspot.pages + 40  # the server stops answering mid-contacts

    with pytest.raises(HubSpotError, match=r"POST /crm/v3/objects/contacts/.*: gave up .*no answer"):
        sync(hubspot, tmp_path, "cut", **small)

    hubspot.revive()
    resumed = sync(hubspot, tmp_path, "cut", **small)

    assert raw_snapshot(tmp_path / "cut" / "funnel.duckdb") == raw_snapshot(tmp_path / "whole" / "funnel.duckdb")
    assert_matches(tmp_path / "cut" / "funnel.duckdb", company)
    assert resumed.objects == whole.objects
    # It went on from its last checkpoint: the contacts windows loaded before the cut are not read again.
    assert 0 < resumed.windows < whole.windows


def test_the_token_is_never_logged_raised_or_stored(sample_data, tmp_path, caplog, capfd):
    secret = "pat-na1-9f8e7d6c-LEAK-CHECK-5b4a"
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="dlt")
    faults = Faults(rate_limit_every=5, server_error_every=7, malformed_request=3)
    with HubSpotServer(Company(sample_data), secret, faults) as server:
        sync(server, tmp_path)
        server.faults.malformed_path = "/crm/v3/owners"
        with pytest.raises(HubSpotError) as failed:
            sync(server, tmp_path)
    with HubSpotServer(Company(sample_data), "pat-na1-the-right-one") as other:
        with pytest.raises(HubSpotError) as refused:
            sync_hubspot(
                tmp_path / "api" / "funnel.duckdb",
                base_url=other.url,
                token=secret,
                state_dir=tmp_path / "api" / "state",
                retry=FAST,
            )

    texts = [caplog.text, *capfd.readouterr()]
    for error in (failed.value, refused.value):
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
    assert "/crm/v3/owners" in str(failed.value) and "401" in str(refused.value)
    assert not [text for text in texts if secret in text]
    stored = [p for p in tmp_path.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert stored == []


def test_a_missing_token_says_which_variable_to_set(monkeypatch, tmp_path):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)

    with pytest.raises(HubSpotError, match="set HUBSPOT_ACCESS_TOKEN"):
        sync_hubspot(tmp_path / "funnel.duckdb", base_url="http://127.0.0.1:9", state_dir=tmp_path / "state")

    assert not (tmp_path / "funnel.duckdb").exists()


def test_the_token_and_base_url_come_from_the_environment(hubspot, monkeypatch, tmp_path):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("HUBSPOT_API_BASE_URL", hubspot.url)

    result = sync_hubspot(tmp_path / "funnel.duckdb", state_dir=tmp_path / "state", retry=FAST)

    assert result.objects["hubspot_contacts"] == len(hubspot.company.objects["contacts"])


def test_the_warehouse_is_free_for_another_process_once_the_sync_returns(hubspot, tmp_path):
    sync(hubspot, tmp_path)

    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('create table t (a int)')",
            str(tmp_path / "api" / "funnel.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert writer.returncode == 0, writer.stderr


def test_dlt_state_lives_in_state_dir_and_survives_losing_it(hubspot, tmp_path):
    first = sync(hubspot, tmp_path)
    state = tmp_path / "api" / "state"
    assert (state / "hubspot_api" / "state.json").exists()

    for path in sorted(state.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    again = sync(hubspot, tmp_path)  # the cursors come back from the warehouse

    assert again.windows <= len(KINDS) < first.windows
    assert_matches(tmp_path / "api" / "funnel.duckdb", hubspot.company)
