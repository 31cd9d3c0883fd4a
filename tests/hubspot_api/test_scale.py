"""Done-when of the connector: 25,000 contacts over three incremental syncs with 429s and 5xx
injected land exactly the expected rows, no duplicates; a sync killed between pages resumes
and ends with the same rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import duckdb
import pytest
import requests

from funnel.config import PROJECT_ROOT
from funnel.sources.hubspot_api import sync_hubspot
from sample_company.hubspot_api.portal import KINDS, Company
from sample_company.hubspot_api.server import Faults, HubSpotServer
from tests.hubspot_api.conftest import FAST, TOKEN, assert_matches

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("hubspot_api_25k")]

KILLED_SYNC = """
import sys
from datetime import timedelta
from pathlib import Path
from funnel.sources.hubspot_api import RetryPolicy, sync_hubspot
sync_hubspot(Path(sys.argv[1]), state_dir=Path(sys.argv[2]), base_url=sys.argv[3],
             retry=RetryPolicy(scale=0.001, timeout=300), window=timedelta(minutes=5), checkpoint_rows=600)
"""


def change(company: Company, round_: int, contacts: int) -> None:
    """A day of CRM work: contacts move on, some are deleted, new ones arrive, deals progress."""
    active = sorted((i for i, o in company.objects["contacts"].items() if not o["archived"]), key=int)
    chosen = active[round_ * 5_000 : round_ * 5_000 + contacts]
    company.touch("contacts", chosen, {"lifecyclestage": "salesqualifiedlead", "hs_lead_status": "CONNECTED"})
    company.archive("contacts", active[-(round_ + 1) * 40 : -round_ * 40 or None])
    for _ in range(25):
        company.create("contacts", like=active[round_])
    deals = sorted(company.objects["deals"], key=int)
    company.touch("deals", deals[round_ * 300 : round_ * 300 + 300], {"dealstage": "contractsent"})
    company.touch("companies", sorted(company.objects["companies"], key=int)[round_ * 100 : round_ * 100 + 100])


def contacts_cursor(state_dir) -> str | None:
    state = json.loads((state_dir / "hubspot_api" / "state.json").read_text())
    return state["sources"]["hubspot_api"]["resources"]["contacts"].get("modified_before")


def no_duplicates_in_dlt_dataset(warehouse) -> bool:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return all(
            con.execute(f"select count(*) = count(distinct id) from hubspot_api.{kind}").fetchall()[0][0]
            for kind in ("contacts", "companies", "deals")
        )
    finally:
        con.close()


def test_25000_contacts_three_syncs_with_faults_and_a_killed_sync(company_25k, tmp_path):
    company = Company(company_25k)
    faults = Faults(rate_limit_every=7, retry_after="2", server_error_every=11, malformed_request=40)
    warehouse, state = tmp_path / "funnel.duckdb", tmp_path / "state"
    with HubSpotServer(company, TOKEN, faults) as server:

        def run(**options):
            return sync_hubspot(warehouse, base_url=server.url, token=TOKEN, state_dir=state, retry=FAST, **options)

        # 1. First sync with one window as wide as the data: the 10,000 cap forces splits.
        first = run(window=timedelta(days=3650))
        assert_matches(warehouse, company)
        assert first.objects["hubspot_contacts"] > 25_000
        searches = [entry for entry in server.log if entry.path.endswith("/search")]
        assert first.windows > len(KINDS)  # one window per object type would have been at most len(KINDS)
        assert max(entry.search_reach for entry in searches) <= 10_000
        assert not [entry for entry in server.log if entry.status == 400]
        assert first.retries > 0 and first.requests == server.requests
        # The cap is real: paging past it is refused, as HubSpot does.
        server.faults = Faults()
        beyond = requests.post(
            f"{server.url}/crm/v3/objects/contacts/search",
            json={"limit": 100, "after": "10000"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert beyond.status_code == 400 and beyond.json()["category"] == "VALIDATION_ERROR"
        server.faults = Faults(rate_limit_every=7, retry_after="2", server_error_every=11)

        # 2 and 3. Incremental syncs after a day of changes each, faults still on.
        for round_ in (1, 2):
            change(company, round_, contacts=2_000)
            before = server.requests
            result = run()
            assert_matches(warehouse, company)
            assert result.retries > 0 and result.requests == server.requests - before
            assert result.requests < first.requests

        # 4. A sync killed between pages, then resumed.
        change(company, 3, contacts=3_000)
        cursor_before = contacts_cursor(state)
        server.faults.hold_at_page = server.pages + 60
        killed = subprocess.Popen(
            [sys.executable, "-c", KILLED_SYNC, str(warehouse), str(state), server.url],
            env={**os.environ, "HUBSPOT_ACCESS_TOKEN": TOKEN},
            cwd=PROJECT_ROOT,
        )
        try:
            assert server.held.wait(timeout=120), "the sync never reached the page it is killed at"
        finally:
            killed.kill()
            killed.wait(timeout=60)
            server.faults.hold_at_page = 0
            server.release()
        assert contacts_cursor(state) > cursor_before  # windows loaded before the kill stay loaded

        run(window=timedelta(minutes=5), checkpoint_rows=600)
        assert_matches(warehouse, company)
        assert no_duplicates_in_dlt_dataset(warehouse)
