"""Short-lived DuckDB connections.

DuckDB lets one process write a file and locks every other process out, readers included, so
no step may keep the file open after it is done: every use goes through `connect()`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from funnel.config import published_path
from funnel.memory import duckdb_config

# DuckDB's lock error names the holder: "Conflicting lock is held in /usr/bin/duckdb (PID 42) …"
_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseLocked(RuntimeError):
    """Another process has the warehouse file open (DuckDB admits one writer, and no reader beside it)."""

    def __init__(self, path: Path, program: str | None, pid: int | None) -> None:
        who = f"PID {pid} ({program})" if pid else "another process"
        super().__init__(
            f"{path} is open in {who}: close it, or let it finish. BI tools and ad-hoc queries should read "
            f"{published_path(path).name}, the published copy, which a run never locks"
        )
        self.pid = pid


def lock_holder(error: Exception) -> tuple[str | None, int | None]:
    """(program, PID) from DuckDB's lock error, or (None, None) when it is another error."""
    match = _HOLDER.search(str(error))
    return (match["program"], int(match["pid"])) if match else (None, None)


def wait_until_free(
    path: Path, wait_seconds: float, progress: Callable[[str], None] | None = None, poll: float = 2.0
) -> None:
    """Return once this process can open `path` for writing; wait up to `wait_seconds` for a
    process that holds it, saying who every `poll` seconds, then raise WarehouseLocked."""
    if not path.exists():
        return
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.IOException as error:
            program, pid = lock_holder(error)
            if pid is None:
                raise
            if pid == os.getpid() or time.monotonic() >= deadline:
                raise WarehouseLocked(path, program, pid) from None
            if progress:
                progress(
                    f"{path.name} is open in PID {pid} ({program}); waiting "
                    f"{max(0, int(deadline - time.monotonic()))}s more for it to close"
                )
            time.sleep(poll)


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    # The same memory limit, threads and spill folder as dbt's DuckDB (funnel/memory.py).
    con = duckdb.connect(str(path), read_only=read_only, config=duckdb_config(path))
    try:
        yield con
    finally:
        con.close()


def query_df(path: Path, sql: str, params: list | None = None):
    """A small result as a pandas DataFrame (validation slices, summaries; never raw tables)."""
    with connect(path, read_only=True) as con:
        return con.execute(sql, params or []).df()
