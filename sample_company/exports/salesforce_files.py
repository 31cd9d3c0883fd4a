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
import pandas as pd

from ..simulate.clock import MS_MINUTE, MS_SECOND, Clock, iso
from ..simulate.salesforce import Salesforce, local_date_text
from ..simulate.salesforce_activities import CALL_DISPOSITIONS, TASK_STATUSES
from ..simulate.salesforce_ids import query_locator
from .hubspot_objects import setup_time
from .pages import dump

API_VERSION = "v61.0"

# What a rep sees in a Task's Subject: Salesforce's own "Call" for a logged call, "Email: <subject>"
# for a logged email; an Event's subject is the meeting's name.
_SUBJECTS = {
    "first_attempt": "Following up on your request",
    "follow_up": "Checking in",
    "deal_email": "Next steps",
}
_MEETINGS = {"discovery_meeting": "Discovery call", "demo_meeting": "Product demo"}
# A follow-up task by HubSpot's hs_task_type (its value TODO is a plain to-do) as Task.Type and Subject.
_TASKS = {
    "CALL": ("Call", "Call back"),
    "EMAIL": ("Email", "Send follow-up email"),
    "TODO": ("Other", "Prepare account notes"),
}


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
    tables |= _activity_tables(sf, users, lead_ids, contact_ids, clock)
    counts = {}
    for sobject, fields in tables.items():
        counts[sobject] = _write_query_pages(folder / sobject, sobject, fields, query_locator(sobject, seed), page_size)
    return counts


def _activity_tables(
    sf: Salesforce, users: np.ndarray, lead_ids: np.ndarray, contact_ids: np.ndarray, clock: Clock
) -> dict[str, dict[str, list]]:
    """Task and Event records: calls, emails and to-dos as Tasks (TaskSubtype Call, Email, Task),
    meetings as Events; WhoId the Lead or Contact, OwnerId the rep's User."""
    tables = {}
    for sobject, fields in (("Task", _task_fields), ("Event", _event_fields)):
        part = sf.activities[sf.activities["sobject"].to_numpy() == sobject]
        contact, lead = part["contact_row"].to_numpy(), part["lead_row"].to_numpy()
        who = [c or lead_id for c, lead_id in zip(_rows(contact_ids, contact), _rows(lead_ids, lead))]
        modified = sf_datetime(part["modified"].to_numpy())
        tables[sobject] = {
            "Id": part["id"].tolist(),
            "WhoId": who,
            "WhatId": [w if isinstance(w, str) else None for w in part["what_id"].tolist()],
            "OwnerId": users[part["owner"].to_numpy()].tolist(),
            **fields(part, clock),
            "IsDeleted": part["deleted"].notna().tolist(),
            "CreatedDate": sf_datetime(part["created"].to_numpy()),
            "LastModifiedDate": modified,
            "SystemModstamp": modified,
        }
    return tables


def _task_fields(part: pd.DataFrame, clock: Clock) -> dict[str, list]:
    """A logged call or email is Completed when saved; a follow-up task is due on ActivityDate."""
    kind = part["type"].tolist()
    activity, outcome, task_type = part["activity"].tolist(), part["outcome"].tolist(), part["task_type"].tolist()
    status = [TASK_STATUSES[o] if k == "task" else "Completed" for k, o in zip(kind, outcome)]
    seconds = np.round(np.nan_to_num(part["duration"].to_numpy(np.float64)) / MS_SECOND).astype(np.int64).tolist()
    subtype = {"call": "Call", "email": "Email"}
    return {
        "Subject": [
            "Call" if k == "call" else f"Email: {_SUBJECTS[a]}" if k == "email" else _TASKS[t][1]
            for k, a, t in zip(kind, activity, task_type)
        ],
        "Status": status,
        "Priority": ["Normal"] * len(part),
        "IsClosed": [s == "Completed" for s in status],
        "TaskSubtype": [subtype.get(k, "Task") for k in kind],
        "Type": [subtype[k] if k in subtype else _TASKS[t][0] for k, t in zip(kind, task_type)],
        "ActivityDate": local_date_text(part["ts"].to_numpy(np.float64), clock.timezone).tolist(),
        "CompletedDateTime": sf_datetime(part["completed"].to_numpy()),
        "CallType": [
            ("Inbound" if d == "inbound" else "Outbound") if k == "call" else None
            for k, d in zip(kind, part["direction"].tolist())
        ],
        "CallDisposition": [CALL_DISPOSITIONS[o] if k == "call" else None for k, o in zip(kind, outcome)],
        "CallDurationInSeconds": [x if k == "call" else None for k, x in zip(kind, seconds)],
    }


def _event_fields(part: pd.DataFrame, clock: Clock) -> dict[str, list]:
    start, duration = part["ts"].to_numpy(np.float64), part["duration"].to_numpy(np.float64)
    return {
        "Subject": [_MEETINGS[a] for a in part["activity"].tolist()],
        "Type": ["Meeting"] * len(part),
        "EventSubtype": ["Event"] * len(part),
        "StartDateTime": sf_datetime(start),
        "EndDateTime": sf_datetime(start + duration),
        "ActivityDateTime": sf_datetime(start),
        "ActivityDate": local_date_text(start, clock.timezone).tolist(),
        "DurationInMinutes": np.round(duration / MS_MINUTE).astype(np.int64).tolist(),
        "IsAllDayEvent": [False] * len(part),
        "ShowAs": ["Busy"] * len(part),
    }


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
