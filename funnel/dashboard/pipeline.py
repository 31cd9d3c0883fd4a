"""The pipeline and attribution section: deals created per month, open pipeline, won revenue by model."""

from __future__ import annotations

import duckdb

from funnel.dashboard.cells import _attrs, _compact, _count, _e, _table, _td
from funnel.dashboard.charts import bar_chart
from funnel.dashboard.context import RunContext, _month_key, _rows
from funnel.dashboard.labels import Labels, _month_heads
from funnel.publish import PUBLISHED_SCHEMA

# attribution_credit's conversion_type of a won deal (int_attribution_credit.sql); the others are stages.
WON_DEAL = "won_deal"
# Display order of attribution_credit's models (its accepted_values); a new model is appended.
MODEL_ORDER = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
# The key of the attribution table's total row (data-channel): no channel key has a star.
TOTAL = "*"


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
