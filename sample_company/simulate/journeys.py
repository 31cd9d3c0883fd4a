"""Each person's path through the funnel, as arrays of instants (float ms, NaN = never).

Every step is its predecessor plus a delay, so steps stay in order; a step past the horizon
(end of end_date in the reporting timezone) never happens, and neither does anything after it.
Deals (opportunity, customer) come later, from deals.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import MS_DAY, MS_HOUR, MS_MINUTE, MS_SECOND, Clock, snapshot_ms, utc_month
from .messiness import Messiness
from .midnight import near_midnight
from .streams import exact_pick, lognormal_ms, stream, uniform_ms

_MQL_CHANCE = {
    "paid_search": 0.40,
    "paid_social": 0.35,
    "organic": 0.38,
    "email": 0.30,
    "events": 0.45,
    "referral": 0.45,
    "unattributed": 0.30,
    "outbound": 0.0,  # SDRs move their prospects straight to salesqualifiedlead
}
_SPECIAL_MQL_CHANCE = {"internal": 0.3, "test": 0.6, "competitor": 0.3, "other": 0.2, "junk": 0.4}
INBOUND_SQL_CHANCE = 0.45
OUTBOUND_SQL_CHANCE = 0.35
NEVER = np.nan


@dataclass
class Journey:
    subscriber: np.ndarray  # started as a newsletter subscriber
    lead_at: np.ndarray
    mql_at: np.ndarray  # the MQL instant HubSpot's date property holds
    mql_logged: np.ndarray  # when the lifecycle change was written (later for late updates)
    late: np.ndarray
    reg_at: np.ndarray  # sent back to lead, hs_lead_status UNQUALIFIED
    mql2_at: np.ndarray  # MQL again after that
    sql_at: np.ndarray  # sales accepted (lead status CONNECTED)
    sql_logged: np.ndarray  # lifecycle set to salesqualifiedlead (False: AE went straight to a deal)
    skipped_mql: np.ndarray
    route_at: np.ndarray  # hs_lead_status NEW, owner = SDR
    route2_at: np.ndarray
    attempted_at: np.ndarray
    disqualified_at: np.ndarray
    other_at: np.ndarray
    deleted_at: np.ndarray
    scores: np.ndarray  # (n, 4): at creation, MQL, regression, re-MQL


def after_or_never(t: np.ndarray, delay: np.ndarray, horizon: int) -> np.ndarray:
    out = t + delay
    out[out > horizon] = NEVER
    return out


def clamped_after(t: np.ndarray, delay: np.ndarray, horizon: int) -> np.ndarray:
    """t + delay, pulled back to halfway to the horizon: for steps that must happen (deletions)."""
    return np.minimum(t + delay, np.floor((t + horizon) / 2))


def simulate_journeys(people: pd.DataFrame, clock: Clock, messiness: Messiness, seed: int) -> Journey:
    rng = stream(seed, "journeys")
    n = len(people)
    H = clock.horizon_ms
    kind = people["kind"].to_numpy()
    channel = people["channel"].to_numpy()
    created = people["created"].to_numpy(np.float64)
    normal = kind == "normal"
    outbound = channel == "outbound"
    inbound = normal & ~outbound
    u = rng.random((n, 8))

    subscriber = normal & (channel == "email") & (u[:, 0] < 0.6)
    converts = u[:, 1] < 0.7
    lead_at = created.copy()
    sub_lead = after_or_never(created, lognormal_ms(rng, 20 * MS_DAY, 0.8, n), H)
    lead_at[subscriber] = np.where(converts, sub_lead, NEVER)[subscriber]

    chance = pd.Series(channel).map(_MQL_CHANCE).to_numpy(np.float64, copy=True)
    for special, p in _SPECIAL_MQL_CHANCE.items():
        chance[kind == special] = p
    chance[outbound & normal] = 0.0
    delay = lognormal_ms(rng, 5 * MS_DAY, 1.0, n)
    delay[kind == "test"] = lognormal_ms(rng, 10 * MS_MINUTE, 0.5, n)[kind == "test"]  # auto-scored
    mql_at = np.where(u[:, 2] < chance, after_or_never(lead_at, delay, H), NEVER)

    sql_at = np.full(n, NEVER)
    in_sql = inbound & (u[:, 3] < INBOUND_SQL_CHANCE)
    sql_at[in_sql] = after_or_never(mql_at, lognormal_ms(rng, 4 * MS_DAY, 0.9, n), H)[in_sql]
    out_sql = normal & outbound & (u[:, 4] < OUTBOUND_SQL_CHANCE)
    sql_at[out_sql] = after_or_never(created, lognormal_ms(rng, 12 * MS_DAY, 0.8, n), H)[out_sql]

    skipped = exact_pick(stream(seed, "skip_mql"), inbound & ~np.isnan(sql_at), messiness.skip_mql_rate)
    mql_at[skipped] = NEVER

    near_rng = stream(seed, "near_midnight_events")
    pick_rng = stream(seed, "near_midnight_pick_events")
    chosen = exact_pick(pick_rng, ~np.isnan(mql_at), messiness.near_midnight_rate)
    shifted = near_midnight(mql_at, lead_at, chosen, near_rng, clock)
    sql_at = np.where(chosen & ~np.isnan(sql_at), after_or_never(shifted, sql_at - mql_at, H), sql_at)
    near_mql = chosen & (shifted != mql_at)
    mql_at = shifted
    chosen = exact_pick(pick_rng, ~np.isnan(sql_at), messiness.near_midnight_rate)
    lower = np.fmax(lead_at, np.where(np.isnan(mql_at), lead_at, mql_at))
    sql_at = near_midnight(sql_at, lower, chosen, near_rng, clock)

    reg_at, mql2_at, sql_at = _regressions(inbound, mql_at, sql_at, messiness, seed, H)
    late, mql_logged = _late_updates(inbound & ~near_mql & np.isnan(reg_at), mql_at, sql_at, clock, messiness, seed)

    routes = _lead_statuses(kind, outbound & normal, created, mql_logged, reg_at, mql2_at, sql_at, u, rng, H)
    scores = np.column_stack(
        [
            rng.integers(0, 41, n),
            rng.integers(60, 96, n),
            rng.integers(15, 45, n),
            rng.integers(60, 101, n),
        ]
    )
    last_step = np.fmax.reduce([created, lead_at, mql_logged, routes[0]])
    other_at = np.where(
        kind == "other", clamped_after(last_step, uniform_ms(rng, 2 * MS_DAY, 40 * MS_DAY, n), H), NEVER
    )
    deleted_at = np.where(
        kind == "junk", clamped_after(last_step, uniform_ms(rng, 1 * MS_DAY, 30 * MS_DAY, n), H), NEVER
    )
    return Journey(
        subscriber=subscriber,
        lead_at=lead_at,
        mql_at=mql_at,
        mql_logged=mql_logged,
        late=late,
        reg_at=reg_at,
        mql2_at=mql2_at,
        sql_at=sql_at,
        sql_logged=~np.isnan(sql_at),
        skipped_mql=skipped,
        route_at=routes[0],
        route2_at=routes[1],
        attempted_at=routes[2],
        disqualified_at=routes[3],
        other_at=other_at,
        deleted_at=deleted_at,
        scores=scores,
    )


def _regressions(
    inbound: np.ndarray, mql_at: np.ndarray, sql_at: np.ndarray, messiness: Messiness, seed: int, H: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Some MQLs go back to lead before sales accepts them, then qualify again weeks later."""
    rng = stream(seed, "regression")
    n = len(mql_at)
    reg_at = after_or_never(mql_at, uniform_ms(rng, 7 * MS_DAY, 30 * MS_DAY, n), H)
    mql2_at = after_or_never(reg_at, uniform_ms(rng, 14 * MS_DAY, 60 * MS_DAY, n), H)
    chosen = exact_pick(
        rng, inbound & ~np.isnan(reg_at), messiness.regression_rate, int((inbound & ~np.isnan(mql_at)).sum())
    )
    sql_after = after_or_never(mql2_at, sql_at - mql_at, H)  # sales takes as long as it would have
    sql_at = np.where(chosen, sql_after, sql_at)
    return np.where(chosen, reg_at, NEVER), np.where(chosen, mql2_at, NEVER), sql_at


def _late_updates(
    eligible: np.ndarray, mql_at: np.ndarray, sql_at: np.ndarray, clock: Clock, messiness: Messiness, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """MQLs of a month's last days that an integration wrote after the month's team reports."""
    rng = stream(seed, "late_update")
    n = len(mql_at)
    safe = np.where(np.isnan(mql_at), clock.start_ms, mql_at).astype(np.int64)
    local = clock.local_dates(safe)
    days_left = (local.astype("datetime64[M]") + 1).astype("datetime64[D]") - local
    same_month = utc_month(safe) == clock.local_month(safe)
    written = snapshot_ms(utc_month(safe)) + uniform_ms(rng, 2 * MS_HOUR, 72 * MS_HOUR, n)
    before_sql = np.isnan(sql_at) | (written + 12 * MS_HOUR < sql_at)
    fits = eligible & ~np.isnan(mql_at) & (days_left.astype(np.int64) <= 5) & same_month
    fits &= before_sql & (written <= clock.horizon_ms)
    late = exact_pick(rng, fits, messiness.late_update_rate, int((~np.isnan(mql_at)).sum()))
    return late, np.where(late, written, mql_at)


def _lead_statuses(
    kind: np.ndarray,
    outbound: np.ndarray,
    created: np.ndarray,
    mql_logged: np.ndarray,
    reg_at: np.ndarray,
    mql2_at: np.ndarray,
    sql_at: np.ndarray,
    u: np.ndarray,
    rng: np.random.Generator,
    H: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """When hs_lead_status became NEW (twice for re-MQLs), ATTEMPTED_TO_CONTACT, UNQUALIFIED."""
    n = len(kind)

    def before_next(start: np.ndarray, delay: np.ndarray, nxt: np.ndarray) -> np.ndarray:
        # Routing happens within hours, but always before the next step of the same journey.
        limit = np.where(np.isnan(nxt), np.inf, start + np.floor((nxt - start) / 2))
        return after_or_never(start, np.minimum(delay, limit - start), H)

    first_next = np.fmin(reg_at, sql_at)
    unrouted = (u[:, 5] < 0.05) & np.isnan(first_next)  # a few MQLs are never handed to sales
    route_at = np.where(
        unrouted, NEVER, before_next(mql_logged, uniform_ms(rng, 5 * MS_MINUTE, 6 * MS_HOUR, n), first_next)
    )
    route2_at = before_next(mql2_at, uniform_ms(rng, 5 * MS_MINUTE, 6 * MS_HOUR, n), sql_at)
    route_at[outbound] = after_or_never(created, uniform_ms(rng, 1 * MS_SECOND, 60 * MS_SECOND, n), H)[outbound]
    attempted = np.where(outbound, after_or_never(created, uniform_ms(rng, 1 * MS_DAY, 10 * MS_DAY, n), H), NEVER)
    attempted[~np.isnan(sql_at) & ~(attempted < sql_at)] = NEVER
    gave_up = outbound & np.isnan(sql_at) & (u[:, 6] < 0.4)
    disqualified = np.where(gave_up, after_or_never(created, uniform_ms(rng, 15 * MS_DAY, 60 * MS_DAY, n), H), NEVER)
    disqualified[~(disqualified > attempted) & ~np.isnan(attempted)] = NEVER
    return route_at, route2_at, attempted, disqualified
