"""The portal's contact properties, before any run: what a property criterion may name.

A criterion on a property the portal does not have would give an empty stage. Once a run has
built the warehouse, its data profile says which properties carry history; before that, the
property names come from the source itself: the export's pages (and `hubspot/properties/
contacts.json`, GET /crm/v3/properties/contacts, when exported), the properties API in API mode,
or the landed contact table's `property_*` columns in Fivetran mode (read only when no run holds
the warehouse).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from funnel.run_lock import WarehouseBusy, hold
from funnel.sources.loader import sql_list


def from_files(data_dir: Path) -> set[str] | None:
    hubspot = data_dir / "hubspot"
    pages = sorted([*hubspot.glob("contacts/*.json"), *hubspot.glob("contacts_archived/*.json")])
    names: set[str] = set()
    catalogue = hubspot / "properties" / "contacts.json"
    if catalogue.exists():
        try:
            names |= {str(p["name"]) for p in json.loads(catalogue.read_text(encoding="utf-8-sig"))["results"]}
        except (ValueError, KeyError, TypeError):
            pass
    if not pages:
        return names or None
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"""
            with records as (
                select unnest(from_json(json_extract(content, '$.results'), '["json"]')) as rec
                from read_text({sql_list(pages)})
                where json_valid(content)
            )
            select distinct unnest(json_keys(rec -> 'properties')) from records
            union
            select distinct unnest(json_keys(rec -> 'propertiesWithHistory')) from records
            """
        ).fetchall()
    except duckdb.Error:
        return names or None
    finally:
        con.close()
    return names | {row[0] for row in rows}


def from_api() -> set[str] | None:
    from funnel.sources.hubspot_api.client import TOKEN_VARIABLE, HubSpotClient, HubSpotError
    from funnel.sources.hubspot_api.sync import BASE_URL_VARIABLE, DEFAULT_BASE_URL

    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        return None
    base_url = os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
    try:
        with HubSpotClient(base_url, token) as client:
            answer = client.get("/crm/v3/properties/contacts")
    except HubSpotError:
        return None
    return {str(p["name"]) for p in answer.get("results") or []}


def from_landed(warehouse: Path) -> set[str] | None:
    if not warehouse.exists():
        return None
    try:
        with hold(warehouse, "funnel contract check"):
            con = duckdb.connect(str(warehouse), read_only=True)
            try:
                rows = con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'hubspot' and table_name = 'contact' and column_name like 'property\\_%' "
                    "escape '\\'"
                ).fetchall()
            finally:
                con.close()
    except (WarehouseBusy, duckdb.Error):
        return None
    return {row[0].removeprefix("property_") for row in rows} or None


def property_catalogue(hubspot_mode: str, data_dir: Path, warehouse: Path) -> tuple[set[str] | None, str]:
    """(property names, where they came from); None when the source cannot say."""
    if hubspot_mode == "files":
        return from_files(data_dir), f"the contact pages under {data_dir / 'hubspot'}"
    if hubspot_mode == "api":
        return from_api(), "HubSpot's properties API"
    return from_landed(warehouse), "the property columns of Fivetran's hubspot.contact"
