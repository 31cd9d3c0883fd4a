"""Cutting a modification-date range into windows search can page through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from funnel.sources.hubspot_api.windows import (
    SEARCH_RESULT_CAP,
    Window,
    WindowTooNarrow,
    cut,
    fits,
    iso,
    parse_ms,
    to_ms,
)

DAY = 86_400_000


def test_windows_cover_the_range_exactly_once():
    windows = cut(1_000, 1_000 + 95 * DAY + 7, timedelta(days=30))

    assert [w.end_ms - w.start_ms for w in windows] == [30 * DAY, 30 * DAY, 30 * DAY, 5 * DAY + 7]
    assert windows[0].start_ms == 1_000 and windows[-1].end_ms == 1_000 + 95 * DAY + 7
    assert all(a.end_ms == b.start_ms for a, b in zip(windows, windows[1:]))


def test_a_range_shorter_than_a_window_is_one_window():
    assert cut(5, 6, timedelta(days=30)) == [Window(5, 6)]


def test_an_empty_range_has_no_windows():
    assert cut(5, 5, timedelta(days=30)) == []


def test_halves_meet_in_the_middle_and_keep_the_ends():
    left, right = Window(0, 11).halves()

    assert (left, right) == (Window(0, 5), Window(5, 11))


def test_a_one_millisecond_window_cannot_be_split():
    with pytest.raises(WindowTooNarrow, match="1970-01-01T00:00:00.007Z"):
        Window(7, 8).halves()


def test_repeated_halving_reaches_any_width():
    windows = [Window(0, 1_000)]
    while any(w.end_ms - w.start_ms > 10 for w in windows):
        windows = [half for w in windows for half in (w.halves() if w.end_ms - w.start_ms > 10 else (w,))]

    assert windows[0].start_ms == 0 and windows[-1].end_ms == 1_000
    assert all(a.end_ms == b.start_ms for a, b in zip(windows, windows[1:]))


def test_an_empty_or_reversed_window_is_refused():
    with pytest.raises(ValueError):
        Window(5, 5)


@pytest.mark.parametrize(
    ("total", "limit", "ok"),
    [(10_000, 100, True), (10_001, 100, False), (0, 100, True), (9_990, 30, True), (9_991, 30, False)],
)
def test_a_window_fits_when_every_page_stays_within_the_cap(total, limit, ok):
    # With 30 a page, the last page that ends within 10,000 results ends at 9,990.
    assert fits(total, limit) is ok
    assert SEARCH_RESULT_CAP == 10_000


def test_instants_round_trip_in_hubspots_format():
    ms = to_ms(datetime(2025, 6, 3, 14, 22, 5, 120_000, tzinfo=UTC))

    assert iso(ms) == "2025-06-03T14:22:05.120Z"
    assert parse_ms("2025-06-03T14:22:05.120Z") == ms
    assert parse_ms("2025-06-03T16:22:05.120+02:00") == ms
