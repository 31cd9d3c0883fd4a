"""A run's summary, read back from the Dagster event log: every check's outcome with the rows
behind it, and the steps that crashed (their root cause, not Dagster's wrapper)."""

from __future__ import annotations

import dagster as dg

from funnel.config import RUN_DAY_TAG
from funnel.run_summary import DATA_DOCS_KEY, DIVERGENCES_KEY, FAILURES_KEY, CheckOutcome, RunSummary


def summarize(instance: dg.DagsterInstance, run_id: str) -> RunSummary:
    run = instance.get_run_by_id(run_id)
    checks: list[CheckOutcome] = []
    failed_steps: list[tuple[str, str]] = []
    for entry in instance.all_logs(
        run_id, of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE}
    ):
        event = entry.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            # A blocking check that failed ends its step with this error: it is reported as a
            # check, not as a crash.
            if error is None or error.cls_name != "DagsterAssetCheckFailedError":
                failed_steps.append((event.step_key or "", _root_cause(error)))
            continue
        evaluation = event.event_specific_data
        metadata = evaluation.metadata or {}
        failures = metadata.get(FAILURES_KEY)
        docs = metadata.get(DATA_DOCS_KEY)
        divergences = metadata.get(DIVERGENCES_KEY)
        failing_rows = metadata.get("dagster_dbt/failed_row_count")  # a dbt test's own count
        description = evaluation.description or (
            f"dbt test: {failing_rows.value} failing row(s)" if failing_rows is not None else ""
        )
        checks.append(
            CheckOutcome(
                asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value,
                description=description,
                failures=list(failures.value) if failures is not None else [],
                data_docs=str(docs.value) if docs is not None else None,
                divergences=list(divergences.value) if divergences is not None else [],
            )
        )
    failed_checks = any(not c.passed and c.severity == "ERROR" for c in checks)
    return RunSummary(
        run_id=run_id,
        # dbt's tests do not fail their step (transform.py): a failed error check fails the run.
        success=run is not None and run.status == dg.DagsterRunStatus.SUCCESS and not failed_checks,
        partition=run.tags.get(RUN_DAY_TAG) if run else None,
        checks=checks,
        failed_steps=failed_steps,
    )


def _root_cause(error) -> str:
    """The innermost error's message: the one that says what actually went wrong."""
    if error is None:
        return ""
    while error.cause is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message.strip()}"
