"""The alerting hook: every failed daily run leaves a summary file, and is posted to a webhook
when `FUNNEL_ALERT_WEBHOOK_URL` is set (Slack-, Teams- or anything-compatible JSON body)."""

import json
import os
import urllib.request
from pathlib import Path

import dagster as dg

from funnel.config import Settings
from funnel.report import write_report
from funnel.run_summary import RunSummary, format_summary
from orchestration.lib.run_summary import summarize


def record_failure(summary: RunSummary, artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{summary.run_id}.json"
    path.write_text(summary.to_json(), encoding="utf-8")
    (folder / "latest.txt").write_text(format_summary(summary) + "\n", encoding="utf-8")
    return path


def post_webhook(url: str, summary: RunSummary) -> None:
    body = json.dumps({"text": format_summary(summary)}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


def build_failure_sensor(config: Settings, job) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="record_failed_runs",
        monitored_jobs=[job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes the failure summary of every failed daily run to artifacts/alerts/ "
        "and posts it to FUNNEL_ALERT_WEBHOOK_URL when set.",
    )
    def record_failed_runs(context: dg.RunFailureSensorContext):
        summary = summarize(context.instance, context.dagster_run.run_id)
        path = record_failure(summary, config.artifacts_dir)
        report = write_report(config, summary)
        context.log.info(f"failure summary written to {path}; alignment report: {report}")
        url = os.environ.get("FUNNEL_ALERT_WEBHOOK_URL")
        if url:
            post_webhook(url, summary)

    return record_failed_runs


def build_report_sensor(config: Settings, job) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="write_alignment_report",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes the HTML alignment report of every successful daily run "
        "(failed runs get theirs from record_failed_runs).",
    )
    def write_alignment_report(context: dg.RunStatusSensorContext):
        report = write_report(config, summarize(context.instance, context.dagster_run.run_id))
        context.log.info(f"alignment report: {report}")

    return write_alignment_report
