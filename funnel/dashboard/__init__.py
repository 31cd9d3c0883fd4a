"""The starter dashboard: one self-contained HTML page over the published marts (issue #15).

Why no BI-as-code tool: Evidence's DuckDB connector bundles a duckdb 1.x client, which cannot
read the files our duckdb 2.x writes, and its build pulls hundreds of npm packages into CI. This
page needs only the marts: each query aggregates in SQL (a few dozen rows come back), charts are
inline SVG, and nothing is loaded from outside, so the file opens offline, in a mail or an archive.

Every number carries data attributes (`data-metric` and its keys: `data-stage`, `data-month`,
`data-team`, …) and its exact value in `data-value`, so a test or a scraper reads the page
without parsing its layout. Only aggregates of marts are shown: no person-level row, no id.
"""

from funnel.dashboard.build import build_dashboard, default_output, main, run
from funnel.dashboard.context import DashboardError, RunContext, run_context, run_day_of
from funnel.dashboard.page import render

__all__ = [
    "DashboardError",
    "RunContext",
    "build_dashboard",
    "default_output",
    "main",
    "render",
    "run",
    "run_context",
    "run_day_of",
]
