"""Why a team's number differs from the canonical one: every record counted on one side only.

Matching is per person and month. A person the canonical funnel counts in M is matched by the
team's smallest-id record of that person counted in M; every other team record is a team-only
row, every unmatched canonical person a canonical-only row. So for each team metric and month,
team_value - canonical_value = team-only rows - canonical-only rows.

Reason of a team-only row (record r of person P counted in M), first that applies:
  excluded_internal / excluded_test / excluded_competitor / excluded_lifecycle_other / archived
      P is excluded (archived: every record of P was deleted);
  duplicate_merged   r is not P's smallest-id record counted in M, or P's canonical entry is
      in another month and came from another record;
  late_update        P's canonical entry came from a late-written history entry, in another month;
  reentry            the team counted a repeat MQL date of r and P's canonical entry is earlier;
  timezone_boundary  the team reads UTC, P's canonical entry falls in M in UTC but not in the
      reporting timezone;
  not_in_marketing   P was sourced by sales (the channel's sourced_by is sales): marketing never
      had them, e.g. sales counting its outbound prospects;
  definition_difference  anything else (e.g. a lead status set in another month than the MQL).
Reason of a canonical-only row (P entered the stage in M, the team counted none of P's records):
  late_update        the entry is a late-written lifecycle change;
  duplicate_merged   the record the entry came from was merged into another by S_M, so the
      report no longer saw it;
  stage_skipped_backfilled  (marketing mqls) the entry came from a later stage (a later
      lifecycle value or a deal) and no record of P had an MQL date at S_M;
  timezone_boundary  the team reads UTC and the entry's UTC month differs from M, and the team
      counted P in that UTC month (or that month lies outside the period);
  not_in_crm         (sales) no record of P ever had an hs_lead_status;
  definition_difference  anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..simulate.clock import Clock, month_label, snapshot_ms, utc_month
from ..simulate.events import LEAD_STATUS, LIFECYCLE
from . import contract
from .divergence_details import canonical_only_details, team_only_details

TEAM_TIMEZONE_IS_UTC = {"marketing": True, "sales": False}
EXCLUDED_REASONS = {
    "internal": "excluded_internal",
    "test": "excluded_test",
    "competitor": "excluded_competitor",
    "lifecycle_other": "excluded_lifecycle_other",
    "archived": "archived",
}
COLUMNS = ["team", "metric", "period_start", "record_id", "person_id", "counted_by", "missing_from", "reason", "detail"]


@dataclass(frozen=True)
class _Company:
    """What every reason needs to look at, gathered once."""

    records: pd.DataFrame
    events: pd.DataFrame
    record_person: np.ndarray
    exclusion: pd.Series  # person_id -> exclusion reason ('' = included)
    sourced_by: pd.Series  # person_id -> the team credited with sourcing the person's channel
    entries: pd.DataFrame
    clock: Clock
    label: Callable[[np.ndarray], np.ndarray] | None  # person_id -> the id written in details


def divergences(
    counts: pd.DataFrame,
    records: pd.DataFrame,
    events: pd.DataFrame,
    record_person: np.ndarray,
    people: pd.DataFrame,
    entries: pd.DataFrame,
    clock: Clock,
    metrics: tuple[tuple[str, str, str], ...] = contract.TEAM_METRICS,
    label: Callable[[np.ndarray], np.ndarray] | None = None,
) -> pd.DataFrame:
    """`label` turns person ids into the text details show, when person_id is a sort key."""
    by_person = people.set_index("person_id")
    company = _Company(
        records,
        events,
        record_person,
        by_person["exclusion_reason"],
        by_person["channel"].map(contract.SOURCED_BY),
        entries,
        clock,
        label,
    )
    parts = []
    for team, metric, stage in metrics:
        mine = counts[(counts["team"] == team) & (counts["metric"] == metric)]
        parts.append(_one_metric(company, team, metric, stage, mine))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(
        ["team", "metric", "period_start", "counted_by", "person_id", "record_id"], ignore_index=True
    )


def _one_metric(company: _Company, team: str, metric: str, stage: str, counted: pd.DataFrame) -> pd.DataFrame:
    ids = company.records["id"].to_numpy()
    canon = company.entries[company.entries["stage"] == stage].set_index("person_id")
    canon["month"] = company.clock.local_month(canon["entered_at"].to_numpy())
    rec = counted["rec"].to_numpy()
    team_rows = counted.assign(person=company.record_person[rec], rec_id=ids[rec])
    team_rows = team_rows.sort_values(["month", "person", "rec_id"], kind="stable", ignore_index=True)
    # The team's smallest-id record of a person in a month stands for the person.
    team_rows["first_of_person"] = team_rows.groupby(["month", "person"]).cumcount().to_numpy() == 0
    rows = pd.concat(
        [
            _team_only(company, team, team_rows, canon),
            _canonical_only(company, team, metric, stage, team_rows, canon),
        ],
        ignore_index=True,
    )
    rows.insert(0, "team", team)
    rows.insert(1, "metric", metric)
    rows.insert(2, "period_start", np.char.add(month_label(rows["month"].to_numpy()), "-01"))
    return rows.drop(columns="month")[COLUMNS]


def _team_only(company: _Company, team: str, t: pd.DataFrame, canon: pd.DataFrame) -> pd.DataFrame:
    c_month = canon["month"].reindex(t["person"]).to_numpy(np.float64)
    matched = t["first_of_person"].to_numpy() & (c_month == t["month"].to_numpy())
    t, c_month = t[~matched].reset_index(drop=True), c_month[~matched]
    src = canon.reindex(t["person"])
    month = t["month"].to_numpy()
    excluded = company.exclusion.reindex(t["person"]).to_numpy(dtype=object)
    entered = src["entered_at"].to_numpy(np.float64)
    has_c = ~np.isnan(c_month)
    other_month = has_c & (c_month != month)
    src_rec = src["src_rec"].to_numpy(np.float64)
    conditions = [
        excluded != "",
        ~t["first_of_person"].to_numpy() | (other_month & (src_rec != t["rec"].to_numpy())),
        other_month & src["src_late"].to_numpy(dtype=object).astype(bool),
        t["repeat"].to_numpy() & has_c & (c_month < month),
        TEAM_TIMEZONE_IS_UTC[team] & has_c & (_utc_month(entered) == month) & (c_month != month),
        company.sourced_by.reindex(t["person"]).to_numpy(dtype=object) == "sales",
    ]
    choices = ["excluded", "duplicate_merged", "late_update", "reentry", "timezone_boundary", "not_in_marketing"]
    reason = np.select(conditions, choices, default="definition_difference").astype(object)
    is_excluded = reason == "excluded"
    reason[is_excluded] = pd.Series(excluded[is_excluded]).map(EXCLUDED_REASONS).to_numpy(dtype=object)
    detail = team_only_details(
        t,
        reason,
        excluded,
        c_month,
        entered,
        src_rec,
        company.records["id"].to_numpy(),
        company.clock,
        TEAM_TIMEZONE_IS_UTC[team],
        company.label,
    )
    return pd.DataFrame(
        {
            "month": month,
            "record_id": t["rec_id"].to_numpy(),
            "person_id": t["person"].to_numpy(),
            "counted_by": team,
            "missing_from": "canonical",
            "reason": reason,
            "detail": detail,
        }
    )


def _canonical_only(
    company: _Company, team: str, metric: str, stage: str, t: pd.DataFrame, canon: pd.DataFrame
) -> pd.DataFrame:
    clock, records = company.clock, company.records
    counted_keys = pd.MultiIndex.from_arrays([t["person"].to_numpy(), t["month"].to_numpy()])
    c = canon.reset_index()
    c = c[np.isin(c["month"].to_numpy(), clock.period_months())]
    c = c[~pd.MultiIndex.from_arrays([c["person_id"].to_numpy(), c["month"].to_numpy()]).isin(counted_keys)]
    c = c.reset_index(drop=True)
    month = c["month"].to_numpy()
    team_month = _utc_month(c["entered_at"].to_numpy())
    later_stage = c["is_backfilled"].to_numpy() | (
        c["src_rank"].to_numpy() > contract.LIFECYCLE_RANK[contract.STAGE_LIFECYCLE[stage]]
    )
    src_rec = c["src_rec"].to_numpy()
    merged_away = (records["archive_kind"].to_numpy(dtype=object)[src_rec] == "merged") & (
        records["archived_at"].to_numpy(np.float64)[src_rec] <= snapshot_ms(month)
    )
    no_date = ~_had_mql_date(company, c) if metric == "mqls" else np.zeros(len(c), bool)
    counted_in_utc_month = pd.MultiIndex.from_arrays([c["person_id"].to_numpy(), team_month]).isin(counted_keys)
    never_status = ~np.isin(c["person_id"].to_numpy(), _people_with_status(company))
    conditions = [
        c["src_late"].to_numpy(),
        merged_away,
        (team == "marketing") & (metric == "mqls") & later_stage & no_date,
        TEAM_TIMEZONE_IS_UTC[team]
        & (team_month != month)
        & (counted_in_utc_month | ~np.isin(team_month, clock.period_months())),
        (team == "sales") & never_status,
    ]
    choices = ["late_update", "duplicate_merged", "stage_skipped_backfilled", "timezone_boundary", "not_in_crm"]
    reason = np.select(conditions, choices, default="definition_difference").astype(object)
    detail = canonical_only_details(c, reason, stage, t, records["id"].to_numpy(), clock, company.label)
    return pd.DataFrame(
        {
            "month": month,
            "record_id": c["person_id"].to_numpy(),
            "person_id": c["person_id"].to_numpy(),
            "counted_by": "canonical",
            "missing_from": team,
            "reason": reason,
            "detail": detail,
        }
    )


def _utc_month(ms: np.ndarray) -> np.ndarray:
    ms = np.asarray(ms, dtype=np.float64)
    out = np.full(len(ms), -1, dtype=np.int64)
    ok = ~np.isnan(ms)
    out[ok] = utc_month(ms[ok].astype(np.int64))
    return out


def _had_mql_date(company: _Company, c: pd.DataFrame) -> np.ndarray:
    """Whether any record of the person, existing at S_M, had an MQL date written by S_M."""
    events, records = company.events, company.records
    writes = events[(events["prop"] == LIFECYCLE) & (events["value"] == "marketingqualifiedlead")]
    writes = pd.DataFrame(
        {
            "person_id": company.record_person[writes["rec"].to_numpy()],
            "rec": writes["rec"].to_numpy(),
            "ts": writes["ts"].to_numpy(),
        }
    )
    ask = pd.DataFrame(
        {"row": np.arange(len(c)), "person_id": c["person_id"].to_numpy(), "at": snapshot_ms(c["month"].to_numpy())}
    )
    both = ask.merge(writes, on="person_id")
    archived = records["archived_at"].to_numpy(np.float64)[both["rec"].to_numpy()]
    created = records["created"].to_numpy()[both["rec"].to_numpy()]
    at = both["at"].to_numpy()
    ok = (both["ts"].to_numpy() <= at) & (created <= at) & (np.isnan(archived) | (archived > at))
    had = np.zeros(len(c), dtype=bool)
    had[both["row"].to_numpy()[ok]] = True
    return had


def _people_with_status(company: _Company) -> np.ndarray:
    events = company.events
    return np.unique(company.record_person[events.loc[events["prop"] == LEAD_STATUS, "rec"].to_numpy()])
