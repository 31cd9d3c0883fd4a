"""Everything Dagster needs, assembled by a factory so that nothing heavy happens at import.

`dagster dev -w workspace.yaml`, `dagster definitions validate` and `funnel run` all load the
definitions through `defs()`; tests call `build_definitions(settings)` with their own paths.
"""

from __future__ import annotations

import os
from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration import alerts, checks, compiled, publish_asset
from orchestration.checks import landed
from orchestration.config import RUN_DAY_TAG, Settings, settings
from orchestration.contract.load import load_contract
from orchestration.progress import progress_logger
from orchestration.sources import ads, hubspot, reports, salesforce
from orchestration.sources.assets import build_hubspot_api_asset, build_landed_asset, build_raw_asset
from orchestration.sources.config import load_sources
from orchestration.transform import build_dbt_assets, dbt_resource, prepare
from orchestration.warehouse_lock import WarehouseLock, lock_wait_seconds

JOB_NAME = "daily_funnel"


def build_definitions(config: Settings) -> dg.Definitions:
    loaded = load_contract(config.contract)
    # Reads only: the checkout when its generated files match this contract and these sources,
    # else a compiled scratch copy beside the warehouse (compiled.py).
    config = compiled.for_run(loaded, config)
    manifest = prepare(config)
    timezone = loaded.contract.reporting.timezone
    # dbt reads the warehouse path from the environment (profiles.yml): hand it the resolved one.
    os.environ["FUNNEL_WAREHOUSE"] = str(config.warehouse)
    sources = load_sources(config.sources_file)
    raw_tables = {"ads": {**ads_tables_from_files(sources), **ads.MAPPINGS}}
    if sources.reports == "files":
        raw_tables["reports"] = reports.TABLES
    if sources.hubspot.mode in ("files", "api"):
        raw_tables["hubspot"] = hubspot.TABLES
    if sources.salesforce.mode == "files":
        raw_tables["salesforce"] = salesforce.TABLES
    descriptions = {
        "ads": "Ad platforms' daily campaign reports, FX rates and the UTM mapping (CSV).",
        "reports": "The numbers each team reported (CSV).",
        "hubspot": "HubSpot CRM exports (API-shaped JSON pages).",
        "salesforce": "Salesforce REST API query pages, one folder per object.",
    }
    raw_assets = [
        build_raw_asset(
            source=source, description=descriptions[source], tables=tables, settings=config, partitions_def=None
        )
        for source, tables in raw_tables.items()
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
    mart_keys = [key for key in dbt_assets.keys if key.path[0] == "marts"] + [checks.REJECTED_KEY, checks.WARNINGS_KEY]
    published = publish_asset.build(config, loaded, None, mart_keys)
    asset_checks = checks.build_checks(config, loaded, raw_tables, landed_tables)

    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        description="The daily run for a day (run tag funnel/run_day): load sources, build the canonical "
        "funnel as of the end of that day, check it, publish it.",
    )
    return dg.Definitions(
        assets=[*raw_assets, dbt_assets, published],
        asset_checks=asset_checks,
        jobs=[job],
        schedules=[daily_schedule(job, timezone)],
        sensors=[alerts.build_failure_sensor(config, job), alerts.build_report_sensor(config, job)],
        resources={
            "dbt": dbt_resource(config),
            "warehouse_lock": WarehouseLock(warehouse=str(config.warehouse), wait_seconds=lock_wait_seconds()),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


def daily_schedule(job: dg.JobDefinition, timezone: str) -> dg.ScheduleDefinition:
    """At 06:00 in the reporting timezone, the run for the day that just ended."""

    @dg.schedule(name=f"{JOB_NAME}_schedule", job=job, cron_schedule="0 6 * * *", execution_timezone=timezone)
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = (context.scheduled_execution_time.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)).isoformat()
        return dg.RunRequest(run_key=day, tags={RUN_DAY_TAG: day})

    return _schedule


def ads_tables_from_files(sources) -> dict:
    """The ad tables our loader reads: FX always, each platform only when it comes from files."""
    modes = sources.ads.model_dump()
    return {
        name: spec
        for name, spec in ads.TABLES.items()
        if ads.platform_of(name) is None or modes[ads.platform_of(name)] == "files"
    }


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(settings())
