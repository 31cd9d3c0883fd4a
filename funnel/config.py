"""Where things live. Every path comes from the environment, with project-relative defaults."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    path = Path(value) if value else default
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


# The run's day travels as a run tag, set by `funnel run` and by the schedule (definitions.py).
# The job is not partitioned: a run brings every model up to date for its day (incrementally
# where it can), so per-day partitions would only show the UI hundreds of "missing" days nobody
# should backfill.
RUN_DAY_TAG = "funnel/run_day"
# `funnel run --full-refresh`: reload every file and rebuild every model.
FULL_REFRESH_TAG = "funnel/full_refresh"
# `funnel run --retire-deleted`: remove the rows of export files that are gone (sources/manifest.py).
RETIRE_DELETED_TAG = "funnel/retire_deleted"


def published_path(warehouse: Path) -> Path:
    """The published copy beside a warehouse file (`funnel.duckdb` → `funnel_published.duckdb`)."""
    return warehouse.with_name(warehouse.stem + "_published.duckdb")


ACCEPTANCES_FILE = "alignment_acceptances.yml"


@dataclass(frozen=True)
class Settings:
    """Resolved once per command or run, so a change of environment mid-run cannot split it."""

    warehouse: Path
    data_dir: Path
    contract: Path
    dagster_home: Path
    dbt_project_dir: Path
    expectations_dir: Path
    sources_file: Path = PROJECT_ROOT / "sources.yml"
    # BI's PostgreSQL (publish_postgres.py); None publishes the DuckDB copy only. Holds a
    # password: kept out of repr, so that no log line or error message shows it.
    publish_postgres_url: str | None = field(default=None, repr=False)
    # Roles that read the published marts in PostgreSQL (granted on every new schema).
    publish_postgres_readers: tuple[str, ...] = ()
    # Where the models are built and the checks read them: "duckdb" (the warehouse file) or
    # "spark" (dbt-spark; funnel/engine.py). The loaders land in the DuckDB warehouse either way.
    engine: str = "duckdb"
    # Spark only: the Parquet lake of the raw tables, and the metastore and tables Spark writes.
    lake_override: Path | None = None
    spark_dir_override: Path | None = None
    # Signed-off divergences (funnel accept); beside the contract unless FUNNEL_ACCEPTANCES says.
    acceptances_override: Path | None = None

    @property
    def acceptances(self) -> Path:
        return self.acceptances_override or self.contract.resolve().parent / ACCEPTANCES_FILE

    @property
    def published(self) -> Path:
        """The copy BI tools read; replaced atomically after every passing run."""
        return published_path(self.warehouse)

    @property
    def lake(self) -> Path:
        return self.lake_override or self.warehouse.parent / "lake"

    @property
    def spark_dir(self) -> Path:
        return self.spark_dir_override or self.warehouse.parent / "spark"

    @property
    def artifacts_dir(self) -> Path:
        """Run summaries, alerts and reports, next to the warehouse."""
        return self.warehouse.parent / "artifacts"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


def settings() -> Settings:
    return Settings(
        warehouse=_path("FUNNEL_WAREHOUSE", PROJECT_ROOT / "warehouse" / "funnel.duckdb"),
        data_dir=_path("FUNNEL_DATA_DIR", PROJECT_ROOT / "data" / "sample"),
        contract=_path("FUNNEL_CONTRACT", PROJECT_ROOT / "funnel.yml"),
        dagster_home=_path("DAGSTER_HOME", PROJECT_ROOT / ".dagster"),
        # Tests point this at a copy, so that a trial contract never touches the repository's.
        dbt_project_dir=_path("FUNNEL_DBT_PROJECT_DIR", DBT_PROJECT_DIR),
        expectations_dir=_path("FUNNEL_EXPECTATIONS_DIR", EXPECTATIONS_DIR),
        sources_file=_path("FUNNEL_SOURCES", PROJECT_ROOT / "sources.yml"),
        publish_postgres_url=os.environ.get("FUNNEL_PUBLISH_POSTGRES_URL") or None,
        publish_postgres_readers=tuple(
            role.strip() for role in os.environ.get("FUNNEL_PUBLISH_POSTGRES_GRANT_TO", "").split(",") if role.strip()
        ),
        engine=(os.environ.get("FUNNEL_ENGINE") or "duckdb").strip().lower(),
        lake_override=_path("FUNNEL_LAKE", Path()) if os.environ.get("FUNNEL_LAKE") else None,
        spark_dir_override=_path("FUNNEL_SPARK_DIR", Path()) if os.environ.get("FUNNEL_SPARK_DIR") else None,
        acceptances_override=_path("FUNNEL_ACCEPTANCES", Path()) if os.environ.get("FUNNEL_ACCEPTANCES") else None,
    )


ENGINES = ("duckdb", "spark")


def engine_problem(config: Settings) -> str | None:
    """Why the configured engine cannot be used, or None."""
    if config.engine not in ENGINES:
        return f"FUNNEL_ENGINE={config.engine!r}: choose one of {', '.join(ENGINES)}"
    return None


def ensure_dagster_home(config: Settings) -> None:
    """$DAGSTER_HOME holds the run history; its dagster.yaml is the repository's."""
    config.dagster_home.mkdir(parents=True, exist_ok=True)
    target = config.dagster_home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(config.dagster_home)
