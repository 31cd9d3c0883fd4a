"""The funnel's models on Spark: the raw tables as a Parquet lake, and dbt on the `spark` target.

With FUNNEL_ENGINE=spark (README, "Scaling out") the loaders land raw data in the DuckDB
warehouse as always; `export_lake` writes each raw table (and the email_hash key) as Parquet
under the lake folder, one folder per table, replaced whole; dbt registers them in Spark's
catalog as external tables (`macros/engine/register_lake.sql`) and builds every model, data test
and singular test on Spark, with the dialect differences in `macros/dialect/`. The checks, the
report and the publication then read the models through funnel/engine.py's Spark session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from funnel.config import PROJECT_ROOT, Settings
from funnel.privacy import PRIVATE_UMASK
from funnel.transform import acceptances_var, build_args, dbt_env

# What the models read: the loaders' raw tables and the key of email_hash.
LAKE_SCHEMAS = ("raw", "private")


def spark_dbt() -> Path:
    """dbt with the Spark adapter: $FUNNEL_SPARK_DBT, else .venv-spark's (`make spark-env`).

    It lives in its own environment: pyspark 4 does not support pandas 3, and installed beside
    Great Expectations it changes what GX imports."""
    configured = os.environ.get("FUNNEL_SPARK_DBT")
    return Path(configured) if configured else PROJECT_ROOT / ".venv-spark" / "bin" / "dbt"


def spark_python() -> Path:
    """The Python beside the Spark dbt: it has pyspark (funnel/spark_server.py runs in it)."""
    return spark_dbt().with_name("python")


def spark_conf(settings: Settings) -> dict[str, str]:
    """The session of profiles.yml's `spark` target, for the query session (spark_server.py):
    the same metastore and tables, so that the checks read what dbt wrote
    (tests/test_spark_settings.py keeps the two alike)."""
    spark_dir = settings.spark_dir
    return {
        "spark.master": os.environ.get("SPARK_MASTER", "local[*]"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": f"{spark_dir}/tables",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("FUNNEL_SPARK_DRIVER_MEMORY", "4g"),
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={spark_dir}/derby.log",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.cteRecursionRowLimit": "1000000000",
    }


def table_files(settings: Settings, schema: str, table: str) -> Path:
    """The Parquet folder of a table dbt built on Spark (a managed table)."""
    return settings.spark_dir / "tables" / f"{schema}.db" / table


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


def spark_env(settings: Settings) -> dict[str, str]:
    return {
        **dbt_env(settings),
        "FUNNEL_DBT_TARGET": "spark",
        "FUNNEL_SPARK_DIR": str(settings.spark_dir),
    }


def _dbt(settings: Settings, args: list[str]) -> subprocess.CompletedProcess:
    project = str(settings.dbt_project_dir)
    command = [str(spark_dbt()), *args, "--project-dir", project, "--profiles-dir", project]
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    # Spark and Derby write their scratch files (derby.log, spark-warehouse) into the cwd.
    return subprocess.run(command, cwd=settings.spark_dir, env=spark_env(settings), capture_output=True, text=True)


def land_lake(settings: Settings) -> list[str]:
    """Export the raw tables to the lake and register them in Spark's catalog; returns their
    `schema.table` names. Raises RuntimeError with dbt's output when Spark refuses."""
    tables = export_lake(settings.warehouse, settings.lake)
    registered = _dbt(
        settings,
        ["run-operation", "register_lake", "--args", json.dumps({"lake": str(settings.lake), "tables": tables})],
    )
    if registered.returncode != 0:
        raise RuntimeError(f"registering the lake in Spark failed:\n{registered.stdout[-3000:]}")
    return tables


def build_on_spark(settings: Settings, *, as_of: str | None) -> subprocess.CompletedProcess:
    """The lake, then `dbt build` of every model on Spark, outside Dagster (bench/pipeline.py)."""
    land_lake(settings)
    return _dbt(settings, build_args("build", as_of=as_of, full_refresh=False, acceptances=acceptances_var(settings)))
