"""dlt resources for CRM objects and engagements: changes by modification window, and archives.

Rows merge on the object id, so a window read twice (after a retry, a resumed sync or the
lookback) never duplicates an object.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import dlt
from dlt.extract.resource import DltResource

from funnel.sources.hubspot_api.client import HubSpotClient, HubSpotError, SearchPage
from funnel.sources.hubspot_api.records import (
    ROW_COLUMNS,
    CrmObject,
    now,
    property_text,
    raw_record,
    record_text,
)
from funnel.sources.hubspot_api.windows import (
    SEARCH_RESULT_CAP,
    Window,
    WindowTooNarrow,
    fits,
    iso,
    parse_ms,
)

CURSOR = "modified_before"
"""Resource-state key: every object last modified before this instant is loaded."""

_WINDOW_PASSES = 3
_BATCH_READ = 100
PAGE_SIZE = 100  # the most results search and listings return per page
_WITH_HISTORY = 50  # HubSpot's most inputs (batch read) or results (listing) when history is asked

CRM_COLUMNS = {
    **ROW_COLUMNS,
    # Within one load, a re-paged window can bring an object twice: keep its latest version.
    "updated_at": {"data_type": "timestamp", "dedup_sort": "desc"},
    "archived_listing": {"data_type": "text", "nullable": True},
}


def _crm_row(record: dict, source: str, loaded_at: datetime, listing: str | None = None) -> dict:
    return {
        "id": str(record["id"]),
        "rec": record_text(record),
        "updated_at": record.get("updatedAt"),
        "archived_listing": listing,
        "_source_file": source,
        "_loaded_at": loaded_at,
    }


def modified_span(client: HubSpotClient, crm: CrmObject, since_ms: int) -> tuple[int, int] | None:
    """The first and last last-modified instants at or after since_ms, or None when nothing changed.

    Asking first keeps a first sync from walking 25 empty years of windows, and bounding the
    range by HubSpot's own latest instant (not this machine's clock) keeps clock skew out.
    """
    ends = []
    since = {"propertyName": crm.modified_property, "operator": "GTE", "value": str(since_ms)}
    for direction in ("ASCENDING", "DESCENDING"):
        body = {
            "filterGroups": [{"filters": [since]}],
            "sorts": [{"propertyName": crm.modified_property, "direction": direction}],
            "properties": [crm.modified_property],
            "limit": 1,
        }
        answer = client.post(f"/crm/v3/objects/{crm.name}/search", body)
        results = answer.get("results") or []
        if not results:
            return None
        value = property_text(crm.modified_property, results[0]["properties"].get(crm.modified_property))
        if value is None:
            raise HubSpotError(f"{crm.name} {results[0].get('id')} has no {crm.modified_property}")
        ends.append(parse_ms(value))
    return ends[0], ends[1]


def _search_body(crm: CrmObject, window: Window) -> dict:
    prop = crm.modified_property
    return {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": prop, "operator": "GTE", "value": str(window.start_ms)},
                    {"propertyName": prop, "operator": "LT", "value": str(window.end_ms)},
                ]
            }
        ],
        "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
        # Search gives ids; batch read gives everything, history included.
        "properties": [prop],
        "limit": PAGE_SIZE,
    }


def _first_page(client: HubSpotClient, crm: CrmObject, window: Window) -> SearchPage:
    return next(client.search_pages(f"/crm/v3/objects/{crm.name}/search", _search_body(crm, window)))


def _batch_read(client: HubSpotClient, crm: CrmObject, ids: Sequence[str]) -> Iterator[list[dict]]:
    size = _WITH_HISTORY if crm.history else _BATCH_READ
    for start in range(0, len(ids), size):
        body: dict = {"inputs": [{"id": i} for i in ids[start : start + size]], "properties": list(crm.properties)}
        if crm.history:
            body["propertiesWithHistory"] = list(crm.history)
        answer = client.post(f"/crm/v3/objects/{crm.name}/batch/read", body)
        # Objects archived since the search are missing here; the archived listing brings them.
        yield [raw_record(obj) for obj in answer.get("results") or []]


def _window_records(client: HubSpotClient, crm: CrmObject, window: Window, first: SearchPage) -> Iterator[list[dict]]:
    """Every object of the window, read in full.

    Search pages by offset, so an object modified while the window is paged leaves it and
    shifts the rest: one unread object would slip past the cursor for good. Such a pass reads
    fewer distinct ids than the window's total, and is paged again (merging makes that safe).
    """
    path = f"/crm/v3/objects/{crm.name}/search"
    for _ in range(_WINDOW_PASSES):
        seen: set[str] = set()
        pages: Iterator[SearchPage] = iter(())
        if first.next_after is not None:
            pages = client.search_pages(path, {**_search_body(crm, window), "after": str(first.next_after)})
        page = first
        while True:
            ids = [str(obj["id"]) for obj in page.results]
            seen.update(ids)
            yield from _batch_read(client, crm, ids)
            if page.next_after is None:
                break
            if page.next_after + PAGE_SIZE > SEARCH_RESULT_CAP:
                raise HubSpotError(f"{crm.name} modified {window}: paging would pass {SEARCH_RESULT_CAP:,} results")
            page = next(pages)
        if len(seen) >= first.total:
            return
        first = _first_page(client, crm, window)
    raise HubSpotError(f"{crm.name} modified {window}: objects kept changing while the window was read; sync again")


def crm_changes(
    client: HubSpotClient,
    crm: CrmObject,
    queue: deque[Window],
    *,
    checkpoint_rows: int,
    on_window: Callable[[Window, int], None],
) -> DltResource:
    """Objects of the queued windows, until about `checkpoint_rows` rows: one load, one checkpoint.

    The cursor moves to a window's end once all its pages are yielded, and dlt commits that
    state with the load that holds the rows, so a sync killed anywhere resumes at the first
    window not loaded.
    """
    source = f"api:/crm/v3/objects/{crm.name}/search"

    @dlt.resource(name=crm.name, primary_key="id", write_disposition="merge", columns=CRM_COLUMNS)
    def changes() -> Iterator[list[dict]]:
        state = dlt.current.resource_state()
        rows = 0
        while queue and rows < checkpoint_rows:
            window = queue[0]
            first = _first_page(client, crm, window)
            if not fits(first.total, PAGE_SIZE):
                try:
                    halves = window.halves()
                except WindowTooNarrow:
                    raise HubSpotError(
                        f"{first.total:,} {crm.name} were last modified in the same millisecond ({window}): "
                        f"search cannot page past {SEARCH_RESULT_CAP:,} of them"
                    ) from None
                queue.popleft()
                queue.extendleft(reversed(halves))
                continue
            count = 0
            for records in _window_records(client, crm, window, first):
                loaded_at = now()
                yield [_crm_row(record, source, loaded_at) for record in records]
                count += len(records)
            queue.popleft()
            state[CURSOR] = iso(window.end_ms)
            rows += count
            on_window(window, count)

    return changes


def crm_archived(client: HubSpotClient, crm: CrmObject, *, listing: str) -> DltResource:
    """Every archived object (deleted, merged away), tagged with this sync's listing id.

    The listing is a full snapshot: an archived row whose tag is not the current sync's was
    purged from HubSpot since, and the raw tables leave it out.
    """
    params = {
        "archived": "true",
        "limit": _WITH_HISTORY if crm.history else PAGE_SIZE,
        "properties": ",".join(crm.properties),
    }
    if crm.history:
        params["propertiesWithHistory"] = ",".join(crm.history)
    source = f"api:/crm/v3/objects/{crm.name}?archived=true"

    @dlt.resource(name=crm.name, primary_key="id", write_disposition="merge", columns=CRM_COLUMNS)
    def archived() -> Iterator[list[dict]]:
        for page in client.pages(f"/crm/v3/objects/{crm.name}", params):
            loaded_at = now()
            yield [_crm_row(raw_record(obj), source, loaded_at, listing) for obj in page]

    return archived
