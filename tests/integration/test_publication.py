"""Reports within tolerance publish; a report beyond tolerance fails `funnel run` and BI keeps
the last reconciled numbers; a BI reader during a run never sees an error or a half state."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.runner import run_daily

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("publication")]

AS_OF = date(2026, 10, 31)


def align_reports_with_truth(data_dir: Path) -> None:
    """Rewrite every team report with the canonical numbers: a company that agrees with itself."""
    truth = pd.read_csv(data_dir / "truth" / "team_metrics.csv")
    for team, rows in truth.groupby("team"):
        with (data_dir / "reports" / f"{team}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["team", "metric", "period_start", "period_end", "value"])
            for row in rows.itertuples():
                writer.writerow([team, row.metric, row.period_start, row.period_end, row.canonical_value])


def push_report(data_dir: Path, team: str, metric: str, period_start: str, factor: float) -> tuple[float, float]:
    path = data_dir / "reports" / f"{team}.csv"
    frame = pd.read_csv(path)
    mask = (frame["metric"] == metric) & (frame["period_start"] == period_start)
    before = float(frame.loc[mask, "value"].iloc[0])
    frame.loc[mask, "value"] = round(before * factor)
    frame.to_csv(path, index=False)
    return before, float(frame.loc[mask, "value"].iloc[0])


def published_snapshot(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        counts = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}
        run_id = con.execute("select run_id from marts._publication").fetchone()[0]
        entries = con.execute("select count(*) from marts.fct_stage_entries").fetchone()[0]
        daily = con.execute("select sum(entries) from marts.funnel_daily").fetchone()[0]
    finally:
        con.close()
    return {"counts": counts, "run_id": run_id, "entries": entries, "daily": daily}


READER = textwrap.dedent(
    """
    import sys, time, duckdb, json, pathlib
    path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    held = duckdb.connect(path, read_only=True)      # a dashboard that keeps its connection
    seen, errors, reads = set(), [], 0
    def snapshot(con):
        entries = con.execute("select count(*) from marts.fct_stage_entries").fetchone()[0]
        daily = con.execute("select sum(entries) from marts.funnel_daily").fetchone()[0]
        run_id = con.execute("select run_id from marts._publication").fetchone()[0]
        return entries, int(daily), run_id
    held_first = snapshot(held)
    while not stop.exists():
        try:
            fresh = duckdb.connect(path, read_only=True)  # a dashboard that reconnects
            try:
                seen.add(snapshot(fresh))
            finally:
                fresh.close()
            if snapshot(held) != held_first:
                errors.append("the held connection changed under the reader")
            reads += 1
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    print(json.dumps({"seen": sorted(map(list, seen)), "errors": errors, "reads": reads}))
    """
)


def test_publication_follows_the_checks(fresh_project):
    settings = fresh_project.settings
    align_reports_with_truth(settings.data_dir)

    aligned = run_daily(settings, AS_OF, quiet=True)
    assert aligned.success, aligned.blocking_failures
    first = published_snapshot(settings.published)
    assert first["counts"]["fct_stage_entries"] > 0
    assert first["entries"] == first["daily"]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for table, count in first["counts"].items():
            if table != "_publication":
                assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] == count

    # Marketing reports 60% more MQLs for March 2026 than the canonical count: beyond tolerance.
    before, after = push_report(settings.data_dir, "marketing", "mqls", "2026-03-01", 1.6)
    assert after - before > 3
    result = fresh_project.funnel("run", "--date", AS_OF.isoformat())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED alignment_marketing" in result.stdout
    assert "metric=mqls" in result.stdout and "period=2026-03" in result.stdout
    assert f"reported={int(after)}" in result.stdout
    # BI still reads the last reconciled numbers.
    assert published_snapshot(settings.published) == first

    # Fixed again, while a BI reader keeps reading the published file.
    align_reports_with_truth(settings.data_dir)
    stop = fresh_project.root / "stop-reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.published), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(0.5)
        result = fresh_project.funnel("run", "--date", AS_OF.isoformat())
        time.sleep(0.5)
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(output)
    assert report["errors"] == []
    assert report["reads"] > 10
    # Every read saw a whole publication: entries add up, and only the two published runs appear.
    assert all(entries == daily for entries, daily, _ in report["seen"])
    second = published_snapshot(settings.published)
    assert {run for _, _, run in report["seen"]} <= {first["run_id"], second["run_id"]}
    assert second["run_id"] != first["run_id"]
    assert second["counts"] == first["counts"]
