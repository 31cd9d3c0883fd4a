"""The Dagster asset that publishes the marts for BI, after every blocking check upstream passed."""

from collections.abc import Sequence
import dagster as dg

from orchestration.config import Settings
from orchestration.contract.load import LoadedContract
from orchestration.publish import publish
from orchestration.sources.assets import WAREHOUSE_POOL
from orchestration.transform import run_as_of

PUBLISHED_KEY = dg.AssetKey(["published", "bi_marts"])


def build(
    config: Settings, loaded: LoadedContract, partitions_def: dg.PartitionsDefinition, mart_keys: Sequence[dg.AssetKey]
) -> dg.AssetsDefinition:
    timezone = loaded.contract.reporting.timezone

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=list(mart_keys),
        group_name="publish",
        kinds={"duckdb"},
        partitions_def=partitions_def,
        pool=WAREHOUSE_POOL,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            "The marts BI tools read (a separate DuckDB file), replaced atomically only when every "
            "blocking check of the run passed."
        ),
    )
    def bi_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        as_of = run_as_of(context, timezone)
        counts = publish(
            config.warehouse,
            config.published,
            run_id=context.run.run_id,
            as_of=as_of,
            contract_version=loaded.contract.meta.version,
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(config.published)),
                "as_of": as_of or "",
                **{f"rows.{table}": dg.MetadataValue.int(n) for table, n in counts.items()},
            }
        )

    return bi_marts
