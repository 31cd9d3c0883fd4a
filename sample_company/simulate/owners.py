"""The sales team: SDRs qualify leads, AEs own deals. Fixed names, so ids never move with the seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

_SDRS = ("Maya Brooks", "Leo Park", "Nina Alvarez", "Omar Haddad", "Grace Kim", "Tom Becker")
_AES = ("Rachel Stone", "Daniel Okafor", "Sofia Marino", "Ben Carter", "Hana Sato")
TEAMS = {"SDR": "4201001", "AE": "4201002"}


def build_owners() -> pd.DataFrame:
    """One row per owner: owner id (hubspot_owner_id), user id (history `userId:`), team."""
    names = _SDRS + _AES
    teams = ["SDR"] * len(_SDRS) + ["AE"] * len(_AES)
    first = [n.split()[0] for n in names]
    last = [n.split()[1] for n in names]
    return pd.DataFrame(
        {
            "owner_id": [str(71_000_101 + 7 * i) for i in range(len(names))],
            "user_id": np.arange(len(names), dtype=np.int64) * 13 + 9_100_017,
            "first_name": first,
            "last_name": last,
            "email": [f"{f.lower()}.{s.lower()}@acme-analytics.com" for f, s in zip(first, last)],
            "team": teams,
        }
    )


def team_members(owners: pd.DataFrame, team: str) -> np.ndarray:
    return np.flatnonzero(owners["team"].to_numpy() == team)
