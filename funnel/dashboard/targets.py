"""The targets section: leadership's targets per stage and month against actual entries."""

from __future__ import annotations

import duckdb

from funnel.dashboard.cells import _count, _e, _pct, _table, _td
from funnel.dashboard.charts import SMALL_CHART, bar_chart
from funnel.dashboard.context import _rows
from funnel.dashboard.labels import Labels
from funnel.publish import PUBLISHED_SCHEMA


def _targets(con: duckdb.DuckDBPyConnection, labels: Labels) -> str:
    rows = _rows(
        con,
        f"""
        select period, stage, target, actual, attainment, pace, projected, is_current_period,
            days_elapsed = 0 as is_future
        from {PUBLISHED_SCHEMA}.targets_vs_actuals
        order by period
        """,
    )
    if not rows:
        return '<section id="targets"><h2>Targets</h2><p>The contract sets no targets.</p></section>'
    stages = [s for s in labels.stage_order(r[1] for r in rows) if any(r[1] == s for r in rows)]
    rows = sorted(rows, key=lambda r: (r[0], stages.index(r[1])))
    body = []
    for period, stage, target, actual, attainment, pace, projected, current, future in rows:
        keys = {"period": period, "stage": stage}
        note = " <small>(current)</small>" if current else " <small>(not started)</small>" if future else ""
        # A period not started yet has no actual to compare: blanks, not a 0% attainment.
        body.append(
            f"<tr><th>{_e(period)}{note}</th><td>{_e(labels.stage(stage))}</td>"
            + _td(_count(target), "target", target, **keys)
            + (
                '<td class="n none" colspan="4">–</td>'
                if future
                else _td(_count(actual), "actual", actual, **keys)
                + _td(_pct(attainment), "attainment", attainment, **keys)
                + _td(_pct(pace), "pace", pace, **keys)
                + _td(_count(projected), "projected", projected, **keys)
            )
            + "</tr>"
        )
    periods = sorted({r[0] for r in rows})
    pairs = {(r[0], r[1]): (float(r[2]), None if r[8] else float(r[3])) for r in rows}  # (target, actual)
    charts = "".join(
        bar_chart(
            periods,
            [
                ("target", [pairs[(p, stage)][0] if (p, stage) in pairs else None for p in periods]),
                ("actual", [pairs[(p, stage)][1] if (p, stage) in pairs else None for p in periods]),
            ],
            label=f"{labels.stage(stage)}: target vs actual entries",
            width=SMALL_CHART,
            height=150,
        )
        for stage in stages
    )
    return (
        '<section id="targets"><h2>Targets</h2>'
        "<p>Leadership's targets (entries per stage per month) against actual entries; pace compares the "
        "entries so far with the target prorated to the days elapsed.</p>"
        + _table(["Period", "Stage", "Target", "Actual", "Attainment", "Pace", "Projected"], body)
        + f'<div class="grid">{charts}</div></section>'
    )
