"""A local HubSpot for tests: a `Company` (portal.py) served in HubSpot's API shapes, faults on demand.

`HubSpotServer` answers the endpoints the connector uses with HubSpot's limits (search's
10,000-result cap and page size, 50 inputs per batch read with history, 1,000 per association
batch) and injects the failures of `Faults`: rate limits, 5xx, malformed pages, dropped
connections, a page held until the test kills the client, typed property values.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .portal import ASSOCIATIONS, CREATED, KINDS, MODIFIED, Company, parse_ms

SEARCH_CAP = 10_000


@dataclass
class Faults:
    """Failures to inject; requests and pages are counted from the server's start."""

    rate_limit_every: int = 0
    """Every Nth request answers 429 with `Retry-After: retry_after`."""
    retry_after: str = "1"
    server_error_every: int = 0
    """Every Mth request answers 502."""
    malformed_request: int = 0
    """That request number gets a truncated JSON body (once)."""
    malformed_path: str = ""
    """Every request to this path gets a truncated JSON body (a fault that persists)."""
    die_after_pages: int = 0
    """After this many data pages, every connection is dropped unanswered until `revive()`."""
    hold_at_page: int = 0
    """Data page number that waits for `release()` before being answered (`held` is set)."""
    typed_values: bool = False
    """Serve numbers, booleans and epoch-millisecond dates instead of HubSpot's strings."""
    association_page: int = 500
    """Associations per object per page (the rest come with a per-object `after` cursor)."""
    after_search: Callable[[str, dict, dict], None] | None = None
    """Called with (object type, request body, answer) once a search page is computed: a test's
    way to change the portal while a sync pages through it."""


@dataclass
class Logged:
    method: str
    path: str
    status: int
    search_reach: int = 0
    """For a search: after + limit, how far into the results it asked."""


class HubSpotServer:
    def __init__(self, company: Company, token: str, faults: Faults | None = None) -> None:
        self.company = company
        self.token = token
        self.faults = faults or Faults()
        self.log: list[Logged] = []
        self.requests = 0
        self.pages = 0
        self.dead = False
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._http = _QuietServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.hubspot = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self) -> HubSpotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._http.shutdown()
        self._http.server_close()

    def revive(self) -> None:
        self.dead = False
        self.faults.die_after_pages = 0

    def release(self) -> None:
        self._release.set()

    def reset_log(self) -> None:
        with self._lock:
            self.log = []

    # --- one request ---------------------------------------------------------------------------

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests += 1
            number = self.requests
        faults = self.faults
        if self.dead:
            handler.close_connection = True  # no answer at all: the client sees a dropped connection
            return
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            body = _error("Authentication credentials not found.", "INVALID_AUTHENTICATION")
            return self._send(handler, method, url.path, 401, body)
        if faults.rate_limit_every and number % faults.rate_limit_every == 0:
            body = _error("You have reached your secondly limit.", "RATE_LIMITS")
            return self._send(handler, method, url.path, 429, body, {"Retry-After": faults.retry_after})
        if faults.server_error_every and number % faults.server_error_every == 0:
            return self._send(handler, method, url.path, 502, _error("Bad gateway", "INTERNAL_ERROR"))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._send(handler, method, url.path, 400, _error("Invalid input JSON", "VALIDATION_ERROR"))
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        status, answer, reach = self._route(method, url.path, query, body)
        if faults.after_search and status == 200 and url.path.endswith("/search"):
            faults.after_search(url.path.split("/")[-2], body, answer)
        if status in (200, 207):
            with self._lock:
                self.pages += 1
                page = self.pages
            if faults.die_after_pages and page > faults.die_after_pages:
                self.dead = True
                handler.close_connection = True
                return
            if faults.hold_at_page and page == faults.hold_at_page:
                self.held.set()
                self._release.wait(timeout=60)
        text = json.dumps(answer)
        if (faults.malformed_request and number == faults.malformed_request) or (
            faults.malformed_path and url.path == faults.malformed_path
        ):
            text = text[: len(text) // 2]
        self._send(handler, method, url.path, status, text, reach=reach)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        status: int,
        body: dict | str,
        headers: dict[str, str] | None = None,
        reach: int = 0,
    ) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        with self._lock:
            self.log.append(Logged(method, path, status, reach))
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json;charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, query: dict[str, str], body: dict) -> tuple[int, dict, int]:
        if match := re.fullmatch(r"/crm/v3/objects/(\w+)/search", path):
            return self._search(match[1], body) if method == "POST" else _not_found(path)
        if match := re.fullmatch(r"/crm/v3/objects/(\w+)/batch/read", path):
            return (*self._batch_read(match[1], body), 0) if method == "POST" else _not_found(path)
        if match := re.fullmatch(r"/crm/v3/objects/(\w+)", path):
            return (*self._list(match[1], query), 0)
        if match := re.fullmatch(r"/crm/v3/properties/(\w+)", path):
            return (200, {"results": self._properties(match[1])}, 0) if match[1] in KINDS else _not_found(path)
        if path == "/account-info/v3/details":
            return (200, self.company.account, 0) if self.company.account else _not_found(path)
        if path == "/crm/v3/owners":
            return (*_paged(self.company.owners, query, 500), 0)
        if path == "/crm/v3/pipelines/deals":
            return 200, {"results": self.company.pipelines}, 0
        if path == "/marketing/v3/forms":
            return (*_paged(self.company.forms, query, 100), 0)
        if match := re.fullmatch(r"/form-integrations/v1/submissions/forms/([^/]+)", path):
            if match[1] not in self.company.submissions:
                return _not_found(path)
            return (*_paged(self.company.submissions[match[1]], query, 50), 0)
        if match := re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", path):
            return (*self._associations(match[1], match[2], body), 0)
        return _not_found(path)

    # --- endpoints -----------------------------------------------------------------------------

    def _properties(self, kind: str) -> list[dict]:
        """GET /crm/v3/properties/{objectType}: every property the portal's objects carry, in the
        documented shape (name, label, type, fieldType, groupName, options, …)."""
        with self.company.lock:
            names = sorted(
                {
                    name
                    for obj in self.company.objects[kind].values()
                    for name in [*obj["properties"], *(obj.get("propertiesWithHistory") or {})]
                }
            )
        return [
            {
                "name": name,
                "label": name.replace("_", " ").capitalize(),
                "type": "string",
                "fieldType": "text",
                "groupName": f"{kind[:-1]}information",
                "description": "",
                "options": [],
                "displayOrder": -1,
                "calculated": False,
                "externalOptions": False,
                "hasUniqueValue": False,
                "hidden": False,
                "hubspotDefined": True,
                "formField": False,
                "archived": False,
                "createdAt": "2019-08-06T02:41:08.029Z",
                "updatedAt": "2019-08-06T02:41:08.029Z",
                "modificationMetadata": {"archivable": False, "readOnlyDefinition": True, "readOnlyValue": False},
            }
            for name in names
        ]

    def _search(self, kind: str, body: dict) -> tuple[int, dict, int]:
        if kind not in KINDS:
            return _not_found(kind)
        limit, after = int(body.get("limit", 10)), int(body.get("after") or 0)
        if limit > 100:
            return 400, _error(f"limit {limit} is above 100", "VALIDATION_ERROR"), 0
        if after >= SEARCH_CAP:
            # HubSpot's answer when paging past what one search query may return.
            message = "Search results are limited to 10,000 results per query; narrow the filters"
            return 400, _error(message, "VALIDATION_ERROR"), after + limit
        lo, hi = 0, 2**62
        modified = MODIFIED[kind]
        for group in body.get("filterGroups") or []:
            for rule in group.get("filters") or []:
                if rule.get("propertyName") != modified:
                    return 400, _error(f"this test server filters on {modified} only", "VALIDATION_ERROR"), 0
                value = _ms(rule.get("value"))
                operator = rule.get("operator")
                if operator == "GTE":
                    lo = max(lo, value)
                elif operator == "GT":
                    lo = max(lo, value + 1)
                elif operator == "LT":
                    hi = min(hi, value)
                elif operator == "LTE":
                    hi = min(hi, value + 1)
                elif operator == "BETWEEN":
                    lo, hi = max(lo, value), min(hi, _ms(rule.get("highValue")) + 1)
                else:
                    return 400, _error(f"operator {operator} not supported here", "VALIDATION_ERROR"), 0
        with self.company.lock:
            keys, ids = self.company.active_by_modified(kind)
            start, end = bisect.bisect_left(keys, (lo, -1)), bisect.bisect_left(keys, (hi, -1))
            matching = ids[start:end]
            sorts = body.get("sorts") or []
            if sorts and (sorts[0].get("direction") or "ASCENDING").upper().startswith("DESC"):
                matching = matching[::-1]
            wanted = list(body.get("properties") or [modified])
            results = []
            for object_id in matching[after : after + limit]:
                obj = self.company.objects[kind][object_id]
                properties = {p: obj["properties"].get(p) for p in ("hs_object_id", CREATED[kind], *wanted)}
                results.append(
                    {
                        "id": object_id,
                        "properties": self._values(properties),
                        "createdAt": obj["createdAt"],
                        "updatedAt": obj["updatedAt"],
                        "archived": False,
                    }
                )
        answer: dict = {"total": len(matching), "results": results}
        if after + limit < len(matching):
            answer["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
        return 200, answer, after + limit

    def _view(self, obj: dict, properties: list[str], history: list[str]) -> dict:
        wanted = set(properties)
        view = {
            "id": obj["id"],
            "properties": self._values({p: v for p, v in obj["properties"].items() if p in wanted}),
            "createdAt": obj["createdAt"],
            "updatedAt": obj["updatedAt"],
            "archived": obj["archived"],
        }
        if history:
            own = obj.get("propertiesWithHistory") or {}
            view["propertiesWithHistory"] = {p: [self._entry(e) for e in own[p]] for p in history if p in own}
        if obj["archived"]:
            view["archivedAt"] = obj["archivedAt"]
        return view

    def _batch_read(self, kind: str, body: dict) -> tuple[int, dict]:
        if kind not in KINDS:
            return _not_found(kind)[:2]
        inputs, history = body.get("inputs") or [], list(body.get("propertiesWithHistory") or [])
        if len(inputs) > (50 if history else 100):
            message = "The maximum number of inputs supported in a batch request for property histories is 50"
            return 400, _error(message if history else "Too many inputs", "VALIDATION_ERROR")
        results, missing = [], []
        with self.company.lock:
            for item in inputs:
                obj = self.company.objects[kind].get(str(item.get("id")))
                if obj is None or obj["archived"]:
                    missing.append(str(item.get("id")))
                else:
                    results.append(self._view(obj, list(body.get("properties") or []), history))
        answer: dict = {"status": "COMPLETE", "results": results[::-1]}  # any order is HubSpot's right
        if missing:
            answer["numErrors"] = 1
            answer["errors"] = [_missing("Could not get some objects", missing)]
        return (207 if missing else 200), answer

    def _list(self, kind: str, query: dict[str, str]) -> tuple[int, dict]:
        if kind not in KINDS:
            return _not_found(kind)[:2]
        history = [p for p in (query.get("propertiesWithHistory") or "").split(",") if p]
        if int(query.get("limit", 10)) > (50 if history else 100):
            return 400, _error("limit too high for a listing with history", "VALIDATION_ERROR")
        archived = query.get("archived", "false") == "true"
        properties = [p for p in (query.get("properties") or "").split(",") if p]
        with self.company.lock:
            chosen = sorted(
                (obj for obj in self.company.objects[kind].values() if obj["archived"] == archived),
                key=lambda obj: int(obj["id"]),
            )
            views = [self._view(obj, properties, history) for obj in chosen]
        return _paged(views, query, 100)

    def _associations(self, from_type: str, to_type: str, body: dict) -> tuple[int, dict]:
        name = ASSOCIATIONS.get((from_type, to_type))
        if name is None:
            return _not_found(f"{from_type}/{to_type}")[:2]
        inputs = body.get("inputs") or []
        if len(inputs) > 1000:
            return 400, _error("Batch read accepts at most 1000 inputs", "VALIDATION_ERROR")
        per_page = self.faults.association_page
        results, missing = [], []
        for item in inputs:
            targets = self.company.associations[name].get(str(item["id"]))
            if not targets:
                missing.append(str(item["id"]))
                continue
            start = int(item.get("after") or 0)
            result: dict = {"from": {"id": str(item["id"])}, "to": targets[start : start + per_page]}
            if start + per_page < len(targets):
                result["paging"] = {"next": {"after": str(start + per_page)}}
            results.append(result)
        answer: dict = {"status": "COMPLETE", "results": results}
        if missing:
            answer["errors"] = [_missing("No associations found", missing)]
        return (207 if missing else 200), answer

    # --- typed values --------------------------------------------------------------------------

    def _values(self, properties: dict) -> dict:
        return {k: _typed(v) for k, v in properties.items()} if self.faults.typed_values else properties

    def _entry(self, entry: dict) -> dict:
        if not self.faults.typed_values:
            return entry
        return {**entry, "value": _typed(entry.get("value")), "timestamp": _typed(entry.get("timestamp"))}


_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _typed(value: object) -> object:
    """What a loader that stores typed values holds: numbers, booleans, dates as epoch ms."""
    if not isinstance(value, str):
        return value
    if value in ("true", "false"):
        return value == "true"
    if _ISO.fullmatch(value):
        return parse_ms(value)
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def _ms(value: object) -> int:
    text = str(value)
    return int(text) if text.lstrip("-").isdigit() else parse_ms(text)


def _error(message: str, category: str) -> dict:
    return {"status": "error", "message": message, "correlationId": "00000000-test", "category": category}


def _missing(message: str, ids: list[str]) -> dict:
    return {"status": "error", "category": "OBJECT_NOT_FOUND", "message": message, "context": {"ids": ids}}


def _not_found(what: str) -> tuple[int, dict, int]:
    return 404, _error(f"{what} not found", "OBJECT_NOT_FOUND"), 0


def _paged(items: list, query: dict[str, str], max_limit: int) -> tuple[int, dict]:
    limit, after = int(query.get("limit", 10)), int(query.get("after") or 0)
    if limit > max_limit:
        return 400, _error(f"limit {limit} is above {max_limit}", "VALIDATION_ERROR")
    answer: dict = {"results": items[after : after + limit]}
    if after + limit < len(items):
        answer["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
    return 200, answer


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed or timed out mid-answer is what the fault tests are about


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as HubSpot's API
    disable_nagle_algorithm = True  # headers and body go in two writes: without this, 40 ms stalls

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hubspot.handle(self, "GET")  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802
        self.server.hubspot.handle(self, "POST")  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass
