"""Whether a run may build incrementally, and what it leaves for the next one: `raw._build_state`.

The per-record base models (dbt_project/macros/engine/by_record.sql) rebuild only the records
that changed since their last build. That holds while the rules that turn a record into rows stay
the same: the contract (funnel.yml) and the dbt project (models, macros, and the SQL the contract
compiles to). Each successful build stores both fingerprints; when either differs, or nothing was
stored, the run passes --full-refresh and says why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from funnel.transform import parse_inputs_hash

STATE_DDL = """
create table if not exists raw._build_state (
    built_at timestamptz,
    as_of varchar,
    contract_sha256 varchar,
    project_sha256 varchar,
    full_refresh boolean,
    reason varchar
)
"""


@dataclass(frozen=True)
class Fingerprint:
    contract: str
    project: str


def fingerprint(contract: Path, project_dir: Path) -> Fingerprint:
    return Fingerprint(hashlib.sha256(contract.read_bytes()).hexdigest(), parse_inputs_hash(project_dir))


def last_build(con: duckdb.DuckDBPyConnection) -> Fingerprint | None:
    con.execute("create schema if not exists raw")
    con.execute(STATE_DDL)
    rows = con.execute(
        "select contract_sha256, project_sha256 from raw._build_state order by built_at desc limit 1"
    ).fetchall()
    return Fingerprint(*rows[0]) if rows else None


def full_rebuild_reason(previous: Fingerprint | None, current: Fingerprint, *, asked: bool) -> str | None:
    """Why this build must start from scratch, or None when it may build incrementally."""
    if asked:
        return "--full-refresh was asked for"
    if previous is None:
        return "no earlier build is recorded in this warehouse"
    if previous.contract != current.contract:
        return "the contract changed since the last build"
    if previous.project != current.project:
        return "the dbt project changed since the last build (a new version, or edited models or macros)"
    return None


def record_build(con: duckdb.DuckDBPyConnection, current: Fingerprint, as_of: str | None, reason: str | None) -> None:
    """After a build in which every model was built: the next run may start from here."""
    con.execute(STATE_DDL)
    con.execute(
        "insert into raw._build_state values (now(), ?, ?, ?, ?, ?)",
        [as_of, current.contract, current.project, reason is not None, reason],
    )
