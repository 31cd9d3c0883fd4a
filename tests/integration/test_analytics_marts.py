"""Invariants of the analytics marts on a real run of the sample company: attribution credit
and revenue add up under every model, and the marts agree with each other."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

MODELS = ["first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay"]


def test_every_conversion_gets_exactly_one_credit_under_every_model(analytics_run):
    rows = analytics_run.rows("""
        select model, count(*) as conversions, max(abs(total - 1)) as worst
        from (select model, conversion_id, sum(credit) as total from marts.attribution_credit group by all)
        group by model order by model""")
    expected_conversions = analytics_run.rows("""
        select (select count(*) from marts.fct_stage_entries where entry_number = 1)
             + (select count(*) from marts.pipeline_deals d join marts.dim_people p on p.person_id = d.primary_person_id
                where d.is_won and not p.is_excluded and d.won_at is not null)""")[0][0]
    assert sorted(model for model, _, _ in rows) == sorted(MODELS)
    assert expected_conversions > 2000
    for model, conversions, worst in rows:
        assert conversions == expected_conversions, model
        assert worst <= 1e-9, f"{model}: a conversion's credit is off by {worst}"


def test_attributed_revenue_adds_up_to_won_revenue_under_every_model(analytics_run):
    won_revenue, won_deals = analytics_run.rows("""
        select sum(d.amount_reporting)::double, count(*) from marts.pipeline_deals d
        join marts.dim_people p on p.person_id = d.primary_person_id
        where d.is_won and not p.is_excluded""")[0]
    assert won_deals >= 20 and won_revenue > 100_000
    rows = dict(
        analytics_run.rows("""
        select model, sum(attributed_revenue) from marts.attribution_credit
        where conversion_type = 'won_deal' group by model""")
    )
    assert set(rows) == set(MODELS)
    for model, attributed in rows.items():
        assert attributed == pytest.approx(won_revenue, abs=1e-6), model


def test_models_disagree_where_they_should(analytics_run):
    """First and last touch credit different channels for some conversions (else the models would
    be the same computation), and no touch lies outside the window before its conversion."""
    differing = analytics_run.rows("""
        select count(*) from (
            select f.conversion_id from marts.attribution_credit f
            join marts.attribution_credit l on l.conversion_id = f.conversion_id
            where f.model = 'first_touch' and l.model = 'last_touch' and f.channel <> l.channel)""")[0][0]
    assert differing > 50
    outside = analytics_run.rows("""
        select count(*) from marts.attribution_credit
        where touched_at > converted_at or touched_at <= converted_at - interval 90 day""")[0][0]
    assert outside == 0


def test_period_conversion_and_targets_agree_with_the_stage_entries(analytics_run):
    mismatches = analytics_run.rows("""
        with monthly as (
            select date_trunc('month', entered_date)::date as month, stage, count(*) as n
            from marts.fct_stage_entries group by all)
        select t.period, t.stage, t.actual, m.n from marts.targets_vs_actuals t
        left join monthly m on m.month = t.period_start and m.stage = t.stage
        where t.actual <> coalesce(m.n, 0)
        union all
        select strftime(p.month, '%Y-%m'), p.from_stage, p.from_entries, m.n from marts.funnel_conversion_period p
        left join monthly m on m.month = p.month and m.stage = p.from_stage
        where p.from_entries <> coalesce(m.n, 0)""")
    assert mismatches == []
    october = analytics_run.rows("""
        select stage, actual, is_current_period, days_elapsed from marts.targets_vs_actuals
        where period = '2026-10' order by stage""")
    assert [row[2:] for row in october] == [(True, 31), (True, 31)]
    assert all(row[1] > 0 for row in october)


def test_speed_to_lead_covers_every_unskipped_mql(analytics_run):
    counts = analytics_run.rows("""
        select
            (select count(*) from marts.sla_speed_to_lead),
            (select count(*) from marts.fct_stage_entries e
             join marts.dim_people p on p.person_id = e.person_id
             where e.stage = 'mql' and e.entry_number = 1 and not e.is_backfilled),
            (select count(*) from marts.sla_speed_to_lead where sla_status = 'met'),
            (select count(*) from marts.sla_speed_to_lead where sla_status = 'breached'
                and hours_to_first_touch <= sla_hours)""")[0]
    total, mqls, met, wrongly_breached = counts
    assert total == mqls > 300 and met > 0 and wrongly_breached == 0
