"""Run the daily job through Dagster, in this process, on the configured warehouse.

The run is recorded in the Dagster instance ($DAGSTER_HOME), so it shows in `funnel ui` like a
scheduled one. Progress goes to stderr one line per step; the summary is read back from the
event log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration import alerts, compiled
from orchestration.config import PROJECT_ROOT, RUN_DAY_TAG, Settings
from orchestration.contract.load import load_contract
from orchestration.definitions import JOB_NAME, build_definitions
from orchestration.privacy import keep_private
from orchestration.report import write_report
from orchestration.run_summary import RunSummary, summarize, with_dbt_errors, with_stored_failures
from orchestration.transform import dbt_errors, dbt_log_path


def ensure_dagster_home(config: Settings) -> None:
    """$DAGSTER_HOME holds the run history; its dagster.yaml is the repository's."""
    config.dagster_home.mkdir(parents=True, exist_ok=True)
    target = config.dagster_home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(config.dagster_home)


def default_run_date(timezone: str) -> date:
    """Yesterday in the reporting timezone: the last complete day."""
    return datetime.now(ZoneInfo(timezone)).date() - timedelta(days=1)


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


def run_daily(
    config: Settings, run_date: date | None = None, *, full_refresh: bool = False, quiet: bool = False
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
    tags = {RUN_DAY_TAG: run_date.isoformat(), **({"funnel/full_refresh": "true"} if full_refresh else {})}
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


def data_as_of(data_dir: Path) -> date | None:
    """The day a generated sample ends, from its manifest (None for real data)."""
    import json

    manifest = data_dir / "manifest.json"
    if not manifest.exists():
        return None
    value = json.loads(manifest.read_text()).get("as_of")
    return date.fromisoformat(value) if value else None
