"""Moving events next to a local midnight, where UTC and reporting-timezone calendars disagree."""

from __future__ import annotations

import numpy as np

from .clock import MS_MINUTE, Clock


def _nearest(table: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i = np.clip(np.searchsorted(table, t), 1, len(table) - 1)
    before, after = table[i - 1], table[i]
    return np.where(t - before <= after - t, before, after), after


def near_midnight(
    t: np.ndarray, lower: np.ndarray, chosen: np.ndarray, rng: np.random.Generator, clock: Clock
) -> np.ndarray:
    """Move the chosen instants to within 90 minutes of a local midnight.

    Seven in ten go to a month's first midnight (the nearest one, or the next when the nearest
    would fall before `lower`, the previous event of the same journey); the rest to the nearest
    midnight of any day. Half land before midnight: on the last evening of a month the instant
    is already next month in UTC. An instant that cannot move without breaking the journey's
    order or leaving the period stays where it was.
    """
    n = len(t)
    u = rng.random((n, 2))  # drawn for every row so the stream does not depend on the choice
    safe_t = np.where(np.isnan(t), clock.start_ms, t)
    offset = np.round((u[:, 1] * 180.0 - 90.0) * MS_MINUTE)
    months = clock.month_boundaries().astype(np.float64)
    days = clock.midnights.astype(np.float64)
    month_near, month_next = _nearest(months, safe_t)
    day_near, day_next = _nearest(days, safe_t)
    use_month = u[:, 0] < 0.7
    first = np.where(use_month, month_near, day_near) + offset
    second = np.where(use_month, month_next, day_next) + offset
    low = np.where(np.isnan(lower), -np.inf, lower)

    def fits(c: np.ndarray) -> np.ndarray:
        return (c > low) & (c >= clock.start_ms) & (c <= clock.horizon_ms)

    moved = np.where(fits(first), first, np.where(fits(second), second, t))
    return np.where(chosen & ~np.isnan(t), moved, t)
