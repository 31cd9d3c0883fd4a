"""Short-lived DuckDB connections.

DuckDB lets one process write a file and locks every other process out, readers included, so
no step may keep the file open after it is done: every use goes through `connect()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def query_df(path: Path, sql: str, params: list | None = None):
    """A small result as a pandas DataFrame (validation slices, summaries; never raw tables)."""
    with connect(path, read_only=True) as con:
        return con.execute(sql, params or []).df()
