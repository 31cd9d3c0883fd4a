"""Splitting persons into HubSpot contact records: duplicates, merges, merge chains, deletions.

- Every person has a primary record.
- Merged persons first appeared with a personal address; that older record holds every event
  before the business-email record was created, and is merged into it later (archived, listed
  in the survivor's hs_merged_object_ids). A chain A -> B -> C has two such steps.
- A duplicate is a second ACTIVE record created later by a new form fill with the same address
  typed differently; it has its own lead entry and sometimes its own MQL.
- Junk persons' only record is deleted (archived, not merged).
Contact ids grow with createdate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .clock import MS_DAY, MS_HOUR, MS_MINUTE, Clock
from .events import LEAD_STATUS, LIFECYCLE, OWNER, SCORE, WORKFLOW_MQL, WORKFLOW_ROUTING, creation_source
from .journeys import after_or_never
from .messiness import Messiness
from .sources import INBOUND_CHANNELS, sources_for
from .streams import exact_pick, lognormal_ms, stream, uniform_ms

OLDEST, OLDER, PRIMARY, DUPLICATE = 0, 1, 2, 3
FIRST_CONTACT_ID = 1001
DUPLICATE_MQL_CHANCE = 0.35
DUPLICATE_ROUTED_CHANCE = 0.6


@dataclass(frozen=True)
class Records:
    frame: pd.DataFrame  # one row per contact record, row number = `rec`
    events: pd.DataFrame  # property changes per record (rec, prop, ts, value, value_ts, ...)


def split_records(
    people: pd.DataFrame,
    companies: pd.DataFrame,
    person_events: pd.DataFrame,
    deleted_at: np.ndarray,
    clock: Clock,
    messiness: Messiness,
    seed: int,
    campaigns: pd.DataFrame,
    form_ids: dict[str, str],
    owners: pd.DataFrame,
    late: np.ndarray,
) -> Records:
    H = clock.horizon_ms
    n = len(people)
    created = people["created"].to_numpy(np.float64)
    normal = people["kind"].to_numpy() == "normal"
    eligible = normal & (people["channel"].to_numpy() != "outbound") & ~late

    rng = stream(seed, "records_chains")
    steps = np.column_stack(
        [
            uniform_ms(rng, 2 * MS_DAY, 30 * MS_DAY, n),
            uniform_ms(rng, MS_HOUR, 10 * MS_DAY, n),
            uniform_ms(rng, 2 * MS_DAY, 30 * MS_DAY, n),
            uniform_ms(rng, MS_HOUR, 10 * MS_DAY, n),
        ]
    )
    chain_times = created[:, None] + np.cumsum(steps, axis=1)  # B created, A->B merge, C created, B->C merge
    chain = exact_pick(rng, eligible & (chain_times[:, 3] <= H), messiness.merge_chain_rate, int(eligible.sum()))
    rng = stream(seed, "records_merges")
    steps = np.column_stack([uniform_ms(rng, 2 * MS_DAY, 45 * MS_DAY, n), uniform_ms(rng, MS_HOUR, 15 * MS_DAY, n)])
    merge_times = created[:, None] + np.cumsum(steps, axis=1)  # survivor created, merge
    merged = exact_pick(rng, eligible & ~chain & (merge_times[:, 1] <= H), messiness.merge_rate, int(eligible.sum()))

    primary_created = np.where(chain, chain_times[:, 2], np.where(merged, merge_times[:, 0], created))
    rows = [_primary_rows(people, companies, primary_created, deleted_at)]
    rows.append(
        _old_rows(
            people,
            merged | chain,
            OLDEST,
            created,
            np.where(chain, chain_times[:, 1], merge_times[:, 1]),
            stream(seed, "records_personal_a"),
        )
    )
    rows.append(
        _old_rows(people, chain, OLDER, chain_times[:, 0], chain_times[:, 3], stream(seed, "records_personal_b"))
    )
    dup_rng = stream(seed, "records_duplicates")
    dup_created = primary_created + uniform_ms(dup_rng, 10 * MS_DAY, 200 * MS_DAY, n)
    dup = exact_pick(dup_rng, normal & (dup_created <= H), messiness.duplicate_rate, int(normal.sum()))
    rows.append(_duplicate_rows(people, companies, dup, dup_created, dup_rng))
    frame = pd.concat(rows, ignore_index=True)

    # Later line records (survivors, chain middles) get their own source, as a new form fill does.
    renewed = (frame["role"].to_numpy() != OLDEST) & (frame["role"].to_numpy() != DUPLICATE)
    renewed &= (merged | chain)[frame["person"].to_numpy()]
    renewed |= frame["role"].to_numpy() == DUPLICATE
    fresh = sources_for(
        np.asarray(INBOUND_CHANNELS, dtype=object)[
            stream(seed, "records_sources").integers(0, len(INBOUND_CHANNELS), len(frame))
        ],
        frame["created"].to_numpy(np.float64),
        clock,
        campaigns,
        stream(seed, "records_sources_detail"),
    )
    for col, values in (
        ("source", fresh.source),
        ("source_d1", fresh.detail_1),
        ("source_d2", fresh.detail_2),
        ("object_source", fresh.object_source),
        ("first_form", fresh.first_form),
    ):
        frame.loc[renewed, col] = values[renewed]

    frame = _assign_ids(frame, stream(seed, "ids"))
    events = _record_events(frame, person_events, people, form_ids, owners, clock, dup_rng)
    return Records(frame, events)


def _primary_rows(
    people: pd.DataFrame, companies: pd.DataFrame, created: np.ndarray, deleted_at: np.ndarray
) -> pd.DataFrame:
    frame = people[
        [
            "person",
            "email",
            "firstname",
            "lastname",
            "jobtitle",
            "company",
            "source",
            "source_d1",
            "source_d2",
            "object_source",
            "first_form",
        ]
    ].copy()
    frame["role"] = PRIMARY
    frame["created"] = created
    frame["archived_at"] = deleted_at
    frame["archive_kind"] = np.where(np.isnan(deleted_at), "", "deleted")
    frame["company_name"] = _company_names(people["company"].to_numpy(), companies)
    return frame


def _company_names(company: np.ndarray, companies: pd.DataFrame) -> np.ndarray:
    names_ = companies["name"].to_numpy(dtype=object)
    out = np.full(len(company), None, dtype=object)
    out[company >= 0] = names_[company[company >= 0]]
    return out


def _old_rows(
    people: pd.DataFrame,
    chosen: np.ndarray,
    role: int,
    created: np.ndarray,
    merged_at: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """A record with a personal address, merged later into the next record of the same person."""
    idx = np.flatnonzero(chosen)
    first = people["firstname"].to_numpy(dtype=object)[idx]
    last = people["lastname"].to_numpy(dtype=object)[idx]
    year = rng.integers(1965, 2001, len(idx))
    domain = names.pick(rng, names.PERSONAL_DOMAINS, len(idx))
    if role == OLDEST:
        local = np.array([f"{f[0].lower()}{s.lower()}{y}" for f, s, y in zip(first, last, year)], dtype=object)
    else:
        local = np.array([f"{f.lower()}.{s.lower()}.{y % 100:02d}" for f, s, y in zip(first, last, year)], dtype=object)
    key = np.array([f"{a}@{b}" for a, b in zip(local, domain)], dtype=object)
    frame = people.iloc[idx][
        ["person", "firstname", "lastname", "source", "source_d1", "source_d2", "object_source", "first_form"]
    ].copy()
    # The person arrived through their channel on this oldest record; survivors got new sources.
    frame["email"] = names.join_email(names.with_suffix(local, names.number_duplicates(key)), domain)
    frame["jobtitle"] = None
    frame["company"] = -1
    frame["company_name"] = None
    frame["role"] = role
    frame["created"] = created[idx]
    frame["archived_at"] = merged_at[idx]
    frame["archive_kind"] = "merged"
    return frame


def _variant(email: str, style: int, tag: str) -> str:
    local, domain = email.split("@")
    if style == 0:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    if style == 1:
        return f"  {email}"
    if style == 2:
        return f" {'.'.join(p.capitalize() for p in local.split('.'))}@{domain.upper()} "
    return f"{local}+{tag}@{domain}"


def _duplicate_rows(
    people: pd.DataFrame, companies: pd.DataFrame, chosen: np.ndarray, created: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    idx = np.flatnonzero(chosen)
    styles = rng.integers(0, 4, len(idx))
    tags = names.pick(rng, names.PLUS_TAGS, len(idx))
    emails = people["email"].to_numpy(dtype=object)[idx]
    frame = people.iloc[idx][
        [
            "person",
            "firstname",
            "lastname",
            "jobtitle",
            "company",
            "source",
            "source_d1",
            "source_d2",
            "object_source",
            "first_form",
        ]
    ].copy()
    frame["email"] = [_variant(e, int(s), t) for e, s, t in zip(emails, styles, tags)]
    frame["company_name"] = _company_names(frame["company"].to_numpy(), companies)
    frame["role"] = DUPLICATE
    frame["created"] = created[idx]
    frame["archived_at"] = np.nan
    frame["archive_kind"] = ""
    return frame


def _assign_ids(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frame = frame.sort_values(["created", "person", "role"], kind="stable", ignore_index=True)
    gaps = rng.integers(1, 4, len(frame))
    gaps[:1] = 0
    frame["id"] = FIRST_CONTACT_ID + np.cumsum(gaps)
    frame["created"] = frame["created"].astype(np.int64)
    # Survivor of each merged record: the next record of the same person's line (by creation).
    line = frame[frame["role"] != DUPLICATE].sort_values(["person", "created"], kind="stable")
    nxt = line.groupby("person").shift(-1)
    frame["merged_into"] = -1
    merged = line.index[(line["archive_kind"] == "merged").to_numpy()]
    rec_of_id = pd.Series(frame.index, index=frame["id"])
    frame.loc[merged, "merged_into"] = rec_of_id[nxt.loc[merged, "id"].astype(np.int64).to_numpy()].to_numpy()
    return frame


def _record_events(
    frame: pd.DataFrame,
    person_events: pd.DataFrame,
    people: pd.DataFrame,
    form_ids: dict[str, str],
    owners: pd.DataFrame,
    clock: Clock,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Hand each person event to the line record alive at that instant; add records' own events."""
    line = frame[frame["role"] != DUPLICATE][["person", "created"]].reset_index(names="rec")
    line = line.sort_values("created", kind="stable")
    events = person_events.sort_values(["ts", "seq"], kind="stable")
    events = pd.merge_asof(events, line.rename(columns={"created": "ts"}), on="ts", by="person", direction="backward")
    events = events.drop(columns=["person"])

    user_ids = owners["user_id"].to_numpy()
    sdr_user = np.array([f"userId:{u}" for u in user_ids[people["sdr"].to_numpy()]], dtype=object)
    sdr_owner = owners["owner_id"].to_numpy(dtype=object)[people["sdr"].to_numpy()]
    role = frame["role"].to_numpy()
    person = frame["person"].to_numpy()
    # Records created after the person's first one start their own history, as HubSpot does.
    has_older = np.isin(person, person[role == OLDEST])
    own = (role == DUPLICATE) | (has_older & (role != OLDEST))
    recs = np.flatnonzero(own)
    created = frame["created"].to_numpy(np.float64)
    ctype, cid = creation_source(
        frame["object_source"].to_numpy()[recs],
        frame["first_form"].to_numpy()[recs],
        form_ids,
        sdr_user[person[recs]],
        clock.local_month(created[recs].astype(np.int64)),
    )
    n = len(recs)
    scores = rng.integers(0, 41, n).astype(str).astype(object)
    parts = [
        _own(recs, created[recs], LIFECYCLE, "lead", ctype, cid),
        _own(recs, created[recs], SCORE, scores, "CALCULATED", "hubspotscore"),
    ]
    dups = recs[role[recs] == DUPLICATE]
    m = len(dups)
    mql = after_or_never(created[dups], lognormal_ms(rng, 2 * MS_DAY, 1.0, m), clock.horizon_ms)
    mql[rng.random(m) >= DUPLICATE_MQL_CHANCE] = np.nan
    routed = after_or_never(mql, uniform_ms(rng, 5 * MS_MINUTE, 6 * MS_HOUR, m), clock.horizon_ms)
    routed[rng.random(m) >= DUPLICATE_ROUTED_CHANCE] = np.nan
    parts += [
        _own(dups, mql, LIFECYCLE, "marketingqualifiedlead", "AUTOMATION_PLATFORM", WORKFLOW_MQL),
        _own(dups, mql, SCORE, rng.integers(60, 96, m).astype(str).astype(object), "CALCULATED", "hubspotscore"),
        _own(dups, routed, LEAD_STATUS, "NEW", "AUTOMATION_PLATFORM", WORKFLOW_ROUTING),
        _own(dups, routed, OWNER, sdr_owner[person[dups]], "AUTOMATION_PLATFORM", WORKFLOW_ROUTING),
    ]
    events["seq"] = np.arange(len(events))
    extra = pd.concat(parts, ignore_index=True)
    extra["seq"] = len(events) + np.arange(len(extra))
    events = pd.concat([events, extra], ignore_index=True)
    return _strictly_increasing(events)


def _own(recs: np.ndarray, ts: np.ndarray, prop: str, value, source_type, source_id) -> pd.DataFrame:
    ts = np.asarray(ts, dtype=np.float64)
    keep = ~np.isnan(ts)

    def col(x):
        arr = np.asarray(x, dtype=object)
        return (np.full(len(ts), x, dtype=object) if arr.ndim == 0 else arr)[keep]

    return pd.DataFrame(
        {
            "prop": prop,
            "ts": ts[keep].astype(np.int64),
            "value": col(value),
            "value_ts": ts[keep].astype(np.int64),
            "source_type": col(source_type),
            "source_id": col(source_id),
            "late": False,
            "rec": recs[keep],
        }
    )


def _strictly_increasing(events: pd.DataFrame) -> pd.DataFrame:
    """Nudge equal instants of one record's property apart by 1 ms, so history order and 'value
    as of an instant' are never ambiguous."""
    events = events.sort_values(["rec", "prop", "ts", "seq"], kind="stable", ignore_index=True)
    group = events.groupby(["rec", "prop"], sort=False)
    pos = group.cumcount().to_numpy()
    shifted = events["ts"].to_numpy() - pos
    fixed = pd.Series(shifted).groupby([events["rec"], events["prop"]], sort=False).cummax().to_numpy() + pos
    events["value_ts"] = np.where(events["late"].to_numpy(), events["value_ts"].to_numpy(), fixed)
    events["ts"] = fixed
    return events


def final_rows(merged_into: np.ndarray) -> np.ndarray:
    """Row of each record's final survivor along its merge chain (itself when never merged)."""
    final = np.arange(len(merged_into))
    while True:
        step = np.where(merged_into[final] >= 0, merged_into[final], final)
        if np.array_equal(step, final):
            return final
        final = step
