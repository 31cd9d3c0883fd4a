"""HubSpot engagements (calls, emails, meetings, notes, tasks): export files and the live API.

The portal is a small export written below by hand in HubSpot's documented shapes, not by the
generator: pages of GET /crm/v3/objects/<type> (every property value a string or null, default
call dispositions as GUIDs) and POST /crm/v4/associations/<type>/contacts/batch/read answers
(HUBSPOT_DEFINED type ids 194, 198, 200, 202, 204). The same folder serves the local HubSpot.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from funnel.sources import hubspot as hubspot_files
from funnel.sources.hubspot_api import sync_hubspot
from funnel.sources.hubspot_api.records import ENGAGEMENTS
from sample_company.hubspot_api.portal import Company
from sample_company.hubspot_api.server import Faults, HubSpotServer
from tests.hubspot_api.conftest import FAST, TOKEN, assert_matches, raw_snapshot

KINDS = ("calls", "emails", "meetings", "notes", "tasks")
TABLES = [f"hubspot_{kind}" for kind in KINDS]

# HubSpot's default call outcomes (hs_call_disposition holds the GUID).
CONNECTED = "f240bbac-87c9-4f6e-bf70-924b57d47db7"
NO_ANSWER = "73a0d17f-1163-4015-bdd5-ec830791da20"
BUSY = "9d9162e7-6cf3-4944-bf63-4dff82258764"
CONTACT_TYPE_IDS = {"calls": 194, "emails": 198, "meetings": 200, "notes": 202, "tasks": 204}

SDR, AE = "71001", "71002"
ANA, BEN = "901", "902"  # contact ids


def _object(object_id: str, created: str, modified: str, properties: dict, *, archived_at: str | None = None) -> dict:
    obj = {
        "id": object_id,
        "properties": {"hs_object_id": object_id, **properties},
        "createdAt": created,
        "updatedAt": archived_at or modified,
        "archived": archived_at is not None,
    }
    if archived_at:
        obj["archivedAt"] = archived_at
    return obj


def _engagement(
    object_id: str, day: str, owner: str, *, archived_at: str | None = None, **properties: str | None
) -> dict:
    """An engagement logged at 15:00 on `day`, created a minute later, last modified at 18:00."""
    created, modified = f"{day}T15:01:00.000Z", f"{day}T18:00:00.000Z"
    common = {
        "hs_timestamp": f"{day}T15:00:00.000Z",
        "hubspot_owner_id": owner,
        "hs_createdate": created,
        "hs_lastmodifieddate": modified,
    }
    return _object(object_id, created, modified, {**common, **properties}, archived_at=archived_at)


def _call(object_id, day, owner, direction, disposition, status, duration, title, **archived) -> dict:
    return _engagement(
        object_id,
        day,
        owner,
        hs_call_direction=direction,
        hs_call_disposition=disposition,
        hs_call_status=status,
        hs_call_duration=duration,
        hs_call_title=title,
        **archived,
    )


ENGAGEMENT_PAGES: dict[str, list[list[dict]]] = {
    # Two pages: the first says where the next one starts.
    "calls": [
        [
            _call("40001", "2025-03-03", SDR, "OUTBOUND", CONNECTED, "COMPLETED", "184000", "Discovery call"),
            _call("40002", "2025-03-04", SDR, "OUTBOUND", NO_ANSWER, "NO_ANSWER", "0", "Follow-up call"),
        ],
        [_call("40003", "2025-03-06", AE, "INBOUND", CONNECTED, "COMPLETED", "95000", "Inbound question")],
    ],
    "emails": [
        [
            _engagement(
                "41001",
                "2025-03-02",
                SDR,
                hs_email_direction="EMAIL",
                hs_email_status="SENT",
                hs_email_subject="Getting started",
                hs_sequence_id="4801",
            ),
            _engagement(
                "41002",
                "2025-03-05",
                SDR,
                hs_email_direction="INCOMING_EMAIL",
                hs_email_status=None,
                hs_email_subject="Re: Getting started",
                hs_sequence_id=None,
            ),
            _engagement(
                "41003",
                "2025-03-07",
                AE,
                hs_email_direction="EMAIL",
                hs_email_status="SENT",
                hs_email_subject="Pricing",
                hs_sequence_id=None,
            ),
        ]
    ],
    "meetings": [
        [
            _engagement(
                "42001",
                "2025-03-10",
                AE,
                hs_meeting_start_time="2025-03-10T15:00:00.000Z",
                hs_meeting_end_time="2025-03-10T15:30:00.000Z",
                hs_meeting_outcome="COMPLETED",
                hs_meeting_title="Product demo",
            ),
            _engagement(
                "42002",
                "2025-03-12",
                AE,
                hs_meeting_start_time="2025-03-12T15:00:00.000Z",
                hs_meeting_end_time="2025-03-12T15:30:00.000Z",
                hs_meeting_outcome="NO_SHOW",
                hs_meeting_title="Product demo",
            ),
        ]
    ],
    "notes": [[_engagement("43001", "2025-03-10", AE, hs_note_body="Asked for the pricing sheet.")]],
    "tasks": [
        [
            _engagement(
                "44001",
                "2025-03-14",
                SDR,
                hs_task_status="NOT_STARTED",
                hs_task_type="CALL",
                hs_task_subject="Call back",
            ),
            _engagement(
                "44002",
                "2025-03-11",
                AE,
                hs_task_status="COMPLETED",
                hs_task_type="EMAIL",
                hs_task_subject="Send the case study",
            ),
        ]
    ],
}
ARCHIVED_CALL = _call(
    "40004", "2025-03-05", SDR, "OUTBOUND", BUSY, "BUSY", "0", "Wrong time", archived_at="2025-03-20T09:00:00.000Z"
)
# engagement → contacts (the archived call has none: association reads cover live objects).
LINKS = {
    "calls": {"40001": [ANA], "40002": [BEN], "40003": [ANA, BEN]},
    "emails": {"41001": [ANA], "41002": [ANA], "41003": [BEN]},
    "meetings": {"42001": [ANA], "42002": [BEN]},
    "notes": {"43001": [ANA]},
    "tasks": {"44001": [BEN], "44002": [ANA]},
}


def _write(path: Path, body: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")


def _pages(folder: Path, kind: str, pages: list[list[dict]]) -> None:
    for number, results in enumerate(pages, start=1):
        body: dict = {"results": results}
        if number < len(pages):
            after = pages[number][0]["id"]
            link = f"https://api.hubapi.com/crm/v3/objects/{kind}?after={after}"
            body["paging"] = {"next": {"after": after, "link": link}}
        _write(folder / f"page-{number:05d}.json", body)


def write_portal(root: Path, *, engagements: bool = True) -> Path:
    """A portal's export: two contacts, two owners, and (optionally) its engagements."""
    hubspot = root / "hubspot"
    contacts = [
        _object(
            contact_id,
            "2025-02-20T10:00:00.000Z",
            "2025-03-01T10:00:00.000Z",
            {
                "email": f"person{contact_id}@example.com",
                "createdate": "2025-02-20T10:00:00.000Z",
                "lastmodifieddate": "2025-03-01T10:00:00.000Z",
                "lifecyclestage": "lead",
                "hubspot_owner_id": SDR,
            },
        )
        | {"propertiesWithHistory": {}}
        for contact_id in (ANA, BEN)
    ]
    _pages(hubspot / "contacts", "contacts", [contacts])
    owners = [
        {
            "id": owner_id,
            "email": f"{team.lower()}@example.com",
            "type": "PERSON",
            "firstName": team,
            "lastName": "Rep",
            "userId": int(owner_id) + 1000,
            "createdAt": "2024-01-10T09:00:00.000Z",
            "updatedAt": "2024-01-10T09:00:00.000Z",
            "archived": False,
            "teams": [{"id": team_id, "name": team, "primary": True}],
        }
        for owner_id, team, team_id in ((SDR, "SDR", "8001"), (AE, "AE", "8002"))
    ]
    _write(hubspot / "owners" / "page-00001.json", {"results": owners})
    if engagements:
        for kind, pages in ENGAGEMENT_PAGES.items():
            _pages(hubspot / kind, kind, pages)
        _pages(hubspot / "calls_archived", "calls", [[ARCHIVED_CALL]])
        for kind, links in LINKS.items():
            association = {"category": "HUBSPOT_DEFINED", "typeId": CONTACT_TYPE_IDS[kind], "label": None}
            results = [
                {"from": {"id": from_id}, "to": [{"toObjectId": int(c), "associationTypes": [association]} for c in to]}
                for from_id, to in links.items()
            ]
            _write(
                hubspot / "associations" / f"{kind}_to_contacts" / "batch-00001.json",
                {"status": "COMPLETE", "results": results},
            )
    return root


def load_files(data: Path, warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse))
    try:
        return {r.table: r.rows for r in hubspot_files.load(con, data)}
    finally:
        con.close()


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sync(server: HubSpotServer, tmp_path: Path, name: str = "api", **options):
    options = {"retry": FAST, **options}
    warehouse, state = tmp_path / name / "funnel.duckdb", tmp_path / name / "state"
    return sync_hubspot(warehouse, base_url=server.url, token=server.token, state_dir=state, **options)


@pytest.fixture
def portal(tmp_path) -> Path:
    return write_portal(tmp_path / "data")


# --- files -------------------------------------------------------------------------------------


def test_the_pages_carry_exactly_the_properties_the_connector_asks_for():
    for kind, pages in ENGAGEMENT_PAGES.items():
        for obj in [o for page in pages for o in page]:
            assert set(obj["properties"]) == set(ENGAGEMENTS[kind].properties), (kind, obj["id"])
            assert all(v is None or isinstance(v, str) for v in obj["properties"].values())


def test_files_load_the_five_engagement_tables_and_their_contact_associations(portal, tmp_path):
    loaded = load_files(portal, tmp_path / "files.duckdb")
    warehouse = tmp_path / "files.duckdb"

    assert {table: loaded[table] for table in TABLES} == {
        "hubspot_calls": 4,
        "hubspot_emails": 3,
        "hubspot_meetings": 2,
        "hubspot_notes": 1,
        "hubspot_tasks": 2,
    }
    assert rows(warehouse, "select count(*) from raw.quarantine") == [(0,)]
    calls = rows(
        warehouse,
        """
        select id, properties->>'hs_call_disposition', properties->>'hs_call_duration', is_archived,
            archived_at, updated_at, properties_with_history::varchar
        from raw.hubspot_calls order by id
        """,
    )
    assert [(c[0], c[1], c[2], c[3]) for c in calls] == [
        ("40001", CONNECTED, "184000", False),
        ("40002", NO_ANSWER, "0", False),
        ("40003", CONNECTED, "95000", False),
        ("40004", BUSY, "0", True),
    ]
    assert calls[3][4] == datetime(2025, 3, 20, 9, tzinfo=UTC)
    assert calls[0][5] == datetime(2025, 3, 3, 18, tzinfo=UTC)
    assert {c[6] for c in calls} == {"{}"}  # read without history, as the API connector reads them
    # A null property stays a JSON null: staging reads it as SQL null.
    assert rows(
        warehouse,
        "select id, properties->>'hs_email_status', properties->>'hs_sequence_id' from raw.hubspot_emails order by id",
    ) == [("41001", "SENT", "4801"), ("41002", None, None), ("41003", "SENT", None)]

    links = rows(
        warehouse,
        """
        select association, from_id, json_extract_string(t.value, '$.toObjectId'),
            json_extract(t.value, '$.associationTypes[0].typeId')::int
        from raw.hubspot_associations, json_each(to_objects) t
        order by all
        """,
    )
    expected = sorted(
        (f"{kind}_to_contacts", from_id, contact, CONTACT_TYPE_IDS[kind])
        for kind, by_id in LINKS.items()
        for from_id, contacts in by_id.items()
        for contact in contacts
    )
    assert links == expected


def test_an_export_without_engagements_loads_them_as_empty_tables_with_every_column(tmp_path):
    data = write_portal(tmp_path / "data", engagements=False)
    loaded = load_files(data, tmp_path / "files.duckdb")

    assert {table: loaded[table] for table in TABLES} == dict.fromkeys(TABLES, 0)
    assert loaded["hubspot_contacts"] == 2
    columns = rows(
        tmp_path / "files.duckdb",
        """
        select table_name, list(column_name || ' ' || data_type order by ordinal_position)
        from information_schema.columns where table_schema = 'raw' and table_name like 'hubspot_%'
        group by table_name
        """,
    )
    by_table = dict(columns)
    for table in TABLES:  # what dbt staging selects from: the same columns as the CRM objects'
        assert by_table[table] == by_table["hubspot_contacts"], table
    assert rows(tmp_path / "files.duckdb", "select count(*) from raw.quarantine") == [(0,)]


# --- the live API --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [
        Faults(association_page=1),  # an engagement's second contact comes on its own page
        Faults(typed_values=True),  # numbers and epoch-millisecond dates instead of HubSpot's text
    ],
    ids=["strings", "typed"],
)
def test_the_api_lands_the_same_engagement_rows_as_the_files(portal, tmp_path, faults):
    with HubSpotServer(Company(portal), TOKEN, faults) as server:
        result = sync(server, tmp_path)

    loaded = load_files(portal, tmp_path / "files.duckdb")
    assert result.objects == loaded
    api, files = raw_snapshot(tmp_path / "api" / "funnel.duckdb"), raw_snapshot(tmp_path / "files.duckdb")
    for table in [*TABLES, "hubspot_associations"]:
        assert api[table] == files[table], table
    assert api == files


def test_a_second_sync_brings_only_the_call_modified_since(portal, tmp_path):
    with HubSpotServer(Company(portal), TOKEN) as server:
        company = server.company
        first = sync(server, tmp_path)
        company.touch("calls", ["40002"], {"hs_call_disposition": CONNECTED, "hs_call_status": "COMPLETED"})
        server.reset_log()
        before = datetime.now(UTC)
        # No lookback: the default ten minutes would read the latest call of the first sync again.
        second = sync(server, tmp_path, lookback=timedelta(0))
        warehouse = tmp_path / "api" / "funnel.duckdb"

        assert first.windows >= len(KINDS) and second.windows == 1
        fresh = rows(warehouse, f"select id, is_archived from raw.hubspot_calls where _loaded_at >= '{before}'")
        # The modified call, and the archived one the full archived listing reads on every sync.
        assert sorted(fresh) == [("40002", False), ("40004", True)]
        read = [e.path for e in server.log if e.path.startswith("/crm/v3/objects/") and e.path.endswith("/batch/read")]
        assert read == ["/crm/v3/objects/calls/batch/read"]
        searched = Counter(entry.path.split("/")[-2] for entry in server.log if entry.path.endswith("/search"))
        # Per type: one probe finds nothing changed; for calls, a second probe and the window.
        assert searched == {**dict.fromkeys(["contacts", "companies", "deals", *KINDS], 1), "calls": 3}
        assert_matches(warehouse, company, kinds=KINDS)
        assert second.objects == first.objects


def test_engagements_sync_through_rate_limits_and_server_errors(portal, tmp_path):
    faults = Faults(rate_limit_every=4, server_error_every=7)
    with HubSpotServer(Company(portal), TOKEN, faults) as server:
        company = server.company
        result = sync(server, tmp_path)
        assert result.retries > 0 and result.requests == server.requests
        assert {entry.status for entry in server.log} >= {429, 502}

        company.touch("meetings", ["42002"], {"hs_meeting_outcome": "RESCHEDULED"})
        company.archive("tasks", ["44001"])
        company.restore("calls", ["40004"])
        again = sync(server, tmp_path)

        assert again.retries > 0
        warehouse = tmp_path / "api" / "funnel.duckdb"
        assert_matches(warehouse, company, kinds=KINDS)
    assert again.objects["hubspot_tasks"] == 2 and again.objects["hubspot_calls"] == 4
    # Associations are read for live objects: the archived task's link is gone.
    tasks = "select from_id from raw.hubspot_associations where association = 'tasks_to_contacts'"
    assert rows(warehouse, tasks) == [("44002",)]
