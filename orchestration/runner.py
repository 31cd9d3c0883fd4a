"""Run the daily job through Dagster, in this process, on the configured warehouse.

The run is recorded in the Dagster instance ($DAGSTER_HOME), so it shows in `funnel ui` like a
scheduled one. Progress goes to stderr one line per step; the summary is read back from the
event log.
"""

from __future__ import annotations

import contextlib
from datetime import date

import dagster as dg

from funnel import compiled
from funnel.config import FULL_REFRESH_TAG, RETIRE_DELETED_TAG, RUN_DAY_TAG, Settings, ensure_dagster_home
from funnel.contract.load import load_contract
from funnel.privacy import keep_private
from funnel.report import write_report
from funnel.run_day import default_run_date
from funnel.run_summary import RunSummary, with_dbt_errors, with_stored_failures
from funnel.transform import dbt_errors, dbt_log_path
from orchestration.definitions import JOB_NAME, build_definitions
from orchestration.defs.alerts import sensors as alerts
from orchestration.lib.run_summary import summarize


def run_daily(
    config: Settings,
    run_date: date | None = None,
    *,
    full_refresh: bool = False,
    retire_deleted: bool = False,
    quiet: bool = False,
) -> RunSummary:
    """Run the daily job for `run_date` (default: yesterday) and return its summary."""
    keep_private(config)
    ensure_dagster_home(config)
    loaded = load_contract(config.contract)
    # The checkout, or the compiled copy of another contract: dbt's manifest and the Data Docs
    # the summary and the report point to are there.
    config = compiled.for_run(loaded, config)
    defs = build_definitions(config)
    job = defs.resolve_job_def(JOB_NAME)
    timezone = loaded.contract.reporting.timezone
    run_date = run_date or default_run_date(timezone)
    instance = dg.DagsterInstance.get()
    tags = {
        RUN_DAY_TAG: run_date.isoformat(),
        **({FULL_REFRESH_TAG: "true"} if full_refresh else {}),
        **({RETIRE_DELETED_TAG: "true"} if retire_deleted else {}),
    }
    # dbt's own log lines go to a file; the terminal gets one line per step.
    log_dir = config.artifacts_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"run-{run_date.isoformat()}.log"
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            tags=tags,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}} if not quiet else {}},
        )
    summary = summarize(instance, result.run_id)
    summary = with_stored_failures(summary, config.warehouse, config.dbt_project_dir / "target" / "manifest.json")
    dbt_log = dbt_log_path(config, result.run_id)
    summary = with_dbt_errors(summary, dbt_errors(dbt_log), dbt_log)
    # execute_in_process does not go through the daemon, so the run sensors would not see this
    # run: do here what they do.
    write_report(config, summary)
    if not summary.success:
        alerts.record_failure(summary, config.artifacts_dir)
    return summary
