"""Salesforce, where sales works when marketing keeps HubSpot: Leads, their conversion into
Contacts and Accounts, Opportunities. Every instant is one the HubSpot-only company also has.

- A Lead is created
  (a) for an inbound person at their first MQL, when HubSpot's sync writes it (the write time of
      the lifecycle change: a late-written MQL syncs late), with the email of the HubSpot record
      that became MQL; the sync follows HubSpot merges, so a merged-away record's Lead carries
      the email of the record it was merged into;
  (b) for an outbound prospect when the SDR creates them (the person's creation), with their
      business email;
  (c) for an inbound person sales accepts without an MQL, at the conversion, with the email of
      the person's primary HubSpot record.
  Owner: the person's SDR. LeadSource: Outbound (b); Advertisement for paid search and paid
  social, Event for events, Web otherwise (a, c).
- Status: 'Open - Not Contacted' at creation; 'Working - Contacted' 1 to 8 hours later, at most
  halfway to the Lead's next step (none when the Lead is converted as it is created); then
  'Unqualified' when marketing sends an MQL back (a regression), an SDR gives up a prospect, or
  the person turns out to be a vendor; 'Open - Not Contacted' again at a re-MQL, followed by
  'Working - Contacted'; 'Qualified' at the conversion. A spam person's Lead is deleted when
  their HubSpot record is.
- The conversion happens at the SQL instant, or, when the AE went straight to a deal (the fast
  track), at that deal's creation, converting into it (ConvertedOpportunityId). It creates the
  Contact (owner: the SDR, then the AE of the person's first deal from its creation) and the
  company's Account when it is the company's first conversion.
- Opportunities are the deals: same instants, amounts, currencies, owners and stage paths.
  A colleague gets a contact role only when they have a Contact by the Opportunity's creation.
- The reps log their work as Tasks and Events on the Leads and Contacts
  (salesforce_activities.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import MS_DAY, MS_HOUR, Clock
from .deals import LOST, OPEN_STAGES, RENEWAL_LOST, RENEWAL_OPEN, RENEWAL_WON, WON, Deals
from .events import LIFECYCLE
from .journeys import Journey
from .owners import team_members
from .records import DUPLICATE, PRIMARY, Records
from .salesforce_activities import SalesforceRecords, simulate_activities
from .salesforce_ids import mint
from .streams import stream, uniform_ms

OPEN, WORKING, UNQUALIFIED, QUALIFIED = "Open - Not Contacted", "Working - Contacted", "Unqualified", "Qualified"
NEW_BUSINESS, RENEWAL = "New Business", "Renewal"
OUTBOUND_SOURCE = "Outbound"
_LEAD_SOURCE = {"paid_search": "Advertisement", "paid_social": "Advertisement", "events": "Event"}
_DEFAULT_LEAD_SOURCE = "Web"
_DEAL_SOURCE = {"partner": "Partner", "outbound": "Outbound", "inbound": "Inbound"}
NO_COMPANY = "[not provided]"  # what HubSpot's sync writes into Lead.Company when it has none

# ApiName (= MasterLabel), IsClosed, IsWon, DefaultProbability; SortOrder is the position.
OPPORTUNITY_STAGES = (
    ("Prospecting", False, False, 10),
    ("Qualification", False, False, 10),
    ("Needs Analysis", False, False, 20),
    ("Proposal/Price Quote", False, False, 75),
    ("Negotiation/Review", False, False, 90),
    ("Closed Won", True, True, 100),
    ("Closed Lost", True, False, 0),
)
# HubSpot's stages of each pipeline, mapped in order.
STAGE_NAME = dict(zip(OPEN_STAGES, (s[0] for s in OPPORTUNITY_STAGES[:5]))) | {
    WON: "Closed Won",
    LOST: "Closed Lost",
    RENEWAL_OPEN: "Prospecting",
    RENEWAL_WON: "Closed Won",
    RENEWAL_LOST: "Closed Lost",
}
_INDUSTRY = {
    "COMPUTER_SOFTWARE": "Technology",
    "INFORMATION_TECHNOLOGY_AND_SERVICES": "Technology",
    "FINANCIAL_SERVICES": "Finance",
    "HOSPITAL_HEALTH_CARE": "Healthcare",
    "RETAIL": "Retail",
    "MARKETING_AND_ADVERTISING": "Media",
    "LOGISTICS_AND_SUPPLY_CHAIN": "Transportation",
    "INSURANCE": "Insurance",
    "TELECOMMUNICATIONS": "Telecommunications",
    "E_LEARNING": "Education",
    "CONSUMER_GOODS": "Manufacturing",
    "REAL_ESTATE": "Other",
}


@dataclass(frozen=True)
class Salesforce:
    """One frame per object; instants in ms, `*_row` columns point into the other frames."""

    leads: pd.DataFrame
    lead_history: pd.DataFrame
    contacts: pd.DataFrame
    accounts: pd.DataFrame
    opportunities: pd.DataFrame  # row = deal row of deals.frame
    opportunity_history: pd.DataFrame
    roles: pd.DataFrame
    users: pd.DataFrame  # row = owners row
    stages: pd.DataFrame
    activities: pd.DataFrame  # Tasks and Events (salesforce_activities.py)


def simulate_salesforce(
    people: pd.DataFrame,
    companies: pd.DataFrame,
    journey: Journey,
    deals: Deals,
    marketing: Records,
    owners: pd.DataFrame,
    clock: Clock,
    seed: int,
) -> Salesforce:
    lead_plan = _lead_plan(people, journey, deals, marketing, clock, seed)
    leads, history = _leads(people, companies, marketing, owners, lead_plan, seed)
    accounts = _accounts(people, companies, leads, seed)
    contacts = _contacts(people, leads, accounts, deals, owners, seed)
    opportunities = _opportunities(people, deals, accounts, owners, clock, seed)
    contact_row = np.full(len(leads), -1, dtype=np.int64)
    contact_row[contacts["lead_row"].to_numpy()] = np.arange(len(contacts))
    leads["contact_row"] = contact_row
    leads["account_row"] = np.where(
        contact_row >= 0, contacts["account_row"].to_numpy()[np.maximum(contact_row, 0)], -1
    )
    logged_on = SalesforceRecords(leads, history, opportunities, OPEN, UNQUALIFIED, OUTBOUND_SOURCE)
    return Salesforce(
        leads=leads,
        lead_history=history,
        contacts=contacts,
        accounts=accounts,
        opportunities=opportunities,
        opportunity_history=_opportunity_history(deals, opportunities, seed),
        roles=_roles(deals, opportunities, contacts, len(people), seed),
        users=owners.assign(id=mint("User", len(owners), seed)),
        stages=pd.DataFrame(
            {
                "id": mint("OpportunityStage", len(OPPORTUNITY_STAGES), seed),
                "name": [s[0] for s in OPPORTUNITY_STAGES],
                "sort_order": np.arange(1, len(OPPORTUNITY_STAGES) + 1),
                "is_closed": [s[1] for s in OPPORTUNITY_STAGES],
                "is_won": [s[2] for s in OPPORTUNITY_STAGES],
                "probability": [s[3] for s in OPPORTUNITY_STAGES],
            }
        ),
        activities=simulate_activities(people, journey, deals, logged_on, owners, clock, seed),
    )


def _lead_plan(
    people: pd.DataFrame, journey: Journey, deals: Deals, marketing: Records, clock: Clock, seed: int
) -> pd.DataFrame:
    """Per person: when their Lead is created, changes status, converts or is deleted (NaN: never)."""
    n = len(people)
    H = clock.horizon_ms
    outbound = people["channel"].to_numpy() == "outbound"
    kind = people["kind"].to_numpy()

    first = deals.frame[deals.frame["kind"] == "first"]
    first_deal = np.full(n, -1, dtype=np.int64)
    first_deal[first["person"].to_numpy()] = first.index.to_numpy()
    deal_created = np.full(n, np.nan)
    deal_created[first["person"].to_numpy()] = first["created"].to_numpy(np.float64)
    # simulate_deals cleared sql_logged where the AE went straight to a deal: convert into it.
    fast = ~np.isnan(journey.sql_at) & ~journey.sql_logged
    converted = np.where(fast, deal_created, journey.sql_at)
    into_deal = np.where(fast & ~np.isnan(converted), first_deal, -1)

    mql_at, mql_rec = _first_mql(marketing, n)
    created = np.where(outbound, people["created"].to_numpy(np.float64), np.fmin(mql_at, converted))
    synced = ~outbound & ~np.isnan(mql_at) & (mql_at == created)

    unqualified = np.where(outbound, journey.disqualified_at, journey.reg_at)
    unqualified = np.where(kind == "other", journey.other_at, unqualified)
    unqualified[~(unqualified > created)] = np.nan
    reopened = np.where(~np.isnan(unqualified) & ~np.isnan(journey.reg_at), journey.mql2_at, np.nan)
    deleted = np.where(kind == "junk", journey.deleted_at, np.nan)
    deleted[~(deleted > created)] = np.nan

    rng = stream(seed, "salesforce_lead_status")
    next_step = np.fmin.reduce([unqualified, converted, deleted])
    working = _halfway_before(created, uniform_ms(rng, MS_HOUR, 8 * MS_HOUR, n), next_step, H)
    working_again = _halfway_before(reopened, uniform_ms(rng, MS_HOUR, 8 * MS_HOUR, n), converted, H)
    plan = pd.DataFrame(
        {
            "person": np.arange(n),
            "created": created,
            "working": working,
            "unqualified": unqualified,
            "reopened": reopened,
            "working_again": working_again,
            "converted": converted,
            "deleted": deleted,
            "into_deal": into_deal,
            "synced": synced,
            "mql_rec": mql_rec,
        }
    )
    return plan[~np.isnan(created)].reset_index(drop=True)


def _halfway_before(start: np.ndarray, delay: np.ndarray, nxt: np.ndarray, H: int) -> np.ndarray:
    """start + delay, but at most halfway to the next step; never when there is no room or time."""
    room = np.where(np.isnan(nxt), np.inf, np.floor((nxt - start) / 2))
    step = np.minimum(delay, room)
    out = start + step
    out[np.isnan(start) | ~(step >= 1) | (out > H)] = np.nan
    return out


def _first_mql(marketing: Records, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per person: when HubSpot first wrote an MQL lifecycle change, and on which record row."""
    events = marketing.events
    frame = marketing.frame
    mql = events[(events["prop"] == LIFECYCLE) & (events["value"] == "marketingqualifiedlead")]
    rec = mql["rec"].to_numpy()
    table = pd.DataFrame(
        {
            "person": frame["person"].to_numpy()[rec],
            "ts": mql["ts"].to_numpy(),
            "id": frame["id"].to_numpy()[rec],
            "rec": rec,
        }
    )
    table = table.sort_values(["person", "ts", "id"], kind="stable").drop_duplicates("person")
    at = np.full(n, np.nan)
    at[table["person"].to_numpy()] = table["ts"].to_numpy(np.float64)
    row = np.full(n, -1, dtype=np.int64)
    row[table["person"].to_numpy()] = table["rec"].to_numpy()
    return at, row


def _leads(
    people: pd.DataFrame,
    companies: pd.DataFrame,
    marketing: Records,
    owners: pd.DataFrame,
    plan: pd.DataFrame,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    plan = plan.sort_values(["created", "person"], kind="stable", ignore_index=True)
    person = plan["person"].to_numpy()
    frame = marketing.frame
    role = frame["role"].to_numpy()
    primary_rec = np.full(len(people), -1, dtype=np.int64)
    primaries = np.flatnonzero(role == PRIMARY)
    primary_rec[frame["person"].to_numpy()[primaries]] = primaries

    mql_rec = plan["mql_rec"].to_numpy()
    own_record = plan["synced"].to_numpy() & (role[np.maximum(mql_rec, 0)] == DUPLICATE)
    email_rec = np.where(own_record, mql_rec, primary_rec[person])
    hubspot_email = frame["email"].to_numpy(dtype=object)[np.maximum(email_rec, 0)]
    email = np.where(email_rec >= 0, hubspot_email, people["email"].to_numpy(dtype=object)[person])
    # A Lead synced from a record merged away later got the survivor's email at the merge.
    merged = frame[frame["archive_kind"] == "merged"]
    last_merge = merged.groupby("person")["archived_at"].max().reindex(np.arange(len(people))).to_numpy()
    synced_old = plan["synced"].to_numpy() & ~np.isin(role[np.maximum(mql_rec, 0)], (PRIMARY, DUPLICATE))
    email_changed = np.where(synced_old, last_merge[person], np.nan)

    company = people["company"].to_numpy()[person]
    names = companies["name"].to_numpy(dtype=object)
    channel = people["channel"].to_numpy()[person]
    sdr = team_members(owners, "SDR")[people["sdr"].to_numpy()[person]]
    history = _lead_history(plan)
    status = history[history["field"] == "Status"].drop_duplicates("lead_row", keep="last")
    current = pd.Series(status["new"].to_numpy(), index=status["lead_row"].to_numpy()).reindex(np.arange(len(plan)))
    steps = ["created", "working", "unqualified", "reopened", "working_again", "converted", "deleted"]
    email_changed[~(email_changed > plan["created"].to_numpy())] = np.nan
    modified = np.fmax.reduce([plan[s].to_numpy() for s in steps] + [email_changed])
    leads = pd.DataFrame(
        {
            "id": mint("Lead", len(plan), seed),
            "person": person,
            "email": email,
            "firstname": people["firstname"].to_numpy(dtype=object)[person],
            "lastname": people["lastname"].to_numpy(dtype=object)[person],
            "company": np.where(company >= 0, names[np.maximum(company, 0)], NO_COMPANY),
            "status": current.fillna(OPEN).to_numpy(dtype=object),
            "lead_source": np.where(
                channel == "outbound",
                OUTBOUND_SOURCE,
                pd.Series(channel).map(_LEAD_SOURCE).fillna(_DEFAULT_LEAD_SOURCE).to_numpy(dtype=object),
            ),
            "created": plan["created"].to_numpy().astype(np.int64),
            "converted": plan["converted"].to_numpy(),
            "into_deal": plan["into_deal"].to_numpy(),
            "deleted": plan["deleted"].to_numpy(),
            "owner_row": sdr,
            "modified": modified.astype(np.int64),
        }
    )
    return leads, history.assign(id=mint("LeadHistory", len(history), seed))


def _lead_history(plan: pd.DataFrame) -> pd.DataFrame:
    """One 'created' row, one row per Status change, one 'leadConverted' row; in creation order."""
    created = plan["created"].to_numpy()
    parts = [pd.DataFrame({"lead_row": np.arange(len(plan)), "ts": created, "seq": 0, "field": "created", "new": None})]
    changes = (
        ("working", WORKING),
        ("unqualified", UNQUALIFIED),
        ("reopened", OPEN),
        ("working_again", WORKING),
        ("converted", QUALIFIED),
    )
    for seq, (column, value) in enumerate(changes, start=1):
        at = plan[column].to_numpy()
        rows = np.flatnonzero(~np.isnan(at))
        parts.append(pd.DataFrame({"lead_row": rows, "ts": at[rows], "seq": seq, "field": "Status", "new": value}))
    at = plan["converted"].to_numpy()
    rows = np.flatnonzero(~np.isnan(at))
    parts.append(pd.DataFrame({"lead_row": rows, "ts": at[rows], "seq": 6, "field": "leadConverted", "new": None}))
    history = pd.concat(parts, ignore_index=True)
    history["ts"] = history["ts"].astype(np.int64)
    history = history.sort_values(["lead_row", "seq"], kind="stable", ignore_index=True)
    is_status = (history["field"] == "Status").to_numpy()
    status = history[is_status]
    previous = status.groupby("lead_row")["new"].shift(1).fillna(OPEN)
    history["old"] = None
    history.loc[is_status, "old"] = previous.to_numpy(dtype=object)
    return history.sort_values(["ts", "lead_row", "seq"], kind="stable", ignore_index=True).drop(columns="seq")


def _accounts(people: pd.DataFrame, companies: pd.DataFrame, leads: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The company of every converted person, created with the company's first conversion."""
    converted = leads[~np.isnan(leads["converted"].to_numpy())]
    company = people["company"].to_numpy()[converted["person"].to_numpy()]
    table = pd.DataFrame({"company": company, "created": converted["converted"].to_numpy()})
    table = table[table["company"] >= 0].groupby("company", as_index=False)["created"].min()
    table = table.sort_values(["created", "company"], kind="stable", ignore_index=True)
    c = table["company"].to_numpy()
    industry = pd.Series(companies["industry"].to_numpy(dtype=object)[c]).map(_INDUSTRY).fillna("Other")
    return pd.DataFrame(
        {
            "id": mint("Account", len(table), seed),
            "company": c,
            "name": companies["name"].to_numpy(dtype=object)[c],
            "website": np.array([f"www.{d}" for d in companies["domain"].to_numpy(dtype=object)[c]], dtype=object),
            "industry": industry.to_numpy(dtype=object),
            "employees": companies["employees"].to_numpy()[c].astype(np.int64),
            "created": table["created"].to_numpy().astype(np.int64),
        }
    )


def _account_of_person(people: pd.DataFrame, accounts: pd.DataFrame) -> np.ndarray:
    row = pd.Series(np.arange(len(accounts)), index=accounts["company"].to_numpy())
    company = people["company"].to_numpy()
    return row.reindex(company).fillna(-1).to_numpy(np.int64)


def _contacts(
    people: pd.DataFrame, leads: pd.DataFrame, accounts: pd.DataFrame, deals: Deals, owners: pd.DataFrame, seed: int
) -> pd.DataFrame:
    converted = leads[~np.isnan(leads["converted"].to_numpy())]
    converted = converted.assign(lead_row=converted.index.to_numpy())
    converted = converted.sort_values(["converted", "lead_row"], kind="stable", ignore_index=True)
    person = converted["person"].to_numpy()
    created = converted["converted"].to_numpy()
    first = deals.frame[deals.frame["kind"] == "first"]
    ae_row = team_members(owners, "AE")[first["owner"].to_numpy()]
    ae = pd.Series(ae_row, index=first["person"].to_numpy()).reindex(person)
    deal_at = pd.Series(first["created"].to_numpy(np.float64), index=first["person"].to_numpy()).reindex(person)
    return pd.DataFrame(
        {
            "id": mint("Contact", len(converted), seed),
            "person": person,
            "lead_row": converted["lead_row"].to_numpy(),
            "email": converted["email"].to_numpy(dtype=object),
            "firstname": converted["firstname"].to_numpy(dtype=object),
            "lastname": converted["lastname"].to_numpy(dtype=object),
            "account_row": _account_of_person(people, accounts)[person],
            "owner_row": np.where(ae.notna(), ae.fillna(0), converted["owner_row"]).astype(np.int64),
            "lead_source": converted["lead_source"].to_numpy(dtype=object),
            "created": created.astype(np.int64),
            "modified": np.fmax(created, deal_at.to_numpy()).astype(np.int64),
        }
    )


def _opportunities(
    people: pd.DataFrame, deals: Deals, accounts: pd.DataFrame, owners: pd.DataFrame, clock: Clock, seed: int
) -> pd.DataFrame:
    """One Opportunity per deal, in the deal's row; ids in creation (= HubSpot deal id) order."""
    frame = deals.frame
    n = len(frame)
    order = np.argsort(frame["id"].to_numpy(), kind="stable")
    ids = np.empty(n, dtype=object)
    ids[order] = mint("Opportunity", n, seed)
    person = frame["person"].to_numpy()
    account = np.where(person >= 0, _account_of_person(people, accounts)[np.maximum(person, 0)], -1)
    created = frame["created"].to_numpy(np.float64)
    expected = created + uniform_ms(stream(seed, "salesforce_close_dates"), 30 * MS_DAY, 90 * MS_DAY, n)
    closed = frame["closed_at"].to_numpy(np.float64)
    last_change = deals.history.groupby("deal")["ts"].max().reindex(np.arange(n)).to_numpy(np.float64)
    return pd.DataFrame(
        {
            "id": ids,
            "deal_row": np.arange(n),
            "account_row": account,
            "name": frame["dealname"].to_numpy(dtype=object),
            "stage": frame["stage"].map(STAGE_NAME).to_numpy(dtype=object),
            "amount_cents": frame["amount_cents"].to_numpy(),
            "currency": frame["currency"].to_numpy(dtype=object),
            "expected_close": local_date_text(expected, clock.timezone),
            "close_date": local_date_text(np.where(np.isnan(closed), expected, closed), clock.timezone),
            "created": created.astype(np.int64),
            "lead_source": frame["deal_source"].map(_DEAL_SOURCE).to_numpy(dtype=object),
            "type": np.where(frame["pipeline"].to_numpy() == "renewals", RENEWAL, NEW_BUSINESS).astype(object),
            "is_closed": frame["won"].to_numpy() | frame["lost"].to_numpy(),
            "is_won": frame["won"].to_numpy(),
            "owner_row": team_members(owners, "AE")[frame["owner"].to_numpy()],
            "modified": np.fmax(created, last_change).astype(np.int64),
        }
    )


def _opportunity_history(deals: Deals, opportunities: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A row when the Opportunity was created and one per stage change: HubSpot's dealstage history."""
    history = deals.history
    row = history["deal"].to_numpy()
    closing = opportunities["is_closed"].to_numpy()[row] & (
        history["ts"].to_numpy() == deals.frame["closed_at"].to_numpy(np.float64)[row]
    )
    table = pd.DataFrame(
        {
            "opportunity_row": row,
            "stage": history["stage"].map(STAGE_NAME).to_numpy(dtype=object),
            "amount_cents": opportunities["amount_cents"].to_numpy()[row],
            "close_date": np.where(
                closing,
                opportunities["close_date"].to_numpy(dtype=object)[row],
                opportunities["expected_close"].to_numpy(dtype=object)[row],
            ),
            "ts": history["ts"].to_numpy().astype(np.int64),
            "order": opportunities["id"].to_numpy(dtype=object)[row],
        }
    )
    table = table.sort_values(["ts", "order"], kind="stable", ignore_index=True).drop(columns="order")
    return table.assign(id=mint("OpportunityHistory", len(table), seed))


def _roles(deals: Deals, opportunities: pd.DataFrame, contacts: pd.DataFrame, n_people: int, seed: int) -> pd.DataFrame:
    """The primary contact of every deal with one, and the colleague when they are a Contact by then."""
    contact_of = np.full(n_people, -1, dtype=np.int64)
    contact_of[contacts["person"].to_numpy()] = np.arange(len(contacts))
    frame = deals.frame
    parts = []
    for column, is_primary, role in (("person", True, "Decision Maker"), ("second_person", False, "Influencer")):
        person = frame[column].to_numpy()
        contact = np.where(person >= 0, contact_of[np.maximum(person, 0)], -1)
        ok = contact >= 0
        if not is_primary:
            ok &= contacts["created"].to_numpy()[np.maximum(contact, 0)] <= frame["created"].to_numpy(np.float64)
        rows = np.flatnonzero(ok)
        parts.append(
            pd.DataFrame(
                {"opportunity_row": rows, "contact_row": contact[rows], "is_primary": is_primary, "role": role}
            )
        )
    roles = pd.concat(parts, ignore_index=True)
    opp = roles["opportunity_row"].to_numpy()
    roles["created"] = opportunities["created"].to_numpy()[opp]
    roles["order"] = opportunities["id"].to_numpy(dtype=object)[opp]
    roles = roles.sort_values(["created", "order", "is_primary"], ascending=[True, True, False], kind="stable")
    roles = roles.drop(columns=["created", "order"]).reset_index(drop=True)
    return roles.assign(id=mint("OpportunityContactRole", len(roles), seed))


def local_date_text(ms: np.ndarray, timezone: str) -> np.ndarray:
    """'YYYY-MM-DD' of each instant in the org's timezone (the reporting one); None where NaN."""
    ms = np.asarray(ms, dtype=np.float64)
    out = np.full(len(ms), None, dtype=object)
    ok = ~np.isnan(ms)
    stamps = pd.to_datetime(ms[ok].astype(np.int64), unit="ms", utc=True).tz_convert(timezone)
    out[ok] = stamps.strftime("%Y-%m-%d").to_numpy(dtype=object)
    return out
