"""Freshness checks on the source assets: has the daily run loaded them in the last 26 hours?

The daily run loads every source at 06:00: 26 hours is a day and the run's length, with room
to spare. The checks warn and never block (a stale source is news, not a reason to stop a run
that is loading it). They are part of the daily job, so a run evaluates them right after its
loads, where they pass, and a failed check turns green with the next run; between runs the
sensor re-evaluates them (it needs the Dagster daemon, and is off until started in the UI).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import dagster as dg

RAW_FRESHNESS = timedelta(hours=26)
FRESHNESS_SENSOR = "raw_freshness_sensor"


def build_freshness_checks(assets: Sequence[dg.AssetsDefinition]) -> Sequence[dg.AssetChecksDefinition]:
    return dg.build_last_update_freshness_checks(
        assets=list(assets),
        lower_bound_delta=RAW_FRESHNESS,
        severity=dg.AssetCheckSeverity.WARN,
        blocking=False,
    )


def build_freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    return dg.build_sensor_for_freshness_checks(freshness_checks=list(checks), name=FRESHNESS_SENSOR)
