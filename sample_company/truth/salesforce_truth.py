"""The canonical people and stage entries when sales works in Salesforce (funnel.salesforce.yml).

1. Records: every HubSpot contact (active or archived), Salesforce Lead and Contact.
2. A person = HubSpot survivors (after hs_merged_object_ids) and Salesforce records sharing a
   normalised email, plus every HubSpot record merged into them.
3. person_id = the smallest HubSpot id among the person's active HubSpot records; else the
   smallest Salesforce Id (string order) among their non-deleted Leads and Contacts; else the
   smallest HubSpot id; else the smallest Salesforce Id.
4. Exclusions on the principal record (id = person_id) as design.md says; lifecycle_other only
   for a HubSpot record whose lifecyclestage is `other`; archived when no record is live in
   either system.
5. Channel: the person's earliest-created record (ties: HubSpot first, then the smaller id);
   HubSpot records through funnel.yml's rules, Salesforce ones through their LeadSource
   (Outbound -> outbound, anything else -> unattributed). owner_id: the principal's owner.
6. Candidates: lead = a HubSpot lifecycle value >= lead or a Lead's creation (LeadHistory
   'created'); mql = a lifecycle value >= marketingqualifiedlead; sql = a LeadHistory
   'leadConverted' row; opportunity = the CreatedDate of a New Business Opportunity whose primary
   contact role is the person's Contact; customer = its OpportunityHistory 'Closed Won' row.
7. First candidate per stage, then backfill and is_backfilled exactly as people_truth.py.

Internally a person_id is a sort key (a HubSpot id, or OFFSET + the rank of a Salesforce Id), so
that every table sorts HubSpot ids numerically first, then Salesforce Ids; `label` turns keys into
the ids the files show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..simulate.clock import Clock
from ..simulate.events import LIFECYCLE, OWNER
from ..simulate.records import Records, final_rows
from ..simulate.salesforce import NEW_BUSINESS, OUTBOUND_SOURCE, Salesforce
from . import contract
from .money_truth import deals_truth
from .people_truth import DEAL_RANK, PeopleTruth, _entries, join_runs

OFFSET = 10**15  # beyond every HubSpot id
SYSTEMS = ("hubspot", "salesforce_lead", "salesforce_contact")


@dataclass(frozen=True)
class CrmRecords:
    frame: pd.DataFrame  # HubSpot rows first (the marketing records' rows), then Leads, then Contacts
    label: pd.Series  # sort key -> id text

    def text(self, keys: np.ndarray) -> np.ndarray:
        return self.label.reindex(np.asarray(keys, dtype=np.int64)).to_numpy(dtype=object)


def crm_records(marketing: Records, state: pd.DataFrame, sf: Salesforce) -> CrmRecords:
    hs, leads, contacts = marketing.frame, sf.leads, sf.contacts
    users = sf.users["id"].to_numpy(dtype=object)
    sf_ids = np.concatenate([leads["id"].to_numpy(dtype=object), contacts["id"].to_numpy(dtype=object)])
    rank = np.empty(len(sf_ids), dtype=np.int64)
    rank[np.argsort(sf_ids.astype(str), kind="stable")] = np.arange(len(sf_ids))
    deleted = leads["deleted"].to_numpy(np.float64)
    none = np.full(len(sf_ids), None, dtype=object)

    def stack(hubspot, lead, contact) -> np.ndarray:
        return np.concatenate([np.asarray(hubspot, dtype=object), np.asarray(lead, dtype=object), contact])

    frame = pd.DataFrame(
        {
            "id": np.concatenate([hs["id"].to_numpy().astype(object), sf_ids]),
            "system": np.repeat(np.array(SYSTEMS, dtype=object), [len(hs), len(leads), len(contacts)]),
            "email": stack(hs["email"], leads["email"], contacts["email"].to_numpy(dtype=object)),
            "created": np.concatenate([hs["created"], leads["created"], contacts["created"]]).astype(np.int64),
            "archived_at": np.concatenate(
                [hs["archived_at"].to_numpy(np.float64), deleted, np.full(len(contacts), np.nan)]
            ),
            "archive_kind": stack(
                hs["archive_kind"], np.where(np.isnan(deleted), "", "deleted"), np.full(len(contacts), "", dtype=object)
            ),
            "merged_into": np.concatenate([hs["merged_into"].to_numpy(), np.full(len(sf_ids), -1)]).astype(np.int64),
            "sort_key": np.concatenate([hs["id"].to_numpy().astype(np.int64), OFFSET + rank]),
            "source": np.concatenate([hs["source"].to_numpy(dtype=object), none]),
            "source_d1": np.concatenate([hs["source_d1"].to_numpy(dtype=object), none]),
            "lead_source": stack(
                np.full(len(hs), None, dtype=object),
                leads["lead_source"],
                contacts["lead_source"].to_numpy(dtype=object),
            ),
            "owner": stack(state[OWNER], users[leads["owner_row"].to_numpy()], users[contacts["owner_row"].to_numpy()]),
            "lifecycle": np.concatenate([state[LIFECYCLE].to_numpy(dtype=object), none]),
        }
    )
    label = pd.Series(frame["id"].astype(str).to_numpy(dtype=object), index=frame["sort_key"].to_numpy())
    return CrmRecords(frame, label)


def resolve_people(frame: pd.DataFrame) -> np.ndarray:
    """person_id (sort key) of every record row (steps 1-3)."""
    final = final_rows(frame["merged_into"].to_numpy())
    norm = contract.normalise_email(frame["email"].to_numpy(dtype=object))
    ids = frame["id"].astype(str).to_numpy(dtype=object)
    own_key = np.where(norm == "", np.char.add("id:", ids.astype(str)).astype(object), norm)
    key = own_key[final]
    sort_key = frame["sort_key"].to_numpy()
    active = frame["archived_at"].isna().to_numpy()
    # Every HubSpot key is below every Salesforce one, so "the smallest active" is rule 3's order.
    by_key = pd.DataFrame({"key": key, "sort_key": sort_key, "active": active})
    min_active = by_key[by_key["active"]].groupby("key")["sort_key"].min()
    min_any = by_key.groupby("key")["sort_key"].min()
    person = min_active.reindex(min_any.index).fillna(min_any).astype(np.int64)
    return person.loc[key].to_numpy()


def people_truth(crm: CrmRecords, marketing: Records, sf: Salesforce, clock: Clock) -> PeopleTruth:
    frame = crm.frame
    record_person = resolve_people(frame)
    people = _people(frame, record_person, crm)
    first = _first_candidates(frame, record_person, marketing, sf, clock)
    entries = _entries(people, first, clock)
    stage_at = entries.pivot(index="person_id", columns="stage", values="entered_at")
    for stage in contract.STAGES:
        people[f"{stage}_at"] = people["person_id"].map(stage_at[stage] if stage in stage_at else {}).astype(np.float64)
    return PeopleTruth(people, record_person, entries)


def _people(frame: pd.DataFrame, record_person: np.ndarray, crm: CrmRecords) -> pd.DataFrame:
    sort_key = frame["sort_key"].to_numpy()
    rows = pd.DataFrame(
        {
            "rec": np.arange(len(frame)),
            "person_id": record_person,
            "sort_key": sort_key,
            "active": frame["archived_at"].isna(),
        }
    )
    people = pd.DataFrame({"person_id": np.sort(np.unique(record_person))})
    ordered = rows.sort_values(["person_id", "sort_key"], kind="stable")
    ids = np.asarray(crm.text(ordered["sort_key"].to_numpy()), dtype=object)
    people["contact_ids"] = people["person_id"].map(join_runs(ordered["person_id"].to_numpy(), ids))
    people["any_active"] = people["person_id"].map(rows.groupby("person_id")["active"].any())
    principal = pd.Series(np.arange(len(frame)), index=sort_key).loc[people["person_id"].to_numpy()].to_numpy()
    people["principal_rec"] = principal
    people["owner_id"] = frame["owner"].to_numpy(dtype=object)[principal]
    reasons = contract.exclusion_reasons(
        frame["email"].to_numpy(dtype=object)[principal],
        frame["lifecycle"].to_numpy(dtype=object)[principal],
        ~people["any_active"].to_numpy(),
    )
    people["is_excluded"] = reasons != ""
    people["exclusion_reason"] = reasons
    is_sf = frame["system"].to_numpy() != "hubspot"
    order = rows.assign(created=frame["created"].to_numpy(), is_sf=is_sf)
    earliest = order.sort_values(["created", "is_sf", "sort_key"], kind="stable").drop_duplicates("person_id")
    rec = earliest.set_index("person_id")["rec"].loc[people["person_id"].to_numpy()].to_numpy()
    channel = contract.channel_for(
        frame["source"].to_numpy(dtype=object)[rec], frame["source_d1"].to_numpy(dtype=object)[rec]
    )
    outbound = frame["lead_source"].to_numpy(dtype=object)[rec] == OUTBOUND_SOURCE
    people["channel"] = np.where(is_sf[rec], np.where(outbound, "outbound", contract.FALLBACK_CHANNEL), channel)
    return people


def _first_candidates(
    frame: pd.DataFrame, record_person: np.ndarray, marketing: Records, sf: Salesforce, clock: Clock
) -> pd.DataFrame:
    """First candidate per (person, stage): at, source record row, rank, late flag, value instant."""
    n_h, n_l = len(marketing.frame), len(sf.leads)
    sort_key = frame["sort_key"].to_numpy()
    events = marketing.events
    life = events[(events["prop"] == LIFECYCLE) & (events["ts"] <= clock.horizon_ms)]
    rank = contract.lifecycle_ranks(life["value"].to_numpy(dtype=object))
    parts = []
    for stage in ("lead", "mql"):
        hit = rank >= contract.LIFECYCLE_RANK[contract.STAGE_LIFECYCLE[stage]]
        parts.append(
            _candidates(
                stage,
                life["rec"].to_numpy()[hit],
                life["ts"].to_numpy()[hit],
                rank[hit],
                life["late"].to_numpy()[hit],
                life["value_ts"].to_numpy()[hit],
            )
        )
    history = sf.lead_history
    for stage, field in (("lead", "created"), ("sql", "leadConverted")):
        rows = history[history["field"] == field]
        parts.append(_candidates(stage, n_h + rows["lead_row"].to_numpy(), rows["ts"].to_numpy()))

    opps = sf.opportunities
    primary = sf.roles[sf.roles["is_primary"]]
    primary = primary[opps["type"].to_numpy()[primary["opportunity_row"].to_numpy()] == NEW_BUSINESS]
    contact_rec = pd.Series(n_h + n_l + primary["contact_row"].to_numpy(), index=primary["opportunity_row"].to_numpy())
    opp_rows = contact_rec.index.to_numpy()
    parts.append(_candidates("opportunity", contact_rec.to_numpy(), opps["created"].to_numpy()[opp_rows], tie=opp_rows))
    won = sf.opportunity_history
    won = won[(won["stage"] == "Closed Won") & won["opportunity_row"].isin(contact_rec.index)]
    parts.append(
        _candidates(
            "customer",
            contact_rec.loc[won["opportunity_row"].to_numpy()].to_numpy(),
            won["ts"].to_numpy(),
            tie=won["opportunity_row"].to_numpy(),
        )
    )
    every = pd.concat(parts, ignore_index=True)
    every = every[every["at"] <= clock.horizon_ms]
    every["person_id"] = record_person[every["rec"].to_numpy()]
    every["id"] = sort_key[every["rec"].to_numpy()]
    every = every.sort_values(["person_id", "stage", "at", "id", "rank", "tie"], kind="stable")
    return every.drop_duplicates(["person_id", "stage"]).drop(columns=["tie", "id"]).reset_index(drop=True)


def _candidates(stage, rec, at, rank=DEAL_RANK, late=False, value_ts=None, tie=0) -> pd.DataFrame:
    """Candidates of one stage; Salesforce ones carry DEAL_RANK: never a lifecycle value."""
    at = np.asarray(at, dtype=np.int64)
    return pd.DataFrame(
        {
            "stage": stage,
            "at": at,
            "rec": np.asarray(rec, dtype=np.int64),
            "rank": rank,
            "late": late,
            "value_ts": at if value_ts is None else np.asarray(value_ts, dtype=np.int64),
            "tie": tie,
        },
        index=np.arange(len(at)),
    )


def labelled(truth: PeopleTruth, crm: CrmRecords) -> PeopleTruth:
    """The same truth with person ids as the files write them."""
    people = truth.people.copy()
    people["person_id"] = crm.text(people["person_id"].to_numpy())
    entries = truth.entries.copy()
    entries["person_id"] = crm.text(entries["person_id"].to_numpy())
    return PeopleTruth(people, crm.text(truth.record_person), entries)


def records_table(crm: CrmRecords, truth: PeopleTruth) -> pd.DataFrame:
    """Which person each record of either system belongs to, HubSpot ids first, then Salesforce's."""
    frame = crm.frame
    order = np.argsort(frame["sort_key"].to_numpy(), kind="stable")
    person = truth.record_person[order]
    return pd.DataFrame(
        {
            "record_id": crm.text(frame["sort_key"].to_numpy()[order]),
            "system": frame["system"].to_numpy(dtype=object)[order],
            "person_id": crm.text(person),
            "archived": frame["archived_at"].notna().to_numpy()[order],
            "archive_kind": frame["archive_kind"].to_numpy(dtype=object)[order],
            "is_principal": frame["sort_key"].to_numpy()[order] == person,
        }
    )


def opportunities_truth(
    crm: CrmRecords, sf: Salesforce, truth: PeopleTruth, fx: pd.DataFrame, clock: Clock
) -> pd.DataFrame:
    """truth/deals.csv from Opportunities: stages judged by OpportunityStage, people by contact role."""
    opps = sf.opportunities
    stages = sf.stages.set_index("name")
    is_won = stages["is_won"].reindex(opps["stage"]).to_numpy(dtype=bool)
    is_closed = stages["is_closed"].reindex(opps["stage"]).to_numpy(dtype=bool)
    as_deals = pd.DataFrame(
        {
            "id": opps["id"].to_numpy(dtype=object),
            "pipeline": opps["type"].to_numpy(dtype=object),
            "created": opps["created"].to_numpy(),
            "amount_cents": opps["amount_cents"].to_numpy(),
            "currency": opps["currency"].to_numpy(dtype=object),
            "stage": opps["stage"].to_numpy(dtype=object),
            "won": is_won,
            "lost": is_closed & ~is_won,
            "deal_source": pd.Series(opps["lead_source"].to_numpy(dtype=object)).str.lower().to_numpy(dtype=object),
        }
    )
    n_contacts_start = len(crm.frame) - len(sf.contacts)
    links = pd.DataFrame(
        {
            "deal": sf.roles["opportunity_row"].to_numpy(),
            "rec": n_contacts_start + sf.roles["contact_row"].to_numpy(),
            "is_primary": sf.roles["is_primary"].to_numpy(),
        }
    )
    table = deals_truth(as_deals, links, truth.record_person, truth.people, fx, clock)
    keys = table["primary_person_id"].to_numpy(dtype=object)
    has = keys != ""
    table.loc[has, "primary_person_id"] = crm.text(keys[has].astype(np.int64))
    return table
