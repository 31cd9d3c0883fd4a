"""What the connector asks HubSpot for, and how an API object becomes a raw record.

The raw tables are the file loader's (`funnel.sources.hubspot`), so an object from the
API must look like one from an export page: every property the export has, history for the
properties the funnel reads, and property values as strings. HubSpot's API sends strings, but
some loaders and proxies hand over typed values (numbers, booleans, dates as epoch
milliseconds); they are turned back into HubSpot's text so that dbt's `json_extract_string`
reads the same thing whichever way the value came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from funnel.sources.hubspot_api.windows import iso


@dataclass(frozen=True)
class CrmObject:
    name: str
    modified_property: str
    """The last-modified property search filters and sorts on."""
    properties: tuple[str, ...]
    history: tuple[str, ...] = ()


# HubSpot's own date properties of its default lifecycle stages (extracted as-is; which stage
# counts for what is the contract's business, not the connector's).
_LIFECYCLE_DATES = (
    "hs_lifecyclestage_lead_date",
    "hs_lifecyclestage_marketingqualifiedlead_date",
    "hs_lifecyclestage_salesqualifiedlead_date",
    "hs_lifecyclestage_opportunity_date",
    "hs_lifecyclestage_customer_date",
)

# The properties of the export pages (docs/design.md, "HubSpot objects"); a test checks them
# against a generated company so that the two paths cannot drift apart.
CRM_OBJECTS: dict[str, CrmObject] = {
    "contacts": CrmObject(
        name="contacts",
        modified_property="lastmodifieddate",
        properties=(
            "hs_object_id",
            "email",
            "firstname",
            "lastname",
            "company",
            "jobtitle",
            "createdate",
            "lastmodifieddate",
            "lifecyclestage",
            "hs_lead_status",
            "hubspot_owner_id",
            "hs_analytics_source",
            "hs_analytics_source_data_1",
            "hs_analytics_source_data_2",
            "hs_merged_object_ids",
            "hs_object_source",
            "hubspotscore",
            *_LIFECYCLE_DATES,
        ),
        history=("lifecyclestage", "hs_lead_status", "hubspotscore", "hs_lifecyclestage_marketingqualifiedlead_date"),
    ),
    "companies": CrmObject(
        name="companies",
        modified_property="hs_lastmodifieddate",
        properties=(
            "hs_object_id",
            "name",
            "domain",
            "industry",
            "numberofemployees",
            "country",
            "createdate",
            "hs_lastmodifieddate",
        ),
    ),
    "deals": CrmObject(
        name="deals",
        modified_property="hs_lastmodifieddate",
        properties=(
            "hs_object_id",
            "dealname",
            "pipeline",
            "dealstage",
            "amount",
            "deal_currency_code",
            "createdate",
            "closedate",
            "hubspot_owner_id",
            "dealtype",
            "deal_source",
            "hs_lastmodifieddate",
        ),
        history=("dealstage",),
    ),
}

# Engagements: the activities reps log. Every type carries these; hs_timestamp is when the
# activity happened (a task's due date), hs_lastmodifieddate what search windows on.
_ENGAGEMENT_COMMON = ("hs_object_id", "hs_timestamp", "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate")


def _engagement(name: str, *properties: str) -> CrmObject:
    return CrmObject(name=name, modified_property="hs_lastmodifieddate", properties=(*_ENGAGEMENT_COMMON, *properties))


ENGAGEMENTS: dict[str, CrmObject] = {
    "calls": _engagement(
        "calls", "hs_call_direction", "hs_call_disposition", "hs_call_status", "hs_call_duration", "hs_call_title"
    ),
    "emails": _engagement("emails", "hs_email_direction", "hs_email_status", "hs_email_subject", "hs_sequence_id"),
    "meetings": _engagement(
        "meetings", "hs_meeting_start_time", "hs_meeting_end_time", "hs_meeting_outcome", "hs_meeting_title"
    ),
    "notes": _engagement("notes", "hs_note_body"),
    "tasks": _engagement("tasks", "hs_task_status", "hs_task_type", "hs_task_subject"),
}
"""The properties of the engagement export pages, like CRM_OBJECTS'; no history: the funnel
reads an activity's current state only."""

DATE_PROPERTIES = frozenset(
    {
        "createdate",
        "lastmodifieddate",
        "hs_lastmodifieddate",
        "closedate",
        *_LIFECYCLE_DATES,
        "hs_createdate",
        "hs_timestamp",
        "hs_meeting_start_time",
        "hs_meeting_end_time",
    }
)
"""Datetime properties: a number there is epoch milliseconds, and becomes HubSpot's ISO text."""

DEAL_STAGE_DATE_PREFIX = "hs_v2_date_entered_"
"""HubSpot's per-stage date on a deal (`hs_v2_date_entered_<stage id>`): a stage's latest entry,
what dates deal stages when dealstage history is missing."""


def is_date_property(name: str) -> bool:
    return name in DATE_PROPERTIES or name.startswith((DEAL_STAGE_DATE_PREFIX, "hs_date_entered_"))


def with_deal_stage_dates(crm: CrmObject, pipelines: list[dict]) -> CrmObject:
    """Deals asked for with the stage-date property of every stage of every pipeline (the portal
    decides which exist: HubSpot names them after its stage ids)."""
    stages = sorted({str(stage["id"]) for pipeline in pipelines for stage in pipeline.get("stages") or []})
    return CrmObject(
        crm.name,
        crm.modified_property,
        crm.properties + tuple(f"{DEAL_STAGE_DATE_PREFIX}{stage}" for stage in stages),
        crm.history,
    )


def property_text(name: str, value: Any) -> str | None:
    """A property value as HubSpot's API writes it: a string, or null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, (int, float)) and is_date_property(name):
        return iso(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value)


def _instant_text(value: Any) -> Any:
    return iso(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _history_entry(name: str, entry: dict) -> dict:
    value, timestamp = property_text(name, entry.get("value")), _instant_text(entry.get("timestamp"))
    return {**entry, "value": value, "timestamp": timestamp}


def raw_record(obj: dict) -> dict:
    """The API object with text property values; `propertiesWithHistory` is `{}` when none was asked.

    Exports carry `{}` for objects without history (companies), and the search and batch
    endpoints leave the key out instead: the raw tables get the export's shape either way.
    """
    properties = {name: property_text(name, value) for name, value in (obj.get("properties") or {}).items()}
    history = {
        name: [_history_entry(name, entry) for entry in entries or []]
        for name, entries in (obj.get("propertiesWithHistory") or {}).items()
    }
    record = {**obj, "properties": properties, "propertiesWithHistory": history}
    for field in ("createdAt", "updatedAt", "archivedAt"):
        if field in record:
            record[field] = _instant_text(record[field])
    return record


ROW_COLUMNS = {
    "rec": {"data_type": "text"},
    "_source_file": {"data_type": "text"},
    "_loaded_at": {"data_type": "timestamp"},
}
"""dlt column hints every row shares: the object, where it came from, when it was read.

`rec` is the object's JSON text, not a dlt `json` column: dlt loads DuckDB fastest from JSON
lines, and DuckDB's JSON reader turns ISO strings nested in a `json` column into timestamps
(`2025-06-03 14:22:05.12+00`), which is no longer HubSpot's text. A string column keeps the text
byte for byte; the raw tables cast it to JSON.
"""


def record_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def now() -> datetime:
    return datetime.now(UTC)
