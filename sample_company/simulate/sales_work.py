"""A sales-accepted person's and a deal's logged work: the SDR's qualifying call just before the
acceptance, the discovery meeting the SDR books with an AE, the AE's demo meeting and emails while
a new-business deal is open. Meetings fall on quarter hours in office hours; their outcome is set
after the meeting (or at a cancellation, before it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clock import MS_DAY, MS_HOUR, MS_MINUTE, MS_SECOND, Clock
from .deals import Deals
from .journeys import Journey
from .owners import team_members
from .rep_work import draw, local_midnight, rows, working_hours
from .streams import lognormal_ms, uniform_ms

MEETING_OUTCOMES = {"completed": 0.72, "no_show": 0.12, "canceled": 0.08, "rescheduled": 0.08}


def sales_accepted(
    people: pd.DataFrame,
    journey: Journey,
    deals: Deals,
    owners: pd.DataFrame,
    primary: np.ndarray,
    clock: Clock,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The SDR's qualifying call minutes before accepting a person, then the discovery meeting
    the SDR books with an AE (an AE's meeting that happened counts as a touch; a no-show not)."""
    person = np.flatnonzero(~np.isnan(journey.sql_at))
    n = len(person)
    sql_at = journey.sql_at[person]
    created = people["created"].to_numpy(np.float64)[person]
    call_at = np.fmax(sql_at - uniform_ms(rng, 2 * MS_MINUTE, 20 * MS_MINUTE, n), created + MS_MINUTE)
    length = lognormal_ms(rng, 12 * MS_MINUTE, 0.5, n)
    sdr = team_members(owners, "SDR")[people["sdr"].to_numpy()[person]]
    aes = team_members(owners, "AE")
    first = deals.frame[deals.frame["kind"] == "first"]
    deal_ae = pd.Series(first["owner"].to_numpy(), index=first["person"].to_numpy())
    # Without a deal (yet), the meeting goes to whichever AE had time.
    which = deal_ae.reindex(person).to_numpy(np.float64)
    ae = aes[np.where(np.isnan(which), rng.integers(0, len(aes), n), which).astype(np.int64)]
    booked = sql_at + uniform_ms(rng, MS_MINUTE, 30 * MS_MINUTE, n)
    start = _meeting_slot(sql_at + lognormal_ms(rng, 3 * MS_DAY, 0.5, n), booked, clock, rng)
    outcome = draw(MEETING_OUTCOMES, rng.random(n))
    rec = primary[person]
    return pd.concat(
        [
            rows(
                n,
                type="call",
                activity="qualifying_call",
                person=person,
                rec=rec,
                owner=sdr,
                ts=call_at,
                created=call_at + length + uniform_ms(rng, 5 * MS_SECOND, 3 * MS_MINUTE, n),
                direction="outbound",
                outcome="connected",
                duration=length,
            ),
            _meetings("discovery_meeting", person, rec, ae, booked, start, outcome, rng),
        ],
        ignore_index=True,
    )


def deal_work(
    deals: Deals, owners: pd.DataFrame, primary: np.ndarray, clock: Clock, rng: np.random.Generator
) -> pd.DataFrame:
    """An AE's demo meeting and emails while a new-business deal is open."""
    d = deals.frame[(deals.frame["pipeline"] == "default") & (deals.frame["person"] >= 0)]
    n = len(d)
    person = d["person"].to_numpy()
    ae = team_members(owners, "AE")[d["owner"].to_numpy()]
    created = d["created"].to_numpy(np.float64)
    closed = np.fmin(d["closed_at"].to_numpy(np.float64), np.inf)
    booked = created + uniform_ms(rng, 10 * MS_MINUTE, 2 * MS_HOUR, n)
    start = _meeting_slot(created + lognormal_ms(rng, 5 * MS_DAY, 0.6, n), booked, clock, rng)
    outcome = draw(MEETING_OUTCOMES, rng.random(n))
    demo = start < closed
    count = rng.poisson(1.5, n)
    idx = np.repeat(np.arange(n), count)
    sent = working_hours(created[idx] + uniform_ms(rng, MS_HOUR, 20 * MS_DAY, len(idx)), clock, rng)
    keep = sent < closed[idx]
    idx, sent = idx[keep], sent[keep]
    return pd.concat(
        [
            _meetings(
                "demo_meeting",
                person[demo],
                primary[person[demo]],
                ae[demo],
                booked[demo],
                start[demo],
                outcome[demo],
                rng,
            ),
            rows(
                len(idx),
                type="email",
                activity="deal_email",
                person=person[idx],
                rec=primary[person[idx]],
                owner=ae[idx],
                ts=sent,
                created=sent,
                direction="outbound",
                outcome="sent",
            ),
        ],
        ignore_index=True,
    )


def _meetings(activity, person, rec, owner, booked, start, outcome, rng) -> pd.DataFrame:
    """Meetings booked at `booked` for `start`; the outcome is set after the meeting (or at the
    cancellation, before it); one not yet held by the as-of instant is still SCHEDULED."""
    n = len(person)
    length = np.where(rng.random(n) < 0.7, 30 * MS_MINUTE, 45 * MS_MINUTE)
    after = start + length + uniform_ms(rng, 5 * MS_MINUTE, 2 * MS_HOUR, n)
    before = np.fmax(booked, start - uniform_ms(rng, MS_HOUR, MS_DAY, n))
    return rows(
        n,
        type="meeting",
        activity=activity,
        person=person,
        rec=rec,
        owner=owner,
        ts=start,
        created=booked,
        modified=np.where(np.isin(outcome, ("canceled", "rescheduled")), before, after),
        outcome=outcome,
        duration=length,
    )


def _meeting_slot(day: np.ndarray, booked: np.ndarray, clock: Clock, rng: np.random.Generator) -> np.ndarray:
    """A quarter-hour slot between 09:00 and 17:00 local on the day of `day`, after the booking."""
    slot = local_midnight(day, clock) + rng.integers(9 * 4, 17 * 4, len(day)) * (15 * MS_MINUTE)
    return np.where(slot > booked, slot, slot + MS_DAY)
