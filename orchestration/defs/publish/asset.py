"""The Dagster asset that publishes the marts for BI, only when every error-severity check of the
run passed (blocking GX checks skip it; failed dbt tests are refused here)."""

from collections.abc import Sequence

import dagster as dg

from funnel.config import Settings
from funnel.contract.load import LoadedContract
from funnel.engine import models
from funnel.publish import publish
from funnel.publish_postgres import publish_to_postgres, redacted
from orchestration.lib.run_tags import run_as_of, run_day
from orchestration.lib.warehouse_lock import WAREHOUSE_POOL

PUBLISHED_KEY = dg.AssetKey(["published", "bi_marts"])


def build(
    config: Settings, loaded: LoadedContract, partitions_def: dg.PartitionsDefinition, mart_keys: Sequence[dg.AssetKey]
) -> dg.AssetsDefinition:
    timezone = loaded.contract.reporting.timezone

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=list(mart_keys),
        output_required=False,
        group_name="publish",
        kinds={"duckdb"},
        partitions_def=partitions_def,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            "The marts BI tools read (a separate DuckDB file), replaced atomically only when every "
            "blocking check of the run passed."
        ),
    )
    def bi_marts(context: dg.AssetExecutionContext):
        failed = failed_error_checks(context.instance, context.run.run_id)
        if failed:
            # dbt's tests do not block the dbt step (transform.py): this is where they stop
            # publication. BI keeps the last reconciled copy.
            context.log.warning("not published: failed checks " + ", ".join(failed[:10]))
            return
        as_of = run_as_of(context, timezone)
        counts = publish(
            models(config),
            config.published,
            run_id=context.run.run_id,
            as_of=as_of,
            contract_version=loaded.contract.meta.version,
        )
        metadata = {
            "path": dg.MetadataValue.path(str(config.published)),
            "as_of": as_of or "",
            **{f"rows.{table}": dg.MetadataValue.int(n) for table, n in counts.items()},
        }
        if config.publish_postgres_url:
            # The DuckDB copy is published first: BI on PostgreSQL gets exactly its tables. A
            # failure here fails the run; PostgreSQL keeps its last publication.
            served = publish_to_postgres(
                config.published,
                config.publish_postgres_url,
                run_id=context.run.run_id,
                run_day=run_day(context),
                as_of=as_of,
                contract_version=loaded.contract.meta.version,
                grant_to=list(config.publish_postgres_readers),
            )
            context.log.info(f"published {len(served)} marts to {redacted(config.publish_postgres_url)}")
            metadata["postgres"] = redacted(config.publish_postgres_url)
            metadata["postgres_rows"] = dg.MetadataValue.int(sum(served.values()))
        yield dg.MaterializeResult(metadata=metadata)

    return bi_marts


def failed_error_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The error-severity checks that failed in a run so far (`asset:check`)."""
    failed = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed
