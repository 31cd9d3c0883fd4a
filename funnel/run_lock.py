"""One run at a time on a warehouse, and a crashed run never blocks the next one.

DuckDB lets one process write a file; Dagster's `duckdb_writer` pool serialises the steps of
runs the daemon launches. Neither survives a `kill -9` gracefully: the pool's slot stays claimed
by the dead run and the next run waits for it forever. So every run takes an OS lock on
`<warehouse>.lock` (flock): the kernel releases it when the process dies, however it dies. The
lock file also says who holds it (PID, run, since when), for the one-line message a second run
prints instead of waiting silently.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    pid: int | None
    run: str
    since: str

    def describe(self) -> str:
        who = f"PID {self.pid}" if self.pid else "an unknown process"
        return f"{self.run} ({who}, since {self.since})"


class WarehouseBusy(RuntimeError):
    """Another live process holds the warehouse."""

    def __init__(self, warehouse: Path, holder: Holder) -> None:
        super().__init__(f"the warehouse {warehouse} is in use by {holder.describe()}")
        self.holder = holder


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def holder_of(warehouse: Path) -> Holder | None:
    """Who the lock file says holds the warehouse (it may be stale: only flock tells)."""
    try:
        data = json.loads(lock_path(warehouse).read_text())
    except (OSError, ValueError):
        return None
    return Holder(data.get("pid"), data.get("run", "a run"), data.get("since", "?"))


# Locks this process holds, by lock file: flock treats two opens of one file as two owners, so a
# process that holds the lock (`funnel run`, from before the run starts) re-enters it for the run.
_HELD: dict[Path, int] = {}


@contextmanager
def hold(
    warehouse: Path,
    run: str,
    *,
    wait_seconds: float = 0,
    progress: Callable[[str], None] | None = None,
    poll: float = 2.0,
) -> Iterator[None]:
    """Hold the warehouse's run lock for the duration of the block (re-entrant in one process).

    Raises WarehouseBusy when another live process holds it after `wait_seconds` (0: do not
    wait); while waiting, `progress` hears who holds it every `poll` seconds or so.
    """
    path = lock_path(warehouse).resolve()
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = holder_of(warehouse) or Holder(None, "another run", "?")
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(warehouse, holder) from None
                if progress:
                    left = max(0, int(deadline - time.monotonic()))
                    progress(f"waiting for {holder.describe()} to release {warehouse.name} ({left}s left)")
                time.sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"pid": os.getpid(), "run": run, "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")})
        )
        handle.flush()
        _HELD[path] = 1
        yield
    finally:
        # Closing the file releases the lock; a killed process releases it with its descriptors.
        if _HELD.get(path) == 1 and not handle.closed:
            del _HELD[path]
        handle.close()


def lock_wait_seconds() -> float:
    """How long a run waits for another to release the warehouse (FUNNEL_LOCK_WAIT_SECONDS)."""
    try:
        return max(0.0, float(os.environ.get("FUNNEL_LOCK_WAIT_SECONDS", "0")))
    except ValueError:
        return 0.0
