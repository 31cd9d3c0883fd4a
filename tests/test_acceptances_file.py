"""alignment_acceptances.yml: read, validated with lines like the contract, written whole."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from funnel.contract import ContractError
from funnel.contract.acceptances import (
    Acceptance,
    dbt_var,
    load_acceptances,
    parse_period,
    write_acceptances,
)

MD5 = "0123456789abcdef0123456789abcdef"


def an_acceptance(**changes) -> Acceptance:
    fields = dict(
        team="Marketing",
        metric="MQLs",
        period=date(2026, 3, 1),
        delta=12.0,
        explanation=MD5,
        records=14,
        reason="double import",
        by="Dana",
        at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
    )
    return Acceptance(**(fields | changes))


def test_no_file_means_no_acceptances(tmp_path):
    assert load_acceptances(tmp_path / "alignment_acceptances.yml") == []


def test_written_acceptances_read_back_the_same(tmp_path):
    path = tmp_path / "alignment_acceptances.yml"
    written = [an_acceptance(), an_acceptance(team="sales", expires=date(2027, 1, 31))]
    write_acceptances(path, written)
    assert sorted(load_acceptances(path), key=lambda a: a.key) == sorted(written, key=lambda a: a.key)
    assert path.read_text().startswith("# Signed-off divergences")
    assert [p.name for p in tmp_path.iterdir()] == ["alignment_acceptances.yml"]  # no temporary left


def test_problems_name_the_line_and_the_field(tmp_path):
    path = tmp_path / "alignment_acceptances.yml"
    path.write_text(
        "acceptances:\n"
        "  - team: marketing\n"
        "    metric: mqls\n"
        "    period: 2026-03-01\n"
        "    delta: twelve\n"
        f"    explanation: {MD5}\n"
        "    records: 3\n"
        "    reason: r\n"
        "    by: Dana\n"
        "    at: 2026-11-02T23:30:00Z\n"
        "    approved: yes\n"
    )
    with pytest.raises(ContractError) as raised:
        load_acceptances(path)
    lines = str(raised.value).splitlines()
    assert any(":5: acceptances.0.delta:" in line for line in lines)
    assert any(":11: acceptances.0.approved: unknown key 'approved'" in line for line in lines)


def test_the_same_period_accepted_twice_is_refused(tmp_path):
    path = tmp_path / "alignment_acceptances.yml"
    write_acceptances(path, [an_acceptance()])
    text = path.read_text()
    entry = text.split("acceptances:\n", 1)[1]
    path.write_text(text + entry.replace("Dana", "Sam"))
    with pytest.raises(ContractError, match="accepted twice"):
        load_acceptances(path)


def test_dbt_reads_lower_case_keys_and_the_utc_day():
    (var,) = dbt_var([an_acceptance(at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC))])
    assert var["team"] == "marketing" and var["team_metric"] == "mqls"
    assert (var["period_start"], var["accepted_on"], var["expires_on"]) == ("2026-03-01", "2026-11-02", None)


@pytest.mark.parametrize(("text", "first_day"), [("2026-09", date(2026, 9, 1)), ("2026-09-07", date(2026, 9, 7))])
def test_periods_are_months_or_first_days(text, first_day):
    assert parse_period(text) == first_day


def test_a_period_that_is_not_a_date_says_how_to_write_it():
    with pytest.raises(ValueError, match="2026-09"):
        parse_period("March")
