"""The analysts' surfaces after a failed run: the HTML alignment report rendered in headless
Chromium, and GX Data Docs holding the failing expectations."""

from __future__ import annotations

import re
import subprocess

import pandas as pd
import pytest

from funnel.checks.gx_context import data_docs_index
from funnel.report import latest_report
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("report")]


@pytest.fixture(scope="module")
def failed_run(default_run):
    """The shared default run (conftest): the sample's team reports fail alignment on purpose."""
    project, summary = default_run
    assert not summary.success
    return project, summary


def _expected_failing(sample_data, project) -> int:
    from funnel.contract.load import load_contract

    alignment = load_contract(project.settings.contract).contract.alignment
    metrics = pd.read_csv(sample_data / "truth" / "team_metrics.csv")
    failing = 0
    for row in metrics.itertuples():
        tolerance = alignment.tolerances[alignment.teams[row.team].reports[row.metric]]
        outside = abs(row.team_value - row.canonical_value) > max(
            tolerance.absolute, tolerance.relative * row.canonical_value
        )
        failing += outside and tolerance.severity == "block"
    return failing


def test_the_report_is_self_contained_and_free_of_personal_data(failed_run, sample_data):
    project, _ = failed_run
    page = latest_report(project.settings).read_text()
    assert not re.search(r"(src|href)=\"https?://", page) and "<script" not in page and "<link" not in page
    assert "@" not in page, "no email may reach the report"
    assert "<svg" in page and "alignment_divergences" in page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's)")
def test_the_report_renders_in_headless_chromium_with_the_key_numbers(failed_run, sample_data, tmp_path):
    project, _ = failed_run
    url = latest_report(project.settings).as_uri()
    profile = tmp_path / "chromium-profile"
    screenshot = tmp_path / "report.png"
    shot = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,1600",
            f"--screenshot={screenshot}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000

    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    divergences = len(pd.read_csv(sample_data / "truth" / "divergences.csv"))
    assert f'<b id="fails">{_expected_failing(sample_data, project)}</b>' in dom
    assert f'<b id="divergent-records">{divergences}</b>' in dom
    # The per-month chart: every month's canonical number and each team's reported one.
    truth = pd.read_csv(sample_data / "truth" / "team_metrics.csv")
    for row in truth.itertuples():
        month = str(row.period_start)[:7]
        assert f"<title>canonical {month}: {row.canonical_value:,.0f}</title>" in dom
        assert f"<title>{row.team} · {row.metric} {month}: {row.team_value:,.0f}</title>" in dom


def test_data_docs_hold_the_failing_alignment_expectations(failed_run):
    project, summary = failed_run
    index = data_docs_index(project.settings.expectations_dir)
    assert index.exists()
    pages = sorted(index.parent.glob("validations/alignment_marketing/**/*.html"))
    assert pages
    page = pages[-1].read_text()
    assert "Failed" in page and "allowed_delta" in page and "abs_delta" in page
    docs = {c.check: c.data_docs for c in summary.blocking_failures}
    assert docs["alignment_marketing"] and docs["alignment_marketing"].endswith(".html")


def test_funnel_report_prints_both_paths(failed_run):
    project, _ = failed_run
    result = project.funnel("report")
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(latest_report(project.settings)) in result.stdout
    assert str(data_docs_index(project.settings.expectations_dir)) in result.stdout
