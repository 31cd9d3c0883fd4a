"""`python -m orchestration run [--date D] [--wait S] [--full-refresh] [--retire-deleted] [--no-paths]`: one daily
run through Dagster, in this process.

`funnel run` checks its arguments and the contract, then hands its process over to this one
(os.execv): the CLI stays free of Dagster, and the pid a scheduler or a person signals is the
run's own. `funnel demo` starts it as a child. Exit codes are the CLI's (funnel/exits.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import date

from funnel.config import Settings, settings
from funnel.exits import EXIT_INFRA, EXIT_USAGE, crashed, for_run
from funnel.report import where_to_look
from funnel.run_lock import WarehouseBusy, hold, lock_wait_seconds
from funnel.run_summary import format_summary
from funnel.warehouse import WarehouseLocked, wait_until_free


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="one daily run (what `funnel run` does)")
    run.add_argument("--date", type=date.fromisoformat, default=None)
    run.add_argument("--wait", type=float, default=None)
    run.add_argument("--full-refresh", action="store_true")
    run.add_argument("--retire-deleted", action="store_true")
    run.add_argument("--no-paths", action="store_true", help="leave out the 'where to look' lines")
    args = parser.parse_args(argv)
    if args.command != "run":
        parser.print_help()
        return EXIT_USAGE
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("funnel run: interrupted", file=sys.stderr)
        return EXIT_INFRA
    except Exception as error:  # noqa: BLE001 — a person gets one line, the traceback goes to a file
        return crashed(error, "funnel run")


def _run(args) -> int:
    from orchestration.runner import run_daily

    config = settings()
    with warehouse_for_run(config, args.wait) as busy:
        if busy:
            print(f"funnel run: {busy}", file=sys.stderr)
            return EXIT_INFRA
        summary = run_daily(config, args.date, full_refresh=args.full_refresh, retire_deleted=args.retire_deleted)
    print(format_summary(summary))
    if not args.no_paths:
        print(where_to_look(config))
    return for_run(summary)


@contextlib.contextmanager
def warehouse_for_run(config: Settings, wait: float | None) -> Iterator[str | None]:
    """Hold the warehouse's run lock from before the run starts to its end, and yield None; or
    yield why the run cannot start (another run holds it, or another process has the file open),
    in one line. Waits up to `wait` seconds (default FUNNEL_LOCK_WAIT_SECONDS, else 0), saying
    whom it waits for."""
    seconds = lock_wait_seconds() if wait is None else wait

    def say(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    # The run's own resource re-enters this lock (lib/warehouse_lock.py): held from here, no other
    # run can slip in while this one loads its definitions.
    held = contextlib.ExitStack()
    try:
        held.enter_context(hold(config.warehouse, "funnel run", wait_seconds=seconds, progress=say, poll=5))
        wait_until_free(config.warehouse, seconds, say, poll=5)
    except WarehouseBusy as error:
        held.close()
        yield f"{error}: wait for it, or stop it (--wait SECONDS waits)"
        return
    except WarehouseLocked as error:
        held.close()
        yield str(error)
        return
    with held:
        yield None


if __name__ == "__main__":
    sys.exit(main())
