"""The sample company's HubSpot contact pages as they were exported at an earlier instant.

HubSpot's CRM v3 contact carries its own past: `propertiesWithHistory` (newest first), the
stage-date properties, `createdAt`, `updatedAt` and, once archived, `archivedAt`. Cutting those at
an instant gives the record as an export taken then would have shown it. Used to replay a history
day by day (the incremental tests, bench/pipeline.py's daily runs).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

CONTACT_FOLDERS = ("hubspot/contacts", "hubspot/contacts_archived")


def instant(text: object) -> datetime | None:
    """An ISO-8601 instant as HubSpot writes them, or None for any other value."""
    if not isinstance(text, str) or len(text) < 20 or text[4] != "-" or "T" not in text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def last_change(record: dict) -> datetime:
    stamps = [instant(e["timestamp"]) for es in record.get("propertiesWithHistory", {}).values() for e in es]
    stamps.append(instant(record.get("archivedAt")) or instant(record["createdAt"]))
    return max(stamp for stamp in stamps if stamp is not None)


def record_as_of(record: dict, cut: datetime) -> dict:
    """The contact as HubSpot showed it at `cut` (it existed then): live, with the history
    written by then."""
    history = {
        name: [entry for entry in entries if instant(entry["timestamp"]) <= cut]
        for name, entries in record.get("propertiesWithHistory", {}).items()
    }
    properties = {}
    for name, value in record["properties"].items():
        if name in history:
            properties[name] = history[name][0]["value"] if history[name] else None
        elif (moment := instant(value)) is not None and moment > cut:
            properties[name] = None  # a stage date not reached yet
        else:
            properties[name] = value
    if record.get("archived") or last_change(record) > cut:
        # The survivor of a merge lists it from the merge on; the generator keeps no history of
        # hs_merged_object_ids, so a record cut before its last change shows none.
        properties["hs_merged_object_ids"] = None
    changed = [instant(record["createdAt"])] + [instant(e["timestamp"]) for es in history.values() for e in es]
    updated = iso(max(changed))
    properties["lastmodifieddate"] = updated
    kept = {key: value for key, value in record.items() if key != "archivedAt"}
    return {**kept, "properties": properties, "propertiesWithHistory": history, "updatedAt": updated, "archived": False}


def contact_pages(folder: Path) -> dict[str, list[dict]]:
    """page (relative to `folder`) → its records, for every contact page of an export."""
    return {
        path.relative_to(folder).as_posix(): json.loads(path.read_text())["results"]
        for sub in CONTACT_FOLDERS
        for path in sorted((folder / sub).glob("*.json"))
    }


def write_pages(target: Path, wanted: dict[str, list[dict]]) -> int:
    """Make the contact pages under `target` exactly `wanted`, writing only the pages whose bytes
    change (as an export job that re-exports the portal does); returns how many were written."""
    for sub in CONTACT_FOLDERS:
        for path in (target / sub).glob("*.json"):
            if path.relative_to(target).as_posix() not in wanted:
                path.unlink()
    written = 0
    for name, records in wanted.items():
        text = json.dumps({"results": records}, indent=1)
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written += 1
    return written


def pages_as_of(pages: dict[str, list[dict]], cut: datetime) -> dict[str, list[dict]]:
    """The contact pages of an export taken at `cut`: later records left out, later changes
    undone, records archived later still live (listed among the live contacts)."""
    wanted: dict[str, list[dict]] = {name: [] for name in pages if name.startswith("hubspot/contacts/")}
    for name, records in pages.items():
        for record in records:
            if instant(record["createdAt"]) > cut:
                continue
            if last_change(record) <= cut:
                wanted.setdefault(name, []).append(record)
            else:
                live = name.replace("contacts_archived/", "contacts/archived-")
                wanted.setdefault(live, []).append(record_as_of(record, cut))
    return {name: records for name, records in wanted.items() if records}
