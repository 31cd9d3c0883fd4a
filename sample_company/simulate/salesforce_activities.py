"""What sales logs in Salesforce when it works there: Tasks (calls, emails, to-dos) and Events
(meetings), each on the person's Lead or Contact (WhoId), owned by the rep's User (OwnerId).

The reps are the HubSpot company's and work the same way (rep_work.py, sales_work.py), on
Salesforce's records:

- an SDR works a Lead from its creation until it is converted, marked Unqualified or deleted (or
  the SDR gives up), and again from a re-MQL's 'Open - Not Contacted' until the conversion; an
  outbound prospect from the moment the SDR typed the Lead in: calls and one-to-one emails, a
  follow-up task after a missed call, now and then the lead calling in;
- every sales-accepted person: the SDR's qualifying call minutes before the conversion, then a
  discovery meeting with an AE; every new-business deal: the AE's demo meeting and emails, on the
  Opportunity (WhatId) as well.

What Salesforce does not keep as Tasks is left out: call notes (ContentNote), the lead's replies
(EmailMessage), sequence emails (this org runs no sales engagement tool). Converting a Lead moves
its activities to the new Contact (WhoId changes, LastModifiedDate with it); deleting a Lead
deletes its activities. Salesforce has no meeting outcome: a no-show stays an Event like any
other, a canceled or rescheduled meeting's Event is deleted. A few activities are logged with no
WhoId at all (on the Opportunity or Account only, or on nothing).

Every draw comes from streams of their own ("salesforce_activities_*"), so adding the activities
moved no other generated value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import MS_DAY, Clock
from .deals import Deals
from .journeys import Journey
from .rep_work import attempts, follow_ups, rows
from .sales_work import deal_work, sales_accepted
from .salesforce_ids import mint
from .streams import exact_pick, stream

NO_WHO_RATE = 0.01  # logged on the Opportunity or Account only, or on nothing
# Salesforce's CallDisposition is free text; this org's reps pick from these labels.
CALL_DISPOSITIONS = {
    "connected": "Connected",
    "left_voicemail": "Left Voicemail",
    "left_live_message": "Left Live Message",
    "no_answer": "No Answer",
    "busy": "Busy",
    "wrong_number": "Wrong Number",
}
TASK_STATUSES = {"completed": "Completed", "not_started": "Not Started"}
_GIVE_UP_DAYS = {"mql": 30, "outbound": 45}
_DEAL_WORK = ("demo_meeting", "deal_email")


@dataclass(frozen=True)
class SalesforceRecords:
    """The Salesforce records activities are logged on (frames of simulate/salesforce.py)."""

    leads: pd.DataFrame
    lead_history: pd.DataFrame
    opportunities: pd.DataFrame
    open_status: str  # Lead Status values (simulate/salesforce.py)
    unqualified_status: str
    outbound_source: str  # the LeadSource of an SDR's own prospect


def simulate_activities(
    people: pd.DataFrame,
    journey: Journey,
    deals: Deals,
    sf: SalesforceRecords,
    owners: pd.DataFrame,
    clock: Clock,
    seed: int,
) -> pd.DataFrame:
    """One row per Task or Event (rep_work.COLUMNS but `rec`, plus `sobject`, `lead_row`,
    `contact_row`, `what_id`, `completed`, `deleted` and `id`), Tasks then Events, each by id;
    times in float ms.
    Outcomes stay in the contract's words here; exports/salesforce_files.py writes Salesforce's."""
    n = len(people)
    episodes = _episodes(sf, clock)
    tried = attempts(episodes, clock, stream(seed, "salesforce_activities_attempts"))
    after = follow_ups(episodes, tried, rows(0), stream(seed, "salesforce_activities_follow_ups"))
    after = after[np.isin(after["activity"].to_numpy(), ("follow_up_task", "lead_called_in"))]
    everyone = np.arange(n)  # the record is chosen by person below (_on_records), not by `rec`
    frame = pd.concat(
        [
            tried,
            after,
            sales_accepted(
                people, journey, deals, owners, everyone, clock, stream(seed, "salesforce_activities_sales")
            ),
            deal_work(deals, owners, everyone, clock, stream(seed, "salesforce_activities_deals")),
        ],
        ignore_index=True,
    )
    frame = _on_records(frame, sf.leads, n, clock)
    frame = _what(frame, deals, sf.opportunities)
    frame = _no_who(frame, stream(seed, "salesforce_activities_no_who"))
    return _with_ids(frame, seed)


def _episodes(sf: SalesforceRecords, clock: Clock) -> pd.DataFrame:
    """Who an SDR works, from when until when: a Lead from its creation, and again from a re-MQL."""
    leads = sf.leads
    history = sf.lead_history[sf.lead_history["field"] == "Status"]
    unqualified = _first_at(history[history["new"] == sf.unqualified_status], len(leads))
    reopened = _first_at(history[history["new"] == sf.open_status], len(leads))
    converted = leads["converted"].to_numpy(np.float64)
    deleted = leads["deleted"].to_numpy(np.float64)
    kind = np.where(leads["lead_source"].to_numpy(dtype=object) == sf.outbound_source, "outbound", "mql").astype(object)
    parts = []
    for start, stop in (
        (leads["created"].to_numpy(np.float64), np.fmin.reduce([unqualified, converted, deleted])),
        (reopened, np.fmin(converted, deleted)),
    ):
        lead = np.flatnonzero(~np.isnan(start))
        give_up = start[lead] + pd.Series(kind[lead]).map(_GIVE_UP_DAYS).to_numpy(np.float64) * MS_DAY
        parts.append(
            pd.DataFrame(
                {
                    "person": leads["person"].to_numpy()[lead],
                    "rec": lead,
                    "owner": leads["owner_row"].to_numpy()[lead],
                    "start": start[lead],
                    "stop": np.fmin(stop[lead], give_up),
                    "kind": kind[lead],
                }
            )
        )
    episodes = pd.concat(parts, ignore_index=True)
    episodes["stop"] = np.minimum(episodes["stop"].to_numpy(), clock.horizon_ms + 1.0)
    return episodes


def _first_at(changes: pd.DataFrame, n: int) -> np.ndarray:
    at = np.full(n, np.nan)
    first = changes.drop_duplicates("lead_row")
    at[first["lead_row"].to_numpy()] = first["ts"].to_numpy(np.float64)
    return at


def _on_records(frame: pd.DataFrame, leads: pd.DataFrame, n_people: int, clock: Clock) -> pd.DataFrame:
    """What the org holds at the as-of instant. An activity lives on the person's Lead, or on the
    Contact it was converted into; one saved before the person had a Lead, or after it was
    deleted, is not in Salesforce. Deleting a Lead deletes its activities; a meeting canceled or
    rescheduled is deleted when the rep learns of it; a task not done yet is Not Started. Nothing
    created or dated after the as-of instant is there yet."""
    H = clock.horizon_ms
    lead_of = np.full(n_people, -1, dtype=np.int64)
    lead_of[leads["person"].to_numpy()] = np.arange(len(leads))
    lead = lead_of[frame["person"].to_numpy()]
    created = frame["created"].to_numpy(np.float64)
    lead_created = leads["created"].to_numpy(np.float64)[np.maximum(lead, 0)]
    lead_deleted = leads["deleted"].to_numpy(np.float64)[np.maximum(lead, 0)]
    keep = (lead >= 0) & (lead_created <= created) & ~(lead_deleted < created)
    keep &= (created <= H) & (frame["ts"].to_numpy() <= H)
    frame = frame[keep].drop(columns="rec").reset_index(drop=True)
    lead = lead[keep]

    kind = frame["type"].to_numpy()
    created = frame["created"].to_numpy(np.float64)
    changed = frame["modified"].to_numpy(np.float64)  # a task done, a meeting's outcome known
    later = changed > H
    outcome = frame["outcome"].to_numpy(dtype=object).copy()
    outcome[later & (kind == "task")] = "not_started"
    done = (kind == "task") & (outcome == "completed")
    completed = np.where(done, changed, np.where(np.isin(kind, ("call", "email")), created, np.nan))
    # An Event is written when it is booked; nothing but a deletion changes it afterwards.
    dropped = (kind == "meeting") & np.isin(outcome, ("canceled", "rescheduled")) & ~later
    lead_deleted = leads["deleted"].to_numpy(np.float64)[lead]
    deleted = np.fmin(np.where(dropped, changed, np.nan), np.where(lead_deleted <= H, lead_deleted, np.nan))
    modified = np.where(done, changed, created)
    contact = leads["contact_row"].to_numpy()[lead]
    moved = contact >= 0
    modified = np.where(moved, np.fmax(modified, leads["converted"].to_numpy(np.float64)[lead]), modified)
    modified = np.fmax(modified, deleted)
    return frame.assign(
        lead_row=np.where(moved, -1, lead),
        contact_row=np.where(moved, contact, -1),
        outcome=outcome,
        modified=modified,
        completed=completed,
        deleted=deleted,
    )


def _what(frame: pd.DataFrame, deals: Deals, opportunities: pd.DataFrame) -> pd.DataFrame:
    """A deal's demo and emails are on its Opportunity too: the person's latest new-business
    Opportunity created by then."""
    d = deals.frame
    mine = (d["pipeline"].to_numpy() == "default") & (d["person"].to_numpy() >= 0)
    opps = pd.DataFrame(
        {
            "person": d["person"].to_numpy()[mine],
            "at": d["created"].to_numpy(np.float64)[mine],
            "what_id": opportunities["id"].to_numpy(dtype=object)[np.flatnonzero(mine)],
        }
    ).sort_values("at", kind="stable")
    work = np.isin(frame["activity"].to_numpy(), _DEAL_WORK)
    asked = pd.DataFrame(
        {
            "row": np.flatnonzero(work),
            "person": frame["person"].to_numpy()[work],
            "at": frame["created"].to_numpy()[work],
        }
    ).sort_values("at", kind="stable")
    found = pd.merge_asof(asked, opps, on="at", by="person", direction="backward")
    what = np.full(len(frame), None, dtype=object)
    what[found["row"].to_numpy()] = found["what_id"].to_numpy(dtype=object)
    return frame.assign(what_id=what)


def _no_who(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A rep who logs a call or an email from the Opportunity or the Account names no person."""
    human = np.isin(frame["type"].to_numpy(), ("call", "email")) & (frame["direction"].to_numpy() == "outbound")
    none = exact_pick(rng, human, NO_WHO_RATE)
    return frame.assign(
        lead_row=np.where(none, -1, frame["lead_row"].to_numpy()),
        contact_row=np.where(none, -1, frame["contact_row"].to_numpy()),
    )


def _with_ids(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Task and Event ids grow with CreatedDate, each object in its own range."""
    for col in ("ts", "created", "modified", "duration", "completed", "deleted"):
        frame[col] = np.round(frame[col].to_numpy(np.float64))
    frame["sobject"] = np.where(frame["type"].to_numpy() == "meeting", "Event", "Task")
    order = np.lexsort((frame["ts"].to_numpy(), frame["person"].to_numpy(), frame["created"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    parts = []
    for sobject in ("Task", "Event"):
        part = frame[frame["sobject"].to_numpy() == sobject].reset_index(drop=True)
        part.insert(0, "id", mint(sobject, len(part), seed))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
