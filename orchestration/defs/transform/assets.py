"""The dbt models as Dagster assets, and the resource that runs dbt.

The run's day comes from the run tag (funnel/run_day); the dbt arguments, the parse and the log
handling are plain functions in funnel/transform.py.
"""

# No `from __future__ import annotations` here: Dagster reads the context parameter's annotation
# at definition time, and a string annotation is refused.

import contextlib
import os
import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from funnel import memory
from funnel.build_state import fingerprint, full_rebuild_reason, last_build, people_rebuilt, record_build
from funnel.config import FULL_REFRESH_TAG, Settings
from funnel.engine import close_all
from funnel.privacy import ensure_hash_key
from funnel.spark_lake import land_lake, spark_dbt
from funnel.transform import (
    acceptances_var,
    broken_nodes,
    build_args,
    built_models,
    dbt_executable,
    dbt_log_path,
    incremental_models_built,
)
from funnel.warehouse import connect
from orchestration.lib.run_tags import run_as_of
from orchestration.lib.warehouse_lock import WAREHOUSE_POOL, WarehouseLock


class FunnelTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the ingestion assets write; models are keyed by layer."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            # raw/<table> for what our loaders write, <schema>/<table> for tables landed by others.
            return spec.replace_attributes(key=dg.AssetKey([props["schema"], props["identifier"]]))
        layer = props["config"].get("schema") or "dbt"
        return spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=layer)

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dbt tests stay checks with dbt's severity, but do not end the dbt step when they fail:
        the run's other checks still report, dbt itself skips what depends on a failing test,
        and publication refuses a run with any failed error-severity check (publish_asset)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or not spec.blocking:
            return spec
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=spec.description,
            additional_deps=[dep.asset_key for dep in spec.additional_deps],
            metadata=spec.metadata,
            blocking=False,
        )


def build_dbt_assets(
    manifest: Path, settings: Settings, timezone: str, partitions_def: dg.PartitionsDefinition | None
) -> dg.AssetsDefinition:
    project = DbtProject(project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_project_dir)

    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=FunnelTranslator(),
        partitions_def=partitions_def,
        pool=WAREHOUSE_POOL,
        name="funnel_dbt",
    )
    def funnel_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse_lock: WarehouseLock):
        as_of = run_as_of(context, timezone)
        full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
        current = fingerprint(settings.contract, settings.dbt_project_dir)
        with connect(settings.warehouse) as con:
            ensure_hash_key(con)  # email_hash's key, read by dbt from the warehouse (privacy.py)
            previous = last_build(con)
        # Only DuckDB builds incrementally (macros/engine/by_record.sql); Spark always builds whole.
        rebuild = full_rebuild_reason(previous, current, asked=full_refresh)
        if settings.engine == "duckdb":
            full_refresh = rebuild is not None
            context.log.info(
                f"build: full rebuild, because {rebuild}"
                if rebuild
                else "build: incremental, only the records loaded since the last build, and the people they concern,"
                " are rebuilt"
            )
        if settings.engine == "spark":
            # dbt-spark opens the metastore the checks' Spark session holds: one process at a time.
            close_all()
            tables = land_lake(settings)
            context.log.info(f"Spark: {len(tables)} raw tables exported to {settings.lake} and registered")
            dbt = spark_dbt_resource(settings)
        # A failing dbt test is a failed (blocking) asset check, not a crash: the step goes on, so
        # that every other check of the run still reports, and what depends on the tested model
        # is not built (dbt skips it) nor published. A model that cannot be built fails the step.
        invocation = dbt.cli(
            build_args("build", as_of=as_of, full_refresh=full_refresh, acceptances=acceptances_var(settings)),
            context=context,
            raise_on_error=False,
        )
        target = Path(invocation.target_path)
        reported = 0
        try:
            for event in invocation.stream():
                reported += isinstance(event, (dg.Output, dg.AssetMaterialization, dg.MaterializeResult))
                yield event
            broken = broken_nodes(target / "run_results.json")
            built = built_models(target / "run_results.json")
            complete = incremental_models_built(target / "run_results.json", manifest)
        finally:
            # dagster-dbt writes one target folder per invocation; keep the project clean, but
            # keep dbt's log where the run summary points (artifacts/logs/dbt-<run>.log).
            kept = dbt_log_path(settings, context.run_id)
            kept.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.copyfile(target / "dbt.log", kept)
            shutil.rmtree(target, ignore_errors=True)
        if not broken and reported < built:
            # dagster-dbt reads dbt's events from its output, stderr included: a line it cannot
            # parse (e.g. Spark's console progress bar) loses an event, and the models it names
            # would look skipped to every check after them. Never let that pass as success.
            broken = [f"dbt built {built} models but Dagster saw {reported} of them (events lost in dbt's output)"]
        if not broken and complete and settings.engine == "duckdb":
            with connect(settings.warehouse) as con:
                record_build(con, current, as_of, rebuild)
                rebuilt = None if rebuild else people_rebuilt(con)
            if rebuilt:
                context.log.info(f"build: {rebuilt[0]:,} of {rebuilt[1]:,} people rebuilt (their inputs changed)")
        if broken:
            raise dg.Failure(
                description="dbt could not build: " + "; ".join(broken or ["see the log"]) + f" (full dbt log: {kept})",
                metadata={"dbt_log": dg.MetadataValue.path(str(kept))},
            )

    return funnel_dbt


def spark_dbt_resource(settings: Settings) -> DbtCliResource:
    """dbt on the `spark` target, from .venv-spark (funnel/spark_lake.py)."""
    os.environ["FUNNEL_SPARK_DIR"] = str(settings.spark_dir)
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    return DbtCliResource(
        project_dir=str(settings.dbt_project_dir),
        profiles_dir=str(settings.dbt_project_dir),
        dbt_executable=str(spark_dbt()),
        target="spark",
    )


def dbt_resource(settings: Settings) -> DbtCliResource:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["FUNNEL_WAREHOUSE"] = str(settings.warehouse)
    # dagster-dbt runs dbt with this process's environment: the same DuckDB limits as the loaders.
    os.environ.update(memory.dbt_env(settings.warehouse))
    return DbtCliResource(
        project_dir=str(settings.dbt_project_dir),
        profiles_dir=str(settings.dbt_project_dir),
        dbt_executable=dbt_executable(),
    )
