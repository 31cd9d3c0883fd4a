"""The canonical people and stage entries, computed from the contact records as design.md says.

1. Follow hs_merged_object_ids to each record's final survivor.
2. A person = survivors sharing a normalised email (lower-case, spaces trimmed, `+tag` removed)
   plus every record merged into them; a survivor without email is a person on its own.
3. person_id = smallest id of the person's active records (all archived: smallest id).
4. Exclusion on the principal record (id = person_id), first that applies: archived (no active
   record), internal, test (pattern on the lower-trimmed email, before `+tag` removal),
   competitor, lifecycle_other (its current lifecyclestage is `other`).
5. Channel: original source of the person's earliest record (createdate, then smallest id).
6. Candidates from every record of the person: lead / mql / sql = lifecyclestage history entries
   whose value is that stage or later (subscriber < lead < marketingqualifiedlead <
   salesqualifiedlead < opportunity < customer < evangelist; `other` counts for nothing);
   opportunity = createdate of a `default`-pipeline deal whose Primary-labelled contact is one of
   the person's records; customer = timestamp of that deal's `closedwon` history entry. Only
   instants up to the end of end_date (reporting timezone).
7. First candidate per stage, then backfill: stage_at[k] = min(stage_at[k..customer]);
   is_backfilled when the stage's own first candidate is missing or later than that, or when
   that candidate is a lifecycle value beyond the stage's own (the person skipped the stage:
   lead → SQL enters MQL at the SQL instant, flagged).
Ties between candidates at the same instant go to the smaller record id, then the lower stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..simulate.clock import Clock
from ..simulate.deals import WON
from ..simulate.events import LIFECYCLE, OWNER
from . import contract

DEAL_RANK = 100  # marks a candidate that came from a deal, not from a lifecycle value


@dataclass(frozen=True)
class PeopleTruth:
    people: pd.DataFrame  # one row per person, sorted by person_id
    record_person: np.ndarray  # person_id of each record row
    entries: pd.DataFrame  # non-excluded stage entries with the candidate they came from


def resolve_people(records: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """record row -> final survivor id, person key and person_id (steps 1-3)."""
    ids = records["id"].to_numpy()
    parent = {}
    for survivor, listed in zip(ids, state["merged_ids"].to_numpy()):
        if isinstance(listed, str) and listed:
            for child in listed.split(";"):
                parent[int(child)] = int(survivor)
    final = pd.Series(ids, dtype=np.int64)
    while True:
        step = final.map(parent).fillna(final).astype(np.int64)
        if step.equals(final):
            break
        final = step
    is_survivor = ~np.isin(ids, np.fromiter(parent.keys(), dtype=np.int64, count=len(parent)))
    norm = contract.normalise_email(records["email"].to_numpy())
    own_key = np.where(norm == "", np.char.add("id:", ids.astype(str)).astype(object), norm)
    key_of_survivor = pd.Series(own_key[is_survivor], index=ids[is_survivor])
    key = key_of_survivor.loc[final.to_numpy()].to_numpy()
    active = records["archived_at"].isna().to_numpy()
    frame = pd.DataFrame({"rec": np.arange(len(ids)), "id": ids, "key": key, "active": active})
    min_active = frame[frame["active"]].groupby("key")["id"].min()
    min_any = frame.groupby("key")["id"].min()
    person_id = min_active.reindex(min_any.index).fillna(min_any).astype(np.int64)
    frame["person_id"] = person_id.loc[frame["key"]].to_numpy()
    return frame


def people_truth(
    records: pd.DataFrame,
    state: pd.DataFrame,
    record_events: pd.DataFrame,
    deals: pd.DataFrame,
    deal_history: pd.DataFrame,
    deal_links: pd.DataFrame,
    clock: Clock,
) -> PeopleTruth:
    resolved = resolve_people(records, state)
    record_person = resolved["person_id"].to_numpy()
    people = _people(records, state, resolved)
    first = _first_candidates(records, record_events, deals, deal_history, deal_links, record_person, clock)
    entries = _entries(people, first, clock)
    stage_at = entries.pivot(index="person_id", columns="stage", values="entered_at")
    for stage in contract.STAGES:
        people[f"{stage}_at"] = people["person_id"].map(stage_at[stage] if stage in stage_at else {}).astype(np.float64)
    return PeopleTruth(people, record_person, entries)


def _people(records: pd.DataFrame, state: pd.DataFrame, resolved: pd.DataFrame) -> pd.DataFrame:
    ids = resolved["id"].to_numpy()
    grouped = resolved.groupby("person_id")
    people = pd.DataFrame({"person_id": np.sort(resolved["person_id"].unique())})
    people["contact_ids"] = people["person_id"].map(_joined_ids(resolved))
    people["any_active"] = people["person_id"].map(grouped["active"].any())
    principal = pd.Series(np.arange(len(ids)), index=ids).loc[people["person_id"].to_numpy()].to_numpy()
    people["principal_rec"] = principal
    people["owner_id"] = state[OWNER].to_numpy(dtype=object)[principal]
    reasons = contract.exclusion_reasons(
        records["email"].to_numpy(dtype=object)[principal],
        state[LIFECYCLE].to_numpy(dtype=object)[principal],
        ~people["any_active"].to_numpy(),
    )
    people["is_excluded"] = reasons != ""
    people["exclusion_reason"] = reasons
    order = resolved.assign(created=records["created"].to_numpy()).sort_values(["created", "id"], kind="stable")
    earliest = order.drop_duplicates("person_id").set_index("person_id")["rec"]
    rec = earliest.loc[people["person_id"].to_numpy()].to_numpy()
    people["channel"] = contract.channel_for(
        records["source"].to_numpy(dtype=object)[rec],
        records["source_d1"].to_numpy(dtype=object)[rec],
        records["source_d2"].to_numpy(dtype=object)[rec],
    )
    return people


def _joined_ids(resolved: pd.DataFrame) -> pd.Series:
    """person_id -> its record ids, sorted numerically and ';'-joined."""
    ordered = resolved.sort_values(["person_id", "id"], kind="stable")
    return join_runs(ordered["person_id"].to_numpy(), ordered["id"].astype(str).to_numpy(dtype=object))


def join_runs(person: np.ndarray, text: np.ndarray) -> pd.Series:
    """person -> its texts ';'-joined, for rows sorted by person (and within, in the order wanted)."""
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    ends = np.r_[starts[1:], len(person)]
    joined = [text[a] if b - a == 1 else ";".join(text[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
    return pd.Series(joined, index=person[starts])


def _first_candidates(
    records: pd.DataFrame,
    record_events: pd.DataFrame,
    deals: pd.DataFrame,
    deal_history: pd.DataFrame,
    deal_links: pd.DataFrame,
    record_person: np.ndarray,
    clock: Clock,
) -> pd.DataFrame:
    """First candidate per (person, stage): at, source record row, source rank, late flag."""
    ids = records["id"].to_numpy()
    life = record_events[(record_events["prop"] == LIFECYCLE) & (record_events["ts"] <= clock.horizon_ms)]
    life = pd.DataFrame(
        {
            "person_id": record_person[life["rec"].to_numpy()],
            "at": life["ts"].to_numpy(),
            "rec": life["rec"].to_numpy(),
            "rank": contract.lifecycle_ranks(life["value"].to_numpy(dtype=object)),
            "late": life["late"].to_numpy(),
            "value_ts": life["value_ts"].to_numpy(),
        }
    )
    life["id"] = ids[life["rec"].to_numpy()]
    life = life.sort_values(["person_id", "at", "id", "rank"], kind="stable")
    parts = []
    for stage, value in contract.STAGE_LIFECYCLE.items():
        hit = life[life["rank"] >= contract.LIFECYCLE_RANK[value]].drop_duplicates("person_id")
        parts.append(hit.assign(stage=stage))

    primary = deal_links[deal_links["is_primary"]]
    on_pipeline = deals["pipeline"].to_numpy()[primary["deal"].to_numpy()] == contract.DEAL_PIPELINE
    primary = primary[on_pipeline]
    deal_rec = pd.Series(primary["rec"].to_numpy(), index=primary["deal"].to_numpy())
    opp = pd.DataFrame({"deal": deal_rec.index.to_numpy(), "rec": deal_rec.to_numpy()})
    opp["at"] = deals["created"].to_numpy()[opp["deal"].to_numpy()].astype(np.int64)
    won = deal_history[(deal_history["stage"] == WON) & deal_history["deal"].isin(deal_rec.index)]
    cust = pd.DataFrame(
        {
            "deal": won["deal"].to_numpy(),
            "rec": deal_rec.loc[won["deal"].to_numpy()].to_numpy(),
            "at": won["ts"].to_numpy(),
        }
    )
    for stage, frame in (("opportunity", opp), ("customer", cust)):
        frame = frame[frame["at"] <= clock.horizon_ms].copy()
        frame["person_id"] = record_person[frame["rec"].to_numpy()]
        frame["id"] = ids[frame["rec"].to_numpy()]
        frame["rank"] = DEAL_RANK
        frame["late"] = False
        frame["value_ts"] = frame["at"]
        frame = frame.sort_values(["person_id", "at", "id", "deal"], kind="stable").drop_duplicates("person_id")
        parts.append(frame.drop(columns=["deal"]).assign(stage=stage))
    return pd.concat(parts, ignore_index=True)


def _entries(people: pd.DataFrame, first: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """Backfilled stage entries of non-excluded people, in stage order."""
    included = people.loc[~people["is_excluded"], ["person_id", "channel"]]
    wide = {
        stage: first[first["stage"] == stage].set_index("person_id").reindex(included["person_id"])
        for stage in contract.STAGES
    }
    n = len(included)
    best_at = np.full(n, np.nan)
    best_src = {col: np.full(n, None, dtype=object) for col in ("rec", "rank", "late", "value_ts")}
    rows = []
    for stage in reversed(contract.STAGES):  # customer first: each stage inherits from the later ones
        own = wide[stage]
        own_at = own["at"].to_numpy(np.float64)
        take_own = ~np.isnan(own_at) & ~(own_at > best_at)
        best_at = np.where(take_own, own_at, best_at)
        for col in best_src:
            best_src[col] = np.where(take_own, own[col].to_numpy(dtype=object), best_src[col])
        has = ~np.isnan(best_at)
        own_value = contract.LIFECYCLE_RANK.get(contract.STAGE_LIFECYCLE.get(stage, ""), DEAL_RANK)
        src_rank = np.where(has, best_src["rank"], -1).astype(np.int64)
        skipped_value = (src_rank > own_value) & (src_rank != DEAL_RANK)
        rows.append(
            pd.DataFrame(
                {
                    "person_id": included["person_id"].to_numpy()[has],
                    "stage": stage,
                    "entered_at": best_at[has].astype(np.int64),
                    "channel": included["channel"].to_numpy()[has],
                    "is_backfilled": (~take_own | skipped_value)[has],
                    "src_rec": best_src["rec"][has].astype(np.int64),
                    "src_rank": best_src["rank"][has].astype(np.int64),
                    "src_late": best_src["late"][has].astype(bool),
                    "src_value_ts": best_src["value_ts"][has].astype(np.int64),
                }
            )
        )
    entries = pd.concat(rows, ignore_index=True)
    entries["stage_order"] = entries["stage"].map({s: i for i, s in enumerate(contract.STAGES)})
    entries = entries.sort_values(["person_id", "stage_order"], ignore_index=True).drop(columns="stage_order")
    entries["entered_date"] = clock.local_dates(entries["entered_at"].to_numpy())
    return entries
