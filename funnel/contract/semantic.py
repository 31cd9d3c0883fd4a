"""The stage half of the semantic layer (MetricFlow), compiled from the contract.

Every metric that names a stage — entries per stage, cost per stage, conversion between adjacent
stages — is written here from the contract's stage list, so a stage key lives in `funnel.yml`
only. The metrics that name no stage (spend, pipeline, revenue) are hand-written beside the
generated file, in `dbt_project/models/semantic/`.

Why conversion metrics look the way they do (MetricFlow 0.213, read from its source and checked
on the warehouse by tests/integration/test_semantic_layer.py):

- A filter on the *base* input is applied to the base events before they are joined to the
  conversion events. A filter on the *conversion* input is ignored: the conversion events are
  every row of the conversion measure's semantic model. So the base is "first entries into
  `from`" by filter, and the conversion measure is a per-stage expression that is null for every
  row but a first entry into `to` (null rows join but are not counted).
- Without the base filter, any earlier entry of the person (or the `to` entry itself, on the same
  day) would be taken as the base event: MetricFlow keeps, for each conversion event, the latest
  base event at or before it.
- The window compares the agg time dimension (`entered_date`, a date): a conversion counts when
  `from_date <= to_date` and `from_date > to_date - window`, i.e. `to_date - from_date < window`.
  docs/analytics.md counts "within N days" as `to_date - from_date <= N`, so an N-day metric is
  declared with a window of N + 1 days.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from funnel.contract.load import LoadedContract

SEMANTIC_RELATIVE = Path("models") / "semantic" / "stage_metrics.yml"

CONVERSION_WINDOWS_DAYS = (30,)

_STAGE = "{{ Dimension('stage_entry__stage') }}"
_FIRST_ENTRY = "{{ Dimension('stage_entry__entry_number') }} = 1"


def metric_name(key: str) -> str:
    """A stage key as a MetricFlow name part: MetricFlow refuses `__` and a trailing `_`."""
    return re.sub("_+", "_", key).strip("_")


def plural(key: str) -> str:
    """The metric counting entries into a stage: lead → leads, opportunity → opportunities."""
    name = metric_name(key)
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", name):
        return name + "es"
    return name + "s"


def conversion_metric(from_key: str, to_key: str, days: int, calculation: str) -> str:
    suffix = "rate" if calculation == "conversion_rate" else "conversions"
    return f"{metric_name(from_key)}_to_{metric_name(to_key)}_{suffix}_{days}d"


def _text(value: str) -> str:
    """Descriptions are rendered as Jinja by dbt: no value may open a Jinja block."""
    return value.replace("{", "(").replace("}", ")").replace("%", " percent")


def _is_stage(key: str) -> str:
    # Keys match the contract's key pattern ([a-z][a-z0-9_]*): safe inside a SQL string literal.
    return f"{_STAGE} = '{key}'"


def _stage_entries_model(stages: list[tuple[str, str]]) -> dict[str, Any]:
    measures: list[dict[str, Any]] = [
        {
            "name": "stage_entries",
            "description": "Stage entries (rows of fct_stage_entries).",
            "agg": "count",
            "expr": "stage_entry_id",
        },
        {
            "name": "entering_people",
            "description": "Distinct people among the entries.",
            "agg": "count_distinct",
            "expr": "person_id",
        },
    ]
    for key, label in stages:
        measures.append(
            {
                "name": f"{metric_name(key)}_first_entrants",
                "description": _text(
                    f"People whose first entry into {label} this is. Null on every other row, so that a "
                    "conversion metric counts only these rows as conversion events."
                ),
                "agg": "count_distinct",
                "expr": f"case when stage = '{key}' and entry_number = 1 then person_id end",
            }
        )
    return {
        "name": "stage_entries",
        "description": "Canonical stage entries (marts.fct_stage_entries), dated by the reporting-timezone date.",
        "model": "ref('fct_stage_entries')",
        "defaults": {"agg_time_dimension": "entered_date"},
        "entities": [
            {"name": "stage_entry", "type": "primary", "expr": "stage_entry_id"},
            {"name": "person", "type": "foreign", "expr": "person_id"},
        ],
        "dimensions": [
            {
                "name": "entered_date",
                "type": "time",
                "type_params": {"time_granularity": "day"},
                "description": "Entry date in the reporting timezone.",
            },
            {"name": "stage", "type": "categorical", "description": "The canonical stage key (funnel.yml)."},
            {"name": "entry_number", "type": "categorical", "description": "1 for a person's first entry."},
            {
                "name": "is_backfilled",
                "type": "categorical",
                "description": "True when the person skipped the stage and the entry was dated at a later one.",
            },
            {"name": "channel", "type": "categorical", "description": "The person's source channel."},
            {"name": "campaign", "type": "categorical", "description": "The person's source campaign."},
            {
                "name": "definition_version",
                "type": "categorical",
                "description": "The contract version whose definition produced the entry.",
            },
        ],
        "measures": measures,
    }


def _metrics(stages: list[tuple[str, str]]) -> list[dict[str, Any]]:
    metrics: list[dict[str, Any]] = []
    for key, label in stages:
        metrics.append(
            {
                "name": plural(key),
                "label": _text(f"{label} entries"),
                "description": _text(f"Entries into {label} ({key}), by entry date."),
                "type": "simple",
                "type_params": {"measure": "stage_entries"},
                "filter": _is_stage(key),
            }
        )
    for key, label in stages:
        metrics.append(
            {
                "name": f"cost_per_{metric_name(key)}",
                "label": _text(f"Cost per {label}"),
                "description": _text(
                    f"Ad spend / entries into {label} in the same period (paid media only). Both sides "
                    "share only metric_time: group by metric_time, not by a channel."
                ),
                "type": "ratio",
                "type_params": {"numerator": "spend", "denominator": plural(key)},
            }
        )
    for (from_key, from_label), (to_key, to_label) in pairwise(stages):
        for days in CONVERSION_WINDOWS_DAYS:
            for calculation in ("conversion_rate", "conversions"):
                what = "Share" if calculation == "conversion_rate" else "Number"
                metrics.append(
                    {
                        "name": conversion_metric(from_key, to_key, days, calculation),
                        "label": _text(
                            f"{from_label} → {to_label} within {days} days"
                            + (" (rate)" if calculation == "conversion_rate" else "")
                        ),
                        "description": _text(
                            f"{what} of the people whose first entry into {from_label} falls in the period "
                            f"(the cohort, by metric_time) who first entered {to_label} at most {days} days "
                            "later, comparing reporting dates (funnel_conversion_cohort, any_stage)."
                        ),
                        "type": "conversion",
                        "type_params": {
                            "conversion_type_params": {
                                "entity": "person",
                                "calculation": calculation,
                                "base_measure": {
                                    "name": "entering_people",
                                    "filter": [_is_stage(from_key), _FIRST_ENTRY],
                                },
                                "conversion_measure": f"{metric_name(to_key)}_first_entrants",
                                # MetricFlow counts to_date - from_date < window; "within N days" is <= N.
                                "window": f"{days + 1} days",
                            }
                        },
                    }
                )
    return metrics


class _Dumper(yaml.SafeDumper):
    """Filters and expressions quote SQL strings with `'`: write them in double quotes, as a person would."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "'" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render(loaded: LoadedContract) -> str:
    stages = [(s.key, s.label) for s in loaded.contract.stages]
    body = yaml.dump(
        {"version": 2, "semantic_models": [_stage_entries_model(stages)], "metrics": _metrics(stages)},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=110,
    )
    return (
        "# Generated by `funnel contract compile` from the contract; do not edit (edit funnel.yml).\n"
        "# funnel/contract/semantic.py says why the conversion metrics are built this way.\n"
        f"{body}"
    )
