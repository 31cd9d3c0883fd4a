"""The whole page: its header, style and sections, in one self-contained HTML document."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from funnel.contract.model import Contract
from funnel.dashboard.alignment import _alignment
from funnel.dashboard.cells import _attrs, _count, _e
from funnel.dashboard.context import RunContext, _add_months, _month_key, _rows, run_context
from funnel.dashboard.labels import Labels
from funnel.dashboard.overview import _funnel
from funnel.dashboard.pipeline import _pipeline
from funnel.dashboard.speed_to_lead import _speed_to_lead
from funnel.dashboard.targets import _targets
from funnel.publish import PUBLISHED_SCHEMA


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
        + _speed_to_lead(con, ctx, labels, contract)
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
