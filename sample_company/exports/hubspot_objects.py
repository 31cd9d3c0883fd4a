"""Companies, deals, owners and the deal pipelines, in the shapes of HubSpot's CRM v3 API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..simulate.clock import MS_DAY, Clock, iso
from ..simulate.deals import OPEN_STAGES, RENEWAL_LOST, RENEWAL_OPEN, RENEWAL_WON
from ..simulate.owners import TEAMS
from ..truth.money_truth import cents_text
from .pages import API, write_json, write_pages

# Stage id, label, probability, closed; probabilities are HubSpot's defaults for `default`.
PIPELINES = (
    (
        "default",
        "Sales Pipeline",
        (
            ("appointmentscheduled", "Appointment Scheduled", "0.2", "false"),
            ("qualifiedtobuy", "Qualified To Buy", "0.4", "false"),
            ("presentationscheduled", "Presentation Scheduled", "0.6", "false"),
            ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"),
            ("contractsent", "Contract Sent", "0.9", "false"),
            ("closedwon", "Closed Won", "1.0", "true"),
            ("closedlost", "Closed Lost", "0.0", "true"),
        ),
    ),
    (
        "renewals",
        "Renewals",
        (
            (RENEWAL_OPEN, "Renewal Open", "0.5", "false"),
            (RENEWAL_WON, "Renewal Won", "1.0", "true"),
            (RENEWAL_LOST, "Renewal Lost", "0.0", "true"),
        ),
    ),
)
assert tuple(s[0] for s in PIPELINES[0][2][:5]) == OPEN_STAGES


def setup_time(clock: Clock) -> str:
    """When the portal's fixed objects were created: a year before the period (no wall clock)."""
    return iso(np.array([clock.start_ms - 365 * MS_DAY], dtype=np.float64))[0]


def write_account(out: Path, timezone: str, currency: str) -> None:
    """The portal's account details, as GET /account-info/v3/details returns them."""
    folder = out / "hubspot" / "account"
    folder.mkdir(parents=True, exist_ok=True)
    details = {
        "portalId": 24681357,
        "accountType": "STANDARD",
        "timeZone": timezone,
        "companyCurrency": currency,
        "additionalCurrencies": ["EUR", "GBP", "CAD"],
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    }
    (folder / "details.json").write_text(json.dumps(details, indent=1) + "\n", encoding="utf-8")


def write_pipelines(out: Path, clock: Clock) -> None:
    at = setup_time(clock)
    results = []
    for order, (pid, label, stages) in enumerate(PIPELINES):
        results.append(
            {
                "id": pid,
                "label": label,
                "displayOrder": order,
                "stages": [
                    {
                        "id": sid,
                        "label": slabel,
                        "displayOrder": i,
                        "metadata": {"isClosed": closed, "probability": prob},
                        "createdAt": at,
                        "updatedAt": at,
                        "archived": False,
                    }
                    for i, (sid, slabel, prob, closed) in enumerate(stages)
                ],
                "createdAt": at,
                "updatedAt": at,
                "archived": False,
            }
        )
    write_json(out / "hubspot" / "pipelines" / "deals.json", {"results": results})


def write_owners(out: Path, owners: pd.DataFrame, clock: Clock, page_size: int) -> None:
    at = setup_time(clock)
    rows = owners.to_dict("records")

    def build(lo: int, hi: int) -> list[dict]:
        return [
            {
                "id": r["owner_id"],
                "email": r["email"],
                "type": "PERSON",
                "firstName": r["first_name"],
                "lastName": r["last_name"],
                "userId": int(r["user_id"]),
                "userIdIncludingInactive": int(r["user_id"]),
                "createdAt": at,
                "updatedAt": at,
                "archived": False,
                "teams": [{"id": TEAMS[r["team"]], "name": r["team"], "primary": True}],
            }
            for r in rows[lo:hi]
        ]

    write_pages(
        out / "hubspot" / "owners",
        len(rows),
        page_size,
        build,
        after_of=lambda i: rows[i]["owner_id"],
        link=lambda a: f"{API}/crm/v3/owners/?limit={page_size}&after={a}",
    )


def company_table(
    companies: pd.DataFrame, records: pd.DataFrame, links: pd.DataFrame, clock: Clock, rng: np.random.Generator
) -> pd.DataFrame:
    """Companies with ids and dates: created with their first contact, ids growing with that."""
    created = records["created"].to_numpy()[links["rec"].to_numpy()]
    by = pd.DataFrame({"company": links["company"].to_numpy(), "created": created}).groupby("company")["created"]
    table = companies.copy()
    table["created"] = by.min().reindex(np.arange(len(companies))).fillna(clock.start_ms).astype(np.int64).to_numpy()
    table["modified"] = by.max().reindex(np.arange(len(companies))).fillna(clock.start_ms).astype(np.int64).to_numpy()
    order = np.lexsort((np.arange(len(table)), table["created"].to_numpy()))
    ids = np.empty(len(table), dtype=np.int64)
    ids[order] = 20_000_001 + np.cumsum(rng.integers(1, 4, len(table))) - 1
    table["id"] = ids
    return table


def write_companies(out: Path, table: pd.DataFrame, page_size: int) -> None:
    ordered = table.sort_values("id", kind="stable")
    ids = ordered["id"].astype(str).tolist()
    created = iso(ordered["created"].to_numpy(np.float64)).tolist()
    modified = iso(ordered["modified"].to_numpy(np.float64)).tolist()
    cols = [ordered[c].astype(str).tolist() for c in ("name", "domain", "industry", "employees", "country")]

    def build(lo: int, hi: int) -> list[dict]:
        return [
            {
                "id": ids[i],
                "properties": {
                    "hs_object_id": ids[i],
                    "name": cols[0][i],
                    "domain": cols[1][i],
                    "industry": cols[2][i],
                    "numberofemployees": cols[3][i],
                    "country": cols[4][i],
                    "createdate": created[i],
                    "hs_lastmodifieddate": modified[i],
                },
                "propertiesWithHistory": {},
                "createdAt": created[i],
                "updatedAt": modified[i],
                "archived": False,
            }
            for i in range(lo, hi)
        ]

    write_pages(
        out / "hubspot" / "companies",
        len(ids),
        page_size,
        build,
        after_of=lambda i: ids[i],
        link=lambda a: f"{API}/crm/v3/objects/companies?limit={page_size}&archived=false&after={a}",
    )


def write_deals(
    out: Path,
    deals: pd.DataFrame,
    history: pd.DataFrame,
    owners: pd.DataFrame,
    page_size: int,
    *,
    with_history: bool = True,
) -> None:
    """Deal pages; each deal carries HubSpot's stage-date properties (hs_v2_date_entered_<stage>:
    the stage's latest entry) and, unless `with_history` is off, its dealstage history."""
    ae = owners[owners["team"] == "AE"]
    owner_ids = ae["owner_id"].to_numpy(dtype=object)
    user_ids = ae["user_id"].to_numpy()
    order = np.argsort(deals["id"].to_numpy(), kind="stable")
    hist = history.sort_values(["deal", "ts"], ascending=[True, False], kind="stable")
    h_deal = hist["deal"].to_numpy()
    h_stage = hist["stage"].tolist()
    h_ts = iso(hist["ts"].to_numpy(np.float64)).tolist()
    lo_h = np.searchsorted(h_deal, order, "left").tolist()
    hi_h = np.searchsorted(h_deal, order, "right").tolist()
    ids = deals["id"].to_numpy()[order].astype(str).tolist()
    created = iso(deals["created"].to_numpy(np.float64)[order]).tolist()
    closed = iso(deals["closed_at"].to_numpy(np.float64)[order]).tolist()
    amount = cents_text(deals["amount_cents"].to_numpy()[order]).tolist()
    owner = deals["owner"].to_numpy()[order]
    cols = {
        c: deals[c].to_numpy(dtype=object)[order].tolist()
        for c in ("dealname", "pipeline", "stage", "currency", "dealtype", "deal_source")
    }

    def build(lo: int, hi: int) -> list[dict]:
        page = []
        for i in range(lo, hi):
            source_id = f"userId:{user_ids[owner[i]]}"
            entries = [
                {"value": h_stage[k], "timestamp": h_ts[k], "sourceType": "CRM_UI", "sourceId": source_id}
                for k in range(lo_h[i], hi_h[i])
            ]
            modified = entries[0]["timestamp"] if entries else created[i]
            stage_dates = {}
            for entry in entries:  # newest first: the first one seen is the stage's latest entry
                stage_dates.setdefault(f"hs_v2_date_entered_{entry['value']}", entry["timestamp"])
            deal = {
                "id": ids[i],
                "properties": {
                    "hs_object_id": ids[i],
                    "dealname": cols["dealname"][i],
                    "pipeline": cols["pipeline"][i],
                    "dealstage": cols["stage"][i],
                    "amount": amount[i],
                    "deal_currency_code": cols["currency"][i],
                    "createdate": created[i],
                    "closedate": closed[i],
                    "hubspot_owner_id": owner_ids[owner[i]],
                    "dealtype": cols["dealtype"][i],
                    "deal_source": cols["deal_source"][i],
                    "hs_lastmodifieddate": modified,
                    **stage_dates,
                },
                "propertiesWithHistory": {"dealstage": entries},
                "createdAt": created[i],
                "updatedAt": modified,
                "archived": False,
            }
            if not with_history:
                del deal["propertiesWithHistory"]
            page.append(deal)
        return page

    write_pages(
        out / "hubspot" / "deals",
        len(ids),
        page_size,
        build,
        after_of=lambda i: ids[i],
        link=lambda a: f"{API}/crm/v3/objects/deals?limit={page_size}&archived=false&after={a}",
    )
    # No deal is ever archived in this company; the empty listing says so explicitly.
    write_pages(
        out / "hubspot" / "deals_archived",
        0,
        page_size,
        lambda lo, hi: [],
        after_of=str,
        link=lambda a: f"{API}/crm/v3/objects/deals?limit={page_size}&archived=true&after={a}",
    )
