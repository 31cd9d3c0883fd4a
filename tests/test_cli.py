"""The `funnel` command: contract refusal, data checks, the handbook, and where rules may live."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from funnel.config import PROJECT_ROOT
from tests.conftest import make_project

pytestmark = pytest.mark.xdist_group("cli")


def test_funnel_run_refuses_an_invalid_contract_and_starts_nothing(tmp_path):
    text = (
        (PROJECT_ROOT / "funnel.yml")
        .read_text()
        .replace("lifecycle_stage_reached: salesqualifiedlead", "lifecycle_stage_reached: sales_qualified")
    )
    project = make_project(tmp_path / "p", tmp_path / "data", text)
    line = next(i for i, text_line in enumerate(text.splitlines(), start=1) if "sales_qualified" in text_line)

    result = project.funnel("run", "--date", "2026-10-31")

    assert result.returncode == 3
    assert (
        f"funnel.yml:{line}: stages.2.entry.lifecycle_stage_reached: unknown lifecycle stage 'sales_qualified'"
        in result.stderr
    )
    assert not project.settings.warehouse.exists()
    assert not any((project.settings.dagster_home).glob("storage/*"))


def test_contract_check_reports_every_problem_with_its_line(tmp_path):
    text = (PROJECT_ROOT / "funnel.yml").read_text()
    text = text.replace("timezone: America/New_York", "timezone: America/Nowhere", 1)
    text = text.replace("mqls: {relative: 0.08, absolute: 3, severity: block}", "mqls: {relative: -1, absolute: 3}")
    (tmp_path / "funnel.yml").write_text(text)
    project = make_project(tmp_path / "p", tmp_path / "data", text)

    result = project.funnel("contract", "check", str(tmp_path / "funnel.yml"))

    assert result.returncode == 3
    problems = [line.strip() for line in result.stderr.splitlines() if line.startswith("  funnel.yml:")]
    assert len(problems) == 2
    assert re.match(r"funnel\.yml:\d+: reporting\.timezone: unknown timezone 'America/Nowhere'", problems[0])
    assert re.match(r"funnel\.yml:\d+: alignment\.tolerances\.mqls\.relative: Input should be greater", problems[1])


def test_the_handbook_is_generated_and_self_contained(tmp_path):
    from datetime import UTC, date, datetime

    from funnel.contract.acceptances import Acceptance, write_acceptances

    project = make_project(tmp_path / "p", tmp_path / "data")
    signed = Acceptance(
        team="sales",
        metric="leads",
        period=date(2026, 7, 1),
        delta=7,
        explanation="0" * 32,
        records=9,
        reason="July's CRM import counted twice",
        by="Sam Ortiz, VP Sales",
        at=datetime(2026, 8, 3, tzinfo=UTC),
        expires=date(2026, 12, 31),
    )
    write_acceptances(project.settings.acceptances, [signed])
    result = project.funnel("contract", "docs", "--out", str(tmp_path / "handbook"))
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "handbook" / "handbook.md").read_text()
    page = (tmp_path / "handbook" / "handbook.html").read_text()
    for text in (
        "Marketing qualified lead",
        "lifecycle stage reached 'marketingqualifiedlead'",
        "Decision log",
        "Until 2025-01-01",
        "8% or 3, whichever is larger",
        "Dana Whitfield, CEO",
        # Each condition of a channel rule with its field, alternatives apart.
        "original source is OFFLINE and source drill-down 1 is IMPORT",
        "original source is OFFLINE and source drill-down 1 is one of CRM_UI, EXTENSION, SALES; or "
        "original source is OFFLINE and source drill-down 1 is CONTACTS and source drill-down 2 is CRM_UI",
        # Exclusions in words, each with its field; no regex in backticks.
        'email starts with "test" and then one of + . _ -; or email starts with "qa"',
        "email ends with @example.com, @example.org or @example.net; or email ends with @mailinator.com",
        "email domain is one of rivalmetrics.io, pipelinepro.com",
        "HubSpot lifecycle stage is other",
        # Sign-offs: who, when, why, until.
        "| sales | leads | 2026-07 | +7 (9 records) | Sam Ortiz, VP Sales | 2026-08-03 | 2026-12-31 | "
        "July's CRM import counted twice |",
    ):
        assert text in markdown
    assert "Marketing qualified lead" in page and "<table>" in page
    assert "`" not in markdown.split("## Who counts")[1].split("##")[0]
    assert not re.search(r"(src|href)=\"?https?://", page), "the handbook must not load anything from outside"


# What only the contract may say: HubSpot lifecycle values, deal stages and pipelines, stage keys.
STAGE_RULE_LITERALS = re.compile(
    r"'(marketingqualifiedlead|salesqualifiedlead|closedwon|appointmentscheduled|lead|mql|sql|opportunity|customer|default)'"
    r"|\"(marketingqualifiedlead|salesqualifiedlead|closedwon|mql|sql|opportunity|customer)\""
)


def test_no_stage_rule_is_written_outside_the_contract():
    """Models, macros and the Python package never name a stage or what enters it. (The sample
    company, sample_company/, restates funnel.yml on purpose — it is the independent oracle — and
    unit tests use fixed rows; neither is searched.)"""
    searched = [
        *PROJECT_ROOT.glob("dbt_project/models/**/*.sql"),
        *(p for p in PROJECT_ROOT.glob("dbt_project/macros/**/*.sql") if "generated" not in p.parts),
        *PROJECT_ROOT.glob("funnel/**/*.py"),
        *PROJECT_ROOT.glob("orchestration/**/*.py"),
    ]
    assert len(searched) > 30
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in searched
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        # Table names in source() and landed() calls are Salesforce objects (Lead), not stages.
        if STAGE_RULE_LITERALS.search(line) and "source(" not in line and "landed(" not in line
    ]
    assert offenders == []


@pytest.mark.parametrize("day", ["2023-12-31", "2999-01-01"])
def test_a_run_date_the_funnel_cannot_compute_is_refused_in_one_line(tmp_path, day):
    """Before meta.history_start (2024-01-01 in the demo contract) or not over yet: one line on
    stderr, exit 2, nothing started — not a Dagster traceback about partitions."""
    project = make_project(tmp_path / "p", tmp_path / "data")

    result = project.funnel("run", "--date", day)

    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    line = result.stderr.strip()
    assert line.startswith(f"funnel run: {day} ")
    assert ("meta.history_start (2024-01-01)" in line) if day < "2024" else ("has not ended yet" in line)
    assert not project.settings.warehouse.exists()


def test_an_unknown_engine_is_refused_in_one_line_before_anything_runs(tmp_path):
    project = make_project(tmp_path / "p", tmp_path / "data")
    env = {**project.env(), "FUNNEL_ENGINE": "oracle"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("funnel")), "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 3
    assert result.stderr.strip() == "funnel run: FUNNEL_ENGINE='oracle': choose one of duckdb, spark"
    assert not project.settings.warehouse.exists()


def test_spark_without_its_environment_says_what_is_missing(tmp_path):
    project = make_project(tmp_path / "p", tmp_path / "data")
    env = {**project.env(), "FUNNEL_ENGINE": "spark", "FUNNEL_SPARK_DBT": str(tmp_path / "nowhere" / "dbt")}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("funnel")), "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 4
    assert "FUNNEL_ENGINE=spark needs" in result.stderr and "make spark-env" in result.stderr
    assert not project.settings.warehouse.exists()


def test_metrics_are_ordered_by_their_group_by_unless_the_caller_orders():
    from funnel.cli import _ordered

    assert _ordered(["--metrics", "mqls", "--group-by", "metric_time__month"]) == [
        "--metrics",
        "mqls",
        "--group-by",
        "metric_time__month",
        "--order",
        "metric_time__month",
    ]
    assert _ordered(["--metrics", "mqls", "--group-by=channel"])[-2:] == ["--order", "channel"]
    assert _ordered(["--metrics", "mqls", "--group-by", "x", "--order", "-mqls"]).count("--order") == 1
    assert _ordered(["--metrics", "mqls"]) == ["--metrics", "mqls"]
