"""The alignment report: one self-contained HTML page per run, for analysts.

What it shows: the canonical funnel next to each team's numbers (an inline SVG chart), the
reconciliation table with statuses, the divergences by reason code with sample records, and
links to the GX Data Docs. Ids only — no email, no name — and nothing loaded from outside.
"""

from __future__ import annotations

import html
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from funnel import compiled
from funnel.checks.explain import period_label
from funnel.checks.gx_context import data_docs_index
from funnel.config import Settings
from funnel.engine import models
from funnel.publish_postgres import redacted
from funnel.report_history import write_history
from funnel.run_summary import RunSummary

_COLORS = ["#1f6feb", "#d97706", "#15803d", "#9333ea", "#be123c"]


def report_dir(config: Settings) -> Path:
    return config.artifacts_dir / "reports"


def latest_report(config: Settings) -> Path:
    return report_dir(config) / "latest.html"


def _tables_exist(config: Settings) -> bool:
    if not config.warehouse.exists():
        return False
    return {"alignment_reconciliation", "alignment_divergences"} <= set(models(config).tables("marts"))


def write_report(config: Settings, summary: RunSummary) -> Path | None:
    """Write the report of a run; None when the run stopped before the alignment marts existed."""
    if not _tables_exist(config):
        return None
    engine = models(config)
    reconciliation = engine.query_df(
        "select team, team_metric, metric, period_start, period_end, team_value, canonical_value, delta, "
        "allowed_delta, severity, status, team_computed_value, explained_delta, unexplained_delta, "
        "acceptance_state, accepted_by, accepted_on, accepted_until, accepted_reason "
        "from marts.alignment_reconciliation order by status = 'ok', team, team_metric, period_start, period_end",
    )
    history_note = _history(config, summary, reconciliation)
    silent = _silent_teams(config, reconciliation)
    reasons = engine.query_df(
        "select team, team_metric, reason, count(*) as records from marts.alignment_divergences "
        "group by all order by team, team_metric, records desc, reason",
    )
    samples = engine.query_df(
        """
        select d.team, d.team_metric, d.period_start, d.period_end, d.reason, d.counted_by,
               d.record_id, d.person_id
        from marts.alignment_divergences d
        join marts.alignment_reconciliation r using (team, team_metric, period_start, period_end)
        where r.status <> 'ok'
        order by d.period_start desc, d.period_end, d.team, d.team_metric, d.reason, d.record_id
        limit 40
        """,
    )
    path = report_dir(config) / f"alignment-{summary.partition or 'run'}-{summary.run_id[:8]}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = data_docs_index(config.expectations_dir)
    for frame in (reconciliation, samples):
        frame.insert(
            3, "period", [period_label(a, b) for a, b in zip(frame.pop("period_start"), frame.pop("period_end"))]
        )
    path.write_text(
        render(summary, reconciliation, reasons, samples, docs, silent=silent, history=history_note), encoding="utf-8"
    )
    shutil.copyfile(path, latest_report(config))
    return path


def _history(config: Settings, summary: RunSummary, reconciliation: pd.DataFrame) -> str:
    """Record this run in the alignment history and write its page; the link, or why not."""
    import duckdb

    try:
        page = write_history(config, summary.run_id, summary.partition, reconciliation)
    except (duckdb.Error, OSError) as error:  # a reader holding the warehouse: the report still goes out
        return f"<p>The history was not updated this time ({_e(' '.join(str(error).split())[:160])}).</p>"
    return f'<p><a href="{_e(page.name)}">Alignment history</a>: since when each open gap has been open.</p>'


def _silent_teams(config: Settings, reconciliation: pd.DataFrame) -> list[str]:
    """Teams the contract reconciles that sent no number this run: a warning, not a pass."""
    from funnel.contract.load import load_contract

    teams = load_contract(config.contract).contract.alignment.teams
    reported = set(reconciliation["team"])
    return sorted(team for team in teams if team not in reported)


def _e(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def _num(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def _chart(reconciliation: pd.DataFrame) -> str:
    """Per canonical metric, a line per month: the canonical number and each team's reported one
    (the failures are per month; all-time totals hide them). Monthly periods only."""
    if reconciliation.empty:
        return "<p>No team reports loaded.</p>"
    monthly = reconciliation[reconciliation["period"].astype(str).str.len() == 7]
    if monthly.empty:
        return "<p>No monthly team reports loaded.</p>"
    charts = []
    for metric, rows in monthly.groupby("metric", sort=True):
        months = sorted(set(rows["period"]))
        canonical = rows.groupby("period")["canonical_value"].max()
        series = {"canonical": [float(canonical.get(m, float("nan"))) for m in months]}
        for (team, team_metric), mine in rows.groupby(["team", "team_metric"], sort=True):
            reported = mine.set_index("period")["team_value"]
            series[f"{team} · {team_metric}"] = [float(reported.get(m, float("nan"))) for m in months]
        charts.append(_lines(str(metric), months, series))
    return "".join(charts)


def _lines(title: str, months: list[str], series: dict[str, list[float]]) -> str:
    width, height, left, bottom = 720, 220, 48, 28
    values = [v for line in series.values() for v in line if v == v]
    top = max(values + [1.0])
    step = (width - left - 10) / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return 10 + (height - bottom - 10) * (1 - v / top)

    parts = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" stroke="#9aa5b1"/>']
    parts += [
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="value">{_num(v)}</text>'
        for v in (0, top / 2, top)
    ]
    parts += [
        f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" class="value">{_e(m)}</text>'
        for i, m in enumerate(months)
        if i % max(len(months) // 8, 1) == 0 or i == len(months) - 1
    ]
    for index, (name, line) in enumerate(series.items()):
        color = _COLORS[index % len(_COLORS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line) if v == v)
        dash = "" if name == "canonical" else ' stroke-dasharray="5 3"'
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        # A point per month, with its number as the tooltip (and for a reader of the DOM).
        parts += [
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}"><title>{_e(name)} {_e(m)}: {_num(v)}'
            "</title></circle>"
            for i, (m, v) in enumerate(zip(months, line, strict=True))
            if v == v
        ]
    legend = "".join(
        f'<span class="swatch" style="background:{_COLORS[i % len(_COLORS)]}"></span>{_e(name)} '
        for i, name in enumerate(series)
    )
    return (
        f"<h3>{_e(title)}</h3>"
        f'<svg role="img" aria-label="{_e(title)}: canonical vs each team per month" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg><p class="legend">{legend}</p>'
    )


def _table(frame: pd.DataFrame, columns: list[tuple[str, str]], status_column: str | None = None) -> str:
    head = "".join(f"<th>{_e(label)}</th>" for _, label in columns)
    body = []
    for row in frame.to_dict("records"):
        css = f' class="{_e(row[status_column])}"' if status_column else ""
        cells = []
        for name, _ in columns:
            value = row.get(name)
            text = _num(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _e(value)
            if value is pd.NaT or value is None:  # NaT has a strftime that raises
                text = ""
            elif hasattr(value, "strftime"):
                text = _e(value.strftime("%Y-%m-%d"))
            cells.append(f"<td>{text}</td>")
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1f2933; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d9e2ec; }
.status { font-size: 1.1rem; padding: .6rem .8rem; border-radius: .4rem; display: inline-block; }
.status.passed { background: #dcfce7; } .status.failed { background: #fee2e2; }
.kpis { display: flex; gap: 1rem; margin: 1rem 0; }
.kpi { background: #f0f4f8; padding: .6rem 1rem; border-radius: .4rem; }
.kpi b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .6rem 0; }
th, td { border: 1px solid #d9e2ec; padding: .3rem .45rem; text-align: left; }
th { background: #f0f4f8; } tr.fail td { background: #fee2e2; } tr.warn td { background: #fef3c7; }
tr.accepted td { background: #dbeafe; } li.warn { background: #fef3c7; }
svg text { font-size: 12px; fill: #1f2933; } svg text.metric { font-weight: 600; }
.legend .swatch { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 1rem; vertical-align: middle; }
"""


def _values(summary: RunSummary) -> str:
    """The rejected values and the value warnings of the run, record by record (ids, never
    personal data: only dates, amounts, stages and report keys are checked)."""
    rows = [
        {
            "check": c.check,
            "outcome": "passed" if c.passed else c.severity.lower(),
            "record": row.get("record_id"),
            "where": " ".join(str(row[k]) for k in ("source", "file") if row.get(k)),
            "field": row.get("field"),
            "value": row.get("raw_value", row.get("value")),
            "reason": row.get("reason"),
        }
        for c in summary.checks
        if c.check in ("rejected_values", "value_warnings")
        for row in c.failures
    ]
    if not rows:
        return "<p>Every value was read, and none looks wrong.</p>"
    return _table(
        pd.DataFrame(rows),
        [
            ("check", "Check"),
            ("outcome", "Outcome"),
            ("where", "Source / file"),
            ("record", "Record"),
            ("field", "Field"),
            ("value", "Value"),
            ("reason", "Why"),
        ],
    )


def render(
    summary: RunSummary,
    reconciliation: pd.DataFrame,
    reasons: pd.DataFrame,
    samples: pd.DataFrame,
    docs: Path,
    *,
    silent: list[str] = (),
    history: str = "",
) -> str:
    failing = reconciliation[reconciliation["status"] == "fail"]
    warning = reconciliation[reconciliation["status"] == "warn"]
    accepted = reconciliation[reconciliation["status"] == "accepted"]
    status = "passed" if summary.success else "failed"
    checks = [c for c in summary.checks if c.check.startswith("alignment_")]
    check_lines = "".join(
        f"<li><b>{_e(c.check)}</b>: {'passed' if c.passed else _e(c.severity.lower())} — {_e(c.description)}</li>"
        for c in checks
    ) + "".join(
        f'<li class="warn"><b>alignment_{_e(team)}</b>: warning — no report from {_e(team)}: nothing of theirs '
        "was reconciled (expected reports/" + _e(team) + ".csv)</li>"
        for team in silent
    )
    blocking, warned = len(summary.blocking_failures), len(summary.warnings)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Alignment report {_e(summary.partition)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Alignment report — as of {_e(summary.partition)}</h1>",
        f"<p>Run {_e(summary.run_id)} · generated {generated}</p>",
        f'<p class="status {status}">Run {status}: checks {blocking} failed (blocking), {warned} warning(s) — '
        f"as `funnel run` prints. {len(failing)} metric-period(s) outside tolerance block publication, "
        f"{len(warning)} are outside on a warn-severity metric, {len(accepted)} are signed off.</p>",
        '<div class="kpis">'
        f'<div class="kpi"><b id="fails">{len(failing)}</b>failing metric-periods</div>'
        f'<div class="kpi"><b id="warn-periods">{len(warning)}</b>metric-periods outside, warn only</div>'
        f'<div class="kpi"><b id="accepted">{len(accepted)}</b>signed off</div>'
        f'<div class="kpi"><b>{len(reconciliation)}</b>team numbers checked</div>'
        f'<div class="kpi"><b id="divergent-records">{int(reasons["records"].sum()) if not reasons.empty else 0}</b>'
        "records counted on one side only</div></div>",
        f"<ul>{check_lines}</ul>",
        history,
        "<h2>Canonical funnel vs each team, per month</h2>",
        _chart(reconciliation),
        "<h2>Reconciliation</h2>",
        _table(
            reconciliation,
            [
                ("team", "Team"),
                ("team_metric", "Team metric"),
                ("metric", "Canonical metric"),
                ("period", "Period"),
                ("team_value", "Reported"),
                ("canonical_value", "Canonical"),
                ("delta", "Delta"),
                ("allowed_delta", "Allowed"),
                ("status", "Status"),
                ("team_computed_value", "Team tool"),
                ("explained_delta", "Explained"),
                ("unexplained_delta", "Unexplained"),
            ],
            status_column="status",
        ),
        "<h2>Signed-off divergences</h2>",
        _table(
            reconciliation[reconciliation["acceptance_state"].notna()],
            [
                ("team", "Team"),
                ("team_metric", "Team metric"),
                ("period", "Period"),
                ("delta", "Delta"),
                ("acceptance_state", "State"),
                ("accepted_by", "Signed off by"),
                ("accepted_on", "On"),
                ("accepted_until", "Until"),
                ("accepted_reason", "Why"),
            ],
            status_column="status",
        )
        if reconciliation["acceptance_state"].notna().any()
        else "<p>None (<code>funnel accept</code>).</p>",
        "<h2>Divergences by reason</h2>",
        _table(
            reasons, [("team", "Team"), ("team_metric", "Team metric"), ("reason", "Reason"), ("records", "Records")]
        ),
        "<h2>Records behind the failing metric-periods</h2>",
        _table(
            samples,
            [
                ("team", "Team"),
                ("team_metric", "Team metric"),
                ("period", "Period"),
                ("reason", "Reason"),
                ("counted_by", "Counted by"),
                ("record_id", "Record"),
                ("person_id", "Person"),
            ],
        ),
        "<p>All rows: <code>marts.alignment_divergences</code>.</p>",
        "<h2>Values the run could not read, or that look wrong</h2>",
        _values(summary),
        "<h2>Great Expectations</h2>",
        f'<p><a href="file://{_e(docs)}">Data Docs</a> — every suite and its failing expectations.</p>',
        "</body></html>\n",
    ]
    return "\n".join(parts)


def where_to_look(config: Settings) -> str:
    """The paths and commands a person reads after a run."""
    docs = data_docs_index(compiled.resolve(config).expectations_dir)
    served = (
        f"  marts for BI, PostgreSQL: schema marts at {redacted(config.publish_postgres_url)}\n"
        if config.publish_postgres_url
        else ""
    )
    return (
        "\nWhere to look:\n"
        f"  warehouse (all layers):   {config.warehouse}\n"
        f"  published marts for BI:   {config.published}\n"
        f"{served}"
        f"  GX Data Docs:             {docs}\n"
        f"  alignment report:         {config.artifacts_dir / 'reports' / 'latest.html'}\n"
        f"  last failure summary:     {config.artifacts_dir / 'alerts' / 'latest.txt'}\n"
        "  Dagster UI:               funnel ui  (http://127.0.0.1:3000)\n"
        "  model and metric docs:    funnel docs  (then open warehouse/artifacts/docs/index.html)\n"
        "  metrics (MetricFlow):     funnel metrics --metrics mqls --group-by metric_time__month"
    )
