"""`funnel contract check` against the last run's data: an owner team in `touches.owner_teams`
that no owner has is refused with its line, since it would leave every activity uncounted and
every SLA breached without a word."""

from __future__ import annotations

from pathlib import Path

from funnel.config import PROJECT_ROOT
from funnel.contract.data_checks import check_against_data
from funnel.contract.load import parse_contract

DEMO = (PROJECT_ROOT / "funnel.yml").read_text()


def profile(owner_teams: list[str]) -> dict:
    """A profile of data that dates everything the demo contract needs."""
    return {
        "contacts": 10,
        "contacts_with_lifecycle": 10,
        "lifecycle_dated_contacts": 10,
        "deals": 2,
        "dated_deals": 2,
        "property_changes": {"lifecyclestage": 10, "hs_lead_status": 5, "hubspotscore": 5},
        "history_properties": ["lifecyclestage", "hs_lead_status", "hs_lifecyclestage_marketingqualifiedlead_date"],
        "forms": [],
        "pipeline_stages": ["default/closedwon", "default/appointmentscheduled"],
        "owner_teams": owner_teams,
    }


def owner_team_problems(text: str, owner_teams: list[str]) -> list[str]:
    loaded = parse_contract(text, Path("funnel.yml"))
    problems = [p for p in check_against_data(loaded, profile(owner_teams)) if "owner team" in p.message]
    # As `funnel contract check` reports them: with the contract's line numbers.
    return [p.format("funnel.yml") for p in loaded.problem_error(problems).problems] if problems else []


def test_the_demo_teams_exist_in_the_data():
    assert owner_team_problems(DEMO, ["AE", "Marketing", "SDR"]) == []


def test_a_misspelt_team_is_refused_on_its_line_with_the_teams_there_are():
    text = DEMO.replace("  owner_teams: [SDR, AE]", "  owner_teams: [SDRs, AE]")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "owner_teams: [SDRs, AE]" in row)
    (problem,) = owner_team_problems(text, ["AE", "Marketing", "SDR"])
    assert problem.startswith(f"funnel.yml:{line}: touches.owner_teams.0: no owner team 'SDRs' in the data")
    assert "use one of: AE, Marketing, SDR" in problem


def test_a_profile_without_owner_teams_checks_nothing():
    text = DEMO.replace("  owner_teams: [SDR, AE]", "  owner_teams: [SDRs, AE]")
    assert owner_team_problems(text, []) == []
