"""A seeded sample company, Acme Analytics, and the known answer for it.

`generate()` simulates persons and their journeys, splits them into HubSpot contact records
(duplicates, merges, deletions), writes the exports a real stack would ingest (HubSpot API pages,
ad platform CSVs, FX, the teams' own reports) and, under truth/, the canonical numbers computed
from the simulated records by the rules of funnel.yml and docs/design.md. The same arguments
give byte-identical files.

`crm="salesforce"` writes the same company with sales working in Salesforce (salesforce/ query
pages beside marketing's HubSpot) and its truth under funnel.salesforce.yml; see
salesforce_variant.py.

The package is test tooling beside the product, not part of it: simulate/ makes the company,
exports/ writes it in the shapes the sources deliver, truth/ is the oracle, hubspot_api/ serves
the pages as a local HubSpot. It imports nothing from `orchestration` (tests/test_layout.py), so
a wrong loader or contract compiler can never make the oracle agree with a wrong warehouse.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from . import salesforce_variant
from .exports.ads_files import write_ads, write_fx
from .exports.hubspot_associations import write_associations
from .exports.hubspot_contacts import write_contacts
from .exports.hubspot_engagements import write_engagements
from .exports.hubspot_forms import write_forms, write_submissions
from .exports.hubspot_objects import (
    company_table,
    write_account,
    write_companies,
    write_deals,
    write_owners,
    write_pipelines,
)
from .exports.pages import write_csv
from .exports.team_reports import report_rows, team_counts, team_metrics
from .salesforce_variant import write_salesforce_company
from .simulate import salesforce
from .simulate.ads import simulate_ads
from .simulate.clock import Clock
from .simulate.contact_state import current_state
from .simulate.deals import simulate_deals
from .simulate.engagements import simulate_engagements
from .simulate.events import person_events
from .simulate.forms import FORM_KEYS, form_ids, simulate_submissions
from .simulate.journeys import simulate_journeys
from .simulate.links import company_contacts, deal_contacts
from .simulate.messiness import Messiness
from .simulate.owners import build_owners, team_members
from .simulate.people import simulate_people
from .simulate.records import split_records
from .simulate.streams import stream
from .truth import contract, worked_truth
from .truth.divergences import divergences
from .truth.engagement_truth import engagement_truth
from .truth.money_truth import deals_truth, spend_truth
from .truth.people_truth import people_truth
from .truth.touch_truth import first_sales_touches, touchpoints_truth
from .truth.truth_files import write_truth

__all__ = ["Messiness", "contract", "data_as_of", "generate", "salesforce", "salesforce_variant"]

COMPANY = {"name": "Acme Analytics", "domain": "acme-analytics.com"}
_OUTPUT_PARTS = ("hubspot", "salesforce", "ads", "fx", "reports", "truth", "manifest.json")
CRMS = ("hubspot", "salesforce")


def generate(
    out_dir: Path,
    *,
    contacts: int = 2000,
    months: int = 18,
    seed: int = 7,
    end_date: date = date(2026, 10, 31),
    page_size: int = 100,
    messiness: Messiness = Messiness(),
    timezone: str = "America/New_York",
    crm: str = "hubspot",
    with_history: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write the sample company into out_dir and return its manifest.

    `contacts` is the number of persons; their records number a few percent more (duplicates,
    merged-away records). The period is the `months` calendar months ending with end_date's
    month, cut at the end of end_date in `timezone` (the as-of instant of the truth). `crm` says
    where sales works: "hubspot" (everything in HubSpot) or "salesforce". `with_history=False`
    writes the HubSpot pages as exports without propertiesWithHistory do (stage-date properties
    only); the truth stays the one history shows.
    """
    if crm not in CRMS:
        raise ValueError(f"crm must be one of {', '.join(CRMS)}, not {crm!r}")
    say = progress or (lambda _message: None)
    out = Path(out_dir)
    _clear(out)
    clock = Clock.for_period(end_date, months, timezone)
    owners = build_owners()
    n_sdrs, n_aes = len(team_members(owners, "SDR")), len(team_members(owners, "AE"))

    say("simulating persons and journeys")
    ads = simulate_ads(clock, contacts, seed)
    people = simulate_people(contacts, clock, messiness, seed, ads.campaigns, n_sdrs)
    journey = simulate_journeys(people.frame, clock, messiness, seed)
    deals = simulate_deals(people.frame, people.companies, journey, clock, messiness, seed, n_aes)
    forms = form_ids(seed)
    events = person_events(people.frame, journey, deals, owners, forms, clock)

    say("splitting persons into contact records")
    records = split_records(
        people.frame,
        people.companies,
        events,
        journey.deleted_at,
        clock,
        messiness,
        seed,
        ads.campaigns,
        forms,
        owners,
        journey.late,
    )
    parameters = {
        "contacts": contacts,
        "months": months,
        "seed": seed,
        "end_date": end_date.isoformat(),
        "page_size": page_size,
        "timezone": timezone,
        "messiness": messiness.as_dict(),
        **({} if with_history else {"with_history": False}),
    }
    if crm == "salesforce":
        manifest_counts = write_salesforce_company(
            out,
            people=people,
            journey=journey,
            deals=deals,
            records=records,
            ads=ads,
            forms=forms,
            owners=owners,
            clock=clock,
            seed=seed,
            page_size=page_size,
            say=say,
        )
        return _write_manifest(out, parameters | {"crm": crm}, clock, end_date, timezone, manifest_counts, say)
    state = current_state(records)
    deal_links = deal_contacts(deals.frame, records.frame, len(people.frame))
    company_links = company_contacts(records.frame)
    companies = company_table(people.companies, records.frame, company_links, clock, stream(seed, "company_ids"))
    submissions = simulate_submissions(records.frame, clock, seed)
    engagements = simulate_engagements(people.frame, journey, deals, records, owners, clock, seed)
    contact_ids = records.frame["id"].to_numpy()

    say("computing the truth")
    truth = people_truth(records.frame, state, records.events, deals.frame, deals.history, deal_links, clock)
    logged = engagement_truth(engagements, owners, records.frame, contact_ids, truth, clock)
    sales_touches = worked_truth.worked(logged, engagements, truth.entries, clock)
    counts = team_counts(records.frame, records.events, clock)
    worked_counts = worked_truth.team_counts(engagements, records.frame, clock)
    metrics = team_metrics(
        pd.concat([counts, worked_counts], ignore_index=True),
        truth.entries,
        clock,
        other_canonical={(worked_truth.TEAM, worked_truth.METRIC): worked_truth.canonical_values(sales_touches, clock)},
    )
    diverging = divergences(
        counts, records.frame, records.events, truth.record_person, truth.people, truth.entries, clock
    )
    diverging = pd.concat(
        [
            diverging,
            worked_truth.divergences(
                worked_counts, sales_touches, records.frame, truth.record_person, truth.people, clock
            ),
        ],
        ignore_index=True,
    ).sort_values(["team", "metric", "period_start", "counted_by", "person_id", "record_id"], ignore_index=True)
    deals_table = deals_truth(deals.frame, deal_links, truth.record_person, truth.people, ads.fx, clock)
    spend_table = spend_truth(ads.campaigns, ads.spend, ads.fx, clock)
    touches = touchpoints_truth(records.frame, records.events, submissions, truth, clock, logged)
    speed = first_sales_touches(touches, truth, clock)

    say("writing HubSpot pages")
    written = write_contacts(out, records.frame, state, records.events, page_size, with_history=with_history)
    write_companies(out, companies, page_size)
    write_deals(out, deals.frame, deals.history, owners, page_size, with_history=with_history)
    write_owners(out, owners, clock, page_size)
    write_pipelines(out, clock)
    write_account(out, timezone, "USD")
    write_forms(out, forms, clock)
    per_form = write_submissions(out, submissions, records.frame, forms, page_size)
    active_ids = contact_ids[records.frame["archived_at"].isna().to_numpy()]
    write_associations(
        out,
        deals.frame["id"].to_numpy(),
        deal_links,
        contact_ids,
        company_links,
        companies["id"].to_numpy(),
        active_ids,
        page_size,
    )
    per_type = write_engagements(out, engagements, owners, contact_ids, page_size)

    say("writing ads, FX, team reports and truth")
    ad_rows = write_ads(out, ads, clock)
    fx_rows = write_fx(out, ads, clock)
    for team in ("marketing", "sales"):
        write_csv(out / "reports" / f"{team}.csv", report_rows(metrics, team))
    truth_rows = write_truth(
        out,
        truth,
        records.frame,
        deals_table,
        spend_table,
        metrics,
        diverging,
        touches=touches,
        speed=speed,
        engagements=logged,
    )

    manifest_counts = {
        "persons": len(people.frame),
        "contacts": written["contacts"],
        "contacts_archived": written["contacts_archived"],
        "contacts_merged_away": int((records.frame["archive_kind"] == "merged").sum()),
        "contacts_deleted": int((records.frame["archive_kind"] == "deleted").sum()),
        "companies": len(companies),
        "deals": len(deals.frame),
        "deals_archived": 0,
        "owners": len(owners),
        "forms": len(FORM_KEYS),
        "form_submissions": int(sum(per_form.values())),
        "deal_contact_associations": len(deal_links),
        "contact_company_associations": len(company_links),
        "engagements": per_type,
        "engagement_contact_associations": int((engagements["rec"].to_numpy() >= 0).sum()),
        "ad_rows": {k: int(v) for k, v in ad_rows.items()},
        "fx_rows": fx_rows,
        "truth": {k: int(v) for k, v in truth_rows.items()},
    }
    return _write_manifest(out, parameters, clock, end_date, timezone, manifest_counts, say)


def _write_manifest(
    out: Path, parameters: dict, clock: Clock, end_date: date, timezone: str, counts: dict, say: Callable[[str], None]
) -> dict:
    manifest = {
        "company": COMPANY,
        "parameters": parameters,
        "as_of": end_date.isoformat(),
        "timezone": timezone,
        "period": {"start": clock.first_day.isoformat(), "end": clock.last_day.isoformat()},
        "reporting_currency": "USD",
        "counts": counts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    say("done")
    return manifest


def _clear(out: Path) -> None:
    """Remove what an earlier run wrote here, so fewer pages now leave no stale ones behind."""
    out.mkdir(parents=True, exist_ok=True)
    for part in _OUTPUT_PARTS:
        path = out / part
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def data_as_of(data_dir: Path) -> date | None:
    """The day a generated sample ends, from its manifest (None for real data)."""
    manifest = data_dir / "manifest.json"
    if not manifest.exists():
        return None
    value = json.loads(manifest.read_text()).get("as_of")
    return date.fromisoformat(value) if value else None
