"""The run's hold on its warehouse, as a Dagster resource every step requires.

Whatever launched the run (`funnel run`, the daemon's schedule, the UI), its run worker takes the
warehouse's run lock (run_lock.py, an flock the kernel drops when the process dies) before the
first step. Holding it proves no other run of this warehouse is alive, so runs still marked in
progress for it are dead: they are marked failed, with the reason, and the concurrency slots
they hold are freed. A crashed run therefore never blocks the next one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from funnel.privacy import PRIVATE_UMASK
from funnel.run_lock import hold
from funnel.warehouse import wait_until_free

WAREHOUSE_POOL = "duckdb_writer"
"""Every step that touches the DuckDB file takes a slot of this pool; dagster.yaml gives it one."""

PID_TAG = "funnel/pid"
WAREHOUSE_TAG = "funnel/warehouse"
_IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def recover_dead_runs(instance: dg.DagsterInstance, warehouse: Path, current_run_id: str) -> list[str]:
    """Mark failed the runs of `warehouse` still in progress (the caller holds its lock, so their
    processes are gone) and free every slot of the pool held by a run that is not running."""
    messages = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS, tags={WAREHOUSE_TAG: str(warehouse)})):
        if run.run_id == current_run_id:
            continue
        pid = run.tags.get(PID_TAG, "?")
        reason = (
            f"its process (PID {pid}) died before the run ended; marked failed by run "
            f"{current_run_id[:8]}, which found the warehouse free"
        )
        instance.report_run_failed(run, message=reason)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        messages.append(f"run {run.run_id[:8]} {reason}")
    for run_id in instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).active_run_ids:
        run = instance.get_run_by_id(run_id)
        if run_id != current_run_id and (run is None or run.is_finished):
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            messages.append(
                f"freed the warehouse slot left by run {run_id[:8]} ({run.status.value if run else 'gone'})"
            )
    return messages


class WarehouseLock(dg.ConfigurableResource):
    """Held for the whole run: see the module docstring."""

    warehouse: str
    wait_seconds: float = 0.0

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseLock]:
        warehouse = Path(self.warehouse)
        run_id = context.run_id or "run"
        log = context.log.info if context.log else (lambda _message: None)
        os.umask(PRIVATE_UMASK)  # the run's files hold personal data: owner-only (privacy.py)
        with hold(warehouse, f"run {run_id[:8]}", wait_seconds=self.wait_seconds, progress=log, poll=30):
            if context.instance is not None and context.run_id:
                context.instance.add_run_tags(
                    context.run_id, {PID_TAG: str(os.getpid()), WAREHOUSE_TAG: str(warehouse)}
                )
                for message in recover_dead_runs(context.instance, warehouse, context.run_id):
                    if context.log:
                        context.log.warning(message)
            wait_until_free(warehouse, self.wait_seconds, log, poll=30)
            yield self
