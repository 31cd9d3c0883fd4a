"""The Dagster definitions load, validate, and carry the schedule, sensor, pools and checks."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from funnel.config import PROJECT_ROOT, RUN_DAY_TAG
from funnel.run_day import as_of_for
from funnel.transform import build_args
from orchestration.definitions import JOB_NAME, build_definitions
from tests.conftest import make_project

pytestmark = pytest.mark.xdist_group("definitions")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("defs")
    return make_project(root / "project", root / "no-data")


def test_dagster_definitions_validate_succeeds_on_the_workspace(project):
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        cwd=PROJECT_ROOT,
        env=project.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Validation failed" not in result.stdout + result.stderr


def test_the_daily_job_schedule_sensor_and_checks(project):
    defs = build_definitions(project.settings)
    job = defs.resolve_job_def(JOB_NAME)
    schedule = defs.resolve_schedule_def("daily_funnel_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "America/New_York"
    assert defs.resolve_sensor_def("record_failed_runs") is not None
    # Not partitioned: the run's day is a tag, so the UI shows no phantom missing partitions.
    assert job.partitions_def is None
    request = schedule.evaluate_tick(
        dg.build_schedule_context(
            scheduled_execution_time=datetime(2026, 11, 2, 6, 0, tzinfo=ZoneInfo("America/New_York"))
        )
    ).run_requests[0]
    assert request.tags[RUN_DAY_TAG] == "2026-11-01" and request.run_key == "2026-11-01"

    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    # What the UI counts as missing partitions: none, for every asset.
    assert [k for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is not None] == []
    for expected in (
        "raw/hubspot_contacts",
        "raw/team_reports",
        "staging/stg_hubspot__contacts",
        "marts/dim_people",
        "marts/fct_stage_entries",
        "marts/funnel_daily",
        "marts/pipeline_deals",
        "marts/marketing_spend_daily",
        "marts/alignment_reconciliation",
        "published/bi_marts",
    ):
        assert expected in keys
    checks = {key.name for key in graph.asset_check_keys}
    assert {
        "raw_shape",
        "funnel_stage_order",
        "funnel_daily_totals",
        "won_deals_have_opportunity",
        "alignment_marketing",
        "alignment_sales",
    } <= checks
    blocking = {key.name for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    assert {"raw_shape", "alignment_marketing", "alignment_sales", "funnel_stage_order"} <= blocking
    # Every writer of the DuckDB file shares one pool.
    pools = {node.pool for node in job.graph.node_defs if getattr(node, "pool", None)}
    assert pools == {"duckdb_writer"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 31), "2026-11-01T04:00:00Z"),  # EDT: UTC-4
        (date(2026, 11, 1), "2026-11-02T05:00:00Z"),  # the day DST ends: EST, UTC-5
        (date(2026, 3, 7), "2026-03-08T05:00:00Z"),
    ],
)
def test_a_run_computes_the_funnel_as_of_the_end_of_its_day_in_the_reporting_timezone(day, expected):
    assert as_of_for(day, "America/New_York") == expected


def test_dbt_arguments_carry_the_run_instant():
    assert build_args("build", as_of="2026-11-01T04:00:00Z", full_refresh=True) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        '{"as_of": "2026-11-01T04:00:00Z"}',
        "--full-refresh",
    ]
    assert build_args("run", as_of=None, full_refresh=False) == ["run"]
