"""Modification-date windows small enough for HubSpot's search endpoint.

Search answers at most 10,000 results per query (asking for a page beyond that is an HTTP 400),
so a sync cuts its modification-date range into windows and halves any window that holds more.
Instants are epoch milliseconds, the unit HubSpot's date filters take, so a boundary is exact
and a half-open window [start, end) never counts an object twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SEARCH_RESULT_CAP = 10_000
"""The most results one search query can page through."""

FIRST_SYNC_START = datetime(2000, 1, 1, tzinfo=UTC)
"""Where a first sync starts looking: older than any HubSpot portal."""


class WindowTooNarrow(ValueError):
    """More objects than search can return share a single millisecond: no split can help."""


@dataclass(frozen=True, order=True)
class Window:
    """Objects last modified in [start_ms, end_ms)."""

    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise ValueError(f"empty window {self.start_ms}..{self.end_ms}")

    def halves(self) -> tuple[Window, Window]:
        if self.end_ms - self.start_ms < 2:
            raise WindowTooNarrow(f"cannot split the one-millisecond window at {iso(self.start_ms)}")
        middle = self.start_ms + (self.end_ms - self.start_ms) // 2
        return Window(self.start_ms, middle), Window(middle, self.end_ms)

    def __str__(self) -> str:
        return f"{iso(self.start_ms)} → {iso(self.end_ms)}"


def cut(start_ms: int, end_ms: int, width: timedelta) -> list[Window]:
    """Consecutive windows of at most `width` covering [start_ms, end_ms)."""
    step = int(width / timedelta(milliseconds=1))
    if step < 1:
        raise ValueError("a window must be at least one millisecond wide")
    return [Window(lo, min(lo + step, end_ms)) for lo in range(start_ms, end_ms, step)]


def fits(total: int, limit: int) -> bool:
    """Whether a query with `total` results can be paged `limit` at a time without passing the cap."""
    return total <= SEARCH_RESULT_CAP // limit * limit


def to_ms(instant: datetime) -> int:
    return int((instant - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1))


def iso(ms: int) -> str:
    """HubSpot's own timestamp format: UTC, milliseconds, `Z`."""
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    """Epoch milliseconds of an ISO-8601 instant ('Z' or an offset; a naive one is UTC)."""
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return to_ms(instant)
