"""The contract drives the warehouse: edited rules, versions with effective dates, hostile values
and the what-if, each checked with real runs against numbers computed independently."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
import yaml

from funnel.config import PROJECT_ROOT
from funnel.contract.load import load_contract
from funnel.whatif import run_whatif
from orchestration.runner import run_daily
from tests.conftest import make_project

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("contract_runs")]

AS_OF = date(2026, 10, 31)
DEMO = yaml.safe_load((PROJECT_ROOT / "funnel.yml").read_text())
CHANGE_DAY = "2026-01-01"
HOSTILE = "x'); drop table raw.hubspot_contacts; --"


def contract_text(change) -> str:
    data = yaml.safe_load((PROJECT_ROOT / "funnel.yml").read_text())
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def stage(data, key):
    return next(s for s in data["stages"] if s["key"] == key)


def versioned_mql(data):
    """From 2026-01-01, an MQL is a score of 40 or more; before, the HubSpot lifecycle stage."""
    mql = stage(data, "mql")
    mql["previous_definitions"] = [
        {
            "version": "2025.1",
            "until": date.fromisoformat(CHANGE_DAY),
            "entry": {"lifecycle_stage_reached": "marketingqualifiedlead"},
        }
    ]
    mql["entry"] = {"property_at_least": {"property": "hubspotscore", "value": 40}}
    data["meta"]["version"] = "2026.1"


def mql_is_sales_accepted_and_values_are_hostile(data):
    stage(data, "mql")["entry"] = {"lifecycle_stage_reached": "salesqualifiedlead"}
    stage(data, "mql")["label"] = HOSTILE
    stage(data, "lead")["entry"] = {"any": [{"lifecycle_stage_reached": "lead"}, {"lead_status_in": [HOSTILE]}]}
    data["identity"]["exclusions"]["test_patterns"].append(r"x'\); drop table raw\.hubspot_contacts; --$")
    data["meta"]["name"] = "{{ exceptions.raise_compiler_error('injected') }} {% endraw %}"


def entries(warehouse) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select person_id, stage, entered_at, entered_date, definition_version, is_backfilled "
            "from marts.fct_stage_entries"
        ).df()
    finally:
        con.close()


def truth_entries(sample_data) -> pd.DataFrame:
    frame = pd.read_csv(sample_data / "truth" / "stage_entries.csv", dtype={"person_id": str})
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True)
    return frame


@pytest.fixture(scope="module")
def baseline(default_run):
    """The shared default run (conftest): the current contract's funnel."""
    return default_run[0]


@pytest.fixture(scope="module")
def versioned(tmp_path_factory, sample_data):
    project = make_project(tmp_path_factory.mktemp("versioned"), sample_data, contract_text(versioned_mql))
    run_daily(project.settings, AS_OF, quiet=True)
    return project


def _key(frame: pd.DataFrame) -> set[tuple]:
    return {(r.person_id, r.stage, pd.Timestamp(r.entered_at).value) for r in frame.itertuples()}


def test_editing_a_rule_changes_the_marts_and_hostile_values_stay_data(tmp_path, sample_data):
    project = make_project(tmp_path, sample_data, contract_text(mql_is_sales_accepted_and_values_are_hostile))
    summary = run_daily(project.settings, AS_OF, quiet=True)
    assert summary.failed_steps == []

    got = entries(project.settings.warehouse)
    truth = truth_entries(sample_data)
    # MQL now means "sales accepted": every MQL entry is exactly the person's SQL entry.
    mql = got[got.stage == "mql"].assign(stage="sql")
    assert _key(mql) == _key(truth[truth.stage == "sql"])
    # Every other stage is untouched, and the hostile values matched nothing and dropped nothing.
    for other in ("lead", "sql", "opportunity", "customer"):
        assert _key(got[got.stage == other]) == _key(truth[truth.stage == other]), other
    con = duckdb.connect(str(project.settings.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from raw.hubspot_contacts").fetchone()[0] > 2000
    finally:
        con.close()


def _expected_versioned_mql(warehouse) -> pd.DataFrame:
    """The versioned MQL rule recomputed in pandas from the person events of the same run."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        events = con.execute(
            "select person_id, occurred_at, property_name, property_number, lifecycle_rank "
            "from intermediate.int_person_events where event_type = 'property_change'"
        ).df()
        later = con.execute(
            "select person_id, min(entered_at) as later_at from marts.fct_stage_entries "
            "where stage in ('sql', 'opportunity', 'customer') group by person_id"
        ).df()
        people = con.execute("select person_id from marts.dim_people where not is_excluded").df()
    finally:
        con.close()
    change = pd.Timestamp(datetime.fromisoformat(CHANGE_DAY).replace(tzinfo=ZoneInfo("America/New_York")))
    old = events[
        (events.property_name == "lifecyclestage") & (events.lifecycle_rank >= 3) & (events.occurred_at < change)
    ]
    new = events[
        (events.property_name == "hubspotscore") & (events.property_number >= 40) & (events.occurred_at >= change)
    ]
    own = pd.concat([old, new]).groupby("person_id")["occurred_at"].min().rename("own_at")
    merged = people.merge(own, on="person_id", how="left").merge(later, on="person_id", how="left")
    merged["entered_at"] = merged[["own_at", "later_at"]].min(axis=1)
    return merged.dropna(subset=["entered_at"])[["person_id", "entered_at"]].assign(stage="mql")


def test_a_definition_change_mid_period_changes_only_later_entries(versioned, sample_data):
    got = entries(versioned.settings.warehouse)
    got_mql = got[got.stage == "mql"]
    truth = truth_entries(sample_data)
    truth_mql = truth[truth.stage == "mql"]
    cut = pd.Timestamp(CHANGE_DAY)

    before = got_mql[got_mql.entered_date < cut]
    assert _key(before) == _key(truth_mql[truth_mql.entered_date < CHANGE_DAY])
    expected = _expected_versioned_mql(versioned.settings.warehouse)
    assert _key(got_mql) == _key(expected)

    # Exact counts per month after the change, and they really differ from the old rule's.
    after = got_mql[got_mql.entered_date >= cut]
    month = lambda frame: frame.entered_date.astype(str).str[:7].value_counts().sort_index().to_dict()  # noqa: E731
    truth_after = truth_mql[truth_mql.entered_date >= CHANGE_DAY]
    assert month(after) != truth_after.entered_date.str[:7].value_counts().sort_index().to_dict()
    assert len(after) > 0 and len(before) > 0
    # Entries say which definition counted them.
    own = got_mql[~got_mql.is_backfilled]
    assert set(own[own.entered_date < cut].definition_version) == {"2025.1"}
    assert set(own[own.entered_date >= cut].definition_version) == {"2026.1"}


def test_the_whatif_equals_a_real_run_under_the_proposed_contract(baseline, versioned):
    proposed = load_contract(versioned.settings.contract)
    whatif = run_whatif(proposed, baseline.settings, "2025.1")

    real = entries(versioned.settings.warehouse)
    con = duckdb.connect(str(versioned.settings.warehouse), read_only=True)
    try:
        first = con.execute(
            "select stage, strftime(entered_date, '%Y-%m') as month, count(*) as n "
            "from marts.fct_stage_entries where entry_number = 1 group by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert {(r["stage"], r["month"]): r["proposed"] for r in whatif.counts if r["proposed"]} == {
        (stage_, month): n for stage_, month, n in first
    }
    mql = next(c for c in whatif.changes if c.stage == "mql")
    assert mql.entering_only_proposed + mql.entering_only_now + mql.moving > 0
    # Backfill flows from later stages to earlier ones only: stages after MQL cannot move.
    assert all(
        c.entering_only_now == c.entering_only_proposed == c.moving == 0
        for c in whatif.changes
        if c.stage in ("sql", "opportunity", "customer")
    )
    assert len(real) > 0
    # Nothing was published or changed by the what-if.
    assert not baseline.settings.published.exists()


def test_funnel_contract_diff_prints_the_months_and_people_that_change(baseline, versioned, tmp_path):
    out = tmp_path / "whatif.json"
    result = baseline.funnel("contract", "diff", "--proposed", str(versioned.settings.contract), "--json", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "What-if: contract 2025.1 (current) vs 2026.1 (proposed)" in result.stdout
    assert "Nothing was published." in result.stdout
    mql_lines = [line for line in result.stdout.splitlines() if line.startswith("mql ") and "2026-" in line]
    assert mql_lines, result.stdout
    assert '"stage": "mql"' in out.read_text()
