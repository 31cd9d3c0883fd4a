"""Which logged engagements are sales touches, by the contract's `touches` rules (contract.py).

An engagement is a sales touch of a person when it matches one `activities` entry (type, then
direction, outcome and automation where the entry gives them), its owner is in one of the owner
teams, and it is associated with a counted record of a non-excluded person, by the as-of instant.
The reason says the first check that failed, in that order, so a reader can find why a call that
looks like a touch is none; a sales touch's reason is `counts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.clock import Clock
from . import contract
from .people_truth import PeopleTruth
from .touch_truth import counted_records

# How far an engagement got through the best-matching activity entry -> why it is no touch.
_RULE_REASONS = ("type_not_counted", "direction_not_counted", "outcome_not_counted", "automated", "")


def _rule_progress(engagements: pd.DataFrame) -> np.ndarray:
    """Per engagement, the number of an activity entry's checks it passes in order (4: all)."""
    kind = engagements["type"].to_numpy(dtype=object)
    direction = engagements["direction"].to_numpy(dtype=object)
    outcome = engagements["outcome"].to_numpy(dtype=object)
    automated = engagements["sequence_id"].notna().to_numpy()
    best = np.zeros(len(engagements), dtype=np.int64)
    for rule in contract.TOUCH_ACTIVITIES:
        checks = (
            kind == rule.type,
            np.ones(len(kind), bool) if rule.direction is None else direction == rule.direction,
            np.ones(len(kind), bool) if rule.outcomes is None else np.isin(outcome, rule.outcomes),
            np.ones(len(kind), bool) if rule.automated is None else automated == rule.automated,
        )
        passed = np.logical_and.accumulate(np.array(checks), axis=0).sum(axis=0)
        best = np.maximum(best, passed)
    return best


def engagement_truth(
    engagements: pd.DataFrame,
    owners: pd.DataFrame,
    records: pd.DataFrame,
    contact_ids: np.ndarray,
    truth: PeopleTruth,
    clock: Clock,
) -> pd.DataFrame:
    """One row per engagement: its contact and person (None without one), whether it is a sales
    touch and why (not); occurred_at in ms."""
    rec = engagements["rec"].to_numpy()
    linked = rec >= 0
    safe = np.maximum(rec, 0)
    person = np.where(linked, truth.record_person[safe], -1)
    excluded = truth.people.set_index("person_id")["is_excluded"].reindex(person).fillna(True).to_numpy(bool)
    owner = engagements["owner"].to_numpy()
    team = np.where(owner >= 0, owners["team"].to_numpy(dtype=object)[np.maximum(owner, 0)], None)
    reason = np.asarray(_RULE_REASONS, dtype=object)[_rule_progress(engagements)]
    checks = (
        (owner < 0, "no_owner"),
        (~np.isin(team, contract.TOUCH_OWNER_TEAMS), "owner_not_in_sales_team"),
        (~linked, "no_contact"),
        (~counted_records(records, truth)[safe], "record_not_counted"),
        (excluded, "person_excluded"),
        (engagements["ts"].to_numpy() > clock.horizon_ms, "after_as_of"),
    )
    if not contract.TOUCH_OWNER_TEAMS:  # an empty list: whoever owns it, or no one
        checks = checks[2:]
    for hit, why in checks:
        reason[(reason == "") & hit] = why
    return pd.DataFrame(
        {
            "engagement_id": engagements["id"].to_numpy(),
            "engagement_type": engagements["type"].to_numpy(dtype=object),
            "contact_id": np.where(linked, contact_ids[safe], None),
            "person_id": np.where(linked, person, None),
            "owner_id": np.where(owner >= 0, owners["owner_id"].to_numpy(dtype=object)[np.maximum(owner, 0)], None),
            "occurred_at": engagements["ts"].to_numpy(np.float64),
            "outcome": engagements["outcome"].to_numpy(dtype=object),
            "is_automated": engagements["sequence_id"].notna().to_numpy(),
            "is_sales_touch": reason == "",
            "reason": np.where(reason == "", "counts", reason),
        }
    )
