"""Human-readable detail of each divergence row: ids, months and dates only, never personal data."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..simulate.clock import Clock, iso, iso_dates, month_label


def _month_text(keys: np.ndarray) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.float64)
    out = np.full(len(keys), "none", dtype=object)
    ok = ~np.isnan(keys) & (keys >= 0)
    out[ok] = month_label(keys[ok].astype(np.int64))
    return out


def _day_text(ms: np.ndarray, clock: Clock, utc: bool) -> np.ndarray:
    """Dates as the reader of each side sees them: UTC for marketing, reporting timezone otherwise."""
    ms = np.asarray(ms, dtype=np.float64)
    if utc:
        return np.array([t[:10] if t else "none" for t in iso(ms)], dtype=object)
    out = np.full(len(ms), "none", dtype=object)
    ok = ~np.isnan(ms)
    out[ok] = iso_dates(clock.local_dates(ms[ok].astype(np.int64)))
    return out


def team_only_details(
    t: pd.DataFrame,
    reason: np.ndarray,
    excluded: np.ndarray,
    c_month: np.ndarray,
    entered: np.ndarray,
    src_rec: np.ndarray,
    ids: np.ndarray,
    clock: Clock,
    utc_team: bool,
    label: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    rec_id = t["rec_id"].to_numpy()
    person = t["person"].to_numpy() if label is None else label(t["person"].to_numpy())
    canon_text = _month_text(c_month)
    team_day = _day_text(t["team_at"].to_numpy(np.float64), clock, utc_team)
    out = []
    for i, r in enumerate(reason):
        if r.startswith("excluded") or r == "archived":
            out.append(f"record {rec_id[i]} is person {person[i]}, excluded as {excluded[i]}")
        elif r == "duplicate_merged":
            via = f" via record {ids[int(src_rec[i])]}" if not np.isnan(src_rec[i]) else ""
            out.append(f"record {rec_id[i]} is person {person[i]}; canonical entry {canon_text[i]}{via}")
        elif r == "late_update":
            out.append(f"record {rec_id[i]}: canonical entry {canon_text[i]} was written late")
        elif r == "reentry":
            out.append(f"record {rec_id[i]} qualified again; person {person[i]} first entered {canon_text[i]}")
        elif r == "timezone_boundary":
            out.append(
                f"entered {iso(entered[i : i + 1])[0]}: {canon_text[i]} in {clock.timezone}, another month in UTC"
            )
        elif r == "not_in_marketing":
            out.append(f"record {rec_id[i]} is person {person[i]}, sourced by sales; canonical entry {canon_text[i]}")
        else:
            out.append(f"team dated record {rec_id[i]} {team_day[i]}; canonical entry {canon_text[i]}")
    return np.array(out, dtype=object)


def canonical_only_details(
    c: pd.DataFrame,
    reason: np.ndarray,
    stage: str,
    t: pd.DataFrame,
    ids: np.ndarray,
    clock: Clock,
    label: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    mine = t[t["person"].isin(c["person_id"])].drop_duplicates(["person", "month"]).sort_values(["person", "month"])
    seen = (
        pd.Series(month_label(mine["month"].to_numpy()), index=mine["person"].to_numpy()).groupby(level=0).agg(",".join)
    )
    entered = iso(c["entered_at"].to_numpy(np.float64))
    local_day = _day_text(c["entered_at"].to_numpy(np.float64), clock, utc=False)
    person_key = c["person_id"].to_numpy()
    person = person_key if label is None else label(person_key)
    src_rec = c["src_rec"].to_numpy()
    src_value = iso(c["src_value_ts"].to_numpy(np.float64))
    out = []
    for i, r in enumerate(reason):
        months = seen.get(person_key[i], "no month")
        if r == "late_update":
            out.append(f"person {person[i]}: entry written {entered[i]} for an instant of {src_value[i]}")
        elif r == "duplicate_merged":
            out.append(f"person {person[i]} entered on record {ids[src_rec[i]]}, merged away before the report")
        elif r == "stage_skipped_backfilled":
            out.append(
                f"person {person[i]} reached {stage} through a later stage on record {ids[src_rec[i]]}; no MQL date"
            )
        elif r == "timezone_boundary":
            out.append(f"entered {entered[i]}: in {clock.timezone} month, another month in UTC")
        elif r == "not_in_crm":
            out.append(f"person {person[i]} never got an hs_lead_status")
        else:
            out.append(f"canonical entry {local_day[i]}; team counted person {person[i]} in {months}")
    return np.array(out, dtype=object)
