"""The whole daily run, for real (DuckDB, dbt build, Dagster, GX), on the generated company."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pandas as pd
import pytest

from funnel.contract.load import load_contract
from orchestration.runner import run_daily
from tests.truth import COMPARISONS, differences

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("sample_run")]

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def sample_run(default_run):
    """The shared default run (conftest); the rerun test below writes it again, identically."""
    return default_run


@pytest.mark.parametrize("mart", sorted(COMPARISONS))
def test_mart_equals_ground_truth(sample_run, sample_data, mart):
    project, _ = sample_run
    expected_rows, only_truth, only_mart = differences(project.settings.warehouse, sample_data / "truth", mart)
    assert expected_rows > 0
    assert only_truth == [] and only_mart == [], f"{mart}: truth-only {only_truth} / mart-only {only_mart}"


def test_every_stage_and_the_messy_cases_are_present(sample_run):
    project, _ = sample_run
    con = duckdb.connect(str(project.settings.warehouse), read_only=True)
    try:
        stages = dict(con.execute("select stage, count(*) from marts.fct_stage_entries group by stage").fetchall())
        reasons = dict(
            con.execute(
                "select exclusion_reason, count(*) from marts.dim_people where is_excluded group by 1"
            ).fetchall()
        )
        statuses = dict(
            con.execute("select record_status, count(*) from intermediate.int_contacts_resolved group by 1").fetchall()
        )
        backfilled = con.execute("select count(*) from marts.fct_stage_entries where is_backfilled").fetchone()[0]
    finally:
        con.close()
    assert set(stages) == {"lead", "mql", "sql", "opportunity", "customer"}
    assert stages["lead"] > stages["mql"] > stages["sql"] > stages["opportunity"] > stages["customer"] > 0
    assert set(reasons) == {"internal", "test", "competitor", "archived", "lifecycle_other"}
    assert statuses["merged"] > 0 and statuses["deleted"] > 0
    assert backfilled > 0


def _expected_failures(truth_dir, contract) -> set[tuple[str, str, str]]:
    """Team-metric-months outside tolerance, from the generator's numbers and the contract alone."""
    alignment = contract.alignment
    metrics = pd.read_csv(truth_dir / "team_metrics.csv")
    failing = set()
    for row in metrics.itertuples():
        metric = alignment.teams[row.team].reports[row.metric]
        tolerance = alignment.tolerances[metric]
        allowed = max(tolerance.absolute, tolerance.relative * row.canonical_value)
        if abs(row.team_value - row.canonical_value) > allowed:
            failing.add((row.team, row.metric, row.period_start[:7], tolerance.severity))
    return failing


def test_alignment_checks_fail_exactly_the_metric_periods_outside_tolerance(sample_run, sample_data):
    project, summary = sample_run
    contract = load_contract(project.settings.contract).contract
    expected = _expected_failures(sample_data / "truth", contract)
    assert any(severity == "block" for *_, severity in expected), "the sample must diverge beyond tolerance"

    reported = {
        (row["team"], row["metric"], row["period"], row["severity"])
        for outcome in summary.checks
        if outcome.check.startswith("alignment_")
        for row in outcome.failures
        if "tolerance" in row["problem"]
    }
    assert reported == expected
    failed_checks = {c.check for c in summary.blocking_failures}
    teams_blocking = {team for team, _, _, severity in expected if severity == "block"}
    assert failed_checks == {f"alignment_{team}" for team in teams_blocking}
    assert summary.failed_steps == []


def test_a_failed_run_publishes_nothing(sample_run):
    project, summary = sample_run
    assert not summary.success
    assert not project.settings.published.exists()


def _marts_fingerprint(warehouse) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            table: hashlib.sha256(
                con.execute(f"select * from marts.{table}")
                .df()
                .sort_values(by=list(con.execute(f"select * from marts.{table} limit 0").df().columns))
                .to_csv(index=False)
                .encode()
            ).hexdigest()
            for table in tables
        }
    finally:
        con.close()


def test_rerunning_the_same_day_gives_identical_marts(sample_run):
    project, _ = sample_run
    before = _marts_fingerprint(project.settings.warehouse)
    run_daily(project.settings, AS_OF, quiet=True)
    assert _marts_fingerprint(project.settings.warehouse) == before
    assert len(before) >= 6


def test_dbt_unit_tests_of_the_stage_logic_pass(sample_run):
    """Stage logic (merge chains, skipped stages, re-entry, exclusions, midnight) and the analytics marts."""
    import subprocess

    from funnel.transform import dbt_executable

    project, _ = sample_run
    dbt_dir = project.settings.dbt_project_dir
    result = subprocess.run(
        [
            dbt_executable(),
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(dbt_dir),
            "--profiles-dir",
            str(dbt_dir),
        ],
        cwd=dbt_dir,
        env=project.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS=19" in result.stdout and "ERROR=0" in result.stdout


def test_every_record_maps_to_the_true_person(sample_run, sample_data):
    project, _ = sample_run
    con = duckdb.connect(str(project.settings.warehouse), read_only=True)
    try:
        got = set(con.execute("select contact_id, person_id from intermediate.int_contacts_resolved").fetchall())
        truth = set(
            con.execute(
                f"select record_id, person_id from read_csv('{sample_data}/truth/records.csv', all_varchar=true)"
            ).fetchall()
        )
    finally:
        con.close()
    assert len(truth) > 2000 and got == truth


def test_divergences_match_the_generators_causes_record_for_record(sample_run, sample_data):
    project, _ = sample_run
    columns = "team, team_metric, period_start, record_id, person_id, counted_by, missing_from, reason"
    con = duckdb.connect(str(project.settings.warehouse), read_only=True)
    try:
        got = con.execute(f"select {columns} from marts.alignment_divergences").fetchall()
        truth = con.execute(
            f"select team, metric, period_start::date, record_id, person_id, counted_by, missing_from, reason "
            f"from read_csv('{sample_data}/truth/divergences.csv', all_varchar=true)"
        ).fetchall()
        reasons = dict(con.execute("select reason, count(*) from marts.alignment_divergences group by 1").fetchall())
    finally:
        con.close()
    assert len(truth) > 500
    assert sorted(got) == sorted(truth)
    # Every kind of cause the generator injects is found from the data.
    assert set(reasons) >= {
        "excluded_internal",
        "excluded_test",
        "excluded_competitor",
        "archived",
        "duplicate_merged",
        "late_update",
        "reentry",
        "timezone_boundary",
        "stage_skipped_backfilled",
        "not_in_crm",
        "not_in_marketing",
        "definition_difference",
    }


def test_divergences_explain_every_delta_and_team_views_reproduce_the_reports(sample_run):
    project, _ = sample_run
    con = duckdb.connect(str(project.settings.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select team, team_metric, period_start, team_value, team_computed_value, delta, explained_delta, "
            "unexplained_delta from marts.alignment_reconciliation"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 72  # marketing leads and mqls, sales leads and leads worked: 18 months each
    for team, metric, period, reported, computed, delta, explained, unexplained in rows:
        assert computed == reported, (team, metric, period)
        assert explained == delta and unexplained == 0, (team, metric, period)
