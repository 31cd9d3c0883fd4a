"""Fixtures for the HubSpot API connector: generated companies, a local HubSpot, fast retries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from funnel.sources.hubspot_api import RetryPolicy
from sample_company.hubspot_api.portal import Company
from sample_company.hubspot_api.server import Faults, HubSpotServer

TOKEN = "pat-na1-test-token"
FAST = RetryPolicy(scale=0.001, timeout=10)
"""Every wait a thousandth of HubSpot's, Retry-After included."""


@pytest.fixture(scope="session")
def company_25k(tmp_path_factory) -> Path:
    from sample_company import generate

    out = tmp_path_factory.mktemp("hubspot_25k") / "data"
    generate(out, contacts=25_000, seed=11)
    return out


@pytest.fixture
def hubspot(sample_data) -> Iterator[HubSpotServer]:
    """A local HubSpot serving the 2,000-person sample company (a fresh copy per test)."""
    with HubSpotServer(Company(sample_data), TOKEN, Faults()) as server:
        yield server


def raw_objects(warehouse: Path, kind: str) -> dict[str, tuple]:
    """raw.hubspot_<kind> in the shape of `Company.expected`; fails on a duplicated id."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            f"""
            select id, properties, properties_with_history, is_archived, archived_at, created_at, updated_at
            from raw.hubspot_{kind}
            """
        ).fetchall()
    finally:
        con.close()
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), f"raw.hubspot_{kind} has duplicated ids"
    return {row[0]: (json.loads(row[1]), json.loads(row[2]), *row[3:]) for row in rows}


def assert_matches(warehouse: Path, company: Company, kinds=("contacts", "companies", "deals")) -> None:
    for kind in kinds:
        actual, expected = raw_objects(warehouse, kind), company.expected(kind)
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        different = sorted(i for i in set(actual) & set(expected) if actual[i] != expected[i])
        assert not (missing or extra or different), (
            f"raw.hubspot_{kind}: {len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unexpected "
            f"(e.g. {extra[:3]}), {len(different)} different (e.g. {different[:3]})"
        )


def raw_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw.hubspot_* table as sorted text rows, without the columns that say when and from where."""
    from funnel.sources.hubspot import TABLES

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: con.execute(
                f"select {', '.join(f'{c}::varchar' for c in spec.columns)} from raw.{table} order by all"
            ).fetchall()
            for table, spec in TABLES.items()
        }
    finally:
        con.close()
