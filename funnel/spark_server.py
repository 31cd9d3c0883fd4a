"""A Spark session that answers SQL for the funnel's checks, reports and publication.

Run by .venv-spark's Python as a script (funnel/engine.py starts it), never imported: pyspark
lives in its own environment (funnel/spark_lake.py says why), so this file uses only the
standard library and pyspark. One request per line on stdin, {"query": ..., "out": folder}; the
result is written as Parquet into the folder, and one line answers on stdout: {"ok": true} or
{"error": message}. The session is the one dbt-spark builds the models in (the same metastore
and tables, from the configuration given as the first argument), so what the checks read is
what dbt wrote.
"""

import json
import sys


def main() -> int:
    conf = json.loads(sys.argv[1])
    answer = sys.stdout
    # Spark and py4j print to stdout; the protocol needs it to itself.
    sys.stdout = sys.stderr
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("unified-funnel checks").enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    answer.write(json.dumps({"ok": True, "version": spark.version}) + "\n")
    answer.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            frame = spark.sql(request["query"])
            # One file per result: the caller reads it with DuckDB. Results are small (aggregates
            # and failing rows) except the marts a publication copies.
            frame.coalesce(1).write.mode("overwrite").parquet(request["out"])
            reply = {"ok": True}
        except Exception as error:  # noqa: BLE001 (every Spark error goes back to the caller)
            reply = {"error": " ".join(str(error).split())[:2000]}
        answer.write(json.dumps(reply) + "\n")
        answer.flush()
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
