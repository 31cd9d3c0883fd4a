"""The alignment section: each team's reported number against the canonical one, and the open gaps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import duckdb

from funnel.contract.model import Contract
from funnel.dashboard.cells import _e, _number, _signed, _table, _td
from funnel.dashboard.charts import SMALL_CHART, line_chart
from funnel.dashboard.context import RunContext, _month_key, _period_key, _rows
from funnel.dashboard.labels import Labels, _month_heads
from funnel.publish import PUBLISHED_SCHEMA

# Reconciliation statuses that leave no open gap: within tolerance, or signed off (`funnel accept`).
SETTLED = ("ok", "accepted")


class _Reconciled(NamedTuple):
    """One row of marts.alignment_reconciliation, as the alignment section reads it."""

    metric: str
    team: str
    team_metric: str
    period_start: date
    period_end: date
    team_value: float
    canonical_value: float
    delta: float
    allowed_delta: float
    unexplained_delta: float
    status: str

    @property
    def period(self) -> str:
        return _period_key(self.period_start, self.period_end)

    @property
    def keys(self) -> dict[str, str]:
        """The data attributes that name this team's number for this period."""
        return {"team": self.team, "team_metric": self.team_metric, "period": self.period}


def _alignment(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, contract: Contract) -> str:
    rows = [
        _Reconciled(*row)
        for row in _rows(
            con,
            f"""
            select metric, team, team_metric, period_start, period_end, team_value, canonical_value, delta,
                allowed_delta, unexplained_delta, status
            from {PUBLISHED_SCHEMA}.alignment_reconciliation
            where period_start >= ? and period_start < ?
            order by metric, team, team_metric, period_start, period_end
            """,
            ctx.window,
        )
    ]
    if not rows:
        return '<section id="alignment"><h2>Alignment</h2><p>No team report covers these months.</p></section>'
    months = [_month_key(m) for m in ctx.months]
    reports = sorted({(r.team, r.team_metric, r.metric) for r in rows})
    # Monthly reports fill the matrix and the charts; a report over another period shows in the gaps only.
    by_month = {(r.team, r.team_metric, r.period): r for r in rows}

    def metric_label(metric: str) -> str:
        definition = contract.alignment.metrics.get(metric)
        if definition and definition.stage:
            return f"{metric} ({labels.stage(definition.stage)} entries)"
        return metric

    charts = []
    for metric in sorted({r.metric for r in rows}):
        canonical = {r.period: r.canonical_value for r in rows if r.metric == metric}
        series = [("canonical", [_float(canonical.get(m)) for m in months])]
        series += [
            (
                f"{team} · {team_metric}",
                [_float(getattr(by_month.get((team, team_metric, m)), "team_value", None)) for m in months],
            )
            for team, team_metric, of in reports
            if of == metric
        ]
        label = f"Canonical vs each team: {metric_label(metric)}"
        charts.append(line_chart(months, series, label=label, width=SMALL_CHART))

    def delta_cell(row: _Reconciled | None) -> str:
        if row is None:
            return '<td class="n none">·</td>'
        tip = (
            f"{row.team} reported {_number(row.team_value)}, canonical {_number(row.canonical_value)}, "
            f"allowed ±{_number(row.allowed_delta)}: {row.status}"
        )
        return _td(
            _signed(row.delta), "delta", row.delta, css=f"n {row.status}", title=tip, status=row.status, **row.keys
        )

    matrix = [
        f"<tr><th>{_e(team)} · {_e(team_metric)}<small>vs {_e(metric_label(metric))}</small></th>"
        + "".join(delta_cell(by_month.get((team, team_metric, m))) for m in months)
        + "</tr>"
        for team, team_metric, metric in reports
    ]
    gaps = sorted(
        (r for r in rows if r.status not in SETTLED),
        key=lambda r: (r.period_start, r.team, r.team_metric),
        reverse=True,
    )
    gap_rows = [
        f'<tr class="{_e(r.status)}"><th>{_e(r.period)}</th><td>{_e(r.team)}</td><td>{_e(r.team_metric)}</td>'
        f"<td>{_e(metric_label(r.metric))}</td>"
        + _td(_number(r.team_value), "team_value", r.team_value, **r.keys)
        + _td(_number(r.canonical_value), "canonical_value", r.canonical_value, **r.keys)
        + _td(_signed(r.delta), "delta", r.delta, **r.keys)
        + _td(f"±{_number(r.allowed_delta)}", "allowed_delta", r.allowed_delta, **r.keys)
        + _td(_signed(r.unexplained_delta), "unexplained_delta", r.unexplained_delta, **r.keys)
        + f"<td>{_e(r.status)}</td></tr>"
        for r in gaps
    ]
    head = ["Period", "Team", "Team's metric", "Canonical metric", "Team says", "Canonical", "Gap", "Allowed"]
    gap_table = (
        _table([*head, "Unexplained", "Status"], gap_rows, css="gaps")
        if gap_rows
        else "<p>Every team report is within tolerance.</p>"
    )
    return (
        '<section id="alignment"><h2>Alignment</h2>'
        "<p>Each team's reported number minus the canonical one (green: within the contract's tolerance, "
        "blue: outside it but signed off, amber: warn, red: fail). Hover a cell for both numbers.</p>"
        + _table(["Team report", *_month_heads(ctx)], matrix, css="matrix")
        + f'<div class="grid">{"".join(charts)}</div>'
        + f"<h3>Open gaps ({len(gap_rows)})</h3>"
        + "<p>Reports outside tolerance, latest first. The unexplained part is what no record-level "
        "divergence (alignment_divergences) accounts for.</p>" + gap_table + "</section>"
    )


def _float(value: float | Decimal | None) -> float | None:
    return None if value is None else float(value)
