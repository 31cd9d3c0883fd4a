"""Sync HubSpot's live API into the raw tables the file loader writes (`raw.hubspot_*`).

Steps: contacts, companies, deals and the engagements (calls, emails, meetings, notes, tasks)
changed since the last sync (search by last-modified date, window by window, read in full by
batch read); every archived object; the small listings (owners, pipelines, forms, submissions,
associations) in full; then the raw tables are replaced from the dlt dataset in one DuckDB
transaction. dlt keeps its state under `state_dir` and in the warehouse, and commits each
window's cursor with the load that holds its rows.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

from funnel.sources.hubspot_api import listings, objects
from funnel.sources.hubspot_api.client import TOKEN_VARIABLE, HubSpotClient, HubSpotError, RetryPolicy
from funnel.sources.hubspot_api.raw_tables import replace_raw_tables
from funnel.sources.hubspot_api.records import CRM_OBJECTS, ENGAGEMENTS, CrmObject, with_deal_stage_dates
from funnel.sources.hubspot_api.windows import FIRST_SYNC_START, Window, cut, iso, parse_ms, to_ms
from funnel.warehouse import connect

BASE_URL_VARIABLE = "HUBSPOT_API_BASE_URL"
DEFAULT_BASE_URL = "https://api.hubapi.com"
PIPELINE = "hubspot_api"
"""dlt pipeline name, and the warehouse schema (dataset) dlt writes to."""

# Engagements (calls, emails, meetings, notes, tasks) need no scope of their own: HubSpot's notes
# guide names crm.objects.contacts.read, and its engagements docs say the contacts scope covers
# every engagement type (read for notes and the legacy API; assumed for the v3 calls, emails,
# meetings and tasks). Without sales-email-read HubSpot redacts email content; the funnel reads
# an email's direction, status and sequence id, not its content.
SCOPES = "crm.objects.contacts.read, crm.objects.companies.read, crm.objects.deals.read, crm.objects.owners.read, forms"


@dataclass(frozen=True)
class SyncResult:
    objects: dict[str, int]
    """Rows in each raw table after the sync."""
    requests: int
    """HTTP requests, retries included."""
    retries: int
    seconds: float
    windows: int
    """Search windows read (after splitting any that held more than search returns)."""


def sync_hubspot(
    warehouse: Path,
    *,
    base_url: str | None = None,
    token: str | None = None,
    state_dir: Path,
    window: timedelta = timedelta(days=30),
    progress: Callable[[str], None] | None = None,
    retry: RetryPolicy = RetryPolicy(),
    checkpoint_rows: int = 10_000,
    lookback: timedelta = timedelta(minutes=10),
) -> SyncResult:
    """Bring raw.hubspot_* up to date with the portal behind `token`.

    `checkpoint_rows` bounds the work a killed sync repeats; `lookback` re-reads the last
    minutes before the cursor, for objects HubSpot's search index had not caught up with.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    token = token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise HubSpotError(
            f"no HubSpot access token: set {TOKEN_VARIABLE} to a private app access token (scopes: {SCOPES})"
        )
    base_url = base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
    pipeline = _pipeline(warehouse, state_dir)
    # Tags the archived objects this sync lists; an older tag marks an object HubSpot purged since.
    listing = uuid.uuid4().hex
    windows = 0
    with HubSpotClient(base_url, token, retry) as client:
        try:
            _finish_interrupted_load(pipeline)
            pipelines = client.get("/crm/v3/pipelines/deals").get("results") or []
            crm_objects = {
                **CRM_OBJECTS,
                "deals": with_deal_stage_dates(CRM_OBJECTS["deals"], pipelines),
                **ENGAGEMENTS,
            }
            for crm in crm_objects.values():
                windows += _sync_changes(
                    pipeline,
                    client,
                    crm,
                    window=window,
                    checkpoint_rows=checkpoint_rows,
                    lookback=lookback,
                    say=say,
                )
            say("archived " + ", ".join(crm_objects))
            archived = [objects.crm_archived(client, crm, listing=listing) for crm in crm_objects.values()]
            _run(pipeline, archived)
            say("owners, pipelines, forms, submissions, associations")
            _run(pipeline, _listings(client, warehouse))
        except PipelineStepFailed as failure:
            error = _hubspot_error_in(failure)
            if error is None:
                raise
            raise error from None
    with connect(warehouse) as con:
        rows = replace_raw_tables(con, PIPELINE, listing)
    say("raw tables replaced: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    return SyncResult(rows, client.stats.requests, client.stats.retries, time.perf_counter() - started, windows)


def _pipeline(warehouse: Path, state_dir: Path) -> dlt.Pipeline:
    # The project sends no telemetry; dlt reads this when the pipeline starts its runtime.
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # Scoped to this pipeline: loaded files are not kept under state_dir (the warehouse has the
    # rows), and they are not gzipped (compression took a third of extraction time).
    dlt.config[f"{PIPELINE}.load.delete_completed_jobs"] = True
    dlt.config[f"{PIPELINE}.data_writer.disable_compression"] = True
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=PIPELINE,
        pipelines_dir=str(state_dir),
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name=PIPELINE,
    )


def _finish_interrupted_load(pipeline: dlt.Pipeline) -> None:
    """Restore state from the warehouse if state_dir is new, and load what a killed sync extracted.

    A package holds its rows and its cursor together, so loading it first means the cursors
    read next are exactly what the warehouse has.
    """
    pipeline.sync_destination()
    if pipeline.has_pending_data:
        pipeline.normalize()
        pipeline.load()


def _cursor(pipeline: dlt.Pipeline, crm: CrmObject) -> str | None:
    # Standalone resources keep their state under the pipeline's own name.
    source = pipeline.state.get("sources", {}).get(pipeline.pipeline_name, {})
    return source.get("resources", {}).get(crm.name, {}).get(objects.CURSOR)


def _sync_changes(
    pipeline: dlt.Pipeline,
    client: HubSpotClient,
    crm: CrmObject,
    *,
    window: timedelta,
    checkpoint_rows: int,
    lookback: timedelta,
    say: Callable[[str], None],
) -> int:
    cursor = _cursor(pipeline, crm)
    since = parse_ms(cursor) - int(lookback / timedelta(milliseconds=1)) if cursor else to_ms(FIRST_SYNC_START)
    span = objects.modified_span(client, crm, since)
    if span is None:
        say(f"{crm.name}: nothing modified since {iso(since)}")
        return 0
    queue = deque(cut(span[0], span[1] + 1, window))
    read: list[Window] = []

    def on_window(done: Window, records: int) -> None:
        read.append(done)
        say(f"{crm.name} modified {done}: {records:,} records")

    while queue:
        changes = objects.crm_changes(client, crm, queue, checkpoint_rows=checkpoint_rows, on_window=on_window)
        _run(pipeline, changes)
    return len(read)


def _run(pipeline: dlt.Pipeline, data: object) -> None:
    # JSON lines load into DuckDB twice as fast as dlt's default INSERT statements.
    pipeline.run(data, loader_file_format="jsonl")


def _listings(client: HubSpotClient, warehouse: Path) -> list:
    found_forms = listings.all_forms(client)
    return [
        listings.account(client),
        listings.owners(client),
        listings.deal_pipelines(client),
        listings.forms(found_forms),
        listings.form_submissions(client, found_forms),
        listings.associations(client, _active_ids(warehouse)),
    ]


def _active_ids(warehouse: Path) -> dict[str, list[str]]:
    """Ids of the live objects in the dlt dataset whose associations are read (listings.ASSOCIATIONS)."""
    found: dict[str, list[str]] = {}
    with connect(warehouse, read_only=True) as con:
        for name in sorted({from_type for _, from_type, _ in listings.ASSOCIATIONS}):
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [PIPELINE, name],
            ).fetchall()[0][0]
            rows = (
                con.execute(
                    f"select id from {PIPELINE}.{name} "
                    "where not coalesce(try_cast(rec::json->>'archived' as boolean), false) "
                    "order by try_cast(id as bigint), id"
                ).fetchall()
                if exists
                else []
            )
            found[name] = [row[0] for row in rows]
    return found


def _hubspot_error_in(failure: BaseException) -> HubSpotError | None:
    """The HubSpotError dlt wrapped (its message is the one a person can act on), if any."""
    seen: set[int] = set()
    error: BaseException | None = failure
    while error is not None and id(error) not in seen:
        if isinstance(error, HubSpotError):
            return error
        seen.add(id(error))
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__
    return None
