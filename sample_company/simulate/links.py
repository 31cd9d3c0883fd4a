"""Associations: which contact records a deal is linked to, which company a contact works for."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .records import PRIMARY


def primary_record(records: pd.DataFrame, n_people: int) -> np.ndarray:
    """Row of each person's primary record (where associations live after merges)."""
    rec = np.full(n_people, -1, dtype=np.int64)
    primaries = records[records["role"] == PRIMARY]
    rec[primaries["person"].to_numpy()] = primaries.index.to_numpy()
    return rec


def deal_contacts(deals: pd.DataFrame, records: pd.DataFrame, n_people: int) -> pd.DataFrame:
    """deal row, record row, is_primary: the primary contact and an optional colleague."""
    rec = primary_record(records, n_people)
    parts = []
    for column, is_primary in (("person", True), ("second_person", False)):
        person = deals[column].to_numpy()
        has = person >= 0
        parts.append(pd.DataFrame({"deal": np.flatnonzero(has), "rec": rec[person[has]], "is_primary": is_primary}))
    return pd.concat(parts, ignore_index=True).sort_values(["deal", "rec"], ignore_index=True)


def company_contacts(records: pd.DataFrame) -> pd.DataFrame:
    """Active records with a business address at a known company: rec, company."""
    linked = records[(records["company"] >= 0) & records["archived_at"].isna()]
    return pd.DataFrame({"rec": linked.index.to_numpy(), "company": linked["company"].to_numpy()})
