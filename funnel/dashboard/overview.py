"""The funnel overview section: stage entries and conversion per month, and stages by channel."""

from __future__ import annotations

import duckdb

from funnel.dashboard.cells import _count, _e, _pct, _table, _td
from funnel.dashboard.charts import SMALL_CHART, bar_chart, line_chart
from funnel.dashboard.context import RunContext, _month_key, _rows
from funnel.dashboard.labels import Labels, _month_heads
from funnel.publish import PUBLISHED_SCHEMA


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
