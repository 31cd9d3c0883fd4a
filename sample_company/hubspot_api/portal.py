"""The portal behind the local HubSpot: a generated company, changed by tests between syncs.

`Company` reads the pages `sample_company.generate` writes once (or any export in that layout,
such as a test's fixture), then tests change it (`touch`, `archive`, `restore`, `purge`,
`create`) as people would in HubSpot; `expected()` is what the raw tables must hold afterwards.
Engagements (calls, emails, meetings, notes, tasks), forms and pipelines are optional: a portal
exported without them serves empty listings.
"""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

CRM_KINDS = ("contacts", "companies", "deals")
ENGAGEMENT_KINDS = ("calls", "emails", "meetings", "notes", "tasks")
KINDS = CRM_KINDS + ENGAGEMENT_KINDS
"""Every object type the portal serves by search, batch read and listing."""
MODIFIED = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
    **{kind: "hs_lastmodifieddate" for kind in ENGAGEMENT_KINDS},
}
CREATED = {**{kind: "createdate" for kind in CRM_KINDS}, **{kind: "hs_createdate" for kind in ENGAGEMENT_KINDS}}
ASSOCIATIONS = {
    ("deals", "contacts"): "deals_to_contacts",
    ("contacts", "companies"): "contacts_to_companies",
    **{(kind, "contacts"): f"{kind}_to_contacts" for kind in ENGAGEMENT_KINDS},
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso(ms: int) -> str:
    """HubSpot's own timestamp format: UTC, milliseconds, `Z`."""
    instant = _EPOCH + timedelta(milliseconds=ms)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    """Epoch milliseconds of an ISO-8601 instant ('Z' or an offset; a naive one is UTC).

    Written here rather than imported from the connector (funnel.sources.hubspot_api),
    so that the server the connector is tested against does not share its parsing.
    """
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return int((instant - _EPOCH) / timedelta(milliseconds=1))


def _read_results(folder: Path) -> list[dict]:
    """The results of every page in the folder; none when the folder is missing."""
    return [obj for page in sorted(folder.glob("*.json")) for obj in json.loads(page.read_text())["results"]]


def _read_listing(path: Path) -> list[dict]:
    return json.loads(path.read_text())["results"] if path.exists() else []


class Company:
    """The portal's objects and listings; CRM objects carry `archived` like the API's."""

    def __init__(self, data_dir: Path) -> None:
        hubspot = data_dir / "hubspot"
        self.objects: dict[str, dict[str, dict]] = {}
        for kind in KINDS:
            found = _read_results(hubspot / kind) + _read_results(hubspot / f"{kind}_archived")
            self.objects[kind] = {obj["id"]: obj for obj in found}
        self.owners = _read_results(hubspot / "owners")
        details = hubspot / "account" / "details.json"
        self.account = json.loads(details.read_text()) if details.exists() else None
        self.pipelines = _read_listing(hubspot / "pipelines" / "deals.json")
        self.forms = _read_listing(hubspot / "forms" / "forms.json")
        self.submissions = {
            folder.name: _read_results(folder)
            for folder in sorted((hubspot / "form_submissions").glob("*"))
            if folder.is_dir()
        }
        self.associations: dict[str, dict[str, list]] = {}
        for name in ASSOCIATIONS.values():
            self.associations[name] = {
                result["from"]["id"]: result["to"] for result in _read_results(hubspot / "associations" / name)
            }
        self.lock = threading.RLock()
        self._index: dict[str, tuple[list[tuple[int, int]], list[str]]] = {}
        latest = max(
            (parse_ms(obj["properties"][MODIFIED[kind]]) for kind in KINDS for obj in self.objects[kind].values()),
            default=0,
        )
        self.clock_ms = latest + 60_000
        """The portal's 'now': after every generated instant, advanced by each change."""

    # --- changes between syncs ---------------------------------------------------------------

    def _tick(self) -> str:
        self.clock_ms += 1_000
        return iso(self.clock_ms)

    def touch(self, kind: str, ids: list[str], changes: dict[str, str] | None = None) -> None:
        """Modify objects now: new last-modified instant, changed properties (history kept newest first)."""
        with self.lock:
            for object_id in ids:
                at = self._tick()
                obj = self.objects[kind][object_id]
                for name, value in (changes or {}).items():
                    obj["properties"][name] = value
                    if name in obj.get("propertiesWithHistory", {}):
                        entry = {"value": value, "timestamp": at, "sourceType": "CRM_UI", "sourceId": "userId:1"}
                        obj["propertiesWithHistory"][name].insert(0, entry)
                obj["properties"][MODIFIED[kind]] = at
                obj["updatedAt"] = at
            self._index.pop(kind, None)

    def archive(self, kind: str, ids: list[str]) -> None:
        with self.lock:
            for object_id in ids:
                at = self._tick()
                obj = self.objects[kind][object_id]
                obj.update(archived=True, archivedAt=at, updatedAt=at)
            self._index.pop(kind, None)

    def restore(self, kind: str, ids: list[str]) -> None:
        """Bring archived objects back, as HubSpot's restore does: live again, modified now."""
        with self.lock:
            for object_id in ids:
                obj = self.objects[kind][object_id]
                obj["archived"] = False
                obj.pop("archivedAt", None)
            self.touch(kind, ids)

    def purge(self, kind: str, ids: list[str]) -> None:
        """Delete for good, as HubSpot does with archived objects after 90 days."""
        with self.lock:
            for object_id in ids:
                del self.objects[kind][object_id]
            self._index.pop(kind, None)

    def create(self, kind: str, like: str) -> str:
        """A new object shaped like an existing one, created now."""
        with self.lock:
            at = self._tick()
            new_id = str(max(int(i) for i in self.objects[kind]) + 1)
            obj = copy.deepcopy(self.objects[kind][like])
            obj.update(id=new_id, createdAt=at, updatedAt=at, archived=False)
            obj.pop("archivedAt", None)
            obj["properties"].update({"hs_object_id": new_id, CREATED[kind]: at, MODIFIED[kind]: at})
            self.objects[kind][new_id] = obj
            self._index.pop(kind, None)
            return new_id

    def expected(self, kind: str) -> dict[str, tuple]:
        """What raw.hubspot_<kind> must hold.

        id → (properties, history, archived, archivedAt, createdAt, updatedAt), as raw_objects() reads it.
        """
        with self.lock:
            return {
                obj["id"]: (
                    obj["properties"],
                    obj.get("propertiesWithHistory") or {},
                    obj["archived"],
                    _instant(obj.get("archivedAt")),
                    _instant(obj["createdAt"]),
                    _instant(obj["updatedAt"]),
                )
                for obj in copy.deepcopy(list(self.objects[kind].values()))
            }

    # --- search index ------------------------------------------------------------------------

    def active_by_modified(self, kind: str) -> tuple[list[tuple[int, int]], list[str]]:
        """Active objects sorted by (last modified, numeric id): a stable order for offset paging."""
        with self.lock:
            if kind not in self._index:
                rows = sorted(
                    (parse_ms(obj["properties"][MODIFIED[kind]]), int(obj["id"]), obj["id"])
                    for obj in self.objects[kind].values()
                    if not obj["archived"]
                )
                self._index[kind] = ([(ms, n) for ms, n, _ in rows], [i for _, _, i in rows])
            return self._index[kind]


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
