"""Everything Dagster needs, assembled by a factory so that nothing heavy happens at import.

`dagster dev -w workspace.yaml`, `dagster definitions validate` and `funnel run` all load the
definitions through `defs()`; tests call `build_definitions(settings)` with their own paths.
Each concern's definitions are in orchestration/defs/<concern>/; the logic they call is in the
`funnel` package, which never imports Dagster.
"""

from __future__ import annotations

import json
import os

import dagster as dg

from funnel import compiled
from funnel.checks import landed
from funnel.config import Settings, settings
from funnel.contract.load import load_contract
from funnel.run_lock import lock_wait_seconds
from funnel.sources.config import load_sources
from funnel.sources.tables import DESCRIPTIONS, raw_tables
from funnel.transform import prepare
from orchestration.defs.alerts.sensors import build_failure_sensor, build_report_sensor
from orchestration.defs.checks.asset_checks import REJECTED_KEY, WARNINGS_KEY, build_checks
from orchestration.defs.jobs.daily import JOB_NAME, daily_job, daily_schedule
from orchestration.defs.publish import asset as publish_asset
from orchestration.defs.sources.assets import build_hubspot_api_asset, build_landed_asset, build_raw_asset
from orchestration.defs.sources.freshness import build_freshness_checks, build_freshness_sensor
from orchestration.defs.transform.assets import build_dbt_assets, dbt_resource
from orchestration.lib.asset_specs import describe_assets
from orchestration.lib.progress import progress_logger
from orchestration.lib.warehouse_lock import WarehouseLock

__all__ = ["JOB_NAME", "build_definitions", "defs"]


def build_definitions(config: Settings) -> dg.Definitions:
    loaded = load_contract(config.contract)
    # Reads only: the checkout when its generated files match this contract and these sources,
    # else a compiled scratch copy beside the warehouse (funnel/compiled.py).
    config = compiled.for_run(loaded, config)
    manifest = prepare(config)
    timezone = loaded.contract.reporting.timezone
    # dbt reads the warehouse path from the environment (profiles.yml): hand it the resolved one.
    os.environ["FUNNEL_WAREHOUSE"] = str(config.warehouse)
    sources = load_sources(config.sources_file)
    tables = raw_tables(sources)
    raw_assets = [
        build_raw_asset(
            source=source, description=DESCRIPTIONS[source], tables=specs, settings=config, partitions_def=None
        )
        for source, specs in tables.items()
        if not (source == "hubspot" and sources.hubspot.mode == "api")
    ]
    if sources.hubspot.mode == "api":
        raw_assets.append(build_hubspot_api_asset(config, None))
    landed_tables = landed.declared(manifest, landed.landed_sources(sources))
    if landed_tables:
        raw_assets.append(build_landed_asset(landed_tables, config, None))
    dbt_assets = build_dbt_assets(manifest, config, timezone, None)
    # Publication waits for the marts and for the two models whose checks judge the sources'
    # values: a failed blocking check on any of them skips it.
    mart_keys = [key for key in dbt_assets.keys if key.path[0] == "marts"] + [REJECTED_KEY, WARNINGS_KEY]
    published = publish_asset.build(config, loaded, None, mart_keys)
    freshness = build_freshness_checks(raw_assets)
    job = daily_job()
    return dg.Definitions(
        # Owners from the contract, and the columns dbt declares for the sources (lib/asset_specs.py).
        assets=describe_assets(
            [*raw_assets, dbt_assets, published], loaded.contract, json.loads(manifest.read_text(encoding="utf-8"))
        ),
        asset_checks=[*build_checks(config, loaded, tables, landed_tables), *freshness],
        jobs=[job],
        schedules=[daily_schedule(job, timezone)],
        sensors=[
            build_failure_sensor(config, job),
            build_report_sensor(config, job),
            build_freshness_sensor(freshness),
        ],
        resources={
            "dbt": dbt_resource(config),
            "warehouse_lock": WarehouseLock(warehouse=str(config.warehouse), wait_seconds=lock_wait_seconds()),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(settings())
