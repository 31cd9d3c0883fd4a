"""dlt resources for the small listings, read in full on every sync and replaced.

The portal's account details, owners, deal pipelines, forms, form submissions, and the
deal→contact, contact→company and engagement→contact associations of the live objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import dlt
from dlt.extract.resource import DltResource

from funnel.sources.hubspot_api.client import HubSpotClient, HubSpotError
from funnel.sources.hubspot_api.records import ENGAGEMENTS, ROW_COLUMNS, now, record_text

_ASSOCIATION_BATCH = 1000  # HubSpot's most inputs per association batch read
_SUBMISSIONS_PAGE = 50  # the Forms API's largest page

ASSOCIATIONS = (
    ("deals_to_contacts", "deals", "contacts"),
    ("contacts_to_companies", "contacts", "companies"),
    *((f"{kind}_to_contacts", kind, "contacts") for kind in ENGAGEMENTS),
)
"""(name, from type, to type): the name is the export's folder under hubspot/associations/."""


def _snapshot_row(record: dict, source: str, loaded_at: datetime, **keys: str) -> dict:
    return {**keys, "rec": record_text(record), "_source_file": source, "_loaded_at": loaded_at}


def owners(client: HubSpotClient) -> DltResource:
    @dlt.resource(name="owners", write_disposition="replace", columns=ROW_COLUMNS)
    def listing() -> Iterator[list[dict]]:
        for page in client.pages("/crm/v3/owners", {"limit": 100, "archived": "false"}):
            loaded_at = now()
            yield [_snapshot_row(owner, "api:/crm/v3/owners", loaded_at) for owner in page]

    return listing


def deal_pipelines(client: HubSpotClient) -> DltResource:
    @dlt.resource(name="deal_pipelines", write_disposition="replace", columns=ROW_COLUMNS)
    def listing() -> Iterator[list[dict]]:
        answer = client.get("/crm/v3/pipelines/deals")
        loaded_at = now()
        yield [_snapshot_row(p, "api:/crm/v3/pipelines/deals", loaded_at) for p in answer.get("results") or []]

    return listing


def account(client: HubSpotClient) -> DltResource:
    """The portal's account details, for its company currency (deals without one are in it). A
    token that may not read them (403) or an API without them (404) leaves the table empty:
    sources.yml's hubspot.default_currency is then the currency."""

    @dlt.resource(name="account", write_disposition="replace", columns=ROW_COLUMNS)
    def listing() -> Iterator[list[dict]]:
        try:
            details = client.get("/account-info/v3/details")
        except HubSpotError as error:
            if error.status in (403, 404):
                yield []
                return
            raise
        yield [_snapshot_row(details, "api:/account-info/v3/details", now())]

    return listing


def all_forms(client: HubSpotClient) -> list[dict]:
    return [form for page in client.pages("/marketing/v3/forms", {"limit": 100}) for form in page]


def forms(found: list[dict]) -> DltResource:
    @dlt.resource(name="forms", write_disposition="replace", columns=ROW_COLUMNS)
    def listing() -> Iterator[list[dict]]:
        loaded_at = now()
        yield [_snapshot_row(form, "api:/marketing/v3/forms", loaded_at) for form in found]

    return listing


def form_submissions(client: HubSpotClient, found: list[dict]) -> DltResource:
    columns = {**ROW_COLUMNS, "form_id": {"data_type": "text"}}

    @dlt.resource(name="form_submissions", write_disposition="replace", columns=columns)
    def listing() -> Iterator[list[dict]]:
        for form in found:
            path = f"/form-integrations/v1/submissions/forms/{form['id']}"
            for page in client.pages(path, {"limit": _SUBMISSIONS_PAGE}):
                loaded_at = now()
                yield [_snapshot_row(s, f"api:{path}", loaded_at, form_id=str(form["id"])) for s in page]

    return listing


def _associations_of(client: HubSpotClient, path: str, ids: Sequence[str]) -> Iterator[dict]:
    """Each id's associations; an id with more than one page of them is asked again with its cursor."""
    pending = [{"id": i} for i in ids]
    merged: dict[str, dict] = {}
    while pending:
        batch, pending = pending[:_ASSOCIATION_BATCH], pending[_ASSOCIATION_BATCH:]
        answer = client.post(path, {"inputs": batch})
        for result in answer.get("results") or []:
            from_id = str(result["from"]["id"])
            if from_id in merged:
                merged[from_id]["to"].extend(result.get("to") or [])
            else:
                merged[from_id] = {"from": {"id": from_id}, "to": list(result.get("to") or [])}
            after = ((result.get("paging") or {}).get("next") or {}).get("after")
            if after:
                pending.append({"id": from_id, "after": after})
    # Ids without associations come back as per-input errors (HTTP 207): they have no row.
    yield from merged.values()


def associations(client: HubSpotClient, active_ids: dict[str, list[str]]) -> DltResource:
    """The ASSOCIATIONS of the active objects synced."""
    columns = {**ROW_COLUMNS, "association": {"data_type": "text"}}

    @dlt.resource(name="associations", write_disposition="replace", columns=columns)
    def listing() -> Iterator[list[dict]]:
        for name, from_type, to_type in ASSOCIATIONS:
            path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
            loaded_at = now()
            rows = [
                _snapshot_row(result, f"api:{path}", loaded_at, association=name)
                for result in _associations_of(client, path, active_ids.get(from_type, []))
            ]
            yield rows

    return listing
