"""Sales' "leads worked", both ways: the canonical count and what sales' own tool counts, with
the cause of every difference (the people-touched metrics of funnel.yml's alignment).

Canonical (metric `leads_worked`, stage lead): the people with a sales touch (engagement_truth,
under the contract's `touches` rules) dated in month M in the reporting timezone, at or after
their first lead entry; once each.

Sales' tool (view `leads_worked`): the contact records with a call, email or meeting — any owner,
direction, outcome or automation — dated in M in America/New_York (the reporting timezone, so
no timezone boundary arises here), logged (hs_createdate) by S_M, on a record that exists at S_M
and whose lower-trimmed email matches no test pattern.

Matching is per person and month, as in divergences.py. Reasons, first that applies:
team-only   excluded_* / archived, duplicate_merged (not the person's smallest-id record counted
            in M), touched_before_stage (the person got a sales touch in M, but none after their
            lead entry), not_a_touch (no sales touch in M: notes, sequence emails, unanswered
            calls, inbound activity, owners outside sales);
canonical-only  touch_logged_late (every sales touch of M was logged after S_M),
            touch_on_other_record (one was logged in time, on a record the tool did not count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.clock import Clock, month_label, snapshot_ms
from . import contract
from .divergences import EXCLUDED_REASONS

TEAM, METRIC, STAGE = "sales", "leads_worked", "lead"
VIEW_TYPES = ("call", "email", "meeting")


def worked(logged: pd.DataFrame, engagements: pd.DataFrame, entries: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """The canonical side: one row per sales touch after the person's lead entry (person_id,
    month, occurred_at, logged_at, contact_id)."""
    touch = logged["is_sales_touch"].to_numpy(bool)
    created = pd.Series(engagements["created"].to_numpy(np.float64), index=engagements["id"].to_numpy())
    t = pd.DataFrame(
        {
            "person_id": logged["person_id"].to_numpy()[touch],
            "occurred_at": logged["occurred_at"].to_numpy(np.float64)[touch],
            "logged_at": created.reindex(logged["engagement_id"].to_numpy()[touch]).to_numpy(),
            "contact_id": logged["contact_id"].to_numpy()[touch],
        }
    )
    lead = entries[entries["stage"] == STAGE].set_index("person_id")["entered_at"]
    entered = lead.reindex(t["person_id"]).to_numpy(np.float64)
    t["month"] = clock.local_month(t["occurred_at"].to_numpy())
    t["after_entry"] = t["occurred_at"].to_numpy() >= entered  # NaN (never a lead): False
    return t


def team_counts(engagements: pd.DataFrame, records: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """Sales' tool: one row per record and month (team_reports.COUNT_COLUMNS)."""
    e = engagements[np.isin(engagements["type"].to_numpy(dtype=object), VIEW_TYPES) & (engagements["rec"] >= 0)]
    month = clock.local_month(e["ts"].to_numpy())
    at = snapshot_ms(month)
    rec = e["rec"].to_numpy()
    created = records["created"].to_numpy()[rec]
    archived = records["archived_at"].to_numpy(np.float64)[rec]
    lowered = contract.lower_trim(records["email"].to_numpy(dtype=object)[rec])
    keep = (
        np.isin(month, clock.period_months())
        & (e["created"].to_numpy() <= at)
        & (created <= at)
        & (np.isnan(archived) | (archived > at))
        & ~contract.matches_test_pattern(lowered)
    )
    rows = pd.DataFrame({"month": month[keep], "rec": rec[keep], "team_at": e["ts"].to_numpy()[keep]})
    rows = rows.groupby(["month", "rec"], as_index=False)["team_at"].min()
    return pd.DataFrame(
        {
            "team": TEAM,
            "metric": METRIC,
            "month": rows["month"].to_numpy(),
            "rec": rows["rec"].to_numpy(),
            "team_at": rows["team_at"].to_numpy(),
            "repeat": False,
        }
    )


def canonical_values(touches: pd.DataFrame, clock: Clock) -> np.ndarray:
    """People worked per reported month (clock.period_months order)."""
    mine = touches[touches["after_entry"]]
    per_month = mine.drop_duplicates(["month", "person_id"]).groupby("month").size()
    return per_month.reindex(clock.period_months(), fill_value=0).to_numpy()


def divergences(
    counts: pd.DataFrame,
    touches: pd.DataFrame,
    records: pd.DataFrame,
    record_person: np.ndarray,
    people: pd.DataFrame,
    clock: Clock,
) -> pd.DataFrame:
    """divergences.COLUMNS rows for the leads_worked metric."""
    ids = records["id"].to_numpy()
    mine = counts[(counts["team"] == TEAM) & (counts["metric"] == METRIC)]
    t = mine.assign(person=record_person[mine["rec"].to_numpy()], rec_id=ids[mine["rec"].to_numpy()])
    t = t.sort_values(["month", "person", "rec_id"], kind="stable", ignore_index=True)
    t["first_of_person"] = t.groupby(["month", "person"]).cumcount().to_numpy() == 0
    in_month = touches[np.isin(touches["month"].to_numpy(), clock.period_months())]
    worked_keys = pd.MultiIndex.from_frame(in_month.loc[in_month["after_entry"], ["person_id", "month"]])
    touched_keys = pd.MultiIndex.from_frame(in_month[["person_id", "month"]])
    keys = pd.MultiIndex.from_arrays([t["person"].to_numpy(), t["month"].to_numpy()])

    team_only = t[~(t["first_of_person"].to_numpy() & keys.isin(worked_keys))].reset_index(drop=True)
    team_keys = pd.MultiIndex.from_arrays([team_only["person"].to_numpy(), team_only["month"].to_numpy()])
    exclusion = people.set_index("person_id")["exclusion_reason"].reindex(team_only["person"]).to_numpy(dtype=object)
    reason = np.select(
        [exclusion != "", ~team_only["first_of_person"].to_numpy(), team_keys.isin(touched_keys)],
        ["excluded", "duplicate_merged", "touched_before_stage"],
        default="not_a_touch",
    ).astype(object)
    excluded = reason == "excluded"
    reason[excluded] = pd.Series(exclusion[excluded]).map(EXCLUDED_REASONS).to_numpy(dtype=object)
    team_rows = pd.DataFrame(
        {
            "month": team_only["month"].to_numpy(),
            "record_id": team_only["rec_id"].to_numpy(),
            "person_id": team_only["person"].to_numpy(),
            "counted_by": TEAM,
            "missing_from": "canonical",
            "reason": reason,
            "detail": _team_details(team_only, reason),
        }
    )

    w = in_month[in_month["after_entry"]].copy()
    w["in_time"] = w["logged_at"].to_numpy() <= snapshot_ms(w["month"].to_numpy())
    per_person = w.groupby(["person_id", "month"], as_index=False).agg(
        first_touch=("occurred_at", "min"), in_time=("in_time", "any")
    )
    counted_keys = pd.MultiIndex.from_arrays([t["person"].to_numpy(), t["month"].to_numpy()])
    missing = per_person[~pd.MultiIndex.from_frame(per_person[["person_id", "month"]]).isin(counted_keys)].reset_index(
        drop=True
    )
    late = ~missing["in_time"].to_numpy()
    canonical_rows = pd.DataFrame(
        {
            "month": missing["month"].to_numpy(),
            "record_id": missing["person_id"].to_numpy(),
            "person_id": missing["person_id"].to_numpy(),
            "counted_by": "canonical",
            "missing_from": TEAM,
            "reason": np.where(late, "touch_logged_late", "touch_on_other_record"),
            "detail": np.where(
                late,
                "touched on " + _dates(missing["first_touch"], clock) + ", logged after the sales report was pulled",
                "touched on " + _dates(missing["first_touch"], clock) + ", on a record the sales tool did not count",
            ),
        }
    )
    rows = pd.concat([team_rows, canonical_rows], ignore_index=True)
    rows.insert(0, "team", TEAM)
    rows.insert(1, "metric", METRIC)
    rows.insert(2, "period_start", np.char.add(month_label(rows["month"].to_numpy()), "-01"))
    return rows.drop(columns="month")


def _team_details(t: pd.DataFrame, reason: np.ndarray) -> np.ndarray:
    record = t["rec_id"].astype(str).to_numpy(dtype=object)
    person = t["person"].astype(str).to_numpy(dtype=object)
    out = np.full(len(t), "", dtype=object)
    for why, text in (
        ("duplicate_merged", "record " + record + " is person " + person + ", already counted"),
        ("touched_before_stage", "person " + person + " was touched in the period before entering the stage"),
        ("not_a_touch", "record " + record + " had activity in the period, none of it a sales touch"),
    ):
        out[reason == why] = text[reason == why]
    other = out == ""
    out[other] = "person " + person[other] + " is excluded"
    return out


def _dates(ms: pd.Series, clock: Clock) -> np.ndarray:
    return np.datetime_as_string(clock.local_dates(ms.to_numpy()), unit="D").astype(object)
