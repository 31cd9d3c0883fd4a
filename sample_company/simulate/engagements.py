"""The reps' logged work: HubSpot engagements (calls, emails, meetings, notes, tasks).

Who is worked, by whom, from when (episodes, see rep_work.py):
- every routed MQL (again after a re-MQL, and a duplicate record's own routed MQL, logged on
  that record) by the SDR the routing gave it, from the routing instant;
- every outbound prospect by their SDR, from when the SDR typed the record in;
- every sales-accepted person: the SDR's qualifying call just before the acceptance, then a
  discovery meeting with an AE (the AE of the person's deal when there is one);
- every new-business deal by its AE: a demo meeting and some emails until it closes.

Then the mess of a real CRM: a few engagements without owner (a dialer's log nobody mapped to a
user), a few logged on the person's duplicate record, on another person's record, or on no record
at all. Engagements live on the record sales sees: the person's primary record (HubSpot moves a
merged record's engagements to the survivor; a deleted record loses its associations).

Every draw comes from streams of its own ("engagements_*"), so adding the engagements moved no
other generated value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clock import MS_DAY, Clock
from .deals import Deals
from .events import OWNER
from .journeys import Journey
from .links import primary_record
from .owners import team_members
from .records import DUPLICATE, Records
from .rep_work import attempts, follow_ups, sequence_emails
from .sales_work import deal_work, sales_accepted
from .streams import exact_pick, lognormal_ms, stream

FIRST_ENGAGEMENT_ID = 31_500_000_001
NO_OWNER_RATE = 0.01
DUPLICATE_RECORD_SHARE = 0.2  # of the engagements of persons whose duplicate record exists by then
WRONG_PERSON_RATE = 0.005
NO_RECORD_RATE = 0.005
LOGGED_LATE_RATE = 0.1  # of calls
_TYPE_ORDER = {"call": 0, "email": 1, "meeting": 2, "note": 3, "task": 4}


def simulate_engagements(
    people: pd.DataFrame,
    journey: Journey,
    deals: Deals,
    records: Records,
    owners: pd.DataFrame,
    clock: Clock,
    seed: int,
) -> pd.DataFrame:
    """One row per engagement (rep_work.COLUMNS plus `id`), sorted by id; times in float ms."""
    primary = primary_record(records.frame, len(people))
    episodes = _episodes(people, journey, records, owners, primary, clock)
    sent = sequence_emails(episodes, stream(seed, "engagements_sequences"))
    tried = attempts(episodes, clock, stream(seed, "engagements_attempts"))
    frame = pd.concat(
        [
            sent,
            tried,
            follow_ups(episodes, tried, sent, stream(seed, "engagements_follow_ups")),
            sales_accepted(people, journey, deals, owners, primary, clock, stream(seed, "engagements_sales")),
            deal_work(deals, owners, primary, clock, stream(seed, "engagements_deals")),
        ],
        ignore_index=True,
    )
    frame = _logged_late(frame, stream(seed, "engagements_logged_late"))
    frame = _as_of(frame, clock)
    frame = _misfiled(frame, records.frame, primary, stream(seed, "engagements_misfiled"))
    return _with_ids(frame, stream(seed, "engagement_ids"))


def _episodes(
    people: pd.DataFrame, journey: Journey, records: Records, owners: pd.DataFrame, primary: np.ndarray, clock: Clock
) -> pd.DataFrame:
    """Who an SDR works, from when until when (the module docstring's first two kinds); an
    episode ends at the journey's next step or when the rep gives up, and by the as-of instant."""
    j = journey
    sdr = team_members(owners, "SDR")[people["sdr"].to_numpy()]
    outbound = (people["channel"].to_numpy() == "outbound") & (people["kind"].to_numpy() == "normal")
    ends = np.fmin.reduce([j.sql_at, j.deleted_at, j.other_at])
    parts = []
    for start, stop, kind, who in (
        (j.route_at, np.fmin(j.reg_at, ends), "mql", ~outbound),
        (j.route2_at, ends, "mql", ~outbound),
        (j.route_at, np.fmin(j.sql_at, j.disqualified_at), "outbound", outbound),
    ):
        person = np.flatnonzero(who & ~np.isnan(start))
        give_up = start[person] + (45 if kind == "outbound" else 30) * MS_DAY
        parts.append(
            pd.DataFrame(
                {
                    "person": person,
                    "rec": primary[person],
                    "owner": sdr[person],
                    "start": start[person],
                    "stop": np.fmin(stop[person], give_up),
                    "kind": kind,
                }
            )
        )
    # A duplicate record's own MQL was routed like any other: its SDR works that record.
    role = records.frame["role"].to_numpy()
    routed = records.events[(records.events["prop"] == OWNER).to_numpy()]
    routed = routed[role[routed["rec"].to_numpy()] == DUPLICATE]
    owner_row = pd.Series(np.arange(len(owners)), index=owners["owner_id"].to_numpy())
    start = routed["ts"].to_numpy(np.float64)
    parts.append(
        pd.DataFrame(
            {
                "person": records.frame["person"].to_numpy()[routed["rec"].to_numpy()],
                "rec": routed["rec"].to_numpy(),
                "owner": owner_row.loc[routed["value"].to_numpy()].to_numpy(),
                "start": start,
                "stop": start + 30 * MS_DAY,
                "kind": "mql",
            }
        )
    )
    episodes = pd.concat(parts, ignore_index=True)
    episodes["stop"] = np.minimum(episodes["stop"].to_numpy(), clock.horizon_ms + 1.0)
    return episodes


def _logged_late(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Some calls are logged days after they were made (a rep catching up on the dialer's list):
    hs_timestamp stays the call's instant, hs_createdate moves. A report pulled in between misses
    them (sales' "leads worked", divergence touch_logged_late)."""
    calls = np.flatnonzero(frame["type"].to_numpy() == "call")
    late = calls[rng.random(len(calls)) < LOGGED_LATE_RATE]
    created = frame["created"].to_numpy(np.float64).copy()
    created[late] += lognormal_ms(rng, 2 * MS_DAY, 0.6, len(late))
    frame = frame.assign(created=created)
    modified = frame["modified"].to_numpy(np.float64)
    frame["modified"] = np.where(modified < created, created, modified)
    return frame


def _as_of(frame: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """What the portal holds at the as-of instant: engagements created by then; a meeting whose
    outcome was not set yet is SCHEDULED, a task not done yet is NOT_STARTED. Meetings and tasks
    dated after it are left out too: nothing in the sample happens after the as-of instant."""
    H = clock.horizon_ms
    keep = (frame["created"].to_numpy() <= H) & (frame["ts"].to_numpy() <= H)
    frame = frame[keep].reset_index(drop=True)
    modified = frame["modified"].to_numpy(np.float64)
    later = modified > H
    outcome = frame["outcome"].to_numpy(dtype=object).copy()
    kind = frame["type"].to_numpy()
    outcome[later & (kind == "meeting")] = "scheduled"
    outcome[later & (kind == "task")] = "not_started"
    frame["outcome"] = outcome
    frame["modified"] = np.where(later | np.isnan(modified), frame["created"].to_numpy(), modified)
    return frame


def _misfiled(
    frame: pd.DataFrame, records: pd.DataFrame, primary: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    rec = frame["rec"].to_numpy().copy()
    owner = frame["owner"].to_numpy().copy()
    created = frame["created"].to_numpy()
    person = frame["person"].to_numpy()
    human = frame["sequence_id"].isna().to_numpy() & (frame["direction"].to_numpy() != "inbound")
    owner[exact_pick(rng, human & (frame["type"].to_numpy() != "task"), NO_OWNER_RATE)] = -1

    # A rep who opens the person's other (duplicate) record logs the work there.
    dups = records[records["role"].to_numpy() == DUPLICATE]
    dup_rec = pd.Series(dups.index.to_numpy(), index=dups["person"].to_numpy())
    dup_created = pd.Series(dups["created"].to_numpy(np.float64), index=dups["person"].to_numpy())
    has_dup = dup_rec.reindex(person).notna().to_numpy()
    existed = dup_created.reindex(person).to_numpy() <= created
    to_dup = has_dup & existed & (rng.random(len(frame)) < DUPLICATE_RECORD_SHARE)
    rec[to_dup] = dup_rec.reindex(person[to_dup]).to_numpy(np.int64)

    # Someone else's record, picked among the live records that existed when it was logged.
    live = primary[(primary >= 0)]
    live = live[records["archived_at"].isna().to_numpy()[live]]
    live = live[np.argsort(records["created"].to_numpy()[live], kind="stable")]
    live_created = records["created"].to_numpy(np.float64)[live]
    wrong = exact_pick(rng, human, WRONG_PERSON_RATE)
    existing = np.searchsorted(live_created, created, side="right")
    pick = np.floor(rng.random(len(frame)) * existing).astype(np.int64)
    wrong &= existing > 0
    rec[wrong] = live[pick[wrong]]
    rec[exact_pick(rng, human, NO_RECORD_RATE)] = -1

    # Deleting a record removes its associations; the engagements stay, on no record.
    deleted = records["archive_kind"].to_numpy(dtype=object) == "deleted"
    rec[(rec >= 0) & deleted[np.maximum(rec, 0)]] = -1
    return frame.assign(rec=rec, owner=owner)


def _with_ids(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Ids grow with createdate in one range for all five types, as HubSpot's engagement ids do."""
    for col in ("ts", "created", "modified", "duration"):
        frame[col] = np.round(frame[col].to_numpy(np.float64))
    type_order = frame["type"].map(_TYPE_ORDER).to_numpy()
    order = np.lexsort((frame["ts"].to_numpy(), frame["person"].to_numpy(), type_order, frame["created"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "id", FIRST_ENGAGEMENT_ID + np.cumsum(rng.integers(1, 4, len(frame))) - 1)
    return frame
