"""truth/: the known answer the warehouse must reproduce, as CSV files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..exports.pages import write_csv
from ..simulate.clock import iso, iso_dates
from . import contract
from .people_truth import PeopleTruth

_STAGE_ORDER = {stage: i for i, stage in enumerate(contract.STAGES)}


def people_table(truth: PeopleTruth) -> pd.DataFrame:
    p = truth.people
    table = pd.DataFrame(
        {
            "person_id": p["person_id"].to_numpy(),
            "contact_ids": p["contact_ids"].to_numpy(),
            "channel": p["channel"].to_numpy(),
            "owner_id": p["owner_id"].to_numpy(dtype=object),
            "is_excluded": p["is_excluded"].to_numpy(dtype=bool),
            "exclusion_reason": p["exclusion_reason"].to_numpy(dtype=object),
        }
    )
    for stage in contract.STAGES:
        table[f"{stage}_at"] = iso(p[f"{stage}_at"].to_numpy(np.float64))
    return table


def entries_table(truth: PeopleTruth) -> pd.DataFrame:
    e = truth.entries
    return pd.DataFrame(
        {
            "person_id": e["person_id"].to_numpy(),
            "stage": e["stage"].to_numpy(),
            "entered_at": iso(e["entered_at"].to_numpy(np.float64)),
            "entered_date": iso_dates(e["entered_date"].to_numpy()),
            "channel": e["channel"].to_numpy(),
            "is_backfilled": e["is_backfilled"].to_numpy(dtype=bool),
        }
    )


def funnel_daily(truth: PeopleTruth) -> pd.DataFrame:
    e = truth.entries
    daily = pd.DataFrame(
        {
            "date": iso_dates(e["entered_date"].to_numpy()),
            "channel": e["channel"].to_numpy(),
            "stage": e["stage"].to_numpy(),
        }
    )
    daily = daily.groupby(["date", "channel", "stage"], as_index=False).size().rename(columns={"size": "entries"})
    daily["order"] = daily["stage"].map(_STAGE_ORDER)
    return daily.sort_values(["date", "channel", "order"], ignore_index=True).drop(columns="order")


def records_table(records: pd.DataFrame, truth: PeopleTruth) -> pd.DataFrame:
    """Extra: which person each contact record belongs to (tests int_people_resolved directly)."""
    table = pd.DataFrame(
        {
            "record_id": records["id"].to_numpy(),
            "person_id": truth.record_person,
            "archived": records["archived_at"].notna().to_numpy(),
            "archive_kind": records["archive_kind"].to_numpy(dtype=object),
        }
    )
    table["is_principal"] = table["record_id"].to_numpy() == table["person_id"].to_numpy()
    return table.sort_values("record_id", ignore_index=True)


def touchpoints_table(touches: pd.DataFrame) -> pd.DataFrame:
    return touches.assign(touched_at=iso(touches["touched_at"].to_numpy(np.float64)))


def speed_to_lead_table(speed: pd.DataFrame) -> pd.DataFrame:
    return speed.assign(
        entered_at=iso(speed["entered_at"].to_numpy(np.float64)),
        first_sales_touch_at=iso(speed["first_sales_touch_at"].to_numpy(np.float64)),
    )


def engagements_table(engagements: pd.DataFrame) -> pd.DataFrame:
    return engagements.assign(occurred_at=iso(engagements["occurred_at"].to_numpy(np.float64)))


def write_truth(
    out: Path,
    truth: PeopleTruth,
    records: pd.DataFrame,
    deals: pd.DataFrame,
    spend: pd.DataFrame,
    metrics: pd.DataFrame,
    diverging: pd.DataFrame,
    records_csv: pd.DataFrame | None = None,
    touches: pd.DataFrame | None = None,
    speed: pd.DataFrame | None = None,
    engagements: pd.DataFrame | None = None,
) -> dict:
    """`records_csv` replaces the HubSpot-only records.csv (the Salesforce variant's has systems).
    Touchpoints, speed to lead and the engagements (each one, its person, whether it is a sales
    touch and why) are written when given."""
    folder = out / "truth"
    tables = {
        "people.csv": people_table(truth),
        "stage_entries.csv": entries_table(truth),
        "funnel_daily.csv": funnel_daily(truth),
        "deals.csv": deals,
        "spend_daily.csv": spend,
        "team_metrics.csv": metrics[["team", "metric", "period_start", "period_end", "team_value", "canonical_value"]],
        "divergences.csv": diverging,
        "records.csv": records_table(records, truth) if records_csv is None else records_csv,
    }
    if touches is not None:
        tables["touchpoints.csv"] = touchpoints_table(touches)
    if speed is not None:
        tables["speed_to_lead.csv"] = speed_to_lead_table(speed)
    if engagements is not None:
        tables["engagements.csv"] = engagements_table(engagements)
    for name, table in tables.items():
        write_csv(folder / name, table)
    return {name.removesuffix(".csv"): len(table) for name, table in tables.items()}
