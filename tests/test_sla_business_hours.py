"""`policies.sla_business_hours`: the SLA clock counts only the business hours, on the reporting
timezone's wall clock. Refused with the line when a day or a time is wrong, compiled for dbt, said
in the handbook, and measured by sla_speed_to_lead with real dbt on real DuckDB against the
truth's calendar (sample_company/truth/touch_truth.py business_ms_between)."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from funnel import compiled
from funnel.config import PROJECT_ROOT
from funnel.contract.compile import contract_data, render
from funnel.contract.handbook import blocks, to_markdown
from funnel.contract.load import load_contract, parse_contract
from funnel.transform import dbt_executable
from sample_company.truth.contract import BusinessHours
from sample_company.truth.touch_truth import business_ms_between
from tests.conftest import make_project
from tests.helpers import contract_problems as problems_of

DEMO = (PROJECT_ROOT / "funnel.yml").read_text()
ANCHOR = "  quarantine_max_rows: 0\n"
OFFICE = '  sla_business_hours: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}\n'
NEW_YORK = ZoneInfo("America/New_York")
HOUR_MS = 3_600_000


def with_policy(block: str) -> str:
    assert DEMO.count(ANCHOR) == 1 and "sla_business_hours" not in DEMO
    return DEMO.replace(ANCHOR, ANCHOR + block)


def parse(text: str):
    return parse_contract(text, Path("funnel.yml"))


def test_absent_the_clock_counts_every_hour_and_dbt_reads_null():
    loaded = parse(DEMO)
    assert loaded.contract.policies.sla_business_hours is None
    assert contract_data(loaded)["policies"]["sla_business_hours"] is None


def test_the_policy_parses_in_flow_and_block_style_and_compiles_for_dbt():
    flow = parse(with_policy(OFFICE)).contract.policies.sla_business_hours
    block = parse(
        with_policy(
            '  sla_business_hours:\n    days: [mon, tue, wed, thu, fri]\n    start: "09:00"\n    end: "17:00"\n'
        )
    ).contract.policies.sla_business_hours
    assert flow == block
    assert (flow.days, flow.start, flow.end) == (["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")
    rendered = render(parse(with_policy(OFFICE)))
    payload = json.loads(rendered.split("{% raw %}")[1].split("{% endraw %}")[0])
    assert payload["policies"]["sla_business_hours"] == {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "17:00",
    }


def test_midnight_ends_a_business_day():
    hours = parse(with_policy('  sla_business_hours: {days: [sat, sun], start: "00:00", end: "24:00"}\n'))
    assert hours.contract.policies.sla_business_hours.end == "24:00"


# (the policy's lines, the line the problem is on, the problem)
INVALID = {
    "unknown day": (
        '  sla_business_hours: {days: [mon, tues], start: "09:00", end: "17:00"}\n',
        "sla_business_hours:",
        "policies.sla_business_hours.days.1: unknown day 'tues'; use one of: mon, tue, wed, thu, fri, sat, sun",
    ),
    "a day in full": (
        '  sla_business_hours:\n    days:\n      - monday\n    start: "09:00"\n    end: "17:00"\n',
        "- monday",
        "policies.sla_business_hours.days.0: unknown day 'monday'; use one of: mon, tue, wed, thu, fri, sat, sun",
    ),
    "no day": (
        '  sla_business_hours:\n    days: []\n    start: "09:00"\n    end: "17:00"\n',
        "days: []",
        "policies.sla_business_hours.days: lists no day; name the days the SLA clock runs",
    ),
    "a day twice": (
        '  sla_business_hours:\n    days: [mon, tue, mon]\n    start: "09:00"\n    end: "17:00"\n',
        "days: [mon, tue, mon]",
        "policies.sla_business_hours.days: 'mon' is listed twice; list each day once",
    ),
    "not a time": (
        '  sla_business_hours:\n    days: [mon]\n    start: 9am\n    end: "17:00"\n',
        "start: 9am",
        "policies.sla_business_hours.start: '9am' is not a time of day; write HH:MM on a 24-hour clock",
    ),
    "an hour past 23": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00"\n    end: "25:00"\n',
        'end: "25:00"',
        "policies.sla_business_hours.end: '25:00' is not a time of day",
    ),
    "seconds": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00:00"\n    end: "17:00"\n',
        "start:",
        "policies.sla_business_hours.start: '09:00:00' is not a time of day",
    ),
    "an unquoted time YAML reads as a number": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00"\n    end: 17:00\n',
        "end: 17:00",
        'policies.sla_business_hours.end: YAML reads an unquoted 17:00 as the number 1020; quote it: "17:00"',
    ),
    "start after end": (
        '  sla_business_hours:\n    days: [mon]\n    start: "18:00"\n    end: "09:00"\n',
        'end: "09:00"',
        "policies.sla_business_hours.end: 09:00 is not after `start` (18:00); business hours end later the "
        'same day (use "24:00" for midnight)',
    ),
    "start equal to end": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00"\n    end: "09:00"\n',
        'end: "09:00"',
        "policies.sla_business_hours.end: 09:00 is not after `start` (09:00)",
    ),
    "a start at midnight's end": (
        '  sla_business_hours:\n    days: [mon]\n    start: "24:00"\n    end: "24:00"\n',
        'start: "24:00"',
        "policies.sla_business_hours.start: 24:00 is the end of a day; `start` is a time from 00:00 to 23:59",
    ),
    "an unknown key": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00"\n    end: "17:00"\n    timezone: UTC\n',
        "timezone: UTC",
        "policies.sla_business_hours.timezone: unknown key 'timezone'",
    ),
    "no end": (
        '  sla_business_hours:\n    days: [mon]\n    start: "09:00"\n',
        "sla_business_hours:",
        "policies.sla_business_hours.end: is required",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_policy_is_refused_on_its_line(case):
    block, needle, expected = INVALID[case]
    text = with_policy(block)
    line = text.count("\n", 0, text.index(needle, text.index(ANCHOR))) + 1
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line}: {expected}"), problem


def _section_in_words(text: str) -> str:
    markdown = to_markdown(blocks(parse(text)))
    return markdown.split("## Sales touches and speed to lead\n")[1].split("\n## ")[0]


def test_the_handbook_says_the_sla_in_business_hours():
    text = with_policy(OFFICE)
    assert (
        "Sales must make a first touch within 48 business hours (Monday to Friday, 09:00–17:00 America/New_York) "
        "of a person's first entry into Marketing qualified lead"
    ) in _section_in_words(text)
    markdown = to_markdown(blocks(parse(text)))
    assert (
        "Service level: within 48 business hours (Monday to Friday, 09:00–17:00 America/New_York) of entering mql."
    ) in markdown
    assert "Sales must make a first touch within 48 hours of a person's" in _section_in_words(DEMO)
    assert "business hour" not in to_markdown(blocks(parse(DEMO)))


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ("[sat, sun, mon]", "Saturday to Monday"),
        ("[fri, mon, wed]", "Monday, Wednesday and Friday"),
        ("[sat, sun]", "Saturday and Sunday"),
        ("[tue]", "Tuesday"),
        ("[sun, sat, fri, thu, wed, tue, mon]", "every day"),
    ],
)
def test_the_handbook_names_the_days_as_a_reader_would(days, words):
    text = with_policy(f'  sla_business_hours: {{days: {days}, start: "08:30", end: "24:00"}}\n')
    assert f"within 48 business hours ({words}, 08:30–24:00 America/New_York)" in _section_in_words(text)


@pytest.mark.parametrize(
    ("block", "heading"),
    [
        ("", "first sales touch within 48 h (SLA of"),
        (OFFICE, "first sales touch within 48 business hours (Monday to Friday, 09:00–17:00 America/New_York)"),
    ],
)
def test_the_dashboard_says_which_hours_it_counts(block, heading):
    import duckdb

    from funnel.dashboard.context import RunContext
    from funnel.dashboard.labels import Labels
    from funnel.dashboard.speed_to_lead import _speed_to_lead

    contract = parse(with_policy(block)).contract
    con = duckdb.connect()
    con.execute(
        "create schema marts; create table marts.sla_speed_to_lead as select 'sql' as sla_stage, 'mql' as from_stage, "
        "48.0 as sla_hours, date '2026-10-01' as entered_date, 'met' as sla_status, 2.0 as hours_to_first_touch"
    )
    page = _speed_to_lead(
        con, RunContext(date(2026, 10, 31), "America/New_York", None, None), Labels.of(contract), contract
    )
    assert heading in page


def _ms(local: str) -> float:
    """A wall-clock time in New York as UTC epoch ms (fold 0: the first of a repeated hour)."""
    return datetime.fromisoformat(local).replace(tzinfo=NEW_YORK).timestamp() * 1000


OFFICE_HOURS = BusinessHours(("mon", "tue", "wed", "thu", "fri"), "09:00", "17:00")


@pytest.mark.parametrize(
    ("start", "end", "hours", "expected"),
    [
        # Friday 16:00 EST to Monday 10:00 EDT: the weekend of the March change (65 hours of wall clock).
        ("2026-03-06 16:00", "2026-03-09 10:00", OFFICE_HOURS, 2.0),
        ("2026-03-10 16:30", "2026-03-11 09:30", OFFICE_HOURS, 1.0),  # a night
        ("2026-03-11 06:00", "2026-03-11 11:15", OFFICE_HOURS, 2.25),  # before opening
        ("2026-03-07 12:00", "2026-03-08 15:00", OFFICE_HOURS, 0.0),  # a weekend
        ("2026-03-11 18:00", "2026-03-11 20:00", OFFICE_HOURS, 0.0),  # after closing
        # A window over the hour DST skips counts its wall-clock hours: 01:00 to 04:00 is 3.
        ("2026-03-08 00:00", "2026-03-08 05:00", BusinessHours(("sun",), "01:00", "04:00"), 3.0),
        ("2026-11-01 00:00", "2026-11-02 00:00", BusinessHours(("sun",), "00:00", "24:00"), 24.0),
    ],
)
def test_the_truth_counts_business_hours_on_the_wall_clock(start, end, hours, expected):
    got = business_ms_between(np.array([_ms(start)]), np.array([_ms(end)]), hours, "America/New_York")
    assert got[0] / HOUR_MS == expected


def test_the_truth_leaves_an_unknown_end_unknown():
    got = business_ms_between(np.array([_ms("2026-03-06 16:00")]), np.array([np.nan]), OFFICE_HOURS, "America/New_York")
    assert np.isnan(got[0])


# sla_speed_to_lead built by dbt from fixture inputs under a contract with business hours.
AS_OF = "2026-11-09T05:00:00Z"  # Monday 9 November 00:00 EST
# person: (entered, first sales touch or None) in New York wall-clock time; expected business
# hours to the touch (or waited untouched until AS_OF) and status, with 48 hours of SLA.
CASES = {
    "weekend_and_dst": ("2026-03-06 16:00", "2026-03-09 10:00", 2.0, "met"),
    "night": ("2026-03-10 16:30", "2026-03-11 09:30", 1.0, "met"),
    "before_opening": ("2026-03-11 06:00", "2026-03-11 11:15", 2.25, "met"),
    "november_dst": ("2026-10-30 16:00", "2026-11-02 10:00", 2.0, "met"),
    "half_an_hour_late": ("2026-03-02 12:00", "2026-03-10 12:30", 48.5, "breached"),
    "untouched_open": ("2026-11-05 09:00", None, 16.0, "open"),
    "untouched_breached": ("2026-10-26 09:00", None, 80.0, "breached"),
}


def _fixture_inputs(warehouse: Path, entries: list[tuple], touches: list[tuple]) -> None:
    """The three models sla_speed_to_lead reads, as tables of the columns it uses."""
    import duckdb

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_stage_entries (person_id varchar, stage varchar, entry_number integer, "
            "entered_at timestamptz, entered_date date, is_backfilled boolean)"
        )
        con.executemany(
            "insert into marts.fct_stage_entries select $1, 'mql', 1, make_timestamptz($2 * 1000), "
            "cast(timezone('America/New_York', make_timestamptz($2 * 1000)) as date), false",
            entries,
        )
        con.execute(
            "create table marts.attribution_touchpoints (person_id varchar, touched_at timestamptz, touch_type varchar)"
        )
        con.executemany(
            "insert into marts.attribution_touchpoints select $1, make_timestamptz($2 * 1000), 'sales_activity'",
            touches,
        )
        con.execute(
            "create table marts.dim_people as select person_id, '7' as owner_id, 'SDR' as owner_team, "
            "'organic' as channel from marts.fct_stage_entries"
        )
    finally:
        con.close()


@pytest.mark.integration
def test_dbt_measures_speed_to_lead_in_business_hours(tmp_path):
    project = make_project(tmp_path / "project", tmp_path / "data", with_policy(OFFICE))
    compiled.write(load_contract(project.settings.contract), project.settings)

    entries = [(person, int(_ms(entered))) for person, (entered, *_) in CASES.items()]
    touches = [(person, int(_ms(touched))) for person, (_, touched, *_) in CASES.items() if touched]
    # And 400 random people against the truth's calendar, over both 2026 DST changes.
    rng = np.random.default_rng(16)
    starts = rng.integers(int(_ms("2026-01-01 00:00")), int(_ms("2026-11-08 00:00")), 400)
    waits = np.where(rng.random(400) < 0.5, rng.integers(0, 3 * 86_400_000, 400), rng.integers(0, 20 * 86_400_000, 400))
    random_touched = [(f"r{i}", int(start + wait)) for i, (start, wait) in enumerate(zip(starts, waits)) if i % 3]
    entries += [(f"r{i}", int(start)) for i, start in enumerate(starts)]
    touches += [(person, at) for person, at in random_touched if at < _ms("2026-11-09 00:00")]
    _fixture_inputs(project.settings.warehouse, entries, touches)

    dbt_dir = project.settings.dbt_project_dir
    result = subprocess.run(
        [
            dbt_executable(),
            "run",
            *("--select", "sla_speed_to_lead", "--vars", json.dumps({"as_of": AS_OF})),
            *("--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)),
        ],
        cwd=dbt_dir,
        env={**project.env(), "FUNNEL_DBT_THREADS": "1", "FUNNEL_DUCKDB_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]

    rows = {
        person: (hours, status, within)
        for person, hours, status, within in project.rows(
            "select person_id, hours_to_first_touch, sla_status, coalesce(cast(is_within_sla as varchar), 'null') "
            "from marts.sla_speed_to_lead"
        )
    }
    for person, (entered, touched, hours, status) in CASES.items():
        measured, got_status, within = rows[person]
        assert got_status == status, person
        assert within == {"met": "true", "breached": "false", "open": "null"}[status], person
        if touched:
            assert measured == hours, person
        else:
            assert measured is None or np.isnan(measured), person
            waited = business_ms_between(
                np.array([_ms(entered)]), np.array([_ms("2026-11-09 00:00")]), OFFICE_HOURS, "America/New_York"
            )
            assert waited[0] / HOUR_MS == hours, person

    touched_at = dict(touches)
    people = [f"r{i}" for i in range(len(starts))]
    ends = np.array([touched_at.get(p, np.nan) for p in people], dtype=np.float64)
    as_of_ms = np.full(len(people), _ms("2026-11-09 00:00"))
    expected = business_ms_between(starts.astype(np.float64), ends, OFFICE_HOURS, "America/New_York") / HOUR_MS
    waited = business_ms_between(starts.astype(np.float64), as_of_ms, OFFICE_HOURS, "America/New_York") / HOUR_MS
    for i, person in enumerate(people):
        measured, status, _ = rows[person]
        if np.isnan(ends[i]):
            assert status == ("breached" if waited[i] > 48 else "open"), person
        else:
            assert measured == pytest.approx(expected[i], abs=1e-9), person
            assert status == ("met" if expected[i] <= 48 else "breached"), person
    statuses = {status for _, status, _ in rows.values()}
    assert statuses == {"met", "breached", "open"}
