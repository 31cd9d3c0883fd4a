"""Salesforce objects as REST API query results: salesforce/<Object>/page-NNNNN.json.

A page is `{"totalSize", "done", "nextRecordsUrl" (not on the last page), "records"}`; a record
is `{"attributes": {"type", "url"}, "Id", ...fields}` with JSON types kept (booleans, numbers,
null). Datetimes are written the way Salesforce writes them (`2025-05-03T14:22:05.123+0000`);
Salesforce itself keeps whole seconds, the generator keeps the simulated milliseconds so that
both variants of the company share every instant. Dates are `2025-05-03`. Deleted records are
listed with IsDeleted true, as queryAll returns them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..simulate.clock import Clock, iso
from ..simulate.salesforce import Salesforce, local_date_text
from ..simulate.salesforce_ids import query_locator
from .hubspot_objects import setup_time
from .pages import dump

API_VERSION = "v61.0"


def sf_datetime(ms: np.ndarray) -> list:
    """Salesforce's datetime text for each instant; None where missing."""
    return [None if t is None else t[:-1] + "+0000" for t in iso(np.asarray(ms, dtype=np.float64)).tolist()]


def _amounts(cents: np.ndarray) -> list[float]:
    return (np.asarray(cents, dtype=np.int64) / 100).tolist()


def _rows(values: np.ndarray, rows: np.ndarray) -> list:
    """Row-aligned lookup that yields None for -1."""
    out = np.full(len(rows), None, dtype=object)
    ok = rows >= 0
    out[ok] = np.asarray(values, dtype=object)[rows[ok]]
    return out.tolist()


def write_salesforce(out: Path, sf: Salesforce, clock: Clock, seed: int, page_size: int) -> dict[str, int]:
    """Every object's pages; returns the number of records per object."""
    folder = out / "salesforce"
    users = sf.users["id"].to_numpy(dtype=object)
    leads, contacts, accounts, opps = sf.leads, sf.contacts, sf.accounts, sf.opportunities
    lead_ids = leads["id"].to_numpy(dtype=object)
    contact_ids = contacts["id"].to_numpy(dtype=object)
    account_ids = accounts["id"].to_numpy(dtype=object)
    opp_ids = opps["id"].to_numpy(dtype=object)
    converted = leads["converted"].to_numpy(np.float64)
    tables = {
        "Lead": {
            "Id": lead_ids.tolist(),
            "Email": leads["email"].tolist(),
            "FirstName": leads["firstname"].tolist(),
            "LastName": leads["lastname"].tolist(),
            "Company": leads["company"].tolist(),
            "Status": leads["status"].tolist(),
            "LeadSource": leads["lead_source"].tolist(),
            "IsConverted": (~np.isnan(converted)).tolist(),
            "ConvertedDate": local_date_text(converted, clock.timezone).tolist(),
            "ConvertedContactId": _rows(contact_ids, leads["contact_row"].to_numpy()),
            "ConvertedAccountId": _rows(account_ids, leads["account_row"].to_numpy()),
            "ConvertedOpportunityId": _rows(opp_ids, leads["into_deal"].to_numpy()),
            "OwnerId": users[leads["owner_row"].to_numpy()].tolist(),
            "CreatedDate": sf_datetime(leads["created"].to_numpy()),
            "LastModifiedDate": sf_datetime(leads["modified"].to_numpy()),
            "IsDeleted": (~np.isnan(leads["deleted"].to_numpy(np.float64))).tolist(),
        },
        "LeadHistory": {
            "Id": sf.lead_history["id"].tolist(),
            "LeadId": lead_ids[sf.lead_history["lead_row"].to_numpy()].tolist(),
            "Field": sf.lead_history["field"].tolist(),
            "OldValue": sf.lead_history["old"].tolist(),
            "NewValue": sf.lead_history["new"].tolist(),
            "CreatedDate": sf_datetime(sf.lead_history["ts"].to_numpy()),
        },
        "Contact": {
            "Id": contact_ids.tolist(),
            "Email": contacts["email"].tolist(),
            "FirstName": contacts["firstname"].tolist(),
            "LastName": contacts["lastname"].tolist(),
            "AccountId": _rows(account_ids, contacts["account_row"].to_numpy()),
            "OwnerId": users[contacts["owner_row"].to_numpy()].tolist(),
            "LeadSource": contacts["lead_source"].tolist(),
            "CreatedDate": sf_datetime(contacts["created"].to_numpy()),
            "LastModifiedDate": sf_datetime(contacts["modified"].to_numpy()),
            "IsDeleted": [False] * len(contacts),
        },
        "Account": {
            "Id": account_ids.tolist(),
            "Name": accounts["name"].tolist(),
            "Website": accounts["website"].tolist(),
            "Industry": accounts["industry"].tolist(),
            "NumberOfEmployees": accounts["employees"].tolist(),
            "CreatedDate": sf_datetime(accounts["created"].to_numpy()),
            "LastModifiedDate": sf_datetime(accounts["created"].to_numpy()),
            "IsDeleted": [False] * len(accounts),
        },
        "Opportunity": {
            "Id": opp_ids.tolist(),
            "AccountId": _rows(account_ids, opps["account_row"].to_numpy()),
            "Name": opps["name"].tolist(),
            "StageName": opps["stage"].tolist(),
            "Amount": _amounts(opps["amount_cents"].to_numpy()),
            "CurrencyIsoCode": opps["currency"].tolist(),
            "CloseDate": opps["close_date"].tolist(),
            "CreatedDate": sf_datetime(opps["created"].to_numpy()),
            "LeadSource": opps["lead_source"].tolist(),
            "Type": opps["type"].tolist(),
            "IsClosed": opps["is_closed"].tolist(),
            "IsWon": opps["is_won"].tolist(),
            "OwnerId": users[opps["owner_row"].to_numpy()].tolist(),
            "LastModifiedDate": sf_datetime(opps["modified"].to_numpy()),
            "IsDeleted": [False] * len(opps),
        },
        "OpportunityHistory": {
            "Id": sf.opportunity_history["id"].tolist(),
            "OpportunityId": opp_ids[sf.opportunity_history["opportunity_row"].to_numpy()].tolist(),
            "StageName": sf.opportunity_history["stage"].tolist(),
            "Amount": _amounts(sf.opportunity_history["amount_cents"].to_numpy()),
            "CloseDate": sf.opportunity_history["close_date"].tolist(),
            "CreatedDate": sf_datetime(sf.opportunity_history["ts"].to_numpy()),
        },
        "OpportunityContactRole": {
            "Id": sf.roles["id"].tolist(),
            "OpportunityId": opp_ids[sf.roles["opportunity_row"].to_numpy()].tolist(),
            "ContactId": contact_ids[sf.roles["contact_row"].to_numpy()].tolist(),
            "IsPrimary": sf.roles["is_primary"].tolist(),
            "Role": sf.roles["role"].tolist(),
        },
        "User": {
            "Id": users.tolist(),
            "Email": sf.users["email"].tolist(),
            "FirstName": sf.users["first_name"].tolist(),
            "LastName": sf.users["last_name"].tolist(),
            "Department": sf.users["team"].tolist(),
            "IsActive": [True] * len(sf.users),
            "CreatedDate": [setup_time(clock)[:-1] + "+0000"] * len(sf.users),
        },
        "OpportunityStage": {
            "Id": sf.stages["id"].tolist(),
            "MasterLabel": sf.stages["name"].tolist(),
            "ApiName": sf.stages["name"].tolist(),
            "SortOrder": sf.stages["sort_order"].tolist(),
            "IsActive": [True] * len(sf.stages),
            "IsClosed": sf.stages["is_closed"].tolist(),
            "IsWon": sf.stages["is_won"].tolist(),
            "DefaultProbability": sf.stages["probability"].tolist(),
        },
    }
    counts = {}
    for sobject, fields in tables.items():
        counts[sobject] = _write_query_pages(folder / sobject, sobject, fields, query_locator(sobject, seed), page_size)
    return counts


def _write_query_pages(folder: Path, sobject: str, fields: dict[str, list], locator: str, page_size: int) -> int:
    """Records in Id order (= creation order), as `ORDER BY Id` returns them."""
    order = np.argsort(np.asarray(fields["Id"], dtype=str), kind="stable").tolist()
    names = list(fields)
    columns = [[fields[n][i] for i in order] for n in names]
    ids = columns[names.index("Id")]
    total = len(ids)
    folder.mkdir(parents=True, exist_ok=True)
    url = f"/services/data/{API_VERSION}/sobjects/{sobject}/"
    pages = max(1, -(-total // page_size))
    for p in range(pages):
        lo, hi = p * page_size, min(total, (p + 1) * page_size)
        records = []
        for i in range(lo, hi):
            record: dict = {"attributes": {"type": sobject, "url": url + ids[i]}}
            record.update({n: c[i] for n, c in zip(names, columns)})
            records.append(record)
        body: dict = {"totalSize": total, "done": hi >= total}
        if hi < total:
            body["nextRecordsUrl"] = f"/services/data/{API_VERSION}/query/{locator}-{hi}"
        body["records"] = records
        (folder / f"page-{p + 1:05d}.json").write_text(dump(body), encoding="utf-8")
    return total
