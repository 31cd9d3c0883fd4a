"""Attribution credit and influenced pipeline recomputed with pandas from the generator's truth
(touchpoints, stage entries, deals) and compared with the marts, for every model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

DAY = pd.Timedelta(days=1)


def _truth(sample_data: Path, name: str, **parse) -> pd.DataFrame:
    return pd.read_csv(sample_data / "truth" / name, dtype=str, keep_default_na=False, **parse)


def _policies(project) -> tuple[int, float, str]:
    contract = yaml.safe_load(project.settings.contract.read_text())
    policies = contract["policies"]
    return policies["attribution_window_days"], policies["attribution_half_life_days"], contract["stages"][0]["key"]


def _credits(group: pd.DataFrame, lead_at: pd.Timestamp | None, half_life: float) -> dict[str, np.ndarray]:
    """Credit per touch (rows sorted by time) under each model, straight from docs/analytics.md."""
    n = len(group)
    first, last = np.zeros(n), np.zeros(n)
    first[0], last[-1] = 1.0, 1.0
    u = np.full(n, 0.2 / (n - 2)) if n > 2 else np.full(n, 1.0 / n)
    if n > 2:
        u[0] = u[-1] = 0.4
    before_lead = np.flatnonzero(group["touched_at"].to_numpy() <= lead_at) if lead_at is not None else []
    milestones = [0, before_lead[-1] if len(before_lead) else 0, n - 1]
    slots = np.bincount(milestones, minlength=n).astype(float)
    others = n - len(set(milestones))
    w = 0.3 * slots + np.where(slots == 0, 0.1 / others if others else 0.0, 0.0 if others else 0.1 * slots / 3)
    days = (group["converted_at"] - group["touched_at"]).dt.total_seconds().to_numpy() / 86400
    decay = 0.5 ** (days / half_life)
    return {
        "first_touch": first,
        "last_touch": last,
        "linear": np.full(n, 1.0 / n),
        "u_shaped": u,
        "w_shaped": w,
        "time_decay": decay / decay.sum(),
    }


def expected_credit(sample_data: Path, project) -> pd.DataFrame:
    window, half_life, first_stage = _policies(project)
    touches = _truth(sample_data, "touchpoints.csv")
    touches["touched_at"] = pd.to_datetime(touches["touched_at"], utc=True)
    entries = _truth(sample_data, "stage_entries.csv")
    entries["converted_at"] = pd.to_datetime(entries["entered_at"], utc=True)
    lead_at = entries[entries["stage"] == first_stage].set_index("person_id")["converted_at"]
    joined = entries[["person_id", "stage", "converted_at"]].merge(
        touches[["person_id", "touched_at", "channel"]], on="person_id"
    )
    joined = joined[
        (joined["touched_at"] <= joined["converted_at"])
        & (joined["touched_at"] > joined["converted_at"] - window * DAY)
    ]
    rows = []
    for (person, stage), group in joined.sort_values("touched_at").groupby(["person_id", "stage"], sort=False):
        for model, credit in _credits(group, lead_at.get(person), half_life).items():
            rows += [
                (f"{person}:{stage}", model, t.isoformat(), ch, c)
                for t, ch, c in zip(group["touched_at"], group["channel"], credit)
                if c > 0
            ]
    frame = pd.DataFrame(rows, columns=["conversion_id", "model", "touched_at", "channel", "credit"])
    return frame.groupby(["conversion_id", "model", "touched_at", "channel"], as_index=False)["credit"].sum()


def test_stage_conversion_credit_equals_the_truth_under_every_model(analytics_run, sample_data):
    expected = expected_credit(sample_data, analytics_run)
    mart = analytics_run.query("""
        select conversion_id, model, touched_at, channel, sum(credit) as credit
        from marts.attribution_credit
        where conversion_type <> 'won_deal' and touchpoint_id is not null
        group by all""")
    mart["touched_at"] = pd.to_datetime(mart["touched_at"], utc=True).map(lambda t: t.isoformat())
    assert len(expected) > 10_000 and expected["model"].nunique() == 6
    merged = expected.merge(
        mart,
        on=["conversion_id", "model", "touched_at", "channel"],
        how="outer",
        suffixes=("_truth", "_mart"),
        indicator=True,
    )
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, missing.head(10).to_string()
    off = merged[(merged["credit_truth"] - merged["credit_mart"]).abs() > 1e-9]
    assert off.empty, off.head(10).to_string()


def test_influenced_pipeline_equals_the_truth(analytics_run, sample_data):
    window, _, _ = _policies(analytics_run)
    contract = yaml.safe_load(analytics_run.settings.contract.read_text())
    marketing = {ch["key"] for ch in contract["channels"] if ch["sourced_by"] == "marketing"}
    timezone = contract["reporting"]["timezone"]
    deals = _truth(sample_data, "deals.csv")
    deals["created_at"] = pd.to_datetime(deals["created_at"], utc=True)
    deals["amount"] = deals["amount_reporting"].map(float)
    touches = _truth(sample_data, "touchpoints.csv")
    touches["touched_at"] = pd.to_datetime(touches["touched_at"], utc=True)
    touches = touches[touches["channel"].isin(marketing)]
    pairs = deals.merge(touches, left_on="primary_person_id", right_on="person_id")
    pairs = pairs[
        (pairs["touched_at"] <= pairs["created_at"]) & (pairs["touched_at"] > pairs["created_at"] - window * DAY)
    ]
    pairs = pairs.drop_duplicates(["deal_id", "channel"])
    pairs["month"] = pairs["created_at"].dt.tz_convert(timezone).dt.strftime("%Y-%m-01")
    expected = pairs.groupby(["month", "pipeline", "channel"]).agg(deals=("deal_id", "size"), amount=("amount", "sum"))
    expected = {key: (n, round(a, 2)) for key, (n, a) in expected.iterrows()}
    mart = analytics_run.query("""
        select strftime(month, '%Y-%m-%d') as month, pipeline_id, channel, opportunities, pipeline_amount::double
        from marts.pipeline_contribution where contribution = 'marketing_influenced'""")
    got = {(m, p, c): (n, round(a, 2)) for m, p, c, n, a in mart.itertuples(index=False)}
    assert len(expected) > 20 and sum(n for n, _ in expected.values()) > 50
    assert got == expected
