"""dbt: the parsed project and the dbt assets.

Nothing here runs at import. `prepare()` is called by the definitions factory when it loads; it
re-parses only when the project's files changed.
"""

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.config import RUN_DAY_TAG, Settings
from orchestration.privacy import ensure_hash_key
from orchestration.warehouse import connect
from orchestration.warehouse_lock import WAREHOUSE_POOL, WarehouseLock

_PARSE_STAMP = "funnel_parse_inputs.sha256"


def dbt_executable() -> str:
    """dbt from the same environment as this Python, so no PATH set-up is needed."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "FUNNEL_WAREHOUSE": str(settings.warehouse),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _parse_inputs_hash(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for folder in ("models", "macros", "tests"):
        for path in sorted((project_dir / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(project_dir).as_posix().encode())
                digest.update(path.read_bytes())
    for name in ("dbt_project.yml", "profiles.yml"):
        digest.update((project_dir / name).read_bytes())
    return digest.hexdigest()


def prepare(settings: Settings) -> Path:
    """Parse the dbt project when its files changed since the last parse; returns the manifest.

    Writes only under the project's (git-ignored) target folder: the generated files come from
    `funnel compile`, or from compiled.for_run for another contract. `dbt parse` takes a few
    seconds, so it only runs when the project's files differ from those of the last parse.
    """
    project_dir = settings.dbt_project_dir
    target = project_dir / "target"
    manifest = target / "manifest.json"
    stamp = target / _PARSE_STAMP
    inputs = _parse_inputs_hash(project_dir)
    if manifest.exists() and stamp.exists() and stamp.read_text() == inputs:
        return manifest
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        cwd=project_dir,
        env=dbt_env(settings),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed in {project_dir}:\n{result.stdout}\n{result.stderr}")
    stamp.write_text(inputs)
    return manifest


def as_of_for(partition_date: date, timezone: str) -> str:
    """The end of the run's day in the reporting timezone, as a UTC ISO-8601 instant."""
    end = datetime.combine(partition_date + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return end.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_day(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> date | None:
    day = context.run.tags.get(RUN_DAY_TAG)
    return date.fromisoformat(day) if day else None


def run_as_of(context: dg.AssetExecutionContext, timezone: str) -> str:
    """The run's instant: the end of its day in the reporting timezone. A run without the tag (a
    "Materialize all" in the UI) computes the day that last ended, as `funnel run` does."""
    day = run_day(context) or datetime.now(ZoneInfo(timezone)).date() - timedelta(days=1)
    return as_of_for(day, timezone)


def build_args(command: str, *, as_of: str | None, full_refresh: bool) -> list[str]:
    """dbt arguments for a run. dbt unit tests are left out: they check the SQL logic on fixed
    rows under the demo contract, and run in the test suite (tests/test_dbt_unit.py)."""
    args = [command]
    if command == "build":
        args += ["--exclude-resource-type", "unit_test"]
    if as_of:
        args += ["--vars", json.dumps({"as_of": as_of})]
    if full_refresh:
        args.append("--full-refresh")
    return args


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
        full_refresh = context.run.tags.get("funnel/full_refresh") == "true"
        with connect(settings.warehouse) as con:
            ensure_hash_key(con)  # email_hash's key, read by dbt from the warehouse (privacy.py)
        # A failing dbt test is a failed (blocking) asset check, not a crash: the step goes on, so
        # that every other check of the run still reports, and what depends on the tested model
        # is not built (dbt skips it) nor published. A model that cannot be built fails the step.
        invocation = dbt.cli(
            build_args("build", as_of=as_of, full_refresh=full_refresh), context=context, raise_on_error=False
        )
        target = Path(invocation.target_path)
        try:
            yield from invocation.stream()
            broken = broken_nodes(target / "run_results.json")
        finally:
            # dagster-dbt writes one target folder per invocation; keep the project clean, but
            # keep dbt's log where the run summary points (artifacts/logs/dbt-<run>.log).
            kept = dbt_log_path(settings, context.run_id)
            kept.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.copyfile(target / "dbt.log", kept)
            shutil.rmtree(target, ignore_errors=True)
        if broken:
            raise dg.Failure(
                description="dbt could not build: " + "; ".join(broken or ["see the log"]) + f" (full dbt log: {kept})",
                metadata={"dbt_log": dg.MetadataValue.path(str(kept))},
            )

    return funnel_dbt


def broken_nodes(run_results: Path) -> list[str]:
    """Models, seeds or tests dbt could not run (errors, not test failures): `name: message`."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return ["dbt wrote no run results"]
    return [
        f"{result['unique_id'].split('.')[-1]}: {' '.join((result.get('message') or '').split())[:300]}"
        for result in results
        if result.get("status") == "error"
    ]


def dbt_log_path(settings: Settings, run_id: str) -> Path:
    """Where a run's dbt log is kept after the run (its target folder is removed)."""
    return settings.artifacts_dir / "logs" / f"dbt-{run_id[:8]}.log"


def dbt_errors(log: Path, limit: int = 8) -> list[str]:
    """What failed, from dbt's JSON log: each failing model's or test's own message, compact."""
    found: list[str] = []
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        if '"RunResultError"' not in line:
            continue
        try:
            message = json.loads(line)["info"]["msg"]
        except (ValueError, KeyError):
            continue
        parts = [part.strip() for part in message.splitlines() if part.strip()]
        found.append(" ".join(parts)[:400])
        if len(found) == limit:
            break
    return found


def dbt_resource(settings: Settings) -> DbtCliResource:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["FUNNEL_WAREHOUSE"] = str(settings.warehouse)
    return DbtCliResource(
        project_dir=str(settings.dbt_project_dir),
        profiles_dir=str(settings.dbt_project_dir),
        dbt_executable=dbt_executable(),
    )
