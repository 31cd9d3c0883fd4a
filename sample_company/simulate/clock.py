"""Time in the generator: integer milliseconds since the epoch (UTC), and the reporting calendar.

Simulation arrays are float64 milliseconds so that "never happened" can be NaN and propagate
through arithmetic; float64 holds every millisecond of this century exactly. Local (reporting
timezone) dates come from a table of local midnights, so no per-value timezone conversion runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

MS_SECOND = 1_000
MS_MINUTE = 60_000
MS_HOUR = 3_600_000
MS_DAY = 86_400_000
PAD_DAYS = 3  # table margin, so a shifted event next to the period edges still has a local day


@dataclass(frozen=True)
class Clock:
    timezone: str
    first_day: date
    last_day: date
    midnights: np.ndarray  # UTC ms of local midnight, first_day - PAD_DAYS .. last_day + PAD_DAYS

    @classmethod
    def for_period(cls, end_date: date, months: int, timezone: str) -> Clock:
        first_month = end_date.year * 12 + end_date.month - 1 - (months - 1)
        first_day = date(first_month // 12, first_month % 12 + 1, 1)
        days = pd.date_range(
            first_day - timedelta(days=PAD_DAYS), end_date + timedelta(days=PAD_DAYS), freq="D", tz=timezone
        )
        return cls(timezone, first_day, end_date, days.as_unit("ms").asi8.astype(np.int64))

    @property
    def n_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start_ms(self) -> int:
        return int(self.midnights[PAD_DAYS])

    @property
    def horizon_ms(self) -> int:
        """Last millisecond of end_date in the reporting timezone: nothing happens after it."""
        return int(self.midnights[PAD_DAYS + self.n_days]) - 1

    def day_start(self, day_index: np.ndarray) -> np.ndarray:
        return self.midnights[np.asarray(day_index) + PAD_DAYS]

    def day_index(self, ms: np.ndarray) -> np.ndarray:
        """Local day of each instant, 0 = first_day of the period."""
        return np.searchsorted(self.midnights, np.asarray(ms, dtype=np.int64), side="right") - 1 - PAD_DAYS

    def local_dates(self, ms: np.ndarray) -> np.ndarray:
        return np.datetime64(self.first_day, "D") + self.day_index(ms)

    def local_month(self, ms: np.ndarray) -> np.ndarray:
        return month_key(self.local_dates(ms))

    def period_months(self) -> np.ndarray:
        first = month_key(np.array([np.datetime64(self.first_day, "D")]))[0]
        last = month_key(np.array([np.datetime64(self.last_day, "D")]))[0]
        return np.arange(first, last + 1, dtype=np.int64)

    def month_boundaries(self) -> np.ndarray:
        """Local midnights that start a month, from the period start to just after its end."""
        dates = np.datetime64(self.first_day, "D") + np.arange(-PAD_DAYS, self.n_days + PAD_DAYS)
        firsts = dates == dates.astype("datetime64[M]").astype("datetime64[D]")
        return self.midnights[firsts]


def month_key(dates: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (numpy's own month count), the key every monthly table uses."""
    return np.asarray(dates).astype("datetime64[M]").astype(np.int64)


def utc_month(ms: np.ndarray) -> np.ndarray:
    return np.asarray(ms, dtype=np.int64).astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)


def utc_month_start(keys: np.ndarray) -> np.ndarray:
    return np.asarray(keys, dtype=np.int64).astype("datetime64[M]").astype("datetime64[ms]").astype(np.int64)


def snapshot_ms(keys: np.ndarray) -> np.ndarray:
    """When a team pulls its report for month M: the first day of M+1, 09:00 UTC."""
    return utc_month_start(np.asarray(keys) + 1) + 9 * MS_HOUR


def month_label(keys: np.ndarray) -> np.ndarray:
    """'YYYY-MM' for each month key."""
    return np.datetime_as_string(np.asarray(keys, dtype=np.int64).astype("datetime64[M]"))


def month_first_day(keys: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(keys, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]"))


def month_last_day(keys: np.ndarray) -> np.ndarray:
    nxt = (np.asarray(keys, dtype=np.int64) + 1).astype("datetime64[M]").astype("datetime64[D]")
    return np.datetime_as_string(nxt - 1)


def iso(ms: np.ndarray) -> np.ndarray:
    """HubSpot's timestamp format: ISO-8601 UTC with milliseconds and 'Z'; None where missing."""
    ms = np.asarray(ms, dtype=np.float64)
    missing = np.isnan(ms)
    text = np.datetime_as_string(np.where(missing, 0, ms).astype(np.int64).astype("datetime64[ms]"), unit="ms")
    out = np.char.add(text, "Z").astype(object)
    out[missing] = None
    return out


def iso_dates(dates: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(dates).astype("datetime64[D]")).astype(object)
