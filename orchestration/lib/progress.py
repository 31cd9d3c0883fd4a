"""Terminal progress for runs started by the CLI: one line per step and per check."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg


class _Progress(logging.Handler):
    """Prints step starts and ends, and check results, as they happen."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.started: dict[str, float] = {}
        self.quiet_passes: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {})
        event = meta.get("dagster_event")
        if event is None:
            message = meta.get("orig_message") or record.getMessage()
            # A step's or resource's own warnings (a recovered crashed run, columns read as NULL).
            if record.levelno >= logging.WARNING:
                print(f"    warn: {message}", file=sys.stderr, flush=True)
            # How the models are built this time (full or incremental, and why).
            elif message.startswith("build: "):
                print(f"    {message}", file=sys.stderr, flush=True)
            return
        kind = event.event_type
        step = event.step_key or ""
        if kind == dg.DagsterEventType.STEP_START:
            self.started[step] = time.monotonic()
            print(f"  … {step}", file=sys.stderr, flush=True)
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            took = time.monotonic() - self.started.get(step, time.monotonic())
            word = "done" if kind == dg.DagsterEventType.STEP_SUCCESS else "FAILED"
            passes = self.quiet_passes.pop(step, 0)
            tests = f", {passes} checks passed" if passes else ""
            print(f"  {word} {step} ({took:.1f}s{tests})", file=sys.stderr, flush=True)
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            print(f"  skipped {step} (an upstream blocking check failed)", file=sys.stderr, flush=True)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if data.passed and step.startswith(("funnel_dbt", "check_raw_", "check_landed", "freshness_check")):
                # Steps with many checks (dbt's tests, one raw or freshness check per table):
                # counted, shown one by one only when they fail.
                self.quiet_passes[step] = self.quiet_passes.get(step, 0) + 1
                return
            word = "ok" if data.passed else ("FAILED" if data.severity.value == "ERROR" else "warn")
            print(f"    check {data.check_name}: {word}", file=sys.stderr, flush=True)


@dg.logger(description="One line per step and per check, for the terminal.")
def progress_logger(_init_context) -> logging.Logger:
    logger = logging.getLogger("funnel.progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [_Progress()]
    logger.propagate = False
    return logger
