"""Sales' "leads worked" in the contract: a `people_touched` metric and a team view counting
records with logged activity — refused with the line when inconsistent, compiled for dbt and said
in words in the handbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from funnel.config import PROJECT_ROOT
from funnel.contract.compile import contract_data
from funnel.contract.handbook import blocks, to_markdown
from funnel.contract.load import parse_contract
from tests.helpers import contract_problems as problems_of
from tests.helpers import line_of

DEMO = (PROJECT_ROOT / "funnel.yml").read_text()
METRIC = "    leads_worked: {measure: people_touched, stage: lead}"
VIEW = "          activities: [call, email, meeting]\n"


def replaced(old: str, new: str) -> str:
    assert DEMO.count(old) == 1, old
    return DEMO.replace(old, new)


def test_the_demo_compiles_the_metric_and_the_view_for_dbt():
    data = contract_data(parse_contract(DEMO, Path("funnel.yml")))["alignment"]
    (metric,) = [m for m in data["metrics"] if m["metric"] == "leads_worked"]
    assert (metric["measure"], metric["stage"], metric["severity"]) == ("people_touched", "lead", "warn")
    (view,) = [v for v in data["team_views"] if v["team_metric"] == "leads_worked"]
    assert view["team"] == "sales" and view["measure"] == "people_touched"
    assert view["activity_types"] == ["call", "email", "meeting"]
    assert view["date_property"] is None and view["first_set"] is None
    others = [v for v in data["team_views"] if v["team_metric"] != "leads_worked"]
    assert others and all(v["measure"] == "entries" and v["activity_types"] is None for v in others)


def test_a_people_touched_metric_needs_a_stage():
    text = replaced(METRIC, "    leads_worked: {measure: people_touched}")
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line_of(text, 'leads_worked: {measure')}: alignment.metrics.leads_worked")
    assert "needs `stage`" in problem


def test_a_people_touched_metric_needs_the_touch_rules():
    start = DEMO.index("touches:\n")
    end = DEMO.index("\npolicies:")
    text = DEMO[:start] + DEMO[end + 1 :]
    problems = problems_of(text)
    assert any(
        p.startswith(f"funnel.yml:{line_of(text, METRIC.strip())}: alignment.metrics.leads_worked")
        and "no `touches` section" in p
        for p in problems
    ), problems


def test_a_view_by_date_of_a_people_touched_metric_is_refused():
    text = replaced(VIEW, "          date: {property: createdate}\n")
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line_of(text, '        leads_worked:   #')}: alignment.teams.sales.views")
    assert "counts records with logged activity" in problem


def test_an_activity_view_of_an_entry_metric_is_refused():
    text = replaced(
        "        leads:      # every record first given a lead status in the month, tests filtered out\n"
        "          date: {first_set: hs_lead_status}\n",
        "        leads:\n          activities: [call]\n",
    )
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line_of(text, '          activities: [call]')}: ")
    assert "counts stage entries" in problem


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("          activities: [call, fax]\n", "activities.1: "),
        ("          activities: []\n", "lists no type"),
        ("          activities: [call]\n          date: {property: createdate}\n", "give either `date`"),
    ],
)
def test_an_invalid_view_is_refused_naming_the_field(new, expected):
    (problem,) = problems_of(replaced(VIEW, new))
    assert "alignment.teams.sales.views.leads_worked" in problem and expected in problem, problem


def test_the_handbook_says_what_leads_worked_counts():
    text = to_markdown(blocks(parse_contract(DEMO, Path("funnel.yml"))))
    assert "people who had reached lead and got at least one sales touch in the period" in text
