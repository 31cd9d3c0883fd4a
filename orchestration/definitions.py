"""Everything Dagster needs, assembled by a factory so that nothing heavy happens at import.

`dagster dev -w workspace.yaml`, `dagster definitions validate` and `funnel run` all load the
definitions through `defs()`; tests call `build_definitions(settings)` with their own paths.
"""

from __future__ import annotations

import os

import dagster as dg

from orchestration import alerts, checks, publish_asset
from orchestration.config import Settings, settings
from orchestration.contract.load import load_contract
from orchestration.sources import ads, hubspot, reports, salesforce
from orchestration.checks import landed
from orchestration.sources.assets import build_hubspot_api_asset, build_landed_asset, build_raw_asset
from orchestration.sources.config import load_sources
from orchestration.progress import progress_logger
from orchestration.transform import build_dbt_assets, dbt_resource, prepare
from orchestration.warehouse_lock import WarehouseLock, lock_wait_seconds

JOB_NAME = "daily_funnel"


def build_definitions(config: Settings) -> dg.Definitions:
    loaded = load_contract(config.contract)
    manifest = prepare(loaded, config)
    checks.sync_suites(loaded, config)
    timezone = loaded.contract.reporting.timezone
    # dbt reads the warehouse path from the environment (profiles.yml): hand it the resolved one.
    os.environ["FUNNEL_WAREHOUSE"] = str(config.warehouse)
    # Partitions are "as of" days: a run for day D computes the funnel at the end of D. They
    # start at the contract's meta.history_start, the first day the funnel has data for.
    daily = dg.DailyPartitionsDefinition(
        start_date=loaded.contract.meta.history_start.isoformat(), timezone=timezone)

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
        build_raw_asset(source=source, description=descriptions[source], tables=tables, settings=config,
                        partitions_def=daily)
        for source, tables in raw_tables.items()
        if not (source == "hubspot" and sources.hubspot.mode == "api")
    ]
    if sources.hubspot.mode == "api":
        raw_assets.append(build_hubspot_api_asset(config, daily))
    landed_tables = landed.declared(manifest, landed.landed_sources(sources))
    if landed_tables:
        raw_assets.append(build_landed_asset(landed_tables, config, daily))
    dbt_assets = build_dbt_assets(manifest, config, timezone, daily)
    # Publication waits for the marts and for the two models whose checks judge the sources'
    # values: a failed blocking check on any of them skips it.
    mart_keys = [key for key in dbt_assets.keys if key.path[0] == "marts"] + [checks.REJECTED_KEY, checks.WARNINGS_KEY]
    published = publish_asset.build(config, loaded, daily, mart_keys)
    asset_checks = checks.build_checks(config, loaded, raw_tables, landed_tables)

    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        partitions_def=daily,
        executor_def=dg.in_process_executor,
        description="The daily run: load sources, build the canonical funnel, check it, publish it.",
    )
    return dg.Definitions(
        assets=[*raw_assets, dbt_assets, published],
        asset_checks=asset_checks,
        jobs=[job],
        schedules=[dg.build_schedule_from_partitioned_job(job, hour_of_day=6, minute_of_hour=0)],
        sensors=[alerts.build_failure_sensor(config, job), alerts.build_report_sensor(config, job)],
        resources={
            "dbt": dbt_resource(config),
            "warehouse_lock": WarehouseLock(warehouse=str(config.warehouse), wait_seconds=lock_wait_seconds()),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


def ads_tables_from_files(sources) -> dict:
    """The ad tables our loader reads: FX always, each platform only when it comes from files."""
    modes = sources.ads.model_dump()
    return {name: spec for name, spec in ads.TABLES.items()
            if ads.platform_of(name) is None or modes[ads.platform_of(name)] == "files"}


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(settings())
