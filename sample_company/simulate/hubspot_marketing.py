"""HubSpot when sales works in Salesforce: marketing's records only.

Derived from the HubSpot-only company's records, so that both variants share every simulated
instant and every HubSpot id:
- outbound prospects have no HubSpot record (SDRs create them in Salesforce), nor does a later
  duplicate of them;
- the lifecycle stage stops at marketingqualifiedlead (subscriber, lead, MQL, regressions back
  to lead, re-MQLs, `other` for vendors): sales' stages live in Salesforce;
- no hs_lead_status, and the owner only as HubSpot's routing workflow set it at the MQL (no SQL
  owner, no AE taking over with a deal).
Merges, duplicates, deletions, late and near-midnight writes stay as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .events import LEAD_STATUS, LIFECYCLE, OWNER, WORKFLOW_ROUTING
from .records import Records

MARKETING_LIFECYCLE = ("subscriber", "lead", "marketingqualifiedlead", "other")


def marketing_records(records: Records, people: pd.DataFrame) -> tuple[Records, np.ndarray]:
    """(the marketing-only records, row of each of them in the HubSpot-only records)."""
    frame = records.frame
    outbound = people["channel"].to_numpy()[frame["person"].to_numpy()] == "outbound"
    kept = np.flatnonzero(~outbound)
    new_row = np.full(len(frame), -1, dtype=np.int64)
    new_row[kept] = np.arange(len(kept))

    out = frame.iloc[kept].reset_index(drop=True)
    into = out["merged_into"].to_numpy()
    out["merged_into"] = np.where(into >= 0, new_row[np.maximum(into, 0)], -1)

    events = records.events
    rec = events["rec"].to_numpy()
    prop = events["prop"].to_numpy()
    keep = new_row[rec] >= 0
    keep &= (prop != LIFECYCLE) | np.isin(events["value"].to_numpy(dtype=object), MARKETING_LIFECYCLE)
    keep &= prop != LEAD_STATUS
    keep &= (prop != OWNER) | (events["source_id"].to_numpy(dtype=object) == WORKFLOW_ROUTING)
    kept_events = events[keep].copy()
    kept_events["rec"] = new_row[kept_events["rec"].to_numpy()]
    # The row map is increasing, so the (rec, prop, ts) order current_state relies on holds.
    return Records(out, kept_events.reset_index(drop=True)), kept
