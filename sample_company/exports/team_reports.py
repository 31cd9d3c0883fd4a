"""How each team counts today, record by record: the numbers in reports/*.csv.

Each team pulls its report for month M at S_M = the first day of M+1, 09:00 UTC. A record
"exists at S_M" when its createdate <= S_M and it was not archived (deleted or merged) at or
before S_M; anything written after S_M is invisible to that report.

marketing / leads
    Contact records whose createdate falls in M read in UTC, that exist at S_M and whose
    lifecyclestage at S_M (latest history entry written at or before S_M) is lead or later.
    Test, internal, competitor, duplicate and later-merged or later-deleted records all count.
marketing / mqls
    Contact records whose hs_lifecyclestage_marketingqualifiedlead_date, as it stood at S_M
    (the latest value written at or before S_M), falls in M read in UTC, and that exist at S_M.
    A re-MQL overwrites the date, so a record can count again in a later month; a date written
    late (after S_M) with an instant in M is never counted.
sales / leads
    Contact records whose hs_lead_status was first set (any value) in M in the reporting
    timezone, that exist at S_M and whose lower-trimmed email does not match a test pattern.
    funnel.yml maps this metric to the canonical `mql` stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.clock import Clock, month_first_day, month_last_day, snapshot_ms, utc_month
from ..simulate.events import LEAD_STATUS, LIFECYCLE
from ..truth import contract

COUNT_COLUMNS = ["team", "metric", "month", "rec", "team_at", "repeat"]


def _exists(records: pd.DataFrame, rec: np.ndarray, at: np.ndarray) -> np.ndarray:
    created = records["created"].to_numpy()[rec]
    archived = records["archived_at"].to_numpy(np.float64)[rec]
    return (created <= at) & (np.isnan(archived) | (archived > at))


def team_counts(records: pd.DataFrame, events: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """One row per record a team counted: team, metric, month key, rec, the instant it used."""
    months = clock.period_months()
    life = events[events["prop"] == LIFECYCLE]
    parts = [
        _marketing_leads(records, life, months),
        _marketing_mqls(records, life, months),
        _sales_leads(records, events[events["prop"] == LEAD_STATUS], months, clock),
    ]
    return pd.concat(parts, ignore_index=True).sort_values(["team", "metric", "month", "rec"], ignore_index=True)


def _marketing_leads(records: pd.DataFrame, life: pd.DataFrame, months: np.ndarray) -> pd.DataFrame:
    created = records["created"].to_numpy()
    month = utc_month(created)
    ask = pd.DataFrame({"rec": np.arange(len(records)), "at": snapshot_ms(month), "month": month, "team_at": created})
    ask = ask.sort_values("at", kind="stable")
    seen = pd.merge_asof(
        ask,
        life[["rec", "ts", "value"]].sort_values("ts", kind="stable"),
        left_on="at",
        right_on="ts",
        by="rec",
        direction="backward",
    )
    rank = contract.lifecycle_ranks(seen["value"].to_numpy(dtype=object))
    rec = seen["rec"].to_numpy()
    keep = (rank >= contract.LIFECYCLE_RANK["lead"]) & np.isin(seen["month"].to_numpy(), months)
    keep &= _exists(records, rec, seen["at"].to_numpy())
    counted = seen[keep]
    return pd.DataFrame(
        {
            "team": "marketing",
            "metric": "leads",
            "month": counted["month"].to_numpy(),
            "rec": counted["rec"].to_numpy(),
            "team_at": counted["team_at"].to_numpy(),
            "repeat": False,
        }
    )


def _marketing_mqls(records: pd.DataFrame, life: pd.DataFrame, months: np.ndarray) -> pd.DataFrame:
    writes = life[life["value"] == "marketingqualifiedlead"].sort_values(["rec", "ts"], kind="stable")
    rec = writes["rec"].to_numpy()
    written = writes["ts"].to_numpy()
    value = writes["value_ts"].to_numpy()
    same_rec_next = np.append(rec[1:] == rec[:-1], False)
    next_written = np.where(same_rec_next, np.append(written[1:], 0), np.iinfo(np.int64).max)
    month = utc_month(value)
    at = snapshot_ms(month)
    keep = (written <= at) & (at < next_written) & np.isin(month, months) & _exists(records, rec, at)
    repeat = pd.Series(rec).groupby(rec).cumcount().to_numpy() > 0
    return pd.DataFrame(
        {
            "team": "marketing",
            "metric": "mqls",
            "month": month[keep],
            "rec": rec[keep],
            "team_at": value[keep],
            "repeat": repeat[keep],
        }
    )


def _sales_leads(records: pd.DataFrame, status: pd.DataFrame, months: np.ndarray, clock: Clock) -> pd.DataFrame:
    first = status.sort_values(["rec", "ts"], kind="stable").drop_duplicates("rec")
    rec = first["rec"].to_numpy()
    at = first["ts"].to_numpy()
    month = clock.local_month(at)
    lowered = contract.lower_trim(records["email"].to_numpy(dtype=object)[rec])
    keep = np.isin(month, months) & _exists(records, rec, snapshot_ms(month)) & ~contract.matches_test_pattern(lowered)
    return pd.DataFrame(
        {
            "team": "sales",
            "metric": "leads",
            "month": month[keep],
            "rec": rec[keep],
            "team_at": at[keep],
            "repeat": False,
        }
    )


def team_metrics(
    counts: pd.DataFrame,
    entries: pd.DataFrame,
    clock: Clock,
    metrics: tuple[tuple[str, str, str], ...] = contract.TEAM_METRICS,
    other_canonical: dict[tuple[str, str], np.ndarray] | None = None,
) -> pd.DataFrame:
    """team, metric, period, team_value, canonical_value for every team metric and month;
    `other_canonical` gives the canonical values (per month) of metrics that count no entries."""
    months = clock.period_months()
    entry_month = clock.local_month(entries["entered_at"].to_numpy())
    canonical_of = {
        (team, metric): pd.Series(entry_month[entries["stage"].to_numpy() == stage])
        .value_counts()
        .reindex(months, fill_value=0)
        .to_numpy()
        for team, metric, stage in metrics
    } | (other_canonical or {})
    rows = []
    for (team, metric), canonical_value in canonical_of.items():
        mine = counts[(counts["team"] == team) & (counts["metric"] == metric)]
        team_value = mine.groupby("month").size().reindex(months, fill_value=0).to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "team": team,
                    "metric": metric,
                    "month": months,
                    "team_value": team_value,
                    "canonical_value": canonical_value,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["period_start"] = month_first_day(out["month"].to_numpy())
    last = month_last_day(out["month"].to_numpy())
    out["period_end"] = np.minimum(last.astype("datetime64[D]"), np.datetime64(clock.last_day, "D")).astype(str)
    return out


def report_rows(metrics: pd.DataFrame, team: str) -> pd.DataFrame:
    """reports/<team>.csv: what the team publishes (team,metric,period_start,period_end,value)."""
    mine = metrics[metrics["team"] == team]
    return pd.DataFrame(
        {
            "team": team,
            "metric": mine["metric"].to_numpy(),
            "period_start": mine["period_start"].to_numpy(),
            "period_end": mine["period_end"].to_numpy(),
            "value": mine["team_value"].to_numpy(),
        }
    )
