"""The stage metrics of the semantic layer are compiled from the contract, like the SQL is."""

from __future__ import annotations

from itertools import pairwise

import yaml

from funnel.config import DBT_PROJECT_DIR, PROJECT_ROOT
from funnel.contract import load_contract
from funnel.contract.compile import is_stale
from funnel.contract.semantic import (
    SEMANTIC_RELATIVE,
    conversion_metric,
    metric_name,
    plural,
    render,
)


def test_the_committed_stage_metrics_are_those_of_the_contract():
    loaded = load_contract(PROJECT_ROOT / "funnel.yml")
    assert (DBT_PROJECT_DIR / SEMANTIC_RELATIVE).read_text(encoding="utf-8") == render(loaded)
    assert not is_stale(loaded, DBT_PROJECT_DIR)


def test_metric_names_from_stage_keys():
    assert [plural(k) for k in ("lead", "mql", "opportunity", "customer", "day", "status")] == [
        "leads",
        "mqls",
        "opportunities",
        "customers",
        "days",
        "statuses",
    ]
    assert metric_name("closed__won_") == "closed_won"
    assert conversion_metric("mql", "sql", 30, "conversion_rate") == "mql_to_sql_rate_30d"


def test_a_conversion_metric_per_adjacent_pair_with_a_filtered_base_and_an_inclusive_window():
    loaded = load_contract(PROJECT_ROOT / "funnel.yml")
    keys = [s.key for s in loaded.contract.stages]
    metrics = {m["name"]: m for m in yaml.safe_load(render(loaded))["metrics"]}
    conversions = [m for m in metrics.values() if m["type"] == "conversion"]
    assert len(conversions) == 2 * (len(keys) - 1)
    for from_key, to_key in pairwise(keys):
        params = metrics[conversion_metric(from_key, to_key, 30, "conversions")]["type_params"]
        params = params["conversion_type_params"]
        assert params["entity"] == "person"
        # "Within 30 days" is to_date - from_date <= 30; MetricFlow's window counts < window.
        assert params["window"] == "31 days"
        # The base is filtered (MetricFlow applies it before the join); the conversion side is a
        # per-stage measure, because a filter there would be ignored.
        assert f"= '{from_key}'" in params["base_measure"]["filter"][0]
        assert params["conversion_measure"] == f"{to_key}_first_entrants"
