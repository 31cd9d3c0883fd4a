"""Dagster glue shared by the sources: one multi-asset per source, one asset per raw table."""

from collections.abc import Mapping

import dagster as dg

from funnel.config import FULL_REFRESH_TAG, RETIRE_DELETED_TAG, Settings
from funnel.sources.loader import CsvFiles, JsonPages, load_all
from funnel.warehouse import connect
from orchestration.lib.warehouse_lock import WAREHOUSE_POOL

RAW_RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def build_raw_asset(
    *,
    source: str,
    description: str,
    tables: Mapping[str, JsonPages | CsvFiles],
    settings: Settings,
    partitions_def: dg.PartitionsDefinition | None,
) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            raw_key(table),
            group_name="raw",
            description=f"{description} Table raw.{table}.",
            kinds={"duckdb", "python"},
            partitions_def=partitions_def,
        )
        for table in tables
    ]

    @dg.multi_asset(
        name=f"load_{source}",
        specs=specs,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
        retry_policy=RAW_RETRY,
        partitions_def=partitions_def,
        # Sources are snapshots: a backfill of many days loads them once.
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=description,
    )
    def _load(context: dg.AssetExecutionContext):
        tags = context.run.tags
        with connect(settings.warehouse) as con:
            results = load_all(
                con,
                settings.data_dir,
                tables.values(),
                full_refresh=tags.get(FULL_REFRESH_TAG) == "true",
                retire_deleted=tags.get(RETIRE_DELETED_TAG) == "true",
            )
        for result in results:
            if result.quarantined_files or result.quarantined_records:
                context.log.warning(
                    f"raw.{result.table}: {result.quarantined_files} file(s) and "
                    f"{result.quarantined_records} record(s) quarantined — see raw.quarantine"
                )
            if result.deleted_files and not result.retired:
                context.log.warning(
                    f"raw.{result.table}: {len(result.deleted_files)} file(s) loaded earlier are gone from "
                    f"{settings.data_dir} (first: {result.deleted_files[0]}); their rows are kept. "
                    "Restore them, or run `funnel run --retire-deleted` to remove their rows"
                )
            yield dg.MaterializeResult(
                asset_key=raw_key(result.table),
                metadata={
                    "files": result.files,
                    "files_read": result.read_files,
                    "files_gone": len(result.deleted_files),
                    "rows": dg.MetadataValue.int(result.rows),
                    "quarantined_files": result.quarantined_files,
                    "quarantined_records": result.quarantined_records,
                    "data_dir": dg.MetadataValue.path(str(settings.data_dir)),
                },
            )

    return _load


def build_landed_asset(
    tables, settings: Settings, partitions_def: dg.PartitionsDefinition | None
) -> dg.AssetsDefinition:
    """The tables Fivetran lands, as assets: profiled in place (never copied), so that their
    shape checks run, and block dbt, before anything reads them."""
    from funnel.checks.landed import profile

    specs = [
        dg.AssetSpec(
            dg.AssetKey([t.schema, t.identifier]),
            group_name="landed",
            kinds={"duckdb", "fivetran"},
            partitions_def=partitions_def,
            description=f"Fivetran-landed {t.label} (dbt source {t.source}.{t.name}), read in place.",
        )
        for t in tables
    ]

    @dg.multi_asset(
        name="profile_landed_tables",
        specs=specs,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions_def,
        required_resource_keys={"warehouse_lock"},
        backfill_policy=dg.BackfillPolicy.single_run(),
        description="Profiles the tables Fivetran landed (rows, columns present); loads nothing.",
    )
    def _profile(context: dg.AssetExecutionContext):
        frame = profile(settings.warehouse, tables)
        for table, row in zip(tables, frame.to_dict("records")):
            if row["absent_columns"]:
                context.log.warning(f"{table.label}: column(s) absent, read as NULL: {row['absent_columns']}")
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([table.schema, table.identifier]),
                metadata={
                    "rows": dg.MetadataValue.int(int(row["rows_loaded"])),
                    "exists": bool(row["table_exists"]),
                    "absent_columns": row["absent_columns"] or "none",
                },
            )

    return _profile


def build_hubspot_api_asset(settings: Settings, partitions_def: dg.PartitionsDefinition | None) -> dg.AssetsDefinition:
    """HubSpot's live API into the same raw tables as the files (sources.yml: hubspot from api).

    The token and base URL come from HUBSPOT_ACCESS_TOKEN and HUBSPOT_API_BASE_URL; dlt keeps
    its incremental state beside the warehouse (`dlt/`), so an interrupted sync resumes.
    """
    from funnel.sources import hubspot
    from funnel.sources.hubspot_api.sync import sync_hubspot

    specs = [
        dg.AssetSpec(
            raw_key(table),
            group_name="raw",
            kinds={"duckdb", "dlt"},
            partitions_def=partitions_def,
            description=f"HubSpot's live API (dlt, incremental). Table raw.{table}.",
        )
        for table in hubspot.TABLES
    ]

    @dg.multi_asset(
        name="load_hubspot",
        specs=specs,
        pool=WAREHOUSE_POOL,
        retry_policy=RAW_RETRY,
        required_resource_keys={"warehouse_lock"},
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def _load(context: dg.AssetExecutionContext):
        # No warehouse connection is held here: dlt and the raw swap open the file themselves.
        result = sync_hubspot(
            settings.warehouse, state_dir=settings.warehouse.parent / "dlt", progress=context.log.info
        )
        for table, rows in result.objects.items():
            yield dg.MaterializeResult(
                asset_key=raw_key(table),
                metadata={
                    "rows": dg.MetadataValue.int(rows),
                    "requests": result.requests,
                    "retries": result.retries,
                    "windows": result.windows,
                    "seconds": round(result.seconds, 1),
                },
            )

    return _load
