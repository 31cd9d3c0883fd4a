"""`funnel accept`: sign off one team metric-period that is outside tolerance, and list sign-offs.

What is signed off is read from the warehouse of the last run (marts.alignment_reconciliation):
the delta and the fingerprint of the records behind it. The rule that honours it is in
alignment_reconciliation.sql; the file format in funnel/contract/acceptances.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from funnel.config import Settings
from funnel.contract.acceptances import (
    Acceptance,
    load_acceptances,
    now,
    parse_period,
    write_acceptances,
)
from funnel.engine import models


class AcceptError(Exception):
    """Why this acceptance cannot be written (one line for the person)."""


@dataclass(frozen=True)
class Request:
    team: str
    metric: str
    period: str
    reason: str
    by: str
    expires: date | None = None


def accept(config: Settings, requests: Sequence[Request]) -> list[Acceptance]:
    """Write (or renew) the acceptance of the last run's delta for each team metric-period: one
    read of the marts and one write of the file, however many periods are signed off."""
    if not config.warehouse.exists():
        raise AcceptError(f"no warehouse at {config.warehouse}: run `funnel run` first, then accept what it found")
    reconciled = _reconciled(config)
    signed = [_acceptance(reconciled, request) for request in requests]
    keys = {a.key for a in signed}
    kept = [a for a in load_acceptances(config.acceptances) if a.key not in keys]
    write_acceptances(config.acceptances, [*kept, *signed])
    return signed


def _reconciled(config: Settings) -> pd.DataFrame:
    """Every reconciled team number with its divergent records. Small (teams × metrics × periods):
    read whole, on whichever engine built the marts."""
    return models(config).query_df(
        """
        select r.team, r.team_metric, r.period_start, r.delta, r.allowed_delta, r.status, r.explanation_md5,
            coalesce(d.records, 0) as records
        from marts.alignment_reconciliation as r
        left join (
            select team, team_metric, period_start, count(*) as records
            from marts.alignment_divergences
            group by team, team_metric, period_start
        ) as d
            on d.team = r.team and d.team_metric = r.team_metric and d.period_start = r.period_start
        """
    )


def _acceptance(reconciled: pd.DataFrame, request: Request) -> Acceptance:
    if not request.reason.strip() or not request.by.strip():
        raise AcceptError("--reason and --by must say why and who: an acceptance is a sign-off")
    try:
        period = parse_period(request.period)
    except ValueError as error:
        raise AcceptError(str(error)) from None
    team, metric = request.team.strip().lower(), request.metric.strip().lower()
    rows = reconciled[reconciled.team == team]
    if rows.empty:
        raise AcceptError(f"team {request.team!r} reported nothing in the last run (see `funnel report`)")
    mine = rows[(rows.team_metric == metric) & (rows.period_start.astype(str).str[:10] == period.isoformat())]
    if mine.empty:
        known = ", ".join(sorted(set(rows.team_metric)))
        raise AcceptError(f"{team} reported no {metric!r} for the period starting {period} (its metrics: {known})")
    row = mine.iloc[0]
    if row.status == "ok":
        raise AcceptError(
            f"{team} {metric} {period:%Y-%m} is within tolerance (delta {row.delta:g}, allowed {row.allowed_delta:g}): "
            "nothing to accept"
        )
    return Acceptance(
        team=team,
        metric=metric,
        period=period,
        delta=float(row.delta),
        explanation=str(row.explanation_md5),
        records=int(row.records),
        reason=request.reason.strip(),
        by=request.by.strip(),
        at=now(),
        expires=request.expires,
    )


def listing(config: Settings) -> list[dict]:
    """Every acceptance in the file, with its state in the last run where the warehouse has one."""
    acceptances = load_acceptances(config.acceptances)
    states: dict[tuple, str] = {}
    if acceptances and config.warehouse.exists():
        try:
            frame = models(config).query_df(
                "select team, team_metric, period_start, acceptance_state from marts.alignment_reconciliation "
                "where acceptance_state is not null"
            )
            states = {(r.team, r.team_metric, str(r.period_start)[:10]): r.acceptance_state for r in frame.itertuples()}
        except Exception:  # noqa: BLE001 — a warehouse without the mart yet: states stay unknown
            states = {}
    return [
        {
            "team": a.team,
            "metric": a.metric,
            "period": f"{a.period:%Y-%m}",
            "delta": a.delta,
            "by": a.by,
            "on": a.at.date().isoformat(),
            "expires": a.expires.isoformat() if a.expires else "never",
            "state in the last run": states.get((a.team.lower(), a.metric.lower(), a.period.isoformat()), "not seen"),
            "reason": a.reason,
        }
        for a in acceptances
    ]
