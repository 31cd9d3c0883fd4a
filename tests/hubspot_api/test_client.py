"""The HTTP client against a local HubSpot: what it retries, how long it waits, what it refuses."""

from __future__ import annotations

import pytest

from funnel.sources.hubspot_api.client import HubSpotClient, HubSpotError, RetryPolicy
from tests.hubspot_api.conftest import TOKEN


def client(server, policy=RetryPolicy(), token=TOKEN) -> tuple[HubSpotClient, list[float]]:
    waits: list[float] = []
    return HubSpotClient(server.url, token, policy, sleep=waits.append), waits


def test_a_429_waits_what_retry_after_says(hubspot):
    hubspot.faults.rate_limit_every = 2
    hubspot.faults.retry_after = "3"
    api, waits = client(hubspot)

    owners = [o for page in api.pages("/crm/v3/owners", {"limit": 5}) for o in page]

    assert len(owners) == len(hubspot.company.owners)
    assert waits and set(waits) == {3.0}
    assert api.stats.retries == len(waits) and api.stats.requests == hubspot.requests


def test_waits_are_scaled_and_capped(hubspot):
    hubspot.faults.rate_limit_every = 2
    hubspot.faults.retry_after = "3600"  # a daily limit: never park the sync for an hour
    api, waits = client(hubspot, RetryPolicy(longest_wait=30, scale=0.01))

    api.get("/crm/v3/pipelines/deals")
    api.get("/crm/v3/pipelines/deals")

    assert waits == [pytest.approx(0.3)]


def test_a_5xx_is_retried_with_doubling_waits_then_fails_naming_the_endpoint(hubspot):
    hubspot.faults.server_error_every = 1
    api, waits = client(hubspot, RetryPolicy(attempts=4, first_wait=1))

    with pytest.raises(HubSpotError, match=r"GET /crm/v3/owners: gave up after 4 attempt\(s\); .*HTTP 502"):
        list(api.pages("/crm/v3/owners", {"limit": 5}))

    assert waits == [1, 2, 4]


def test_the_total_wait_for_one_request_is_capped(hubspot):
    hubspot.faults.server_error_every = 1
    api, waits = client(hubspot, RetryPolicy(attempts=50, first_wait=10, longest_wait=60, total_wait=100))

    with pytest.raises(HubSpotError, match="gave up"):
        api.get("/crm/v3/pipelines/deals")

    assert sum(waits) <= 100 and waits == [10, 20, 40]


def test_a_malformed_page_is_read_again(hubspot):
    hubspot.faults.malformed_request = 2
    api, waits = client(hubspot)

    form_id = hubspot.company.forms[0]["id"]
    path = f"/form-integrations/v1/submissions/forms/{form_id}"

    submissions = [s for page in api.pages(path, {"limit": 50}) for s in page]

    assert len(submissions) == len(hubspot.company.submissions[form_id])
    assert len(waits) == 1


def test_a_page_that_stays_malformed_fails_naming_the_endpoint(hubspot):
    hubspot.faults.malformed_path = "/marketing/v3/forms"
    api, _ = client(hubspot, RetryPolicy(attempts=3))

    with pytest.raises(HubSpotError, match=r"GET /marketing/v3/forms: gave up after 3 attempt\(s\).*not valid JSON"):
        list(api.pages("/marketing/v3/forms", {"limit": 100}))


def test_dropped_connections_and_timeouts_are_retried(hubspot):
    hubspot.faults.hold_at_page = 1  # the first answer never comes in time
    api, waits = client(hubspot, RetryPolicy(timeout=0.3))

    answer = api.get("/crm/v3/pipelines/deals")
    hubspot.release()

    assert len(answer["results"]) == len(hubspot.company.pipelines)
    assert len(waits) == 1

    hubspot.faults.die_after_pages = hubspot.pages
    with pytest.raises(HubSpotError, match=r"GET /crm/v3/owners: gave up .*no answer"):
        client(hubspot, RetryPolicy(attempts=3))[0].get("/crm/v3/owners")


def test_a_rejected_token_is_not_retried_and_says_what_to_set(hubspot):
    api, waits = client(hubspot, token="pat-na1-wrong")

    with pytest.raises(HubSpotError, match="HTTP 401.*HUBSPOT_ACCESS_TOKEN") as error:
        api.get("/crm/v3/owners")

    assert waits == [] and api.stats.requests == 1
    assert "pat-na1-wrong" not in str(error.value)


def test_search_pages_carry_the_total_and_the_cursor_in_the_body(hubspot):
    api, _ = client(hubspot)
    body = {
        "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["lastmodifieddate"],
        "limit": 100,
    }

    pages = list(api.search_pages("/crm/v3/objects/contacts/search", body))

    active = sum(not obj["archived"] for obj in hubspot.company.objects["contacts"].values())
    assert {page.total for page in pages} == {active}
    assert sum(len(page.results) for page in pages) == active
    assert len({obj["id"] for page in pages for obj in page.results}) == active
    assert [page.next_after for page in pages][:2] == [100, 200] and pages[-1].next_after is None
