"""Association batches: POST /crm/v4/associations/{from}/{to}/batch/read responses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .pages import write_json

_DEAL_CONTACT = {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}
_PRIMARY = {"category": "USER_DEFINED", "typeId": 1001, "label": "Primary"}
_CONTACT_COMPANY = {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"}


def write_batches(folder: Path, from_ids: np.ndarray, pairs: pd.DataFrame, types, page_size: int) -> int:
    """One file per batch of `page_size` requested ids; ids without associations are left out."""
    pairs = pairs.sort_values(["from", "to"], kind="stable")
    frm = pairs["from"].to_numpy()
    to = pairs["to"].to_numpy().tolist()
    flag = pairs["flag"].to_numpy().tolist()
    batches = max(1, -(-len(from_ids) // page_size))
    for b in range(batches):
        wanted = from_ids[b * page_size : (b + 1) * page_size]
        starts = np.searchsorted(frm, wanted, "left").tolist()
        ends = np.searchsorted(frm, wanted, "right").tolist()
        results = [
            {
                "from": {"id": str(f)},
                "to": [{"toObjectId": int(to[k]), "associationTypes": types(flag[k])} for k in range(lo, hi)],
            }
            for f, lo, hi in zip(wanted.tolist(), starts, ends)
            if hi > lo
        ]
        write_json(folder / f"batch-{b + 1:05d}.json", {"status": "COMPLETE", "results": results})
    return batches


def write_associations(
    out: Path,
    deal_ids: np.ndarray,
    deal_links: pd.DataFrame,
    contact_ids: np.ndarray,
    company_links: pd.DataFrame,
    company_ids: np.ndarray,
    active_contact_ids: np.ndarray,
    page_size: int,
) -> None:
    folder = out / "hubspot" / "associations"
    deals = pd.DataFrame(
        {
            "from": deal_ids[deal_links["deal"].to_numpy()],
            "to": contact_ids[deal_links["rec"].to_numpy()],
            "flag": deal_links["is_primary"].to_numpy(),
        }
    )
    write_batches(
        folder / "deals_to_contacts",
        np.sort(deal_ids),
        deals,
        lambda primary: [_DEAL_CONTACT, _PRIMARY] if primary else [_DEAL_CONTACT],
        page_size,
    )
    companies = pd.DataFrame(
        {
            "from": contact_ids[company_links["rec"].to_numpy()],
            "to": company_ids[company_links["company"].to_numpy()],
            "flag": True,
        }
    )
    write_batches(
        folder / "contacts_to_companies",
        np.sort(active_contact_ids),
        companies,
        lambda _: [_CONTACT_COMPANY],
        page_size,
    )
