"""The run's day, read from its tag: the job is not partitioned, `funnel/run_day` says which day
a run computes (funnel/run_day.py turns it into the instant)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from funnel.config import RUN_DAY_TAG
from funnel.run_day import as_of_for, default_run_date


def run_day(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> date | None:
    day = context.run.tags.get(RUN_DAY_TAG)
    return date.fromisoformat(day) if day else None


def run_as_of(context: dg.AssetExecutionContext, timezone: str) -> str:
    """The run's instant: the end of its day in the reporting timezone. A run without the tag (a
    "Materialize all" in the UI) computes the day that last ended, as `funnel run` does."""
    day = run_day(context) or default_run_date(timezone)
    return as_of_for(day, timezone)
