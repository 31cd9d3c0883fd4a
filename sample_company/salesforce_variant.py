"""The company when marketing works in HubSpot and sales in Salesforce (`generate(crm="salesforce")`).

The same simulated persons, journeys and deals as the HubSpot-only company; HubSpot holds
marketing's records (hubspot_marketing.py), Salesforce sales' (salesforce.py) and the reps'
logged work (Tasks and Events, salesforce_activities.py), and the truth follows
funnel.salesforce.yml (salesforce_truth.py; sales touches and speed to lead:
salesforce_activity_truth.py). Only marketing reports: sales' numbers now
come from Salesforce, which no team view reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .exports.ads_files import write_ads, write_fx
from .exports.hubspot_associations import write_associations
from .exports.hubspot_contacts import write_contacts
from .exports.hubspot_forms import write_forms, write_submissions
from .exports.hubspot_objects import company_table, write_companies, write_deals, write_owners, write_pipelines
from .exports.pages import write_csv
from .exports.salesforce_files import write_salesforce
from .exports.team_reports import report_rows, team_counts, team_metrics
from .simulate.ads import Ads
from .simulate.clock import Clock
from .simulate.contact_state import current_state
from .simulate.deals import Deals
from .simulate.forms import simulate_submissions
from .simulate.hubspot_marketing import marketing_records
from .simulate.journeys import Journey
from .simulate.links import company_contacts
from .simulate.people import People
from .simulate.records import Records
from .simulate.salesforce import simulate_salesforce
from .simulate.streams import stream
from .truth import contract
from .truth.divergences import divergences
from .truth.money_truth import spend_truth
from .truth.salesforce_activity_truth import activities_truth, labelled_activities, sales_touches
from .truth.salesforce_truth import crm_records, labelled, opportunities_truth, people_truth, records_table
from .truth.touch_truth import first_sales_touches
from .truth.truth_files import write_truth

TEAMS = ("marketing",)
TEAM_METRICS = tuple(m for m in contract.TEAM_METRICS if m[0] in TEAMS)


def write_salesforce_company(
    out: Path,
    *,
    people: People,
    journey: Journey,
    deals: Deals,
    records: Records,
    ads: Ads,
    forms: dict[str, str],
    owners: pd.DataFrame,
    clock: Clock,
    seed: int,
    page_size: int,
    say: Callable[[str], None],
) -> dict:
    """Write every file of the variant; returns the manifest's counts."""
    marketing, kept = marketing_records(records, people.frame)
    state = current_state(marketing)
    company_links = company_contacts(marketing.frame)
    companies = company_table(people.companies, marketing.frame, company_links, clock, stream(seed, "company_ids"))
    submissions = _kept_submissions(simulate_submissions(records.frame, clock, seed), kept, len(records.frame))
    sf = simulate_salesforce(people.frame, people.companies, journey, deals, marketing, owners, clock, seed)

    say("computing the truth")
    crm = crm_records(marketing, state, sf)
    truth = people_truth(crm, marketing, sf, clock)
    counts = team_counts(marketing.frame, marketing.events, clock)
    counts = counts[counts["team"].isin(TEAMS)].reset_index(drop=True)
    metrics = team_metrics(counts, truth.entries, clock, TEAM_METRICS)
    diverging = divergences(
        counts,
        crm.frame,
        marketing.events,
        truth.record_person,
        truth.people,
        truth.entries,
        clock,
        TEAM_METRICS,
        label=crm.text,
    )
    diverging["person_id"] = crm.text(diverging["person_id"].to_numpy(np.int64))
    diverging["record_id"] = crm.text(diverging["record_id"].to_numpy(np.int64))
    deals_table = opportunities_truth(crm, sf, truth, ads.fx, clock)
    spend_table = spend_truth(ads.campaigns, ads.spend, ads.fx, clock)
    logged = activities_truth(sf, crm, truth, clock)
    speed = first_sales_touches(sales_touches(logged), truth, clock)
    speed["person_id"] = crm.text(speed["person_id"].to_numpy(np.int64))

    say("writing HubSpot pages")
    written = write_contacts(out, marketing.frame, state, marketing.events, page_size)
    write_companies(out, companies, page_size)
    write_deals(out, deals.frame.iloc[:0], deals.history.iloc[:0], owners, page_size)  # deals live in Salesforce
    write_owners(out, owners, clock, page_size)
    write_pipelines(out, clock)
    write_forms(out, forms, clock)
    per_form = write_submissions(out, submissions, marketing.frame, forms, page_size)
    contact_ids = marketing.frame["id"].to_numpy()
    write_associations(
        out,
        np.zeros(0, dtype=np.int64),
        pd.DataFrame({"deal": np.zeros(0, np.int64), "rec": np.zeros(0, np.int64), "is_primary": np.zeros(0, bool)}),
        contact_ids,
        company_links,
        companies["id"].to_numpy(),
        contact_ids[marketing.frame["archived_at"].isna().to_numpy()],
        page_size,
    )
    say("writing Salesforce pages")
    sf_counts = write_salesforce(out, sf, clock, seed, page_size)

    say("writing ads, FX, team reports and truth")
    ad_rows = write_ads(out, ads, clock)
    fx_rows = write_fx(out, ads, clock)
    for team in TEAMS:
        write_csv(out / "reports" / f"{team}.csv", report_rows(metrics, team))
    truth_rows = write_truth(
        out,
        labelled(truth, crm),
        marketing.frame,
        deals_table,
        spend_table,
        metrics,
        diverging,
        records_csv=records_table(crm, truth),
        speed=speed,
        engagements=labelled_activities(logged, crm),
    )
    return {
        "persons": len(people.frame),
        "contacts": written["contacts"],
        "contacts_archived": written["contacts_archived"],
        "contacts_merged_away": int((marketing.frame["archive_kind"] == "merged").sum()),
        "contacts_deleted": int((marketing.frame["archive_kind"] == "deleted").sum()),
        "companies": len(companies),
        "deals": 0,
        "deals_archived": 0,
        "owners": len(owners),
        "forms": len(forms),
        "form_submissions": int(sum(per_form.values())),
        "deal_contact_associations": 0,
        "contact_company_associations": len(company_links),
        "salesforce": sf_counts | {"conversions": int(sf.leads["converted"].notna().sum())},
        "ad_rows": {k: int(v) for k, v in ad_rows.items()},
        "fx_rows": fx_rows,
        "truth": {k: int(v) for k, v in truth_rows.items()},
    }


def _kept_submissions(subs: pd.DataFrame, kept: np.ndarray, n_records: int) -> pd.DataFrame:
    """The HubSpot-only company's submissions of the records marketing keeps, on their new rows."""
    new_row = np.full(n_records, -1, dtype=np.int64)
    new_row[kept] = np.arange(len(kept))
    rows = new_row[subs["rec"].to_numpy()]
    return subs[rows >= 0].assign(rec=rows[rows >= 0]).reset_index(drop=True)
