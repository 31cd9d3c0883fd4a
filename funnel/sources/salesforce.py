"""Salesforce: REST API query pages (`{"records": [...], "done", "nextRecordsUrl"}`), one folder
per object under `salesforce/<Object>/`. Each record stays JSON in raw; staging names the fields.
An object the export lacks (Task and Event in an org whose reps log nothing) loads as an empty
table.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from funnel.sources.loader import JsonPages, LoadResult, load_all

OBJECTS = {
    "Lead": "salesforce_lead",
    "LeadHistory": "salesforce_lead_history",
    "Contact": "salesforce_contact",
    "Account": "salesforce_account",
    "Opportunity": "salesforce_opportunity",
    "OpportunityHistory": "salesforce_opportunity_history",
    "OpportunityContactRole": "salesforce_opportunity_contact_role",
    "User": "salesforce_user",
    "OpportunityStage": "salesforce_opportunity_stage",
    "Task": "salesforce_task",
    "Event": "salesforce_event",
}

TABLES: dict[str, JsonPages] = {
    table: JsonPages(
        source=f"salesforce.{sobject}",
        table=table,
        folder=f"salesforce/{sobject}",
        pattern="*.json",
        records_path="$.records[*]",
        columns={
            "id": "rec->>'Id'",
            "record": "rec",
            "created_at": "try_cast(rec->>'CreatedDate' as timestamptz)",
        },
        id_expr="rec->>'Id'",
        invalid_when=(
            ("rec->>'Id' is null", "record has no Id: not a Salesforce query result"),
            (
                f"rec->'attributes'->>'type' is distinct from '{sobject}'",
                f"record is not a {sobject} (attributes.type): file in the wrong folder?",
            ),
        ),
    )
    for sobject, table in OBJECTS.items()
}


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return load_all(con, data_dir, TABLES.values())
