"""Signed-off divergences, end to end through the `funnel` command: a period outside tolerance
blocks publication; `funnel accept` signs it off and the next run publishes; a changed delta, or
the sign-off expiring, blocks again."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import yaml

from tests.integration.test_publication import align_reports_with_truth, push_report

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("publication")]

AS_OF = date(2026, 10, 31)
KEY = ("marketing", "mqls", date(2026, 3, 1))


def reconciliation_row(path, key=KEY) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        frame = con.execute(
            "select * from marts.alignment_reconciliation where team = ? and team_metric = ? and period_start = ?",
            list(key),
        ).df()
    finally:
        con.close()
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def sign_off(project, reason: str, *more: str):
    """`funnel accept` of marketing's March MQLs, signed by the CMO."""
    team, metric, _ = KEY
    return project.funnel(
        "accept",
        "--team",
        team,
        "--metric",
        metric,
        "--period",
        "2026-03",
        "--reason",
        reason,
        "--by",
        "Dana Reyes (CMO)",
        *more,
    )


def test_a_signed_off_divergence_publishes_until_it_changes_or_expires(fresh_project):
    settings = fresh_project.settings
    run = ("run", "--date", AS_OF.isoformat())
    align_reports_with_truth(settings.data_dir)
    before, after = push_report(settings.data_dir, "marketing", "mqls", "2026-03-01", 1.6)

    blocked = fresh_project.funnel(*run)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert not settings.published.exists()
    failing = reconciliation_row(settings.warehouse)
    assert failing["status"] == "fail" and failing["acceptance_state"] is None
    assert failing["delta"] == after - failing["canonical_value"]

    # Nothing else to accept: a period within tolerance is refused.
    refused = fresh_project.funnel(
        "accept", "--team", "marketing", "--metric", "mqls", "--period", "2026-04", "--reason", "r", "--by", "x"
    )
    assert refused.returncode == 3 and "within tolerance" in refused.stderr

    signed = sign_off(fresh_project, "March webinar leads imported twice in the marketing tool")
    assert signed.returncode == 0, signed.stderr
    written = yaml.safe_load(settings.acceptances.read_text())["acceptances"]
    assert len(written) == 1
    assert written[0]["delta"] == failing["delta"]
    assert written[0]["explanation"] == failing["explanation_md5"]

    published = fresh_project.funnel(*run)
    assert published.returncode == 0, published.stdout + published.stderr
    row = reconciliation_row(settings.published)
    assert (row["status"], row["acceptance_state"], row["is_accepted"]) == ("accepted", "accepted", True)
    assert row["accepted_by"] == "Dana Reyes (CMO)"
    assert row["accepted_reason"] == "March webinar leads imported twice in the marketing tool"
    assert row["delta"] == row["accepted_delta"] == failing["delta"]
    listed = fresh_project.funnel("accept", "--list")
    assert "marketing mqls 2026-03" in listed.stdout and "— accepted" in listed.stdout

    # The team sends a new number for March: the sign-off was for another delta.
    push_report(settings.data_dir, "marketing", "mqls", "2026-03-01", 1.1)
    reopened = fresh_project.funnel(*run)
    assert reopened.returncode == 1, reopened.stdout
    row = reconciliation_row(settings.warehouse)
    assert (row["status"], row["acceptance_state"]) == ("fail", "reopened_delta_changed")
    assert row["accepted_delta"] == failing["delta"] != row["delta"]
    assert "reopened_delta_changed" in reopened.stdout
    assert reconciliation_row(settings.published)["delta"] == failing["delta"]  # BI keeps the signed-off state

    # Signed off again, but only until the day before the run: expired.
    renewed = sign_off(fresh_project, "still the double import", "--expires", "2026-10-30")
    assert renewed.returncode == 0, renewed.stderr
    assert len(yaml.safe_load(settings.acceptances.read_text())["acceptances"]) == 1
    expired = fresh_project.funnel(*run)
    assert expired.returncode == 1
    assert reconciliation_row(settings.warehouse)["acceptance_state"] == "expired"
