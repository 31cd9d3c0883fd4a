"""`funnel demo` (`make demo`): the sample company, run so that BI has a reconciled day to read.

The sample's team reports disagree with the canonical funnel on purpose, every month, so the run
of its last day fails its checks and publishes nothing. A first look at the product needs both:
a published copy to connect BI to, and a run that is blocked. So the demo plays a company that
signed off the divergences of its closed months:

1. runs the day before the last one (its October is not judged yet: a period is judged once it
   has ended) and signs off, as "funnel demo", every period that blocks it;
2. runs that day again: it passes and publishes;
3. runs the last day: October is judged, disagrees beyond tolerance, and blocks; BI keeps the
   day before.

The sign-offs are the sample company's: they live with its data (FUNNEL_ACCEPTANCES defaults to
`<data dir>/alignment_acceptances.yml` under the demo), never beside the repository's contract.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from funnel.accept import Request, accept
from funnel.config import Settings
from funnel.engine import models
from funnel.exits import EXIT_CHECKS_FAILED, EXIT_OK

DEMO_SIGNER = "funnel demo"
DEMO_REASON = (
    "the sample company's planted divergences of a closed period, signed off by `funnel demo` so that BI "
    "has a reconciled day to show; a real sign-off is a person's (funnel accept)"
)


def demo_acceptances(data_dir: Path) -> Path:
    return data_dir / "alignment_acceptances.yml"


def use_demo_acceptances(data_dir: Path) -> None:
    """Every run of the demo, and this process, read the sample's sign-offs (unless set already)."""
    os.environ.setdefault("FUNNEL_ACCEPTANCES", str(demo_acceptances(data_dir)))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def publish_the_day_before(config: Settings, last_day: date, run: Callable[[date], int]) -> date | None:
    """Steps 1 and 2: the day before `last_day`, signed off where it blocks, run until it
    publishes. Returns the day published, or None (and says why)."""
    day = last_day - timedelta(days=1)
    say(f"Running the day before, {day}, so that BI has a reconciled day to read …")
    code = run(day)
    if code == EXIT_CHECKS_FAILED:
        blocking = _blocking_periods(config)
        if not blocking:
            say(f"  {day} failed a check that is not a team's number: see the summary above; nothing published.")
            return None
        accept(config, [Request(team, metric, period, DEMO_REASON, DEMO_SIGNER) for team, metric, period in blocking])
        say(
            f"Signed off {len(blocking)} closed period(s) where a team's number disagrees beyond tolerance, "
            f"as '{DEMO_SIGNER}' (in {config.acceptances}; see `funnel accept --list`). Running {day} again …"
        )
        code = run(day)
    if code != EXIT_OK:
        say(f"  {day} did not pass (exit {code}); nothing published.")
        return None
    return day


def _blocking_periods(config: Settings) -> list[tuple[str, str, str]]:
    frame = models(config).query_df(
        "select team, team_metric, period_start from marts.alignment_reconciliation where status = 'fail' "
        "order by team, team_metric, period_start"
    )
    return [(r.team, r.team_metric, str(r.period_start)[:10]) for r in frame.itertuples()]


def what_bi_shows(config: Settings, last_day: date, code: int) -> str:
    """The closing lines: which day BI reads and, when the last day is blocked, by what."""
    if not config.published.exists():
        return "Nothing was published for BI: no run has passed yet."
    import duckdb

    con = duckdb.connect(str(config.published), read_only=True)
    try:
        ((published_as_of, run_id),) = con.execute("select as_of, run_id from marts._publication").fetchall()
    finally:
        con.close()
    shows = f"BI reads {config.published}: the run of {_run_day(config, published_as_of)} (run {str(run_id)[:8]})."
    if code == EXIT_OK:
        return shows
    frame = models(config).query_df(
        "select team, team_metric, period_start, delta, allowed_delta from marts.alignment_reconciliation "
        "where status = 'fail' order by abs(delta) - allowed_delta desc"
    )
    blocked = "; ".join(
        f"{r.team} {r.team_metric} {str(r.period_start)[:7]}: delta {r.delta:+g}, allowed ±{r.allowed_delta:g}"
        for r in frame.head(4).itertuples()
    )
    more = f" and {len(frame) - 4} more" if len(frame) > 4 else ""
    why = f" — {blocked}{more}" if blocked else " — see the failing checks above"
    return (
        "The sample's team reports disagree with the canonical funnel on purpose: the failing checks above are "
        f"what the product is for.\n{shows}\n"
        f"The run of {last_day} is blocked: {len(frame)} team number(s) outside tolerance{why}. "
        "Fix the team's report, or sign the divergence off with `funnel accept`; until then BI keeps the last "
        "reconciled day."
    )


def _run_day(config: Settings, as_of: str | None) -> str:
    """The day a publication's as-of instant closes (the end of that day in the reporting timezone)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from funnel.contract.load import load_contract

    if not as_of:
        return "(as of its own time)"
    zone = ZoneInfo(load_contract(config.contract).contract.reporting.timezone)
    instant = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    return (instant.astimezone(zone) - timedelta(microseconds=1)).date().isoformat()
