"""Contacts as GET /crm/v3/objects/contacts returns them: active ones and archived ones apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..simulate.clock import iso
from ..simulate.contact_state import DATE_STAGES
from ..simulate.events import LEAD_STATUS, LIFECYCLE, OWNER, SCORE
from .pages import API, text_or_none, write_pages

HISTORY_PROPS = (LIFECYCLE, LEAD_STATUS, SCORE)
MQL_DATE = "hs_lifecyclestage_marketingqualifiedlead_date"


class _History:
    """One property's history per record row, newest first, as Python lists for fast slicing."""

    def __init__(self, events: pd.DataFrame, prop: str):
        part = events[events["prop"] == prop].sort_values(["rec", "ts"], ascending=[True, False], kind="stable")
        self.rec = part["rec"].to_numpy()
        self.value = part["value"].tolist()
        self.ts = iso(part["ts"].to_numpy(np.float64)).tolist()
        self.source_type = part["source_type"].tolist()
        self.source_id = part["source_id"].tolist()

    def bounds(self, rows: np.ndarray) -> tuple[list[int], list[int]]:
        return (np.searchsorted(self.rec, rows, "left").tolist(), np.searchsorted(self.rec, rows, "right").tolist())

    def entries(self, lo: int, hi: int) -> list[dict]:
        return [
            {
                "value": self.value[i],
                "timestamp": self.ts[i],
                "sourceType": self.source_type[i],
                "sourceId": self.source_id[i],
            }
            for i in range(lo, hi)
        ]


def _mql_date_history(events: pd.DataFrame) -> pd.DataFrame:
    """HubSpot writes the MQL date each time the lifecycle stage becomes MQL: its value is the
    MQL instant (an integration writing late keeps the original one), its timestamp the write.
    Reports read this property, so its history is exported like the lifecycle stage's."""
    writes = events[(events["prop"] == LIFECYCLE) & (events["value"] == "marketingqualifiedlead")].copy()
    writes["prop"] = MQL_DATE
    writes["value"] = iso(writes["value_ts"].to_numpy(np.float64))
    return writes


def write_contacts(
    out: Path,
    records: pd.DataFrame,
    state: pd.DataFrame,
    events: pd.DataFrame,
    page_size: int,
    *,
    with_history: bool = True,
) -> dict:
    """Contact pages, active and archived apart; without `with_history`, as exports that do not
    ask for propertiesWithHistory write them (the stage-date properties stay)."""
    histories = {prop: _History(events, prop) for prop in HISTORY_PROPS}
    histories[MQL_DATE] = _History(_mql_date_history(events), MQL_DATE)
    archived = records["archived_at"].notna().to_numpy()
    counts = {}
    for folder, rows, flag in (
        ("contacts", np.flatnonzero(~archived), "false"),
        ("contacts_archived", np.flatnonzero(archived), "true"),
    ):
        counts[folder] = len(rows)
        _write(out / "hubspot" / folder, rows, records, state, histories if with_history else None, page_size, flag)
    return counts


def _write(
    folder: Path,
    rows: np.ndarray,
    records: pd.DataFrame,
    state: pd.DataFrame,
    histories: dict[str, _History] | None,
    page_size: int,
    archived_flag: str,
) -> None:
    def column(frame: pd.DataFrame, name: str) -> list:
        return text_or_none(frame[name].to_numpy(dtype=object)[rows])

    ids = records["id"].to_numpy()[rows].astype(str).tolist()
    created = iso(records["created"].to_numpy(np.float64)[rows]).tolist()
    modified = iso(state["modified"].to_numpy(np.float64)[rows]).tolist()
    archived_at = iso(records["archived_at"].to_numpy(np.float64)[rows]).tolist()
    props = {
        "hs_object_id": ids,
        "email": column(records, "email"),
        "firstname": column(records, "firstname"),
        "lastname": column(records, "lastname"),
        "company": column(records, "company_name"),
        "jobtitle": column(records, "jobtitle"),
        "createdate": created,
        "lastmodifieddate": modified,
        "lifecyclestage": column(state, LIFECYCLE),
        "hs_lead_status": column(state, LEAD_STATUS),
        "hubspot_owner_id": column(state, OWNER),
        "hs_analytics_source": column(records, "source"),
        "hs_analytics_source_data_1": column(records, "source_d1"),
        "hs_analytics_source_data_2": column(records, "source_d2"),
        "hs_merged_object_ids": column(state, "merged_ids"),
        "hs_object_source": column(records, "object_source"),
        "hubspotscore": column(state, SCORE),
    }
    for stage in DATE_STAGES:
        props[f"hs_lifecyclestage_{stage}_date"] = iso(state[f"date_{stage}"].to_numpy(np.float64)[rows]).tolist()
    names = list(props)
    values = [props[n] for n in names]
    bounds = {prop: h.bounds(rows) for prop, h in (histories or {}).items()}
    is_archived = archived_flag == "true"

    def build(lo: int, hi: int) -> list[dict]:
        page = []
        for i in range(lo, hi):
            obj = {"id": ids[i], "properties": {n: v[i] for n, v in zip(names, values)}}
            if histories is not None:
                obj["propertiesWithHistory"] = {
                    prop: h.entries(bounds[prop][0][i], bounds[prop][1][i]) for prop, h in histories.items()
                }
            obj |= {"createdAt": created[i], "updatedAt": modified[i], "archived": is_archived}
            if is_archived:
                obj["archivedAt"] = archived_at[i]
            page.append(obj)
        return page

    write_pages(
        folder,
        len(rows),
        page_size,
        build,
        after_of=lambda i: ids[i],
        link=lambda after: f"{API}/crm/v3/objects/contacts?limit={page_size}&archived={archived_flag}&after={after}",
    )
