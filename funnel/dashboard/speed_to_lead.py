"""The speed-to-lead section: per SLA stage and month, entries touched within the contract's hours."""

from __future__ import annotations

import duckdb

from funnel.contract.handbook import sla_hours_words
from funnel.contract.model import Contract
from funnel.dashboard.cells import _count, _e, _hours, _pct, _table, _td
from funnel.dashboard.charts import bar_chart
from funnel.dashboard.context import RunContext, _month_key, _rows
from funnel.dashboard.labels import Labels
from funnel.publish import PUBLISHED_SCHEMA


def _speed_to_lead(con: duckdb.DuckDBPyConnection, ctx: RunContext, labels: Labels, contract: Contract) -> str:
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
        # With business hours, the hours below are business hours too: say which.
        within = (
            f"{sla_hours:g} h" if contract.policies.sla_business_hours is None else sla_hours_words(contract, sla_hours)
        )
        parts.append(
            f"<h3>{_e(labels.stage(from_stage))} → first sales touch within {_e(within)} "
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
