"""The starter dashboard: one self-contained HTML page over the published marts (issue #15).

Why no BI-as-code tool: Evidence's DuckDB connector bundles a duckdb 1.x client, which cannot
read the files our duckdb 2.x writes, and its build pulls hundreds of npm packages into CI. This
page needs only the marts: each query aggregates in SQL (a few dozen rows come back), charts are
inline SVG, and nothing is loaded from outside, so the file opens offline, in a mail or an archive.

Every number carries data attributes (`data-metric` and its keys: `data-stage`, `data-month`,
`data-team`, …) and its exact value in `data-value`, so a test or a scraper reads the page
without parsing its layout. Only aggregates of marts are shown: no person-level row, no id.
"""

from __future__ import annotations

import argparse
import html
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import duckdb

from funnel.config import Settings, settings
from funnel.contract import ContractError, load_contract
from funnel.contract.model import Contract
from funnel.exits import EXIT_INFRA, EXIT_INVALID, EXIT_OK, crashed
from funnel.publish import PUBLISHED_SCHEMA

MONTHS_SHOWN = 12
SOURCE_CATALOG = "dashboard_source"
# Width of the small charts drawn side by side (px): three fit a laptop's screen.
SMALL_CHART = 380
REQUIRED_MARTS = (
    "fct_stage_entries",
    "funnel_conversion_period",
    "alignment_reconciliation",
    "pipeline_contribution",
    "pipeline_deals",
    "attribution_credit",
    "sla_speed_to_lead",
    "targets_vs_actuals",
)
# attribution_credit's conversion_type of a won deal (int_attribution_credit.sql); the others are stages.
WON_DEAL = "won_deal"
# Display order of attribution_credit's models (its accepted_values); a new model is appended.
MODEL_ORDER = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
# Reconciliation statuses that leave no open gap: within tolerance, or signed off (`funnel accept`).
SETTLED = ("ok", "accepted")
# The key of the attribution table's total row (data-channel): no channel key has a star.
TOTAL = "*"
_PALETTE = ("#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777")


class DashboardError(Exception):
    """The file cannot feed the dashboard (missing, unreadable, no marts): one line for a person."""


def default_output(config: Settings) -> Path:
    return config.artifacts_dir / "dashboard" / "index.html"


@dataclass(frozen=True)
class RunContext:
    """What the marts are as of: the run's last reporting day and the months around it."""

    run_day: date
    timezone: str
    as_of: datetime | None
    contract_version: str | None

    @property
    def last_full_month(self) -> date:
        """First day of the last calendar month that ended on or before the run's day."""
        if (self.run_day + timedelta(days=1)).day == 1:
            return self.run_day.replace(day=1)
        return _add_months(self.run_day.replace(day=1), -1)

    @property
    def months(self) -> list[date]:
        """The months shown: the run's month (maybe partial) and the ones before it."""
        last = self.run_day.replace(day=1)
        return [_add_months(last, offset) for offset in range(1 - MONTHS_SHOWN, 1)]

    @property
    def window(self) -> tuple[date, date]:
        """[first day of the first month shown, first day after the last) for SQL filters."""
        return self.months[0], _add_months(self.months[-1], 1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_key(month: date) -> str:
    return month.strftime("%Y-%m")


def _period_key(start: date, end: date) -> str:
    """'2026-09' for a calendar month (as funnel.checks.explain labels it), else 'start..end'."""
    if start.day == 1 and end == _add_months(start, 1) - timedelta(days=1):
        return _month_key(start)
    return f"{start}..{end}"


# --- reading the file ---------------------------------------------------------------------------


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, refused in one line when the file cannot feed the dashboard."""
    if not warehouse.is_file():
        raise DashboardError(
            f"{warehouse} does not exist: run the pipeline until its checks pass (the published copy), "
            "or give --warehouse PATH to a DuckDB file with schema marts"
        )
    # Attached under a fixed name: a file called marts.duckdb would otherwise make `marts.x`
    # ambiguous (catalog or schema?).
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_quote(warehouse)}' as {SOURCE_CATALOG} (read_only)")
        con.execute(f"use {SOURCE_CATALOG}")
    except duckdb.Error as error:
        con.close()
        raise DashboardError(f"cannot open {warehouse}: {' '.join(str(error).split())[:300]}") from None
    tables = _tables(con)
    missing = [t for t in REQUIRED_MARTS if (PUBLISHED_SCHEMA, t) not in tables]
    if missing:
        con.close()
        more = f" (and {len(missing) - 1} other marts)" if len(missing) > 1 else ""
        raise DashboardError(
            f"{warehouse} has no {PUBLISHED_SCHEMA}.{missing[0]}{more}: not a funnel warehouse, or an older one"
        )
    return con


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def run_day_of(as_of: datetime, timezone: str) -> date:
    """The run's last reporting day: as_of is the exclusive end of that day (funnel/run_day.py)."""
    return (as_of - timedelta(milliseconds=1)).astimezone(ZoneInfo(timezone)).date()


def run_context(con: duckdb.DuckDBPyConnection, contract: Contract) -> RunContext:
    """The run's as_of: `marts._publication` in the published copy; in a working warehouse the
    build's own parameters (int_run_context, with the timezone it ran in). A build without as_of
    ran "as of now": its latest entry date stands in for the run's day."""
    tables = _tables(con)
    timezone, as_of, version = contract.reporting.timezone, None, None
    if (PUBLISHED_SCHEMA, "_publication") in tables:
        rows = _rows(
            con, f"select epoch(cast(as_of as timestamptz)), contract_version from {PUBLISHED_SCHEMA}._publication"
        )
        as_of, version = rows[0] if rows else (None, None)
    else:
        schema = next((s for s, t in sorted(tables) if t == "int_run_context"), None)
        if schema is not None:
            rows = _rows(
                con, f'select epoch(as_of), contract_version, reporting_timezone from "{schema}".int_run_context'
            )
            if rows:
                as_of, version, timezone = rows[0][0], rows[0][1], rows[0][2] or timezone
    if as_of is not None:
        instant = datetime.fromtimestamp(as_of, UTC)
        return RunContext(run_day_of(instant, timezone), timezone, instant, version)
    latest = _rows(con, f"select max(entered_date) from {PUBLISHED_SCHEMA}.fct_stage_entries")[0][0]
    return RunContext(latest or date.today(), timezone, None, version)


# --- formatting ---------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _count(value: float | None) -> str:
    return "" if value is None else f"{float(value):,.0f}"


def _number(value: float | None) -> str:
    """Whole numbers as they are, others to one decimal (an allowed delta of 4.48 reads ±4.5)."""
    if value is None:
        return ""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return "0" if float(value) == 0 else ("+" if float(value) > 0 else "") + _number(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{float(value):,.1f} h"


def _compact(value: float) -> str:
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _attrs(metric: str, value: object, **keys: object) -> str:
    """data-metric, its keys (data-stage, data-month, …) and the exact value (data-value)."""
    parts = [f'data-metric="{_e(metric)}"']
    parts += [f'data-{name.replace("_", "-")}="{_e(key)}"' for name, key in keys.items()]
    if value is not None:
        number = float(value)
        parts.append(f'data-value="{int(number) if number.is_integer() else number!r}"')
    return " ".join(parts)


def _td(text: str, metric: str, value: object, css: str = "n", title: str = "", **keys: object) -> str:
    tip = f' title="{_e(title)}"' if title else ""
    return f'<td class="{css}" {_attrs(metric, value, **keys)}{tip}>{_e(text)}</td>'


def _table(head: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(rows)
    return f'<table class="{css}"><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>'


# --- charts: inline SVG, one scale per chart ----------------------------------------------------


def _axis(value: float) -> tuple[float, float]:
    """(top, step) of a y axis reaching `value` in at most four round steps (1, 2, 2.5 or 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if raw <= s * magnitude)
    return step * math.ceil(value / step - 1e-9), step


@dataclass(frozen=True)
class _Plot:
    """The drawing area of one chart: categories on x, values from 0 to `top` on y."""

    categories: Sequence[str]
    top: float
    width: int
    height: int
    left: int = 44

    @property
    def bottom(self) -> float:
        return self.height - 18

    @property
    def slot(self) -> float:
        return (self.width - self.left - 4) / max(len(self.categories), 1)

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - 8) * value / self.top

    def frame(self, step: float, fmt: Callable[[float], str]) -> list[str]:
        """Gridlines with their labels, and as many x labels as fit (about 44 px each)."""
        parts = []
        for tick in range(round(self.top / step) + 1):
            y = self.y(tick * step)
            parts.append(f'<line x1="{self.left}" x2="{self.width - 4}" y1="{y:.1f}" y2="{y:.1f}" class="grid"></line>')
            parts.append(
                f'<text x="{self.left - 4}" y="{y + 3.5:.1f}" class="axis" text-anchor="end">{fmt(tick * step)}</text>'
            )
        every = max(1, math.ceil(44 / self.slot))
        for index, label in enumerate(self.categories):
            if index % every == 0:
                x = self.left + self.slot * (index + 0.5)
                parts.append(
                    f'<text x="{x:.1f}" y="{self.height - 4}" class="axis" text-anchor="middle">{_e(label)}</text>'
                )
        return parts


def _figure(plot: _Plot, parts: list[str], names: Sequence[str], label: str) -> str:
    """The SVG at its own size (shrunk, never stretched, by CSS), its legend and caption."""
    legend = ""
    if len(names) > 1:
        items = "".join(
            f'<span><i style="background:{_PALETTE[i % len(_PALETTE)]}"></i>{_e(n)}</span>' for i, n in enumerate(names)
        )
        legend = f'<p class="legend">{items}</p>'
    svg = (
        f'<svg width="{plot.width}" height="{plot.height}" viewBox="0 0 {plot.width} {plot.height}" role="img" '
        f'aria-label="{_e(label)}">{"".join(parts)}</svg>'
    )
    return f"<figure>{svg}{legend}<figcaption>{_e(label)}</figcaption></figure>"


Series = Sequence[tuple[str, Sequence[float | None]]]


def bar_chart(
    categories: Sequence[str],
    series: Series,
    *,
    label: str,
    stacked: bool = False,
    fmt: Callable[[float], str] = _compact,
    width: int = 720,
    height: int = 180,
) -> str:
    """Grouped (or stacked) vertical bars; hovering a bar shows its value."""
    totals = [
        sum(values[i] or 0 for _, values in series) if stacked else max((values[i] or 0) for _, values in series)
        for i in range(len(categories))
    ]
    top, step = _axis(max(totals, default=0))
    plot = _Plot(categories, top, width, height)
    parts = plot.frame(step, fmt)
    bar = plot.slot * 0.7 / (1 if stacked else len(series))
    for index, category in enumerate(categories):
        base = 0.0
        for position, (name, values) in enumerate(series):
            value = max(values[index] or 0, 0)  # a bar cannot show a negative amount: drawn empty
            x = plot.left + plot.slot * (index + 0.15) + (0 if stacked else bar * position)
            low, high = (base, base + value) if stacked else (0, value)
            parts.append(
                f'<rect x="{x:.1f}" y="{plot.y(high):.1f}" width="{bar:.1f}" height="{plot.y(low) - plot.y(high):.1f}" '
                f'fill="{_PALETTE[position % len(_PALETTE)]}">'
                f"<title>{_e(category)} · {_e(name)}: {fmt(value)}</title></rect>"
            )
            base = high if stacked else 0.0
    return _figure(plot, parts, [n for n, _ in series], label)


def line_chart(
    categories: Sequence[str],
    series: Series,
    *,
    label: str,
    fmt: Callable[[float], str] = _compact,
    width: int = 720,
    height: int = 180,
) -> str:
    """One line per series; a missing value is left out, not drawn as zero."""
    top, step = _axis(max((v for _, values in series for v in values if v is not None), default=0))
    plot = _Plot(categories, top, width, height)
    parts = plot.frame(step, fmt)
    for position, (name, values) in enumerate(series):
        color = _PALETTE[position % len(_PALETTE)]
        points = [
            (plot.left + plot.slot * (i + 0.5), plot.y(v), categories[i], v)
            for i, v in enumerate(values)
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"></polyline>')
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
            f"<title>{_e(c)} · {_e(name)}: {fmt(v)}</title></circle>"
            for x, y, c, v in points
        ]
    return _figure(plot, parts, [n for n, _ in series], label)


# --- sections -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """Display names from the contract; a key the contract does not know shows as itself."""

    stages: dict[str, str]
    channels: dict[str, str]

    @classmethod
    def of(cls, contract: Contract) -> Labels:
        return cls({s.key: s.label for s in contract.stages}, {c.key: c.label for c in contract.channels})

    def stage_order(self, seen: Iterable[str]) -> list[str]:
        """The contract's stages in its order, then any other stage the marts hold."""
        seen = set(seen)
        return [*self.stages, *sorted(seen - set(self.stages))]

    def stage(self, key: str) -> str:
        return self.stages.get(key, key)

    def channel_order(self, seen: Iterable[str | None]) -> list[str | None]:
        """The channels present, in the contract's order, then any other (None last)."""
        known = list(self.channels)
        return sorted(set(seen), key=lambda c: (c is None, known.index(c) if c in known else len(known), c or ""))

    def channel(self, key: str | None) -> str:
        return "(none)" if key is None else self.channels.get(key, key)


def _header(
    ctx: RunContext, contract: Contract, warehouse: Path, entries: dict[tuple[str, str], int], labels: Labels
) -> str:
    last = _month_key(ctx.last_full_month)
    before = _month_key(_add_months(ctx.last_full_month, -1))
    as_of = ctx.as_of.strftime("%Y-%m-%d %H:%M UTC") if ctx.as_of else "not recorded (latest entry date used)"
    kpis = "".join(
        f'<div class="kpi"><span>{_e(labels.stage(stage))}</span>'
        f"<b {_attrs('kpi_stage_entries', entries.get((stage, last), 0), stage=stage, month=last)}>"
        f"{_count(entries.get((stage, last), 0))}</b>"
        f"<small>{_count(entries.get((stage, before), 0))} in {before}</small></div>"
        for stage in labels.stage_order(s for s, _ in entries)
    )
    return (
        f"<header><h1>{_e(contract.meta.name)}</h1>"
        f'<p class="meta">Run day <b data-metric="run_day">{ctx.run_day}</b> ({_e(ctx.timezone)}) · '
        f'as of {_e(as_of)} · last full month <b data-metric="last_full_month">{last}</b> · '
        f"contract {_e(ctx.contract_version or contract.meta.version)} · "
        f"amounts in {_e(contract.reporting.currency)} · "
        f"source {_e(warehouse.name)}</p>"
        f'<h2 class="sub">Stage entries in {last}</h2><div class="kpis">{kpis}</div></header>'
    )


def _month_heads(ctx: RunContext) -> list[str]:
    partial = ctx.run_day.replace(day=1) > ctx.last_full_month
    return [
        f"{_month_key(m)}{' <small>(to date)</small>' if partial and m == ctx.months[-1] else ''}" for m in ctx.months
    ]


def _funnel(
    con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, entries: dict[tuple[str, str], int]
) -> str:
    months = [_month_key(m) for m in ctx.months]
    stages = labels.stage_order(s for s, _ in entries)
    by_stage = [
        f"<tr><th>{_e(labels.stage(stage))}</th>"
        + "".join(
            _td(_count(entries.get((stage, m), 0)), "stage_entries", entries.get((stage, m), 0), stage=stage, month=m)
            for m in months
        )
        + "</tr>"
        for stage in stages
    ]
    charts = "".join(
        bar_chart(
            months,
            [(labels.stage(stage), [entries.get((stage, m), 0) for m in months])],
            label=labels.stage(stage),
            width=SMALL_CHART,
            height=140,
        )
        for stage in stages
    )
    conversion = _rows(
        con,
        f"""
        select from_stage, to_stage, strftime(month, '%Y-%m') as month, from_entries, to_entries, conversion_rate
        from {PUBLISHED_SCHEMA}.funnel_conversion_period
        where month >= ? and month < ?
        """,
        ctx.window,
    )
    # (rate, entries into the stage, entries into the next) per step and month.
    rates = {(f, t, m): (rate, a, b) for f, t, m, a, b, rate in conversion}
    pairs = sorted({(f, t) for f, t, *_ in conversion}, key=lambda p: stages.index(p[0]) if p[0] in stages else 99)

    def rate_cell(f: str, t: str, m: str) -> str:
        rate, into, onward = rates.get((f, t, m), (None, 0, 0))
        return _td(_pct(rate), "conversion_rate", rate, title=f"{onward} of {into}", from_stage=f, to_stage=t, month=m)

    by_pair = [
        f"<tr><th>{_e(labels.stage(f))} → {_e(labels.stage(t))}</th>{''.join(rate_cell(f, t, m) for m in months)}</tr>"
        for f, t in pairs
    ]
    rate_chart = line_chart(
        months,
        [
            (f"{labels.stage(f)} → {labels.stage(t)}", [rates.get((f, t, m), (None,))[0] for m in months])
            for f, t in pairs
        ],
        label="Period conversion: entries into the next stage over entries into the stage, same month",
        fmt=_pct,
    )
    return (
        '<section id="funnel"><h2>Funnel overview</h2>'
        "<p>People entering each stage per month (reporting timezone), as the contract defines the stages.</p>"
        + _table(["Stage", *_month_heads(ctx)], by_stage)
        + f'<div class="grid">{charts}</div>'
        + "<h3>Conversion by month</h3>"
        + _table(["Step", *_month_heads(ctx)], by_pair)
        + rate_chart
        + _channels(con, ctx, labels, stages)
        + "</section>"
    )


def _channels(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, stages: list[str]) -> str:
    rows = _rows(
        con,
        f"""
        select channel, stage, count(*) as entries
        from {PUBLISHED_SCHEMA}.fct_stage_entries
        where entered_date >= ? and entered_date < ?
        group by channel, stage
        """,
        ctx.window,
    )
    counts = {(c, s): n for c, s, n in rows}
    channels = labels.channel_order(c for c, _ in counts)
    first, last = stages[0], stages[-1]
    span = f"{_month_key(ctx.months[0])} to {_month_key(ctx.months[-1])}"
    body = []
    for channel in channels:
        key = channel or ""
        cells = "".join(
            _td(
                _count(counts.get((channel, s), 0)),
                "channel_stage_entries",
                counts.get((channel, s), 0),
                channel=key,
                stage=s,
            )
            for s in stages
        )
        top, bottom = counts.get((channel, first), 0), counts.get((channel, last), 0)
        ratio = bottom / top if top else None
        body.append(
            f"<tr><th>{_e(labels.channel(channel))}</th>{cells}"
            f"{_td(_pct(ratio), 'channel_conversion', ratio, channel=key, from_stage=first, to_stage=last)}</tr>"
        )
    head = ["Channel", *(_e(labels.stage(s)) for s in stages), f"{_e(labels.stage(last))} / {_e(labels.stage(first))}"]
    return f"<h3>By channel, {span}</h3>" + _table(head, body)


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


def _pipeline(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, currency: str) -> str:
    months = [_month_key(m) for m in ctx.months]
    names = dict(
        _rows(
            con, f"select pipeline_id, min(pipeline_label) from {PUBLISHED_SCHEMA}.pipeline_deals group by pipeline_id"
        )
    )
    rows = _rows(
        con,
        f"""
        select pipeline_id, contribution, strftime(month, '%Y-%m') as month,
            sum(opportunities) as opportunities, sum(pipeline_amount) as pipeline_amount
        from {PUBLISHED_SCHEMA}.pipeline_contribution
        where month >= ? and month < ?
        group by pipeline_id, contribution, month
        """,
        ctx.window,
    )
    values = {(p, c, m): (n, a) for p, c, m, n, a in rows}
    lines = sorted({(p, c) for p, c, *_ in rows}, key=lambda pc: (pc[0] or "", pc[1].endswith("influenced"), pc[1]))
    body = []
    for pipeline, contribution in lines:
        keys = {"pipeline": pipeline, "contribution": contribution}
        tds = []
        for m in months:
            deals, amount = values.get((pipeline, contribution, m), (0, 0))
            count = f"{_count(deals)} deal{'' if deals == 1 else 's'}" if deals else ""
            tds.append(
                f'<td class="n"><span {_attrs("pipeline_amount", amount, month=m, **keys)}>'
                f"{_compact(float(amount)) if deals else '–'}</span>"
                f"<small {_attrs('opportunities', deals, month=m, **keys)}>{count}</small></td>"
            )
        body.append(
            f"<tr><th>{_e(names.get(pipeline, pipeline))}<small>{_e(contribution.replace('_', ' '))}</small></th>"
            f"{''.join(tds)}</tr>"
        )
    sourced: dict[str, dict[str, float]] = {}  # contribution → month → amount, every pipeline
    for (_, contribution, month), (_, amount) in values.items():
        if not contribution.endswith("influenced"):
            by_month = sourced.setdefault(contribution, {})
            by_month[month] = by_month.get(month, 0.0) + float(amount)
    chart = bar_chart(
        months,
        [(c.replace("_", " "), [sourced[c].get(m, 0.0) for m in months]) for c in sorted(sourced)],
        stacked=True,
        label=f"Pipeline created per month by who sourced it, all pipelines ({currency})",
    )
    open_rows = _rows(
        con,
        f"""
        select pipeline_id, deal_stage_label, count(*) as deals, sum(amount_reporting) as amount
        from {PUBLISHED_SCHEMA}.pipeline_deals
        where is_open
        group by pipeline_id, deal_stage_label
        order by pipeline_id, amount desc nulls last
        """,
    )
    open_table = _table(
        ["Pipeline", "Deal stage", "Open deals", f"Amount ({_e(currency)})"],
        (
            f"<tr><th>{_e(names.get(p, p))}</th><td>{_e(s)}</td>"
            + _td(_count(n), "open_deals", n, pipeline=p, deal_stage=s or "")
            + _td(_count(a), "open_amount", a, pipeline=p, deal_stage=s or "")
            + "</tr>"
            for p, s, n, a in open_rows
        ),
    )
    return (
        '<section id="pipeline"><h2>Pipeline and attribution</h2>'
        f"<p>Deals created per month ({_e(currency)}, deal count below). Influenced rows count a deal once per "
        "channel that touched it: they overlap the sourced rows and each other, so do not add them up.</p>"
        + _table(["Pipeline", *_month_heads(ctx)], body, css="compact")
        + chart
        + "<h3>Open pipeline today</h3>"
        + open_table
        + _attribution(con, ctx, labels, currency)
        + "</section>"
    )


def _attribution(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, currency: str) -> str:
    rows = _rows(
        con,
        f"""
        select channel, model, sum(attributed_revenue) as revenue, grouping(channel) = 1 as is_total
        from {PUBLISHED_SCHEMA}.attribution_credit
        where conversion_type = ? and converted_month >= ? and converted_month < ?
        group by grouping sets ((channel, model), (model))
        """,
        [WON_DEAL, *ctx.window],
    )
    # The total row is the same under every model (credit sums to 1 per conversion): a visible check.
    revenue = {(TOTAL if is_total else c, m): r for c, m, r, is_total in rows}
    models = sorted({m for _, m in revenue}, key=lambda m: (MODEL_ORDER.index(m) if m in MODEL_ORDER else 99, m))
    channels = [*labels.channel_order(c for c, _ in revenue if c != TOTAL), TOTAL]
    body = [
        f"<tr><th>{_e('Total' if c == TOTAL else labels.channel(c))}</th>"
        + "".join(
            _td(_count(revenue.get((c, m))), "attributed_revenue", revenue.get((c, m)), channel=c or "", model=m)
            for m in models
        )
        + "</tr>"
        for c in channels
    ]
    span = f"{_month_key(ctx.months[0])} to {_month_key(ctx.months[-1])}"
    return f"<h3>Won revenue by channel and attribution model, {span} ({_e(currency)})</h3>" + (
        _table(["Channel", *(_e(m.replace("_", " ")) for m in models)], body)
        if body
        else "<p>No won deal in these months.</p>"
    )


def _speed_to_lead(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels) -> str:
    rows = _rows(
        con,
        f"""
        select sla_stage, from_stage, min(sla_hours) as sla_hours, strftime(entered_date, '%Y-%m') as month,
            count(*) as entries,
            count(*) filter (where sla_status = 'met') as met,
            count(*) filter (where sla_status = 'breached') as breached,
            count(*) filter (where sla_status = 'open') as still_open,
            median(hours_to_first_touch) as median_hours
        from {PUBLISHED_SCHEMA}.sla_speed_to_lead
        where entered_date >= ? and entered_date < ?
        group by sla_stage, from_stage, month
        order by sla_stage, month
        """,
        ctx.window,
    )
    if not rows:
        return (
            '<section id="speed"><h2>Speed to lead</h2>'
            "<p>No stage has an SLA in the contract, or no entry started one in these months.</p></section>"
        )
    parts = ['<section id="speed"><h2>Speed to lead</h2>']
    for sla_stage in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == sla_stage]
        from_stage, sla_hours = mine[0][1], float(mine[0][2])
        parts.append(
            f"<h3>{_e(labels.stage(from_stage))} → first sales touch within {sla_hours:g} h "
            f"(SLA of {_e(labels.stage(sla_stage))})</h3>"
        )
        body = []
        for _, _, _, month, entries, met, breached, still_open, median in mine:
            keys = {"sla_stage": sla_stage, "month": month}
            share = met / entries if entries else None
            body.append(
                f"<tr><th>{month}</th>"
                + _td(_count(entries), "sla_entries", entries, **keys)
                + _td(_count(met), "sla_met", met, **keys)
                + _td(_count(breached), "sla_breached", breached, **keys)
                + _td(_count(still_open), "sla_open", still_open, **keys)
                + _td(_pct(share), "sla_met_share", share, **keys)
                + _td(_hours(median), "median_hours_to_first_touch", median, **keys)
                + "</tr>"
            )
        parts.append(
            _table(["Month", "Entries", "Met", "Breached", "Open", "Met share", "Median to first touch"], body)
        )
        shares = {r[3]: (r[5] / r[4] if r[4] else None) for r in mine}
        months = [_month_key(m) for m in ctx.months]
        parts.append(
            bar_chart(
                months,
                [("met share", [shares.get(m) for m in months])],
                label="Share of entries touched within the SLA",
                fmt=_pct,
            )
        )
    return "".join(parts) + "</section>"


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


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 76rem; padding: 0 1rem; color: #1f2933; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #d9e2ec; }
h2.sub { font-size: 1rem; border: 0; margin: 1rem 0 .3rem; } h3 { margin: 1.4rem 0 .4rem; font-size: 1.05rem; }
.meta { color: #52606d; } nav { margin: 1rem 0; } nav a { margin-right: 1rem; color: #2563eb; }
.kpis { display: flex; flex-wrap: wrap; gap: .8rem; }
.kpi { background: #f0f4f8; padding: .5rem .9rem; border-radius: .4rem; min-width: 8rem; }
.kpi span, .kpi small { display: block; color: #52606d; font-size: .8rem; }
.kpi b { display: block; font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d9e2ec; padding: .25rem .4rem; text-align: left; vertical-align: top; }
thead th { background: #f0f4f8; white-space: nowrap; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
th small, td small { display: block; color: #52606d; font-weight: normal; font-size: .75rem; }
td.ok { background: #dcfce7; } td.accepted { background: #dbeafe; }
td.warn, tr.warn td { background: #fef3c7; } td.fail, tr.fail td { background: #fee2e2; }
td.none { color: #9aa5b1; text-align: center; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: .5rem 1.5rem; }
figure { margin: .5rem 0; } figcaption { font-size: .8rem; color: #52606d; } svg { max-width: 100%; height: auto; }
svg text.axis { font-size: 10px; fill: #52606d; } svg line.grid { stroke: #e4e7eb; }
.legend { font-size: .8rem; margin: .2rem 0; } .legend span { margin-right: 1rem; }
.legend i { display: inline-block; width: .7rem; height: .7rem; margin-right: .3rem; vertical-align: middle; }
footer { margin: 2rem 0; color: #52606d; font-size: .8rem; }
"""


def render(con: duckdb.DuckDBPyConnection, warehouse: Path, contract: Contract) -> str:
    """The whole page, from an open connection to a file with schema `marts`."""
    ctx = run_context(con, contract)
    labels = Labels.of(contract)
    # Stage entries per stage and month: the header's figures and the funnel section's table.
    entries = {
        (stage, month): count
        for stage, month, count in _rows(
            con,
            f"""
            select stage, strftime(entered_date, '%Y-%m') as month, count(*) as entries
            from {PUBLISHED_SCHEMA}.fct_stage_entries
            where entered_date >= ? and entered_date < ?
            group by stage, month
            """,
            ctx.window,
        )
    }
    nav = "".join(
        f'<a href="#{anchor}">{name}</a>'
        for anchor, name in (
            ("funnel", "Funnel"),
            ("alignment", "Alignment"),
            ("pipeline", "Pipeline and attribution"),
            ("speed", "Speed to lead"),
            ("targets", "Targets"),
        )
    )
    body = (
        _header(ctx, contract, warehouse, entries, labels)
        + f"<nav>{nav}</nav>"
        + _funnel(con, ctx, labels, entries)
        + _alignment(con, ctx, labels, contract)
        + _pipeline(con, ctx, labels, contract.reporting.currency)
        + _speed_to_lead(con, ctx, labels)
        + _targets(con, labels)
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(contract.meta.name)}: funnel dashboard</title><style>{_STYLE}</style></head>"
        f"<body>{body}<footer>Generated {generated} by funnel.dashboard "
        f"from the marts of {_e(warehouse.name)}.</footer>"
        "</body></html>"
    )


def build_dashboard(warehouse: Path, out: Path, contract: Path | None = None) -> Path:
    """Write the dashboard of `warehouse` (any DuckDB file with schema `marts`) to `out`.

    The page is written beside `out` and renamed over it, so a reader never sees half a page."""
    loaded = load_contract(contract or settings().contract)
    con = _connect(Path(warehouse))
    try:
        page = render(con, Path(warehouse), loaded.contract)
    finally:
        con.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".incoming")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)
    return out


def run(warehouse: Path | None = None, out: Path | None = None, command: str = "funnel dashboard") -> int:
    """Build the page and print its path; an exit code (funnel/exits.py) and one line on failure.
    None means the default: the published copy, and artifacts/dashboard/index.html beside it."""
    config = settings()
    try:
        print(build_dashboard(warehouse or config.published, out or default_output(config), config.contract))
    except DashboardError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_INFRA
    except ContractError as error:
        print(f"{command}: invalid contract: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # one line for the person, the traceback in a log (funnel/exits.py)
        return crashed(error, command)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    config = settings()
    parser = argparse.ArgumentParser(
        prog="python -m funnel.dashboard", description="Write the starter dashboard: one self-contained HTML page."
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        metavar="PATH",
        help=f"a DuckDB file with schema marts (default: the published copy, {config.published})",
    )
    parser.add_argument(
        "--out", type=Path, metavar="PATH", help=f"the page to write (default: {default_output(config)})"
    )
    args = parser.parse_args(argv)
    return run(args.warehouse, args.out)


if __name__ == "__main__":
    sys.exit(main())
