"""Touchpoints and speed to lead against the generator's known answer (truth/touchpoints.csv,
truth/speed_to_lead.csv), on the daily run of the sample company the analytics tests share."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from funnel.config import PROJECT_ROOT
from sample_company import contract

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'"
TOUCH_TYPES = {"ad_click", "email_click", "form_submission", "event", "record_created", "sales_activity"}

TOUCHPOINTS = (
    f"select person_id, strftime(touched_at, {ISO}), touch_type, channel, coalesce(campaign, '') "
    "from marts.attribution_touchpoints",
    "select person_id, touched_at, touch_type, channel, coalesce(campaign, '') "
    "from read_csv('{truth}/touchpoints.csv', all_varchar=true)",
)
SPEED_TO_LEAD = (
    f"select sla_stage, from_stage, person_id, strftime(entered_at, {ISO}), "
    f"coalesce(strftime(first_sales_touch_at, {ISO}), ''), sla_status from marts.sla_speed_to_lead",
    "select sla_stage, from_stage, person_id, entered_at, coalesce(first_sales_touch_at, ''), sla_status "
    "from read_csv('{truth}/speed_to_lead.csv', all_varchar=true)",
)


def _rows(project, truth_dir: Path, queries: tuple[str, str]) -> tuple[Counter, Counter]:
    """(mart rows, truth rows) as multisets: two touches may share every compared column."""
    return Counter(project.rows(queries[0])), Counter(project.rows(queries[1].format(truth=truth_dir)))


def _report(name: str, mart: Counter, truth: Counter) -> str:
    only_truth, only_mart = sorted((truth - mart).elements()), sorted((mart - truth).elements())
    lines = [f"{name}: {len(only_truth)} rows only in truth, {len(only_mart)} only in the mart"]
    lines += [f"  truth-only {row}" for row in only_truth[:15]]
    lines += [f"  mart-only  {row}" for row in only_mart[:15]]
    return "\n".join(lines)


def test_generator_follows_the_contract_for_touches():
    """The generator restates the contract instead of reading it; hold the two together."""
    raw = yaml.safe_load((PROJECT_ROOT / "funnel.yml").read_text())
    assert contract.UTM_MEDIUMS == raw["utm_mediums"]
    assert contract.PAID_CHANNELS == tuple(sorted(set(raw["ad_platforms"].values())))
    assert contract.SALES_CHANNEL == next(c["key"] for c in raw["channels"] if c["sourced_by"] == "sales")
    keys = [stage["key"] for stage in raw["stages"]]
    slas = {
        s["key"]: (s.get("sla_from") or keys[keys.index(s["key"]) - 1], s["sla_hours"])
        for s in raw["stages"]
        if s.get("sla_hours")
    }
    assert contract.SLAS == slas
    hours = raw["policies"].get("sla_business_hours")
    assert contract.SLA_BUSINESS_HOURS == (
        contract.BusinessHours(tuple(hours["days"]), hours["start"], hours["end"]) if hours else None
    )
    direct = next(
        c["key"]
        for c in raw["channels"]
        for when in (c["when"] if isinstance(c["when"], list) else [c["when"]])
        if "DIRECT_TRAFFIC" in when.get("original_source", [])
    )
    assert contract.DIRECT_TRAFFIC_CHANNEL == direct


def test_touchpoints_equal_ground_truth(analytics_run, sample_data):
    mart, truth = _rows(analytics_run, sample_data / "truth", TOUCHPOINTS)
    types = Counter(row[2] for row in truth.elements())
    assert set(types) == TOUCH_TYPES, types
    assert min(types.values()) > 0 and truth.total() > 3000, types
    assert mart == truth, _report("attribution_touchpoints", mart, truth)


def test_first_sales_touch_after_mql_equals_ground_truth(analytics_run, sample_data):
    mart, truth = _rows(analytics_run, sample_data / "truth", SPEED_TO_LEAD)
    statuses = Counter(row[5] for row in truth.elements())
    touched = sum(1 for row in truth.elements() if row[4])
    assert truth.total() > 300 and touched > 100 and statuses["met"] > 0 and statuses["breached"] > 0, statuses
    assert mart == truth, _report("sla_speed_to_lead", mart, truth)


def test_sales_activity_daily_equals_ground_truth(analytics_run, sample_data):
    """Activities and sales touches per reporting day, owner, type and outcome, against
    truth/engagements.csv (whose sales touches follow the demo contract's `touches` rules)."""
    timezone = yaml.safe_load((PROJECT_ROOT / "funnel.yml").read_text())["reporting"]["timezone"]
    mart = analytics_run.rows(
        "select cast(activity_date as varchar), coalesce(owner_id, ''), activity_type, coalesce(outcome, ''), "
        "cast(sum(activities) as bigint), cast(sum(sales_touches) as bigint) "
        "from marts.sales_activity_daily group by all"
    )
    truth = analytics_run.rows(
        f"select cast(cast(timezone('{timezone}', cast(occurred_at as timestamptz)) as date) as varchar), "
        "coalesce(owner_id, ''), engagement_type, coalesce(outcome, ''), count(*), "
        "count(*) filter (where is_sales_touch = 'true') "
        f"from read_csv('{sample_data}/truth/engagements.csv', all_varchar=true) group by all"
    )
    mart, truth = Counter(tuple(map(str, row)) for row in mart), Counter(tuple(map(str, row)) for row in truth)
    touches = sum(int(row[5]) for row in truth.elements())
    assert truth.total() > 1000 and touches > 1000, (truth.total(), touches)
    assert mart == truth, _report("sales_activity_daily", mart, truth)
