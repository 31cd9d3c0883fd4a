"""The run's day, the one date a run takes, and its instant.

A run for day D computes the funnel as known at the end of D in the reporting timezone. The day
travels as a date (CLI, run tag `funnel/run_day`) and becomes an instant once, here, for dbt's
`as_of` var; the staging models apply it (macros/dialect/time.sql).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def default_run_date(timezone: str) -> date:
    """Yesterday in the reporting timezone: the last complete day."""
    return datetime.now(ZoneInfo(timezone)).date() - timedelta(days=1)


def as_of_for(run_date: date, timezone: str) -> str:
    """The end of the run's day in the reporting timezone, as a UTC ISO-8601 instant."""
    end = datetime.combine(run_date + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return end.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_date_problem(run_date: date, history_start: date, timezone: str, today: date | None = None) -> str | None:
    """Why a run cannot compute `run_date`, in one line; None when it can.

    A run for day D computes the funnel as of the end of D, so D must lie between the first day
    the funnel has data for (the contract's meta.history_start) and today in the reporting timezone.
    """
    today = today or datetime.now(ZoneInfo(timezone)).date()
    if run_date < history_start:
        return (
            f"{run_date} is before the contract's meta.history_start ({history_start}), the first day the "
            "funnel has data for: give a later --date, or an earlier meta.history_start"
        )
    if run_date > today:
        return f"{run_date} has not ended yet in {timezone} (today is {today}): give --date {today} or earlier"
    return None
