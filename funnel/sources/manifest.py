"""Which export files a raw table already holds: `raw._load_manifest`, one row per file read.

A daily run reads only the files that are new or whose content changed since they were loaded; a
changed file's earlier rows are replaced by its new ones, and the rows of every other file stay as
they are. Size and modification time say when a file may have changed; its SHA-256 decides, so a
file copied again with the same bytes is not read twice. A file that disappeared is reported on
every run, and its rows are retired only when asked (`funnel run --retire-deleted`): an export
folder that lost files by accident must not silently empty the funnel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

MANIFEST_DDL = """
create table if not exists raw._load_manifest (
    "table" varchar,
    file varchar,
    size bigint,
    modified_ns bigint,
    sha256 varchar,
    loaded_at timestamptz
)
"""


@dataclass(frozen=True)
class Plan:
    """What one load of one raw table does with the files of its folder."""

    full: bool
    """Replace the whole table (first load, --full-refresh, or rows of unknown origin)."""
    read: list[Path]
    """Files to read: new, changed, or all of them when `full`."""
    replaced: list[str]
    """Files (relative) whose earlier rows and quarantine entries go before the read."""
    unchanged: int
    deleted: list[str]
    """Files the manifest lists that are gone from the folder."""
    retired: bool
    """Whether the deleted files' rows were removed."""
    entries: list[tuple[str, int, int, str]]
    """(file, size, modified_ns, sha256) to record for every file read or re-stamped."""


_RACY_SECONDS = 2


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def plan(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: str,
    files: list[Path],
    *,
    full_refresh: bool = False,
    retire_deleted: bool = False,
) -> Plan:
    con.execute(MANIFEST_DDL)
    known = {
        file: (size, modified, sha, racy)
        for file, size, modified, sha, racy in con.execute(
            f"""
            select file, size, modified_ns, sha256,
                -- Modified within {_RACY_SECONDS}s of its load: a rewrite in the same clock tick
                -- keeps size and time, so only the content can tell (git's "racy" files).
                modified_ns >= (epoch_us(loaded_at) - {_RACY_SECONDS * 10**6}) * 1000 as racy
            from raw._load_manifest where "table" = ?
            """,
            [table],
        ).fetchall()
    }
    # Rows the manifest does not account for (a table written by API mode, or before manifests
    # existed) cannot be replaced file by file: load the whole folder again.
    full = full_refresh or not known
    present: dict[str, Path] = {path.relative_to(root).as_posix(): path for path in files}
    entries: list[tuple[str, int, int, str]] = []
    read: list[Path] = []
    unchanged = 0
    for name, path in present.items():
        stat = path.stat()
        before = known.get(name)
        if not full and before and before[:2] == (stat.st_size, stat.st_mtime_ns) and not before[3]:
            unchanged += 1
            continue
        sha = _digest(path)
        entries.append((name, stat.st_size, stat.st_mtime_ns, sha))
        if not full and before and before[2] == sha:
            unchanged += 1  # touched, same bytes: only its stamp is new
            continue
        read.append(path)
    deleted = sorted(set(known) - set(present))
    if full:
        return Plan(True, read, [], 0, deleted, True, entries)
    replaced = [path.relative_to(root).as_posix() for path in read if path.relative_to(root).as_posix() in known]
    if retire_deleted:
        replaced += deleted
    return Plan(False, read, replaced, unchanged, deleted, retire_deleted, entries)


def forget(con: duckdb.DuckDBPyConnection, source: str, table: str, files: list[str]) -> None:
    """Remove what `files` brought earlier: their rows, quarantine entries and manifest rows."""
    if not files:
        return
    con.execute("create or replace temp table _replaced (file varchar)")
    con.executemany("insert into _replaced values (?)", [[name] for name in files])
    con.execute(f"delete from raw.{table} where _source_file in (select file from _replaced)")
    con.execute("delete from raw.quarantine where source = ? and file in (select file from _replaced)", [source])
    con.execute('delete from raw._load_manifest where "table" = ? and file in (select file from _replaced)', [table])
    con.execute("drop table _replaced")


def record(con: duckdb.DuckDBPyConnection, table: str, result: Plan) -> None:
    """Stamp the files read (or re-stamped) in the manifest, inside the load's transaction."""
    if result.full:
        con.execute('delete from raw._load_manifest where "table" = ?', [table])
    if not result.entries:
        return
    con.execute("create or replace temp table _stamped (file varchar, size bigint, modified_ns bigint, sha256 varchar)")
    con.executemany("insert into _stamped values (?, ?, ?, ?)", [list(entry) for entry in result.entries])
    con.execute('delete from raw._load_manifest where "table" = ? and file in (select file from _stamped)', [table])
    con.execute(
        "insert into raw._load_manifest select ?, file, size, modified_ns, sha256, now() from _stamped", [table]
    )
    con.execute("drop table _stamped")


def clear(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The table is being replaced by something other than files (API mode): no file holds it."""
    con.execute(MANIFEST_DDL)
    con.execute('delete from raw._load_manifest where "table" = ?', [table])
