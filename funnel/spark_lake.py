"""The funnel's models on Spark: the raw tables as a Parquet lake, and dbt on the `spark` target.

What runs today (README, "Scaling out"): the loaders land raw data in the DuckDB warehouse as
always; `export_lake` writes each raw table (and the email_hash key) as Parquet under a lake
folder, one folder per table, replaced whole; dbt registers them in Spark's catalog as external
tables (`macros/engine/register_lake.sql`) and builds every model, data test and singular test on
Spark, with the dialect differences in `macros/dialect/`. `build_on_spark` does the three steps.

Not yet: `FUNNEL_ENGINE=spark funnel run` (the Dagster job still builds on DuckDB), loaders that
land Parquet directly, and the GX checks reading through Spark.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from funnel.config import PROJECT_ROOT, Settings
from funnel.privacy import PRIVATE_UMASK
from funnel.transform import build_args, dbt_env

# What the models read: the loaders' raw tables and the key of email_hash.
LAKE_SCHEMAS = ("raw", "private")


def spark_dbt() -> Path:
    """dbt with the Spark adapter: $FUNNEL_SPARK_DBT, else .venv-spark's (`make spark-env`).

    It lives in its own environment: pyspark 4 does not support pandas 3, and installed beside
    Great Expectations it changes what GX imports."""
    configured = os.environ.get("FUNNEL_SPARK_DBT")
    return Path(configured) if configured else PROJECT_ROOT / ".venv-spark" / "bin" / "dbt"


@dataclass(frozen=True)
class SparkPaths:
    """Where a Spark build keeps its files: the lake it reads, the metastore and tables it writes."""

    lake: Path
    spark_dir: Path

    @property
    def tables(self) -> Path:
        return self.spark_dir / "tables"

    def table_files(self, schema: str, table: str) -> Path:
        """The Parquet folder of a table dbt built on Spark (managed table)."""
        return self.tables / f"{schema}.db" / table


def export_lake(warehouse: Path, lake: Path) -> list[str]:
    """Every table of the raw and private schemas as Parquet under `lake/<schema>/<table>/`;
    returns `schema.table` names. Each folder is written beside and renamed into place."""
    names: list[str] = []
    old_umask = os.umask(PRIVATE_UMASK)  # the lake holds emails and the hash key
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
            f"and table_schema in ({', '.join(repr(s) for s in LAKE_SCHEMAS)}) order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            target = lake / schema / table
            incoming = lake / schema / f".{table}.incoming"
            shutil.rmtree(incoming, ignore_errors=True)
            incoming.mkdir(parents=True)
            file = str(incoming / "part-0.parquet").replace("'", "''")
            con.execute(f'copy "{schema}"."{table}" to \'{file}\' (format parquet)')
            shutil.rmtree(target, ignore_errors=True)
            incoming.rename(target)
            names.append(f"{schema}.{table}")
    finally:
        con.close()
        os.umask(old_umask)
    return names


def spark_env(settings: Settings, paths: SparkPaths) -> dict[str, str]:
    return {
        **dbt_env(settings),
        "FUNNEL_DBT_TARGET": "spark",
        "FUNNEL_SPARK_DIR": str(paths.spark_dir),
    }


def _dbt(settings: Settings, paths: SparkPaths, args: list[str]) -> subprocess.CompletedProcess:
    project = str(settings.dbt_project_dir)
    command = [str(spark_dbt()), *args, "--project-dir", project, "--profiles-dir", project]
    paths.spark_dir.mkdir(parents=True, exist_ok=True)
    # Spark and Derby write their scratch files (derby.log, spark-warehouse) into the cwd.
    return subprocess.run(command, cwd=paths.spark_dir, env=spark_env(settings, paths), capture_output=True, text=True)


def build_on_spark(settings: Settings, paths: SparkPaths, *, as_of: str | None) -> subprocess.CompletedProcess:
    """Export the lake from the warehouse, register it, and `dbt build` every model on Spark."""
    tables = export_lake(settings.warehouse, paths.lake)
    registered = _dbt(
        settings,
        paths,
        ["run-operation", "register_lake", "--args", json.dumps({"lake": str(paths.lake), "tables": tables})],
    )
    if registered.returncode != 0:
        raise RuntimeError(f"registering the lake in Spark failed:\n{registered.stdout[-3000:]}")
    return _dbt(settings, paths, build_args("build", as_of=as_of, full_refresh=False))
