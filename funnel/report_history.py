"""The alignment history: every run's reconciliation, kept in the warehouse, and a page that says
since when each gap has been open and how its delta moved.

One report covers one run; a gap that has been open for weeks looks the same as one that opened
today. `audit.alignment_history` keeps each run's rows (run, run day, team metric, period, delta,
status), written when the run's report is written, replaced if that run is reported twice. The
page (`reports/history.html`) lists every team metric-period whose latest status is not `ok`,
with the run day its current streak began and the delta of each run since.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from funnel.config import Settings
from funnel.warehouse import connect

HISTORY_TABLE = "audit.alignment_history"

COLUMNS = [
    "team",
    "team_metric",
    "metric",
    "period_start",
    "period_end",
    "team_value",
    "canonical_value",
    "delta",
    "allowed_delta",
    "status",
    "acceptance_state",
]


def record(config: Settings, run_id: str, run_day: str | None, reconciliation: pd.DataFrame) -> pd.DataFrame:
    """Store this run's reconciliation (replacing an earlier copy of the same run) and return the
    whole history. `reconciliation` has COLUMNS."""
    rows = reconciliation[COLUMNS].copy()
    rows.insert(0, "run_day", pd.to_datetime(run_day).date() if run_day else None)
    rows.insert(0, "run_id", run_id)
    rows["recorded_at"] = datetime.now(UTC)
    with connect(config.warehouse) as con:
        con.execute("create schema if not exists audit")
        con.execute(
            f"""
            create table if not exists {HISTORY_TABLE} (
                run_id varchar, run_day date, team varchar, team_metric varchar, metric varchar,
                period_start date, period_end date, team_value double, canonical_value double,
                delta double, allowed_delta double, status varchar, acceptance_state varchar,
                recorded_at timestamptz
            )
            """
        )
        con.register("this_run", rows)
        con.execute("begin")
        con.execute(f"delete from {HISTORY_TABLE} where run_id = ?", [run_id])
        con.execute(f"insert into {HISTORY_TABLE} by name select * from this_run")
        con.execute("commit")
        con.unregister("this_run")
        return con.execute(
            f"select * from {HISTORY_TABLE} order by team, team_metric, period_start, run_day, recorded_at"
        ).df()


def open_gaps(history: pd.DataFrame) -> pd.DataFrame:
    """Per team metric-period whose latest run is not `ok`: since which run day its current
    streak of not-ok runs goes, how many runs, and the deltas of that streak in run order.

    Runs are ordered by run day, then by when they were recorded (a day re-run counts again)."""
    if history.empty:
        return pd.DataFrame(columns=["team", "team_metric", "period_start", "status", "since", "runs", "deltas"])
    ordered = history.sort_values(["team", "team_metric", "period_start", "run_day", "recorded_at"])
    gaps = []
    for (team, metric, period), rows in ordered.groupby(["team", "team_metric", "period_start"], sort=True):
        latest = rows.iloc[-1]
        if latest["status"] == "ok":
            continue
        # The current streak: the runs after the last `ok` one.
        ok_positions = [i for i, status in enumerate(rows["status"]) if status == "ok"]
        streak = rows.iloc[(ok_positions[-1] + 1) if ok_positions else 0 :]
        gaps.append(
            {
                "team": team,
                "team_metric": metric,
                "period_start": period,
                "status": latest["status"],
                "since": streak.iloc[0]["run_day"],
                "runs": len(streak),
                "deltas": [float(d) for d in streak["delta"]],
                "allowed": float(latest["allowed_delta"]),
            }
        )
    return pd.DataFrame(gaps)


def _sparkline(deltas: list[float], allowed: float) -> str:
    """The delta of each run as a small line, with the tolerance band shaded."""
    width, height = 160, 30
    top = max([abs(d) for d in deltas] + [allowed, 1.0])

    def y(value: float) -> float:
        return height / 2 - value / top * (height / 2 - 2)

    step = width / max(len(deltas) - 1, 1)
    points = " ".join(f"{i * step:.1f},{y(d):.1f}" for i, d in enumerate(deltas))
    band = f'<rect x="0" y="{y(allowed):.1f}" width="{width}" height="{y(-allowed) - y(allowed):.1f}" fill="#dcfce7"/>'
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="delta per run">{band}<polyline points="{points}" fill="none" stroke="#be123c" '
        'stroke-width="1.5"/></svg>'
    )


def render_history(gaps: pd.DataFrame, runs: int) -> str:
    def e(value) -> str:
        return html.escape(str(value))

    rows = "".join(
        f'<tr class="{e(g.status)}"><td>{e(g.team)}</td><td>{e(g.team_metric)}</td>'
        f"<td>{e(str(g.period_start)[:7])}</td><td>{e(g.status)}</td><td>{e(g.since)}</td><td>{g.runs}</td>"
        f"<td>{g.deltas[-1]:+g} (allowed ±{g.allowed:g})</td><td>{_sparkline(g.deltas, g.allowed)}</td></tr>"
        for g in gaps.itertuples()
    )
    table = (
        "<table><thead><tr><th>Team</th><th>Team metric</th><th>Period</th><th>Status</th>"
        "<th>Not ok since (run day)</th><th>Runs</th><th>Delta now</th><th>Delta per run</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>No open gap: every team number of the latest run is within tolerance.</p>"
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Alignment history</title><style>'
        "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2933}"
        "table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{border:1px solid #d9e2ec;"
        "padding:.3rem .45rem;text-align:left}th{background:#f0f4f8}tr.fail td{background:#fee2e2}"
        "tr.warn td{background:#fef3c7}tr.accepted td{background:#dbeafe}"
        "</style></head><body><h1>Alignment history</h1>"
        f"<p>{runs} run(s) recorded in <code>{HISTORY_TABLE}</code>. Each team metric-period whose latest "
        "status is not ok: since which run day it has not been ok, and its delta at every run since "
        "(the green band is the tolerance).</p>"
        f"{table}</body></html>\n"
    )


def write_history(config: Settings, run_id: str, run_day: str | None, reconciliation: pd.DataFrame) -> Path:
    history = record(config, run_id, run_day, reconciliation)
    page = config.artifacts_dir / "reports" / "history.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_history(open_gaps(history), history["run_id"].nunique()), encoding="utf-8")
    return page
