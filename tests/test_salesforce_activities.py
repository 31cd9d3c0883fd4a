"""Salesforce Tasks and Events: the files loader, the tables Fivetran lands, and what staging
reads from either in the contract's vocabulary (calls, emails, tasks, meetings).

The org is written below by hand in Salesforce's documented shapes, not by the generator: pages
of a REST query (`GET /services/data/vXX.X/query`, `{"totalSize", "done", "nextRecordsUrl",
"records"}`, each record with its `attributes`), fields named as the Object Reference names them
(TaskSubtype, CallType, CallDisposition, CompletedDateTime, StartDateTime, IsDeleted, ...).
Fivetran's column names are those of fivetran/dbt_salesforce_source's get_task_columns and
get_event_columns.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from funnel import compiled
from funnel.config import DBT_PROJECT_DIR, PROJECT_ROOT
from funnel.contract.load import load_contract
from funnel.sources import salesforce
from funnel.transform import dbt_executable
from sample_company.exports.fivetran import write_fivetran_salesforce
from tests.conftest import make_project

API = "/services/data/v61.0"
LEAD, CONTACT = "00Q5e00000AbCd1EAA", "0035e00000XyZ12EAA"
SDR, AE = "0055e000003SdR1AAC", "0055e000003Ae01AAC"
OPPORTUNITY = "0065e00000Op001EAA"


def _record(sobject: str, record_id: str, **fields) -> dict:
    return {"attributes": {"type": sobject, "url": f"{API}/sobjects/{sobject}/{record_id}"}, "Id": record_id, **fields}


def _task(record_id: str, who: str | None, owner: str, subtype: str, status: str, day: str, **fields) -> dict:
    """A Task as the REST API returns it, created at 15:00 UTC on `day`; a closed one completed then."""
    created = f"{day}T15:00:00.000+0000"
    closed = status == "Completed"
    base = {
        "WhoId": who,
        "WhatId": None,
        "OwnerId": owner,
        "Subject": "Call",
        "Status": status,
        "Priority": "Normal",
        "IsClosed": closed,
        "TaskSubtype": subtype,
        "Type": None,
        "ActivityDate": day,
        "CompletedDateTime": created if closed else None,
        "CallType": None,
        "CallDisposition": None,
        "CallDurationInSeconds": None,
        "IsDeleted": False,
        "CreatedDate": created,
        "LastModifiedDate": created,
        "SystemModstamp": created,
    }
    return _record("Task", record_id, **(base | fields))


def _call(record_id: str, who: str | None, call_type: str, disposition: str | None, day: str, **fields) -> dict:
    call = {"Type": "Call", "CallType": call_type, "CallDisposition": disposition, "CallDurationInSeconds": 0}
    return _task(record_id, who, SDR, "Call", "Completed", day, **(call | fields))


def _event(record_id: str, who: str, start: str, end: str, *, deleted: bool = False) -> dict:
    created = "2025-03-01T12:00:00.000+0000"
    return _record(
        "Event",
        record_id,
        WhoId=who,
        WhatId=None,
        OwnerId=AE,
        Subject="Discovery call",
        Type="Meeting",
        EventSubtype="Event",
        StartDateTime=start,
        EndDateTime=end,
        ActivityDateTime=start,
        ActivityDate=start[:10],
        DurationInMinutes=30,
        IsAllDayEvent=False,
        ShowAs="Busy",
        IsDeleted=deleted,
        CreatedDate=created,
        LastModifiedDate=created,
        SystemModstamp=created,
    )


TASK_PAGES = [
    [
        _call("00T5e00000Tk001EAA", LEAD, "Outbound", "Left Voicemail", "2025-03-03"),
        _call("00T5e00000Tk002EAA", CONTACT, "Inbound", "connected", "2025-03-04", CallDurationInSeconds=184),
        _call("00T5e00000Tk003EAA", LEAD, "Outbound", "Meeting Booked", "2025-03-05"),  # the org's own label
        _task("00T5e00000Tk004EAA", CONTACT, AE, "Email", "Completed", "2025-03-05", Subject="Email: Next steps"),
    ],
    [
        _task("00T5e00000Tk005EAA", LEAD, SDR, "ListEmail", "Completed", "2025-03-06", Subject="Spring webinar"),
        _task("00T5e00000Tk006EAA", CONTACT, AE, "Task", "Waiting on someone else", "2025-03-10", Type="Other"),
        _call("00T5e00000Tk007EAA", LEAD, "Internal", "Connected", "2025-03-07", IsDeleted=True),
        _call("00T5e00000Tk008EAA", None, "Outbound", None, "2025-03-08", WhatId=OPPORTUNITY),  # on the deal only
    ],
]
EVENTS = [
    _event("00U5e00000Ev001EAA", CONTACT, "2025-03-12T14:00:00.000+0000", "2025-03-12T14:30:00.000+0000"),
    _event("00U5e00000Ev002EAA", CONTACT, "2025-04-20T15:00:00.000+0000", "2025-04-20T15:45:00.000+0000"),
    _event("00U5e00000Ev003EAA", LEAD, "2025-03-14T16:00:00.000+0000", "2025-03-14T16:30:00.000+0000", deleted=True),
]
AS_OF = "2025-04-01T04:00:00Z"

# base_salesforce__activities at AS_OF: id, type, occurred_at, owner, direction, outcome, automated,
# archived, who. A Task without CompletedDateTime happened on its ActivityDate, from the day's
# start in the reporting timezone (America/New_York: 04:00 UTC in March after the DST change).
EXPECTED = {
    ("00T5e00000Tk001EAA", "call", "2025-03-03T15:00:00Z", SDR, "outbound", "left_voicemail", False, False, LEAD),
    ("00T5e00000Tk002EAA", "call", "2025-03-04T15:00:00Z", SDR, "inbound", "connected", False, False, CONTACT),
    ("00T5e00000Tk003EAA", "call", "2025-03-05T15:00:00Z", SDR, "outbound", "other", False, False, LEAD),
    ("00T5e00000Tk004EAA", "email", "2025-03-05T15:00:00Z", AE, "outbound", "sent", False, False, CONTACT),
    ("00T5e00000Tk005EAA", "email", "2025-03-06T15:00:00Z", SDR, "outbound", "sent", True, False, LEAD),
    ("00T5e00000Tk006EAA", "task", "2025-03-10T04:00:00Z", AE, None, "waiting", False, False, CONTACT),
    ("00T5e00000Tk007EAA", "call", "2025-03-07T15:00:00Z", SDR, None, "connected", False, True, LEAD),
    ("00T5e00000Tk008EAA", "call", "2025-03-08T15:00:00Z", SDR, "outbound", None, False, False, None),
    ("00U5e00000Ev001EAA", "meeting", "2025-03-12T14:00:00Z", AE, None, "completed", False, False, CONTACT),
    ("00U5e00000Ev002EAA", "meeting", "2025-04-20T15:00:00Z", AE, None, "scheduled", False, False, CONTACT),
    ("00U5e00000Ev003EAA", "meeting", "2025-03-14T16:00:00Z", AE, None, "completed", False, True, LEAD),
}

# fivetran/dbt_salesforce_source macros get_task_columns / get_event_columns, and the
# system_modstamp column the source's yml lists: every column the funnel may read.
FIVETRAN_TASK_COLUMNS = {
    "_fivetran_synced", "_fivetran_active", "account_id", "activity_date", "call_disposition",
    "call_duration_in_seconds", "call_object", "call_type", "completed_date_time", "created_by_id",
    "created_date", "description", "id", "is_archived", "is_closed", "is_deleted", "is_high_priority",
    "last_modified_by_id", "last_modified_date", "owner_id", "priority", "record_type_id", "status",
    "subject", "task_subtype", "type", "what_count", "what_id", "who_count", "who_id", "system_modstamp",
}  # fmt: skip
FIVETRAN_EVENT_COLUMNS = {
    "_fivetran_synced", "_fivetran_active", "account_id", "activity_date", "activity_date_time",
    "created_by_id", "created_date", "description", "end_date", "end_date_time", "event_subtype",
    "group_event_type", "id", "is_archived", "is_child", "is_deleted", "is_group_event", "is_recurrence",
    "last_modified_by_id", "last_modified_date", "location", "owner_id", "start_date_time", "subject",
    "type", "what_count", "what_id", "who_count", "who_id", "system_modstamp",
}  # fmt: skip


def _page(sobject: str, records: list[dict], total: int, done: bool, after: int) -> dict:
    page = {"totalSize": total, "done": done, "records": records}
    if not done:
        page["nextRecordsUrl"] = f"{API}/query/01g5e00000Qy7ZxAAI-{after}"
    return page


def write_org(root: Path, *, misfiled: bool = False) -> Path:
    """salesforce/Task/page-0000N.json and salesforce/Event/page-00001.json; with `misfiled`, an
    Event record lands in the Task folder too."""
    tasks = [list(page) for page in TASK_PAGES]
    if misfiled:
        tasks[-1].append(
            _event("00U5e00000Ev009EAA", LEAD, "2025-03-20T14:00:00.000+0000", "2025-03-20T14:30:00.000+0000")
        )
    total = sum(len(page) for page in tasks)
    seen = 0
    for number, records in enumerate(tasks, start=1):
        seen += len(records)
        _write(
            root / "salesforce" / "Task" / f"page-{number:05d}.json",
            _page("Task", records, total, number == len(tasks), seen),
        )
    _write(root / "salesforce" / "Event" / "page-00001.json", _page("Event", EVENTS, len(EVENTS), True, 0))
    return root


def _write(path: Path, body: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _load(data: Path, warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse))
    try:
        return {result.table: result.rows for result in salesforce.load(con, data)}
    finally:
        con.close()


# --- files ---------------------------------------------------------------------------------------


def test_files_load_tasks_and_events_and_quarantine_a_misfiled_record(tmp_path):
    loaded = _load(write_org(tmp_path / "data", misfiled=True), tmp_path / "files.duckdb")

    assert loaded["salesforce_task"] == 8 and loaded["salesforce_event"] == 3
    assert loaded["salesforce_lead"] == 0, "an object the export lacks loads as an empty table"
    warehouse = tmp_path / "files.duckdb"
    ids = _rows(warehouse, "select id from raw.salesforce_task order by id")
    assert [i for (i,) in ids] == sorted(r["Id"] for page in TASK_PAGES for r in page)
    # The record stays Salesforce's JSON (booleans, numbers and nulls as such); staging names fields.
    record, created = _rows(
        warehouse, "select record, created_at from raw.salesforce_task where id = '00T5e00000Tk002EAA'"
    )[0]
    record = json.loads(record)
    assert record["CallDurationInSeconds"] == 184 and record["IsClosed"] is True and record["Type"] == "Call"
    assert created.isoformat().startswith("2025-03-04T15:00:00")
    assert _rows(warehouse, "select source, record_id, reason from raw.quarantine") == [
        ("salesforce.Task", "00U5e00000Ev009EAA", "record is not a Task (attributes.type): file in the wrong folder?")
    ]


def test_an_export_without_tasks_and_events_loads_empty_tables_with_every_column(tmp_path):
    data = tmp_path / "data"
    _write(data / "salesforce" / "Lead" / "page-00001.json", _page("Lead", [], 0, True, 0))
    loaded = _load(data, tmp_path / "files.duckdb")

    assert loaded["salesforce_task"] == 0 and loaded["salesforce_event"] == 0
    columns = dict(
        _rows(
            tmp_path / "files.duckdb",
            """
            select table_name, list(column_name || ' ' || data_type order by ordinal_position)
            from information_schema.columns where table_schema = 'raw' and table_name like 'salesforce_%'
            group by table_name
            """,
        )
    )
    assert columns["salesforce_task"] == columns["salesforce_event"] == columns["salesforce_lead"]


# --- Fivetran ------------------------------------------------------------------------------------


def _columns(warehouse: Path, table: str) -> dict[str, str]:
    return dict(
        _rows(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'salesforce' and table_name = '{table}'",
        )
    )


@pytest.mark.parametrize("mode", ["soft_delete", "history"])
def test_fivetran_lands_task_and_event_with_its_column_names(tmp_path, mode):
    warehouse = tmp_path / "landed.duckdb"
    counts = write_fivetran_salesforce(write_org(tmp_path / "data"), warehouse, mode=mode)

    assert counts["salesforce.task"] == 8 and counts["salesforce.event"] == 3
    system = (
        {"_fivetran_synced"}
        if mode == "soft_delete"
        else {"_fivetran_start", "_fivetran_end", "_fivetran_active", "_fivetran_synced"}
    )
    task, event = _columns(warehouse, "task"), _columns(warehouse, "event")
    # Salesforce deletions are Salesforce's own is_deleted: no _fivetran_deleted on these objects.
    assert "_fivetran_deleted" not in task and "_fivetran_deleted" not in event
    assert set(task) - system <= FIVETRAN_TASK_COLUMNS, set(task) - system - FIVETRAN_TASK_COLUMNS
    # Fivetran syncs every field: those the package's macro leaves out land by the same naming rule.
    assert {"show_as", "duration_in_minutes", "is_all_day_event"} | FIVETRAN_EVENT_COLUMNS >= set(event) - system
    assert task["activity_date"] == "DATE" and task["call_duration_in_seconds"] == "INTEGER"
    assert task["completed_date_time"] == event["start_date_time"] == "TIMESTAMP WITH TIME ZONE"
    deleted = _rows(
        warehouse,
        "select id from salesforce.task where is_deleted union all select id from salesforce.event where is_deleted",
    )
    assert sorted(i for (i,) in deleted) == ["00T5e00000Tk007EAA", "00U5e00000Ev003EAA"]


def test_the_dbt_sources_declare_fivetrans_column_names_for_task_and_event():
    spec = yaml.safe_load((DBT_PROJECT_DIR / "models/staging/salesforce/_salesforce__sources.yml").read_text())
    landed = {t["name"]: t for s in spec["sources"] if s["name"] == "salesforce_fivetran" for t in s["tables"]}
    for table, published in (("task", FIVETRAN_TASK_COLUMNS), ("event", FIVETRAN_EVENT_COLUMNS)):
        declared = {c["name"] for c in landed[table]["columns"]}
        assert declared <= published, declared - published
        assert landed[table]["meta"] == {"key": ["id"], "optional": True}
        required = {c["name"] for c in landed[table]["columns"] if c.get("meta", {}).get("required")}
        assert required == {"id", "created_date"}


# --- staging, with dbt ---------------------------------------------------------------------------


def _staged(tmp_path: Path, mode: str) -> set[tuple]:
    data = write_org(tmp_path / "data")
    sources = (PROJECT_ROOT / "sources.yml").read_text().replace("  from: off", f"  from: {mode}")
    project = make_project(tmp_path / mode, data, sources_text=sources)
    compiled.write(load_contract(project.settings.contract), project.settings)
    project.settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    if mode == "files":
        _load(data, project.settings.warehouse)
    else:
        write_fivetran_salesforce(data, project.settings.warehouse)
    dbt_dir = project.settings.dbt_project_dir
    result = subprocess.run(
        [
            dbt_executable(),
            "run",
            *("--select", "base_salesforce__activities", "--vars", json.dumps({"as_of": AS_OF})),
            *("--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)),
        ],
        cwd=dbt_dir,
        env={**project.env(), "FUNNEL_DBT_THREADS": "1", "FUNNEL_DUCKDB_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return set(
        _rows(
            project.settings.warehouse,
            "select engagement_id, engagement_type, strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ'), owner_id, "
            "direction, outcome, is_automated, is_archived, who_id from staging.base_salesforce__activities",
        )
    )


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["files", "fivetran"])
def test_staging_reads_tasks_and_events_in_the_contracts_words(tmp_path, mode):
    assert _staged(tmp_path, mode) == EXPECTED
