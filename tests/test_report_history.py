"""The alignment history: each run's reconciliation kept in the warehouse; since when a gap has
been open, and its delta per run."""

from __future__ import annotations

from datetime import date

import pandas as pd

from funnel.report_history import COLUMNS as COLUMNS_SHOWN
from funnel.report_history import HISTORY_TABLE, open_gaps, render_history, write_history
from funnel.warehouse import connect
from tests.conftest import make_project


def reconciliation(**deltas: tuple[float, str]) -> pd.DataFrame:
    """One row per team metric (period 2026-09) with the given (delta, status)."""
    return pd.DataFrame(
        [
            {
                "team": "marketing",
                "team_metric": metric,
                "metric": metric,
                "period_start": date(2026, 9, 1),
                "period_end": date(2026, 9, 30),
                "team_value": 100 + delta,
                "canonical_value": 100,
                "delta": delta,
                "allowed_delta": 4.0,
                "status": status,
                "acceptance_state": None,
            }
            for metric, (delta, status) in deltas.items()
        ]
    )


def test_a_gap_is_open_since_the_first_run_of_its_current_streak(tmp_path):
    settings = make_project(tmp_path / "p", tmp_path / "data").settings
    days = [
        ("r1", "2026-10-01", {"mqls": (6, "fail"), "leads": (1, "ok")}),
        ("r2", "2026-10-02", {"mqls": (2, "ok"), "leads": (9, "fail")}),
        ("r3", "2026-10-03", {"mqls": (7, "fail"), "leads": (10, "fail")}),
        ("r4", "2026-10-04", {"mqls": (8, "fail"), "leads": (12, "fail")}),
    ]
    for run_id, day, deltas in days:
        page = write_history(settings, run_id, day, reconciliation(**deltas))
    # Reporting a run twice replaces its rows.
    write_history(settings, "r4", "2026-10-04", reconciliation(mqls=(8, "fail"), leads=(12, "fail")))

    with connect(settings.warehouse, read_only=True) as con:
        assert con.execute(f"select count(*), count(distinct run_id) from {HISTORY_TABLE}").fetchall() == [(8, 4)]
        history = con.execute(f"select * from {HISTORY_TABLE}").df()
    gaps = open_gaps(history).set_index("team_metric")
    # mqls was ok on day 2: its current streak began on day 3; leads has failed since day 2.
    assert str(gaps.loc["mqls", "since"])[:10] == "2026-10-03" and gaps.loc["mqls", "runs"] == 2
    assert gaps.loc["mqls", "deltas"] == [7.0, 8.0]
    assert str(gaps.loc["leads", "since"])[:10] == "2026-10-02" and gaps.loc["leads", "deltas"] == [9.0, 10.0, 12.0]
    text = page.read_text()
    assert "4 run(s) recorded" in text and "2026-10-02" in text and "+12 (allowed ±4)" in text


def test_a_gap_closed_in_the_latest_run_is_not_listed():
    history = pd.concat(
        [
            reconciliation(mqls=(6, "fail")).assign(run_id="a", run_day=date(2026, 10, 1), recorded_at=1),
            reconciliation(mqls=(1, "ok")).assign(run_id="b", run_day=date(2026, 10, 2), recorded_at=2),
        ]
    )
    assert open_gaps(history).empty
    assert "No open gap" in render_history(open_gaps(history), 2)


def test_the_report_warns_of_a_silent_team_and_lists_sign_offs(tmp_path):
    from funnel.report import render
    from funnel.run_summary import CheckOutcome, RunSummary

    rows = reconciliation(mqls=(-9, "accepted"), leads=(12, "warn")).assign(severity="block")
    rows.loc[0, ["acceptance_state", "accepted_by", "accepted_on", "accepted_reason"]] = [
        "accepted",
        "Dana",
        "2026-10-02",
        "double import",
    ]
    rows["period"] = "2026-09"
    for column in ("team_computed_value", "explained_delta", "unexplained_delta"):
        rows[column] = None
    # As the warehouse returns them: dates, and NaT for a sign-off that does not expire.
    rows["accepted_until"] = pd.to_datetime(pd.Series([None, None]))
    rows["accepted_on"] = pd.to_datetime(rows["accepted_on"])
    summary = RunSummary(
        "run-1",
        True,
        "2026-10-31",
        [CheckOutcome("marts/alignment_reconciliation", "alignment_marketing", False, "WARN", "1 outside")],
        [],
    )
    empty = pd.DataFrame(columns=["team", "team_metric", "reason", "records", "period", "counted_by", "record_id"])
    page = render(summary, rows, empty, empty, tmp_path / "index.html", silent=["finance"])
    assert "no report from finance" in page
    assert "checks 0 failed (blocking), 1 warning(s)" in page  # as `funnel run` prints it
    assert '<b id="accepted">1</b>' in page and '<b id="warn-periods">1</b>' in page
    assert "<td>Dana</td>" in page and "<td>double import</td>" in page
    assert "<title>canonical 2026-09: 100</title>" in page


def test_a_run_with_no_team_report_at_all_still_gets_its_report(tmp_path):
    from funnel.report import render
    from funnel.run_summary import RunSummary

    columns = [*COLUMNS_SHOWN, "period", "severity"]
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    page = render(
        RunSummary("r", True, "2026-10-31", [], []), empty, empty, empty, tmp_path / "i.html", silent=["sales"]
    )
    assert "No team reports loaded." in page and "no report from sales" in page
