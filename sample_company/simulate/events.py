"""A person's journey as property changes: one row per change, before it is split into records.

Columns: person, prop, ts (when HubSpot wrote it), value, value_ts (the instant a date property
takes: equal to ts except for late-written MQLs), source_type, source_id, late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clock import Clock
from .deals import Deals
from .journeys import Journey

LIFECYCLE, LEAD_STATUS, SCORE, OWNER = "lifecyclestage", "hs_lead_status", "hubspotscore", "hubspot_owner_id"
WORKFLOW_LEAD = "workflowId:3100201"
WORKFLOW_MQL = "workflowId:3100202"
WORKFLOW_ROUTING = "workflowId:3100203"
WORKFLOW_DEAL_SYNC = "workflowId:3100204"
INTEGRATION = "integrationId:48213"
COLUMNS = ["person", "prop", "ts", "value", "value_ts", "source_type", "source_id", "late"]


def _column(x, n: int, keep: np.ndarray) -> np.ndarray:
    values = np.asarray(x, dtype=object)
    return (np.full(n, x, dtype=object) if values.ndim == 0 else values)[keep]


def _rows(person, ts, prop: str, value, source_type, source_id, late=False) -> pd.DataFrame:
    """Events for every person whose instant is not NaN; scalars apply to all of them."""
    ts = np.asarray(ts, dtype=np.float64)
    keep = ~np.isnan(ts)
    n = len(ts)
    return pd.DataFrame(
        {
            "person": np.asarray(person)[keep],
            "prop": prop,
            "ts": ts[keep].astype(np.int64),
            "value": _column(value, n, keep),
            "value_ts": ts[keep].astype(np.int64),
            "source_type": _column(source_type, n, keep),
            "source_id": _column(source_id, n, keep),
            "late": np.broadcast_to(np.asarray(late, dtype=bool), (n,))[keep],
        }
    )


def creation_source(
    object_source: np.ndarray,
    first_form: np.ndarray,
    form_ids: dict[str, str],
    user_ids: np.ndarray,
    local_month: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """sourceType / sourceId of the lifecycle entry written when a record is created."""
    source_id = np.array(
        [
            form_ids[f]
            if o == "FORM"
            else u
            if o == "CRM_UI"
            else f"importId:{5_500_000 + m}"
            if o == "IMPORT"
            else INTEGRATION
            for o, f, u, m in zip(object_source, first_form, user_ids, local_month)
        ],
        dtype=object,
    )
    return np.asarray(object_source, dtype=object), source_id


def person_events(
    people: pd.DataFrame, journey: Journey, deals: Deals, owners: pd.DataFrame, form_ids: dict[str, str], clock: Clock
) -> pd.DataFrame:
    person = people["person"].to_numpy()
    created = people["created"].to_numpy(np.float64)
    user_ids = owners["user_id"].to_numpy()
    owner_ids = owners["owner_id"].to_numpy(dtype=object)
    sdr = people["sdr"].to_numpy()
    sdr_user = np.array([f"userId:{u}" for u in user_ids[sdr]], dtype=object)
    sdr_owner = owner_ids[sdr]
    created_type, created_id = creation_source(
        people["object_source"].to_numpy(),
        people["first_form"].to_numpy(),
        form_ids,
        sdr_user,
        clock.local_month(created.astype(np.int64)),
    )
    j = journey
    sql = np.where(j.sql_logged, j.sql_at, np.nan)
    mql = _rows(
        person,
        j.mql_logged,
        LIFECYCLE,
        "marketingqualifiedlead",
        np.where(j.late, "INTEGRATION", "AUTOMATION_PLATFORM"),
        np.where(j.late, INTEGRATION, WORKFLOW_MQL),
        j.late,
    )
    mql["value_ts"] = j.mql_at[mql["person"].to_numpy()].astype(np.int64)  # the date property keeps the real instant
    unrouted_sql = np.isnan(j.route_at) & np.isnan(j.route2_at)
    parts = [
        _rows(person, created, LIFECYCLE, np.where(j.subscriber, "subscriber", "lead"), created_type, created_id),
        _rows(
            person, np.where(j.subscriber, j.lead_at, np.nan), LIFECYCLE, "lead", "AUTOMATION_PLATFORM", WORKFLOW_LEAD
        ),
        mql,
        _rows(person, j.reg_at, LIFECYCLE, "lead", "CRM_UI", sdr_user),
        _rows(person, j.mql2_at, LIFECYCLE, "marketingqualifiedlead", "AUTOMATION_PLATFORM", WORKFLOW_MQL),
        _rows(person, sql, LIFECYCLE, "salesqualifiedlead", "CRM_UI", sdr_user),
        _rows(person, j.other_at, LIFECYCLE, "other", "CRM_UI", sdr_user),
        _rows(
            person,
            j.route_at,
            LEAD_STATUS,
            "NEW",
            np.where(people["channel"] == "outbound", "CRM_UI", "AUTOMATION_PLATFORM"),
            np.where(people["channel"] == "outbound", sdr_user, WORKFLOW_ROUTING),
        ),
        _rows(person, j.attempted_at, LEAD_STATUS, "ATTEMPTED_TO_CONTACT", "CRM_UI", sdr_user),
        _rows(person, j.reg_at, LEAD_STATUS, "UNQUALIFIED", "CRM_UI", sdr_user),
        _rows(person, j.disqualified_at, LEAD_STATUS, "UNQUALIFIED", "CRM_UI", sdr_user),
        _rows(person, j.route2_at, LEAD_STATUS, "NEW", "AUTOMATION_PLATFORM", WORKFLOW_ROUTING),
        _rows(person, j.sql_at, LEAD_STATUS, "CONNECTED", "CRM_UI", sdr_user),
        _rows(person, created, SCORE, j.scores[:, 0].astype(str).astype(object), "CALCULATED", "hubspotscore"),
        _rows(person, j.mql_logged, SCORE, j.scores[:, 1].astype(str).astype(object), "CALCULATED", "hubspotscore"),
        _rows(person, j.reg_at, SCORE, j.scores[:, 2].astype(str).astype(object), "CALCULATED", "hubspotscore"),
        _rows(person, j.mql2_at, SCORE, j.scores[:, 3].astype(str).astype(object), "CALCULATED", "hubspotscore"),
        _rows(person, j.route_at, OWNER, sdr_owner, "AUTOMATION_PLATFORM", WORKFLOW_ROUTING),
        _rows(person, np.where(unrouted_sql, j.sql_at, np.nan), OWNER, sdr_owner, "CRM_UI", sdr_user),
    ]
    d = deals.lifecycle
    parts.append(
        _rows(
            d["person"].to_numpy(),
            d["ts"].to_numpy(),
            LIFECYCLE,
            d["value"].to_numpy(dtype=object),
            "AUTOMATION_PLATFORM",
            WORKFLOW_DEAL_SYNC,
        )
    )
    o = deals.owners
    ae_user = np.array([f"userId:{u}" for u in user_ids[o["owner"].to_numpy() + _first_ae(owners)]], dtype=object)
    parts.append(
        _rows(
            o["person"].to_numpy(),
            o["ts"].to_numpy(),
            OWNER,
            owner_ids[o["owner"].to_numpy() + _first_ae(owners)],
            "CRM_UI",
            ae_user,
        )
    )
    events = pd.concat(parts, ignore_index=True)
    events["seq"] = np.arange(len(events))  # construction order breaks ties between equal instants
    return events


def _first_ae(owners: pd.DataFrame) -> int:
    return int(np.flatnonzero(owners["team"].to_numpy() == "AE")[0])
