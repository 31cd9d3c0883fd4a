"""HubSpot: CRM objects, engagements, owners, pipelines, forms, submissions and associations.

The files are pages of HubSpot's own API responses (see docs/design.md), so the same record
shapes serve the exports and the live API. Each folder is a full snapshot: a load replaces the
table. Property values stay JSON in raw; staging extracts the ones the funnel uses.

Every table exists after a load, empty when its folder is missing: a portal exported without
engagements (calls, emails, …) or without forms still gives dbt staging every column it reads.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from funnel.sources.loader import JsonPages, LoadResult, load_all

SOURCE = "hubspot"

_ID = "rec->>'id'"
_NO_ID = (f"{_ID} is null", "record has no id: the export is not a HubSpot object list")
_NOT_TS = "try_cast(rec->>'{field}' as timestamptz) is null"

_CRM_OBJECT_COLUMNS = {
    "id": _ID,
    "properties": "rec->'properties'",
    "properties_with_history": "rec->'propertiesWithHistory'",
    "created_at": "try_cast(rec->>'createdAt' as timestamptz)",
    "updated_at": "try_cast(rec->>'updatedAt' as timestamptz)",
    "is_archived": "coalesce(try_cast(rec->>'archived' as boolean), false)",
    "archived_at": "try_cast(rec->>'archivedAt' as timestamptz)",
}
# Engagements are read without history: HubSpot's listings then leave `propertiesWithHistory`
# out, the connector's records carry `{}`. Raw holds `{}` whichever way they came.
_ENGAGEMENT_COLUMNS = {
    **_CRM_OBJECT_COLUMNS,
    "properties_with_history": "coalesce(rec->'propertiesWithHistory', '{}'::json)",
}
_CRM_OBJECT_RULES = (
    _NO_ID,
    (
        "json_type(rec->'properties') is distinct from 'OBJECT'",
        "field 'properties' is missing or not an object",
    ),
    (_NOT_TS.format(field="createdAt"), "field 'createdAt' is missing or not an ISO-8601 timestamp"),
    (_NOT_TS.format(field="updatedAt"), "field 'updatedAt' is missing or not an ISO-8601 timestamp"),
)


def _crm_objects(name: str, columns: dict[str, str] = _CRM_OBJECT_COLUMNS) -> JsonPages:
    # Exactly `contacts/` (active) and `contacts_archived/` (archived=true): an export tool's other
    # streams beside them (`contacts_list_memberships/`, …) are not contacts.
    return JsonPages(
        source=f"{SOURCE}.{name}",
        table=f"hubspot_{name}",
        folder="hubspot",
        pattern=(f"{name}/*.json", f"{name}_archived/*.json"),
        columns=columns,
        id_expr=_ID,
        invalid_when=_CRM_OBJECT_RULES,
    )


TABLES: dict[str, JsonPages] = {
    "hubspot_contacts": _crm_objects("contacts"),
    "hubspot_companies": _crm_objects("companies"),
    "hubspot_deals": _crm_objects("deals"),
    # Engagements (GET /crm/v3/objects/<type>): the activities reps log. Optional like every
    # table here; their contact links are `<type>_to_contacts` in hubspot_associations.
    "hubspot_calls": _crm_objects("calls", _ENGAGEMENT_COLUMNS),
    "hubspot_emails": _crm_objects("emails", _ENGAGEMENT_COLUMNS),
    "hubspot_meetings": _crm_objects("meetings", _ENGAGEMENT_COLUMNS),
    "hubspot_notes": _crm_objects("notes", _ENGAGEMENT_COLUMNS),
    "hubspot_tasks": _crm_objects("tasks", _ENGAGEMENT_COLUMNS),
    "hubspot_owners": JsonPages(
        source=f"{SOURCE}.owners",
        table="hubspot_owners",
        folder="hubspot/owners",
        pattern="*.json",
        columns={
            "id": _ID,
            "email": "rec->>'email'",
            "first_name": "rec->>'firstName'",
            "last_name": "rec->>'lastName'",
            "user_id": "rec->>'userId'",
            "teams": "rec->'teams'",
            "is_archived": "coalesce(try_cast(rec->>'archived' as boolean), false)",
            "created_at": "try_cast(rec->>'createdAt' as timestamptz)",
            "updated_at": "try_cast(rec->>'updatedAt' as timestamptz)",
        },
        id_expr=_ID,
        invalid_when=(_NO_ID,),
    ),
    "hubspot_deal_pipelines": JsonPages(
        source=f"{SOURCE}.pipelines",
        table="hubspot_deal_pipelines",
        folder="hubspot/pipelines",
        pattern="deals.json",
        columns={
            "id": _ID,
            "label": "rec->>'label'",
            "display_order": "try_cast(rec->>'displayOrder' as integer)",
            "stages": "rec->'stages'",
            "is_archived": "coalesce(try_cast(rec->>'archived' as boolean), false)",
        },
        id_expr=f"coalesce({_ID}, rec->>'pipelineId')",
        invalid_when=(
            # HubSpot's legacy pipelines API is a different shape: say so, not just "no id".
            (
                "rec->>'id' is null and rec->>'pipelineId' is not null",
                "legacy pipeline shape (pipelineId, stages[].stageId: /deals/v1/pipelines): export "
                "GET /crm/v3/pipelines/deals, whose pipelines and stages have `id` and "
                "metadata.isClosed/probability",
            ),
            _NO_ID,
            ("json_type(rec->'stages') is distinct from 'ARRAY'", "field 'stages' is missing or not a list"),
            (
                "json_array_length(rec->'stages') > 0 and json_extract_string(rec, '$.stages[0].id') is null",
                "stages without `id` (a legacy stageId?): export GET /crm/v3/pipelines/deals",
            ),
        ),
    ),
    "hubspot_forms": JsonPages(
        source=f"{SOURCE}.forms",
        table="hubspot_forms",
        folder="hubspot/forms",
        pattern="*.json",
        columns={
            "id": _ID,
            "name": "rec->>'name'",
            "form_type": "rec->>'formType'",
            "is_archived": "coalesce(try_cast(rec->>'archived' as boolean), false)",
        },
        id_expr=_ID,
        invalid_when=(_NO_ID,),
    ),
    "hubspot_form_submissions": JsonPages(
        source=f"{SOURCE}.form_submissions",
        table="hubspot_form_submissions",
        folder="hubspot/form_submissions",
        pattern="*/*.json",
        columns={
            "form_id": "regexp_extract(filename, 'form_submissions/([^/]+)/', 1)",
            "conversion_id": "rec->>'conversionId'",
            # The Forms API gives epoch milliseconds; epoch_ms keeps them exact.
            "submitted_at": "timezone('UTC', epoch_ms(try_cast(rec->>'submittedAt' as bigint)))",
            "page_url": "rec->>'pageUrl'",
            "form_values": "rec->'values'",
        },
        id_expr="rec->>'conversionId'",
        invalid_when=(
            ("rec->>'conversionId' is null", "submission has no conversionId"),
            (
                "try_cast(rec->>'submittedAt' as bigint) is null",
                "field 'submittedAt' is missing or not epoch milliseconds",
            ),
            ("json_type(rec->'values') is distinct from 'ARRAY'", "field 'values' is missing or not a list"),
        ),
    ),
    # Optional: the portal's account details (GET /account-info/v3/details), for its company
    # currency; the API connector writes it, an export may hold it as hubspot/account/details.json.
    "hubspot_account": JsonPages(
        source=f"{SOURCE}.account",
        table="hubspot_account",
        folder="hubspot/account",
        pattern="*.json",
        records_path="$",
        columns={
            "portal_id": "rec->>'portalId'",
            "company_currency": "rec->>'companyCurrency'",
            "time_zone": "rec->>'timeZone'",
        },
        id_expr="rec->>'portalId'",
        invalid_when=(
            ("rec->>'portalId' is null", "account details without portalId: not GET /account-info/v3/details"),
        ),
    ),
    "hubspot_associations": JsonPages(
        source=f"{SOURCE}.associations",
        table="hubspot_associations",
        folder="hubspot/associations",
        pattern="*/*.json",
        columns={
            "association": "regexp_extract(filename, 'associations/([^/]+)/', 1)",
            "from_id": "rec->'from'->>'id'",
            "to_objects": "rec->'to'",
        },
        id_expr="rec->'from'->>'id'",
        invalid_when=(
            ("rec->'from'->>'id' is null", "association has no from.id"),
            ("json_type(rec->'to') is distinct from 'ARRAY'", "field 'to' is missing or not a list"),
        ),
    ),
}


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[LoadResult]:
    return load_all(con, data_dir, TABLES.values())
