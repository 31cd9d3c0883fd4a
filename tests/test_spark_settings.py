"""The checks' Spark session opens what dbt-spark builds: profiles.yml's `spark` target and
funnel/spark_lake.spark_conf set the same Spark options, to the same values."""

from __future__ import annotations

from pathlib import Path

import yaml
from jinja2 import Environment

from funnel.config import DBT_PROJECT_DIR, settings
from funnel.spark_lake import spark_conf


def test_the_query_session_is_configured_like_dbt_sparks(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNEL_SPARK_DIR", str(tmp_path / "spark"))
    monkeypatch.setenv("SPARK_MASTER", "spark://cluster:7077")
    config = settings()
    environment = Environment()
    environment.globals["env_var"] = lambda name, default=None: {
        "FUNNEL_SPARK_DIR": str(tmp_path / "spark"),
        "SPARK_MASTER": "spark://cluster:7077",
    }.get(name, default)
    text = environment.from_string((Path(DBT_PROJECT_DIR) / "profiles.yml").read_text()).render()
    profile = yaml.safe_load(text)["unified_funnel"]["outputs"]["spark"]["server_side_parameters"]
    assert {key: str(value) for key, value in profile.items()} == spark_conf(config)
    assert config.spark_dir == tmp_path / "spark"
