"""When a run must rebuild every model (funnel/build_state.py)."""

from __future__ import annotations

import duckdb

from funnel.build_state import Fingerprint, fingerprint, full_rebuild_reason, last_build, record_build
from funnel.config import DBT_PROJECT_DIR, PROJECT_ROOT

NOW = Fingerprint("contract-a", "project-a")


def test_the_first_build_and_a_requested_one_are_full():
    assert full_rebuild_reason(None, NOW, asked=False) == "no earlier build is recorded in this warehouse"
    assert full_rebuild_reason(NOW, NOW, asked=True) == "--full-refresh was asked for"


def test_a_changed_contract_or_project_rebuilds_and_says_which():
    assert full_rebuild_reason(Fingerprint("contract-b", "project-a"), NOW, asked=False) == (
        "the contract changed since the last build"
    )
    assert full_rebuild_reason(Fingerprint("contract-a", "project-b"), NOW, asked=False).startswith(
        "the dbt project changed"
    )
    assert full_rebuild_reason(NOW, NOW, asked=False) is None


def test_the_last_recorded_build_is_the_one_compared(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert last_build(con) is None
    record_build(con, Fingerprint("c1", "p1"), "2026-10-31T04:00:00Z", "no earlier build is recorded")
    record_build(con, NOW, "2026-11-01T04:00:00Z", None)
    assert last_build(con) == NOW
    con.close()


def test_the_fingerprint_follows_the_contract_and_the_project(tmp_path):
    contract = tmp_path / "funnel.yml"
    contract.write_text((PROJECT_ROOT / "funnel.yml").read_text())
    first = fingerprint(contract, DBT_PROJECT_DIR)
    contract.write_text(contract.read_text() + "\n# a comment is a change too\n")
    second = fingerprint(contract, DBT_PROJECT_DIR)
    assert second.contract != first.contract and second.project == first.project
