"""Whether a run may build incrementally, and what it leaves for the next one: `raw._build_state`.

The per-record base models (dbt_project/macros/engine/by_record.sql) rebuild only the records
that changed since their last build. That holds while the rules that turn a record into rows stay
the same: the contract (funnel.yml) and the dbt project (models, macros, and the SQL the contract
compiles to). Each successful build stores both fingerprints; when either differs, or nothing was
stored, the run passes --full-refresh and says why.

The person-level models rebuild only the people whose inputs changed
(dbt_project/macros/engine/by_person.sql): each complete build also stores every person's input
fingerprint (`raw._person_inputs`), which the next build compares with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from funnel.transform import parse_inputs_hash

# Built by dbt each run (models/intermediate/), and the copy kept of the last complete build's.
PERSON_INPUTS = "intermediate.int_person_inputs"
PEOPLE_TO_REBUILD = "intermediate.int_people_to_rebuild"
STORED_PERSON_INPUTS = "raw._person_inputs"

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
    with con.cursor() as tx:  # both or neither: the fingerprints belong to this build
        tx.execute("begin")
        if _exists(tx, PERSON_INPUTS):
            tx.execute(
                f"create or replace table {STORED_PERSON_INPUTS} as select person_id, inputs_hash from {PERSON_INPUTS}"
            )
        tx.execute(
            "insert into raw._build_state values (now(), ?, ?, ?, ?, ?)",
            [as_of, current.contract, current.project, reason is not None, reason],
        )
        tx.execute("commit")


def people_rebuilt(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(people rebuilt by the last build, people in all), when the warehouse has them."""
    if not (_exists(con, PEOPLE_TO_REBUILD) and _exists(con, PERSON_INPUTS)):
        return None
    ((rebuilt, everyone),) = con.execute(
        f"select (select count(*) from {PEOPLE_TO_REBUILD}), (select count(*) from {PERSON_INPUTS})"
    ).fetchall()
    return rebuilt, everyone


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchall()
    )
