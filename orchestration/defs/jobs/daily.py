"""The daily job and its schedule.

The job is not partitioned: every model is rebuilt as of the run's day, which travels as the run
tag `funnel/run_day` (a partition per day would show the UI a thousand phantom missing ones).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from funnel.config import RUN_DAY_TAG

JOB_NAME = "daily_funnel"


def daily_job() -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        description="The daily run for a day (run tag funnel/run_day): load sources, build the canonical "
        "funnel as of the end of that day, check it, publish it.",
    )


def daily_schedule(job: dg.UnresolvedAssetJobDefinition, timezone: str) -> dg.ScheduleDefinition:
    """At 06:00 in the reporting timezone, the run for the day that just ended."""

    @dg.schedule(name=f"{JOB_NAME}_schedule", job=job, cron_schedule="0 6 * * *", execution_timezone=timezone)
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = (context.scheduled_execution_time.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)).isoformat()
        return dg.RunRequest(run_key=day, tags={RUN_DAY_TAG: day})

    return _schedule
