"""HubSpot's HTTP API: bearer auth, retries, paging, and errors that never carry the token.

Paging uses dlt's RESTClient and cursor paginators. Retries live in the session underneath
rather than in dlt's default retrying session, because a sync must also retry a page that
arrives as invalid JSON, count every retry, and stop after a bounded total wait; the waits
scale down in tests. Errors name the endpoint (method and path), never headers, so neither
logs, exceptions nor dlt's trace can hold the token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests.auth import AuthBase

TOKEN_VARIABLE = "HUBSPOT_ACCESS_TOKEN"


class HubSpotError(RuntimeError):
    """A failure someone must act on; the message names the endpoint, never the token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status HubSpot refused the request with (None: no answer, or retries spent)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to insist on one request before the sync fails."""

    attempts: int = 6
    first_wait: float = 1.0
    """Seconds before the first retry without a Retry-After header; doubles on each retry."""
    longest_wait: float = 60.0
    """Cap on one wait, Retry-After included (a daily-limit 429 must not park the sync for hours)."""
    total_wait: float = 300.0
    """Cap on all waits for one request."""
    scale: float = 1.0
    """Multiplies every wait; tests make it tiny so the suite stays fast."""
    timeout: float = 60.0
    """Seconds to connect and to wait for an answer before retrying."""

    def wait(self, retry: int, retry_after: str | None) -> float:
        seconds = _retry_after_seconds(retry_after)
        if seconds is None:
            seconds = self.first_wait * 2 ** (retry - 1)
        return min(seconds, self.longest_wait) * self.scale


@dataclass
class RequestStats:
    requests: int = 0
    """HTTP attempts, retries included."""
    retries: int = 0


def _retry_after_seconds(header: str | None) -> float | None:
    # HubSpot sends whole seconds; an HTTP-date form is not used by it and falls back to backoff.
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


class _Bearer(AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "Bearer(***)"


def _endpoint(request: requests.PreparedRequest) -> str:
    return f"{request.method} {urlsplit(request.url or '').path}"


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", ""))[:300] if isinstance(body, dict) else ""


class _RetryingSession(requests.Session):
    """Retries 429 (after Retry-After), 5xx, timeouts, dropped connections and invalid JSON."""

    def __init__(self, policy: RetryPolicy, stats: RequestStats, sleep: Callable[[float], None], secret: str) -> None:
        super().__init__()
        self.headers["User-Agent"] = "unified-funnel-hubspot-sync"
        self._policy = policy
        self._stats = stats
        self._sleep = sleep
        self._secret = secret

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = kwargs.get("timeout") or self._policy.timeout
        endpoint = _endpoint(request)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._stats.requests += 1
            retry_after = None
            try:
                response = super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                problem = f"no answer ({type(error).__name__})"
            else:
                status = response.status_code
                if status == 429 or status >= 500:
                    problem = f"HTTP {status}"
                    retry_after = response.headers.get("Retry-After")
                elif status >= 400:
                    raise HubSpotError(self._scrub(_refusal(endpoint, response)), status) from None
                elif _json_body(response) is None:
                    problem = "a body that is not valid JSON"
                else:
                    return response
            wait = self._policy.wait(attempt, retry_after)
            if attempt >= self._policy.attempts or waited + wait > self._policy.total_wait * self._policy.scale:
                raise HubSpotError(
                    self._scrub(f"{endpoint}: gave up after {attempt} attempt(s); the last one got {problem}")
                ) from None
            self._sleep(wait)
            waited += wait
            self._stats.retries += 1

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _refusal(endpoint: str, response: requests.Response) -> str:
    status = response.status_code
    if status == 401:
        return (
            f"HubSpot rejected the access token (HTTP 401) at {endpoint}: set {TOKEN_VARIABLE} to a valid "
            "private app access token"
        )
    if status == 403:
        return f"the access token lacks a scope for {endpoint} (HTTP 403): {_message(response)}"
    return f"{endpoint} answered HTTP {status}: {_message(response)}"


_BODY = "_hubspot_json"


def _json_body(response: requests.Response) -> Any:
    """The parsed body, kept on the response so that nobody parses it again; None if invalid.

    dlt's paginator and data selector each call `response.json()` on every page: once the body
    is known to be valid, that call returns this parse instead of decoding the page twice more.
    """
    if not hasattr(response, _BODY):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        setattr(response, _BODY, body)
        if body is not None:
            response.json = lambda **_kwargs: body  # type: ignore[method-assign]
    return getattr(response, _BODY)


@dataclass(frozen=True)
class SearchPage:
    results: list[dict]
    total: int
    next_after: int | None


class HubSpotClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stats = RequestStats()
        self._session = _RetryingSession(policy, self.stats, sleep, token)
        self._rest = RESTClient(base_url=base_url.rstrip("/"), auth=_Bearer(token), session=self._session)

    def __repr__(self) -> str:
        return f"HubSpotClient({self._rest.base_url})"

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def get(self, path: str, params: dict | None = None) -> Any:
        return _json_body(self._rest.get(path, params=params))

    def post(self, path: str, body: dict) -> Any:
        return _json_body(self._rest.post(path, json=body))

    def pages(self, path: str, params: dict) -> Iterator[list[dict]]:
        """`results` of every page of a GET listing that pages with `paging.next.after`."""
        paginator = JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_param="after")
        # An explicit (empty) hook list stops RESTClient from adding its raise-for-status hook:
        # the session already turned every error status into a retry or a HubSpotError.
        for page in self._rest.paginate(
            path, params=dict(params), paginator=paginator, data_selector="results", hooks={"response": []}
        ):
            yield list(page)

    def search_pages(self, path: str, body: dict) -> Iterator[SearchPage]:
        """Pages of a CRM search; the `after` cursor goes in the request body."""
        paginator = JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_body_path="after")
        for page in self._rest.paginate(
            path,
            method="POST",
            json=dict(body),
            paginator=paginator,
            data_selector="results",
            hooks={"response": []},
        ):
            parsed = _json_body(page.response)
            after = ((parsed.get("paging") or {}).get("next") or {}).get("after")
            yield SearchPage(list(page), int(parsed.get("total", 0)), int(after) if after else None)
