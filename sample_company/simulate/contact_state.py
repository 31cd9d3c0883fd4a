"""Each contact record's current property values, derived from its history as HubSpot would."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .events import LEAD_STATUS, LIFECYCLE, OWNER, SCORE
from .records import Records

DATE_STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")


def current_state(records: Records) -> pd.DataFrame:
    """One row per record (same order as records.frame): latest values, stage dates, merged ids.

    hs_lifecyclestage_<stage>_date holds the instant of the latest change to exactly that stage
    (re-entry overwrites it), which for a late-written MQL is the original instant, not the
    write time. hs_merged_object_ids lists the records merged directly into this one.
    """
    frame = records.frame
    n = len(frame)
    events = records.events  # sorted by rec, prop, ts
    latest = events.drop_duplicates(["rec", "prop"], keep="last")
    state = pd.DataFrame(index=np.arange(n))
    for prop in (LIFECYCLE, LEAD_STATUS, SCORE, OWNER):
        part = latest[latest["prop"] == prop]
        column = np.full(n, None, dtype=object)
        column[part["rec"].to_numpy()] = part["value"].to_numpy(dtype=object)
        state[prop] = column
    lifecycle = events[events["prop"] == LIFECYCLE]
    last_entry = lifecycle.drop_duplicates(["rec", "value"], keep="last")
    for stage in DATE_STAGES:
        part = last_entry[last_entry["value"] == stage]
        column = np.full(n, np.nan)
        column[part["rec"].to_numpy()] = part["value_ts"].to_numpy(np.float64)
        state[f"date_{stage}"] = column
    touched = events.groupby("rec")["ts"].max()
    modified = frame["created"].to_numpy(np.float64).copy()
    modified[touched.index.to_numpy()] = np.fmax(modified[touched.index.to_numpy()], touched.to_numpy(np.float64))
    state["modified"] = np.fmax(modified, frame["archived_at"].to_numpy(np.float64))
    state["merged_ids"] = _merged_ids(frame)
    return state


def _merged_ids(frame: pd.DataFrame) -> np.ndarray:
    into = frame["merged_into"].to_numpy()
    out = np.full(len(frame), None, dtype=object)
    children = (
        pd.Series(frame["id"].to_numpy()[into >= 0])
        .groupby(into[into >= 0])
        .apply(lambda ids: ";".join(str(i) for i in sorted(ids)))
    )
    out[children.index.to_numpy()] = children.to_numpy(dtype=object)
    return out
