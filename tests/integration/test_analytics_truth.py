"""The analytics marts against the generator's known answer, row for row.

Every expected frame is computed here with pandas from the truth CSV files alone (stage entries,
deals, spend) and the contract (stage order, targets, reporting timezone), following
docs/analytics.md; the pipeline runs once for the module and the marts must match exactly
(counts, cents) or within a float tolerance (rates, days).

What the truth cannot check is left out: the `segment` velocity slices (company sizes are not in
the truth), `marketing_influenced` pipeline (needs touchpoints), clicks and impressions, entries
per campaign (the person's campaign is not in the truth) and won deals per month (deals.csv has
no won date: only the all-time won totals per channel are checked).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

AS_OF = date(2026, 10, 31)  # the run's (last) reporting day
WINDOWS = (30, 60, 90)
RATE_TOLERANCE = 1e-12
DAYS_TOLERANCE = 1e-6
SHOWN = 10  # differences shown in a failure message


# --- the known answer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    entries: pd.DataFrame  # person_id, stage, entered_at (UTC), entered_date, month, channel, is_backfilled
    deals: pd.DataFrame  # + created_month (reporting timezone), amount_cents
    spend: pd.DataFrame  # date, month, channel, campaign, spend_cents
    stages: list[str]  # contract order
    targets: list[dict]
    timezone: str


def _cents(text: str) -> int:
    return int((Decimal(text) * 100).to_integral_exact())


def _month(dates: pd.Series) -> pd.Series:
    """'YYYY-MM-01' of ISO date strings."""
    return dates.str.slice(0, 7) + "-01"


def load_truth(truth_dir: Path, contract_file: Path) -> Truth:
    contract = yaml.safe_load(contract_file.read_text())
    timezone = contract["reporting"]["timezone"]
    stages = [stage["key"] for stage in contract["stages"]]

    entries = pd.read_csv(truth_dir / "stage_entries.csv", dtype={"person_id": str, "entered_date": str})
    entries["entered_at"] = pd.to_datetime(entries["entered_at"], utc=True, format="ISO8601")
    entries["month"] = _month(entries["entered_date"])
    entries["is_backfilled"] = entries["is_backfilled"].astype(str).str.lower().eq("true")

    deals = pd.read_csv(truth_dir / "deals.csv", dtype=str, keep_default_na=False)
    created = pd.to_datetime(deals["created_at"], utc=True, format="ISO8601").dt.tz_convert(timezone)
    deals["created_month"] = created.dt.strftime("%Y-%m-01")
    deals["amount_cents"] = deals["amount_reporting"].map(_cents)
    deals["is_won"] = deals["is_won"].str.lower().eq("true")

    spend = pd.read_csv(truth_dir / "spend_daily.csv", dtype=str, keep_default_na=False)
    spend["month"] = _month(spend["date"])
    spend["spend_cents"] = spend["spend_reporting"].map(_cents)

    return Truth(entries, deals, spend, stages, list(contract.get("targets") or []), timezone)


def _firsts(truth: Truth) -> pd.DataFrame:
    """First entries (reentry: first gives one per person and stage)."""
    return truth.entries.sort_values("entered_at").drop_duplicates(["person_id", "stage"])


def expected_cohort(truth: Truth, run_day: date) -> pd.DataFrame:
    firsts = _firsts(truth)
    dates = pd.to_datetime(firsts["entered_date"])
    by_stage = {stage: frame.set_index("person_id") for stage, frame in firsts.assign(day=dates).groupby("stage")}
    # People whose first entry into a stage is their own (not backfilled).
    real = {stage: set(frame.index[~frame["is_backfilled"]]) for stage, frame in by_stage.items()}
    rows = []
    for i, from_stage in enumerate(truth.stages):
        origin = by_stage.get(from_stage)
        if origin is None:
            continue
        for j in range(i + 1, len(truth.stages)):
            to_stage = truth.stages[j]
            reached = by_stage.get(to_stage, pd.DataFrame(columns=["day"]))
            days = (reached["day"].reindex(origin.index) - origin["day"]).dt.days
            has = reached["day"].reindex(origin.index).notna()
            between = truth.stages[i + 1 : j + 1]
            ordered = pd.Series(
                [all(person in real.get(stage, ()) for stage in between) for person in origin.index],
                index=origin.index,
            )
            for semantics, members, converted in (
                ("any_stage", pd.Series(True, index=origin.index), has),
                ("all_stages", ~origin["is_backfilled"], has & ordered),
            ):
                frame = pd.DataFrame({"cohort_month": origin["month"], "converted": converted, "days": days})[members]
                for month, cohort in frame.groupby("cohort_month"):
                    row = {
                        "cohort_month": month,
                        "semantics": semantics,
                        "from_stage": from_stage,
                        "to_stage": to_stage,
                        "cohort_size": len(cohort),
                    }
                    for window in WINDOWS:
                        row[f"converted_{window}d"] = int((cohort["converted"] & (cohort["days"] <= window)).sum())
                    row["converted_ever"] = int(cohort["converted"].sum())
                    rows.append(row)
    out = pd.DataFrame(rows)
    for window in (*[f"{w}d" for w in WINDOWS], "ever"):
        out[f"rate_{window}"] = out[f"converted_{window}"] / out["cohort_size"]
    month_end = pd.to_datetime(out["cohort_month"]) + pd.offsets.MonthEnd(0)
    out["cohort_age_days"] = (pd.Timestamp(run_day) - month_end).dt.days
    return out


def expected_period(truth: Truth) -> pd.DataFrame:
    counts = truth.entries.groupby(["month", "stage"]).size()
    rows = []
    for month in sorted(truth.entries["month"].unique()):
        for from_stage, to_stage in zip(truth.stages, truth.stages[1:], strict=False):
            from_entries = int(counts.get((month, from_stage), 0))
            to_entries = int(counts.get((month, to_stage), 0))
            rows.append(
                {
                    "month": month,
                    "from_stage": from_stage,
                    "to_stage": to_stage,
                    "from_entries": from_entries,
                    "to_entries": to_entries,
                    "conversion_rate": to_entries / from_entries if from_entries else np.nan,
                }
            )
    return pd.DataFrame(rows)


def expected_velocity(truth: Truth) -> pd.DataFrame:
    firsts = _firsts(truth)
    firsts = firsts[~firsts["is_backfilled"]].set_index("person_id")
    rows = []
    for i, from_stage in enumerate(truth.stages):
        origin = firsts[firsts["stage"] == from_stage]
        for to_stage in truth.stages[i + 1 :]:
            reached = firsts[firsts["stage"] == to_stage]
            both = origin.join(reached[["entered_at"]], how="inner", rsuffix="_to")
            both["days"] = (both["entered_at_to"] - both["entered_at"]).dt.total_seconds() / 86400
            slices = [("all", "all", both)] + [("channel", value, part) for value, part in both.groupby("channel")]
            for dimension, value, part in slices:
                if part.empty:
                    continue
                days = part["days"]
                rows.append(
                    {
                        "from_stage": from_stage,
                        "to_stage": to_stage,
                        "dimension": dimension,
                        "dimension_value": value,
                        "transitions": len(part),
                        "avg_days": days.mean(),
                        "median_days": days.quantile(0.5),
                        "p75_days": days.quantile(0.75),
                        "p90_days": days.quantile(0.9),
                    }
                )
    return pd.DataFrame(rows)


def expected_targets(truth: Truth, run_day: date) -> pd.DataFrame:
    counts = truth.entries.groupby(["month", "stage"]).size()
    rows = []
    for target in truth.targets:
        period = str(target["period"])
        year, month = int(period[:4]), int(period[5:7])
        start = date(year, month, 1)
        days = calendar.monthrange(year, month)[1]
        end = date(year, month, days)
        elapsed = days if run_day >= end else 0 if run_day < start else (run_day - start).days + 1
        actual = int(counts.get((start.isoformat(), target["stage"]), 0))
        value = float(target["value"])
        expected_to_date = value * elapsed / days if elapsed else np.nan
        rows.append(
            {
                "period": period,
                "stage": target["stage"],
                "target": value,
                "actual": actual,
                "attainment": actual / value if value else np.nan,
                "is_current_period": start <= run_day <= end,
                "days_in_period": days,
                "days_elapsed": elapsed,
                "expected_to_date": expected_to_date,
                "pace": actual / expected_to_date if elapsed and expected_to_date else np.nan,
                "projected": actual * days / elapsed if elapsed else np.nan,
            }
        )
    return pd.DataFrame(rows)


def expected_sourced_pipeline(truth: Truth) -> pd.DataFrame:
    deals = truth.deals.assign(contribution=truth.deals["sourced_by"] + "_sourced")
    out = deals.groupby(["created_month", "pipeline", "source_channel", "contribution"], as_index=False).agg(
        opportunities=("deal_id", "size"), pipeline_cents=("amount_cents", "sum")
    )
    return out.rename(columns={"created_month": "month", "pipeline": "pipeline_id", "source_channel": "channel"})


def expected_efficiency(truth: Truth) -> pd.DataFrame:
    """month × channel: spend and entries per stage, and cost per lead at that rollup."""
    spend = truth.spend.groupby(["month", "channel"])["spend_cents"].sum()
    entries = truth.entries.groupby(["month", "channel", "stage"]).size().unstack("stage", fill_value=0)
    entries = entries.reindex(columns=truth.stages, fill_value=0).add_suffix("_entries")
    out = pd.concat([spend, entries], axis=1).fillna(0)
    out = out.astype({column: "int64" for column in out.columns}).reset_index()
    first = f"{truth.stages[0]}_entries"
    out[f"cost_per_{truth.stages[0]}"] = np.where(
        out[first] > 0, out["spend_cents"] / 100 / out[first].where(out[first] > 0, 1), np.nan
    )
    return out


def expected_campaign_spend(truth: Truth) -> pd.DataFrame:
    return truth.spend.groupby(["month", "channel", "campaign"], as_index=False)["spend_cents"].sum()


# --- comparing -------------------------------------------------------------------------------


def _show(frame: pd.DataFrame) -> str:
    return "\n".join("  " + repr(tuple(row)) for row in frame.head(SHOWN).itertuples(index=False))


def assert_same_rows(
    name: str,
    expected: pd.DataFrame,
    mart: pd.DataFrame,
    keys: list[str],
    exact: list[str] = (),
    close: dict[str, float] | None = None,
) -> None:
    """Every expected row is in the mart and vice versa (by key), with equal values."""
    close = close or {}
    problems = []
    for label, frame in (("expected", expected), ("mart", mart)):
        duplicated = frame[frame.duplicated(keys, keep=False)]
        if len(duplicated):
            problems.append(f"{len(duplicated)} {label} rows with a duplicated key:\n{_show(duplicated[keys])}")
    columns = [*keys, *exact, *close]
    merged = expected[columns].merge(
        mart[columns], on=keys, how="outer", suffixes=("_expected", "_mart"), indicator=True
    )
    for side, label in (("left_only", "only expected (missing from the mart)"), ("right_only", "only in the mart")):
        rows = merged[merged["_merge"] == side].sort_values(keys)
        if len(rows):
            problems.append(f"{len(rows)} rows {label}:\n{_show(rows[keys])}")
    both = merged[merged["_merge"] == "both"]
    for column in [*exact, *close]:
        want, got = both[f"{column}_expected"], both[f"{column}_mart"]
        missing = want.isna() & got.isna()
        if column in close:
            equal = (want.astype(float) - got.astype(float)).abs() <= close[column]
        else:
            equal = want.astype(object) == got.astype(object)
        wrong = both[~(equal.fillna(False) | missing)].sort_values(keys)
        if len(wrong):
            problems.append(
                f"{len(wrong)} rows with a different {column} (key…, expected, mart):\n"
                + _show(wrong[[*keys, f"{column}_expected", f"{column}_mart"]])
            )
    assert not problems, f"{name}: {len(expected)} expected rows, {len(mart)} mart rows\n" + "\n".join(problems)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline_run(analytics_run):
    """The shared run of the sample company as of AS_OF (tests/conftest.py)."""
    return analytics_run


@pytest.fixture(scope="module")
def truth(sample_data, pipeline_run) -> Truth:
    return load_truth(sample_data / "truth", pipeline_run.settings.contract)


# --- tests -----------------------------------------------------------------------------------


def test_cohort_conversion_equals_the_truth(pipeline_run, truth):
    expected = expected_cohort(truth, AS_OF)
    assert len(expected) > 20 and set(expected["semantics"]) == {"any_stage", "all_stages"}
    assert (expected["converted_90d"] > 0).any() and (expected["converted_ever"] > expected["converted_30d"]).any()
    # The two semantics really differ on this company (backfilled stages exist).
    sizes = expected.pivot_table(
        index=["cohort_month", "from_stage", "to_stage"], columns="semantics", values="cohort_size", fill_value=0
    )
    assert (sizes["any_stage"] > sizes["all_stages"]).any()
    counts = [f"converted_{w}d" for w in WINDOWS] + ["converted_ever"]
    rates = [f"rate_{w}d" for w in WINDOWS] + ["rate_ever"]
    mart = pipeline_run.query(f"""
        select strftime(cohort_month, '%Y-%m-%d') as cohort_month, semantics, from_stage, to_stage,
               cast(cohort_size as bigint) as cohort_size,
               {", ".join(f"cast({c} as bigint) as {c}" for c in counts)},
               {", ".join(f"cast({r} as double) as {r}" for r in rates)},
               cast(cohort_age_days as bigint) as cohort_age_days
        from marts.funnel_conversion_cohort""")
    assert_same_rows(
        "funnel_conversion_cohort",
        expected,
        mart,
        keys=["cohort_month", "semantics", "from_stage", "to_stage"],
        exact=["cohort_size", *counts, "cohort_age_days"],
        close=dict.fromkeys(rates, RATE_TOLERANCE),
    )


def test_period_conversion_equals_the_truth(pipeline_run, truth):
    expected = expected_period(truth)
    assert len(expected) > 20 and expected["to_entries"].sum() > 0
    mart = pipeline_run.query("""
        select strftime(month, '%Y-%m-%d') as month, from_stage, to_stage,
               cast(from_entries as bigint) as from_entries, cast(to_entries as bigint) as to_entries,
               cast(conversion_rate as double) as conversion_rate
        from marts.funnel_conversion_period""")
    assert_same_rows(
        "funnel_conversion_period",
        expected,
        mart,
        keys=["month", "from_stage"],
        exact=["to_stage", "from_entries", "to_entries"],
        close={"conversion_rate": RATE_TOLERANCE},
    )


def test_velocity_overall_and_by_channel_equals_the_truth(pipeline_run, truth):
    expected = expected_velocity(truth)
    assert len(expected) > 20 and (expected["median_days"] > 1).any()
    assert set(expected["dimension"]) == {"all", "channel"}
    mart = pipeline_run.query("""
        select from_stage, to_stage, dimension, dimension_value, cast(transitions as bigint) as transitions,
               avg_days, median_days, p75_days, p90_days
        from marts.funnel_velocity where dimension in ('all', 'channel')""")
    assert_same_rows(
        "funnel_velocity",
        expected,
        mart,
        keys=["from_stage", "to_stage", "dimension", "dimension_value"],
        exact=["transitions"],
        close=dict.fromkeys(["avg_days", "median_days", "p75_days", "p90_days"], DAYS_TOLERANCE),
    )


def test_velocity_segments_cover_the_same_transitions(pipeline_run):
    """The segment and first-touch-speed slices are not in the truth, but they partition the same
    transitions."""
    mart = pipeline_run.query("""
        select from_stage, to_stage, dimension, cast(sum(transitions) as bigint) as transitions
        from marts.funnel_velocity group by all""")
    totals = mart.pivot_table(index=["from_stage", "to_stage"], columns="dimension", values="transitions")
    assert set(totals.columns) == {"all", "channel", "segment", "first_touch_speed"}
    for dimension in ("channel", "segment", "first_touch_speed"):
        assert (totals[dimension] == totals["all"]).all(), dimension


def test_targets_vs_actuals_equals_the_truth(pipeline_run, truth):
    expected = expected_targets(truth, AS_OF)
    assert len(expected) == len(truth.targets) >= 4
    assert (expected.loc[expected["days_elapsed"] > 0, "actual"] > 0).all()
    current = expected[expected["is_current_period"]]
    assert list(current["period"].unique()) == ["2026-10"] and (current["days_elapsed"] == 31).all()
    mart = pipeline_run.query("""
        select period, stage, cast(target as double) as target, cast(actual as bigint) as actual,
               cast(attainment as double) as attainment, is_current_period,
               cast(days_in_period as bigint) as days_in_period, cast(days_elapsed as bigint) as days_elapsed,
               cast(expected_to_date as double) as expected_to_date, cast(pace as double) as pace,
               cast(projected as double) as projected
        from marts.targets_vs_actuals""")
    assert_same_rows(
        "targets_vs_actuals",
        expected,
        mart,
        keys=["period", "stage"],
        exact=["actual", "is_current_period", "days_in_period", "days_elapsed"],
        close=dict.fromkeys(["target", "attainment", "expected_to_date", "pace", "projected"], RATE_TOLERANCE),
    )


def test_sourced_pipeline_equals_the_truth(pipeline_run, truth):
    expected = expected_sourced_pipeline(truth)
    assert len(expected) > 20 and expected["opportunities"].sum() == len(truth.deals) > 100
    assert {"marketing_sourced", "sales_sourced", "partner_sourced"} <= set(expected["contribution"])
    mart = pipeline_run.query("""
        select strftime(month, '%Y-%m-%d') as month, pipeline_id, channel, contribution,
               cast(opportunities as bigint) as opportunities,
               cast(round(pipeline_amount * 100) as bigint) as pipeline_cents
        from marts.pipeline_contribution""")
    assert set(mart["contribution"]) <= {
        "marketing_sourced",
        "sales_sourced",
        "partner_sourced",
        "marketing_influenced",
    }
    sourced = mart[mart["contribution"] != "marketing_influenced"]
    assert_same_rows(
        "pipeline_contribution (sourced)",
        expected,
        sourced,
        keys=["month", "pipeline_id", "channel", "contribution"],
        exact=["opportunities", "pipeline_cents"],
    )
    # Influenced rows count a deal once per channel: never more deals than were created.
    influenced = mart[mart["contribution"] == "marketing_influenced"]
    assert len(influenced) > 0
    created = expected.groupby(["month", "pipeline_id"])["opportunities"].sum()
    over = influenced[
        [row.opportunities > created.get((row.month, row.pipeline_id), 0) for row in influenced.itertuples()]
    ]
    assert over.empty, f"influenced deals exceed the deals created:\n{_show(over)}"


def test_marketing_efficiency_by_month_and_channel_equals_the_truth(pipeline_run, truth):
    expected = expected_efficiency(truth)
    entry_columns = [f"{stage}_entries" for stage in truth.stages]
    first_cost = f"cost_per_{truth.stages[0]}"
    assert len(expected) > 20 and (expected["spend_cents"] > 0).sum() > 20
    mart_rows = pipeline_run.query(f"""
        select strftime(month, '%Y-%m-%d') as month, channel, coalesce(campaign, '') as campaign,
               cast(round(spend * 100) as bigint) as spend_cents,
               {", ".join(f"cast({c} as bigint) as {c}" for c in entry_columns)},
               cast(won_deals as bigint) as won_deals, cast(round(won_revenue * 100) as bigint) as won_cents
        from marts.marketing_efficiency""")
    rolled = mart_rows.groupby(["month", "channel"], as_index=False)[
        ["spend_cents", *entry_columns, "won_deals", "won_cents"]
    ].sum()
    first = entry_columns[0]
    rolled[first_cost] = np.where(
        rolled[first] > 0, rolled["spend_cents"] / 100 / rolled[first].where(rolled[first] > 0, 1), np.nan
    )
    # Cells with won deals only (no spend, no entries) are beyond the truth: leave them out.
    keys = ["month", "channel"]
    known = rolled.merge(expected[keys], on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    won_only = ~known & (rolled["spend_cents"] == 0).to_numpy() & (rolled[entry_columns].sum(axis=1) == 0).to_numpy()
    rolled = rolled[~won_only]
    assert_same_rows(
        "marketing_efficiency (month × channel)",
        expected,
        rolled,
        keys=keys,
        exact=["spend_cents", *entry_columns],
        close={first_cost: 1e-9},
    )


def test_marketing_efficiency_ratios_and_flags_follow_their_definitions(pipeline_run, truth):
    """Row by row: cost per stage, CAC and ROAS are their quotients (null on a 0 denominator)."""
    stages = truth.stages
    paid = set(yaml.safe_load(pipeline_run.settings.contract.read_text())["ad_platforms"].values())
    rows = pipeline_run.query(f"""
        select strftime(month, '%Y-%m-%d') as month, channel, coalesce(campaign, '') as campaign,
               cast(spend as double) as spend, cast(won_revenue as double) as won_revenue,
               {", ".join(f"cast({s}_entries as bigint) as {s}_entries" for s in stages)},
               {", ".join(f"cast(cost_per_{s} as double) as cost_per_{s}" for s in stages)},
               cast(cac as double) as cac, cast(roas as double) as roas,
               has_spend_without_leads, has_leads_without_spend
        from marts.marketing_efficiency""")
    assert len(rows) > 100 and rows["cost_per_" + stages[0]].notna().sum() > 20
    keys = ["month", "channel", "campaign"]
    expected = rows[keys].copy()
    for stage in stages:
        entries = rows[f"{stage}_entries"]
        expected[f"cost_per_{stage}"] = rows["spend"] / entries.where(entries > 0)
    expected["cac"] = expected[f"cost_per_{stages[-1]}"]
    expected["roas"] = rows["won_revenue"] / rows["spend"].where(rows["spend"] != 0)
    first = rows[f"{stages[0]}_entries"]
    expected["has_spend_without_leads"] = (rows["spend"] > 0) & (first == 0)
    expected["has_leads_without_spend"] = rows["channel"].isin(paid) & (first > 0) & (rows["spend"] == 0)
    ratios = [*[f"cost_per_{s}" for s in stages], "cac", "roas"]
    assert_same_rows(
        "marketing_efficiency (ratios)",
        expected,
        rows,
        keys=keys,
        exact=["has_spend_without_leads", "has_leads_without_spend"],
        close=dict.fromkeys(ratios, 1e-9),
    )


def test_marketing_efficiency_spend_per_campaign_equals_the_truth(pipeline_run, truth):
    expected = expected_campaign_spend(truth)
    assert len(expected) > 50
    mart = pipeline_run.query("""
        select strftime(month, '%Y-%m-%d') as month, channel, coalesce(campaign, '') as campaign,
               cast(round(spend * 100) as bigint) as spend_cents
        from marts.marketing_efficiency where spend <> 0""")
    assert_same_rows(
        "marketing_efficiency (spend per campaign)",
        expected,
        mart,
        keys=["month", "channel", "campaign"],
        exact=["spend_cents"],
    )


def test_marketing_efficiency_won_deals_add_up_to_the_won_deals(pipeline_run, truth):
    """deals.csv has no won date, so only the all-time totals per source channel are checked."""
    won = truth.deals[truth.deals["is_won"]]
    expected = (
        won.groupby("source_channel", as_index=False)
        .agg(won_deals=("deal_id", "size"), won_cents=("amount_cents", "sum"))
        .rename(columns={"source_channel": "channel"})
    )
    assert expected["won_deals"].sum() > 20
    mart = pipeline_run.query("""
        select channel, cast(sum(won_deals) as bigint) as won_deals,
            cast(round(sum(won_revenue) * 100) as bigint) as won_cents
        from marts.marketing_efficiency group by channel having sum(won_deals) > 0""")
    assert_same_rows(
        "marketing_efficiency (won, all months)", expected, mart, keys=["channel"], exact=["won_deals", "won_cents"]
    )
