"""Which Salesforce Tasks and Events are sales touches, by funnel.salesforce.yml's `touches` rules.

The rules are the demo contract's (contract.TOUCH_*), applied to Salesforce's activities read in
the contract's vocabulary as docs/design.md says ("Salesforce activities"):

- a Task is a `call` when its TaskSubtype is Call (direction from CallType: Outbound, Inbound;
  outcome: the CallDisposition label in lower snake case when it is one of the call outcomes,
  else `other`), an `email` when it is Email (outbound, outcome `sent` once Completed) or
  ListEmail (the same, automated), else a `task` (outcome from Status);
- an Event is a `meeting`, `completed` once it ended before the run's instant, else `scheduled`
  (Salesforce keeps no meeting outcome);
- a Task happened when it was completed (CompletedDateTime), else on its due date (ActivityDate,
  from the day's start in the reporting timezone); an Event when it starts.

Then as engagement_truth.py: the activity entry, the owner's team (the User's Department), the
person of its WhoId (Lead or Contact) — and a deleted activity (IsDeleted) never counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.clock import Clock
from ..simulate.rep_work import local_midnight
from ..simulate.salesforce import Salesforce
from ..simulate.salesforce_activities import CALL_DISPOSITIONS, TASK_STATUSES
from .engagement_truth import engagement_truth
from .people_truth import PeopleTruth
from .salesforce_truth import CrmRecords

# The mapping, restated (macros/sources/engagements.sql holds the warehouse's): a CallDisposition
# label, lower-cased with spaces as underscores, that names a call outcome is that outcome; a Task
# Status in lower snake case (Waiting on someone else: waiting) is the task's outcome.
CALL_OUTCOMES = ("connected", "left_voicemail", "left_live_message", "no_answer", "busy", "wrong_number")
TASK_OUTCOMES = {
    "Completed": "completed",
    "Not Started": "not_started",
    "In Progress": "in_progress",
    "Waiting on someone else": "waiting",
    "Deferred": "deferred",
}


def activities_truth(sf: Salesforce, crm: CrmRecords, truth: PeopleTruth, clock: Clock) -> pd.DataFrame:
    """One row per Task or Event, in engagement_truth's shape (person_id a sort key; contact_id
    the WhoId): whether it is a sales touch and why (not); a deleted one says `deleted`."""
    a = sf.activities
    H = clock.horizon_ms
    kind = a["type"].to_numpy(dtype=object)
    outcome = a["outcome"].to_numpy(dtype=object).copy()
    # What the files say (exports/salesforce_files.py), read back by the mapping above.
    keys = [CALL_DISPOSITIONS.get(o, "").lower().replace(" ", "_") for o in outcome]
    outcome = np.where(kind == "call", [k if k in CALL_OUTCOMES else "other" for k in keys], outcome)
    outcome = np.where(kind == "task", [TASK_OUTCOMES.get(TASK_STATUSES.get(o, "")) for o in outcome], outcome)
    end = a["ts"].to_numpy(np.float64) + a["duration"].to_numpy(np.float64)
    outcome = np.where(kind == "meeting", np.where(end <= H, "completed", "scheduled"), outcome)

    completed = a["completed"].to_numpy(np.float64)
    due = local_midnight(a["ts"].to_numpy(np.float64), clock)
    occurred = np.where(kind == "meeting", a["ts"].to_numpy(np.float64), np.where(np.isnan(completed), due, completed))

    n_hubspot, n_leads = len(crm.frame) - len(sf.leads) - len(sf.contacts), len(sf.leads)
    lead, contact = a["lead_row"].to_numpy(), a["contact_row"].to_numpy()
    rec = np.where(contact >= 0, n_hubspot + n_leads + contact, np.where(lead >= 0, n_hubspot + lead, -1))
    read = a.assign(rec=rec, outcome=outcome, ts=occurred, sequence_id=None)
    users = sf.users.assign(owner_id=sf.users["id"].to_numpy(dtype=object))
    table = engagement_truth(read, users, crm.frame, crm.frame["id"].to_numpy(dtype=object), truth, clock)
    deleted = a["deleted"].notna().to_numpy()
    table["is_sales_touch"] &= ~deleted
    table.loc[deleted, "reason"] = "deleted"
    return table


def sales_touches(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities that count as touchpoints (touch_truth's columns first_sales_touches reads)."""
    touch = activities[activities["is_sales_touch"].to_numpy()]
    return pd.DataFrame(
        {
            "person_id": touch["person_id"].to_numpy(np.int64),
            "touched_at": touch["occurred_at"].to_numpy(np.int64),
            "touch_type": "sales_activity",
        }
    )


def labelled_activities(activities: pd.DataFrame, crm: CrmRecords) -> pd.DataFrame:
    """truth/engagements.csv: person ids as the files write them."""
    person = activities["person_id"].to_numpy(dtype=object)
    has = np.array([p is not None for p in person])
    text = np.full(len(person), None, dtype=object)
    text[has] = crm.text(person[has].astype(np.int64))
    return activities.assign(person_id=text)
