"""Compile the contract into the dbt project: one generated macro that returns it as data.

The contract reaches SQL only as data: `funnel_contract()` returns a dict parsed from JSON, and
the hand-written macros in `dbt_project/macros/contract/` turn it into SQL, quoting every value
through the `funnel_string` dispatch macro. The JSON sits in a `{% raw %}` block with every `%`
escaped, so no YAML value can close the block, inject Jinja or reach SQL unquoted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from funnel.contract.criteria import Criterion
from funnel.contract.load import LoadedContract

GENERATED_RELATIVE = Path("macros") / "generated" / "contract.sql"
DOCS_RELATIVE = Path("models") / "generated" / "contract_docs.md"


def contract_data(loaded: LoadedContract) -> dict[str, Any]:
    """The contract as the plain data dbt reads (also what the docs and the what-if use)."""
    c = loaded.contract
    lifecycle = c.hubspot.lifecycle_order
    exact = c.policies.skipped_stages == "leave_empty"

    def node(criterion: Criterion) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": criterion.kind, **criterion.args}
        if criterion.kind == "lifecycle_stage_reached":
            out["rank"] = lifecycle.index(criterion.args["stage"]) + 1
            out["exact"] = exact
        if criterion.children:
            out["children"] = [node(child) for child in criterion.children]
        return out

    stages = []
    for order, stage in enumerate(c.stages, start=1):
        parsed = loaded.criteria[stage.key]
        definitions, valid_from = [], None
        for old, entry in zip(stage.previous_definitions, parsed.previous):
            until = old.until.isoformat()
            definitions.append(
                {"version": old.version, "valid_from": valid_from, "valid_to": until, "entry": node(entry)}
            )
            valid_from = until
        definitions.append(
            {"version": c.meta.version, "valid_from": valid_from, "valid_to": None, "entry": node(parsed.entry)}
        )
        stages.append(
            {
                "key": stage.key,
                "label": stage.label,
                "owner": stage.owner,
                "order": order,
                "sla_hours": stage.sla_hours,
                "sla_from": stage.sla_from or (c.stages[order - 2].key if order > 1 else None),
                "definitions": definitions,
                "exit": node(parsed.exit) if parsed.exit else None,
            }
        )

    alignment = c.alignment
    return {
        "version": c.meta.version,
        "history_start": c.meta.history_start.isoformat(),
        "reporting": c.reporting.model_dump(mode="json"),
        "identity": {
            "plus_addressing": c.identity.plus_addressing,
            **c.identity.exclusions.model_dump(mode="json"),
        },
        "lifecycle_order": lifecycle,
        "channels": [
            {
                "key": ch.key,
                "label": ch.label,
                "sourced_by": ch.sourced_by,
                "conditions": [condition.model_dump(mode="json") for condition in ch.conditions],
            }
            for ch in c.channels
        ],
        "ad_platforms": dict(c.ad_platforms),
        "utm_mediums": dict(c.utm_mediums),
        "segments": [s.model_dump(mode="json") for s in c.segments],
        "stages": stages,
        "policies": c.policies.model_dump(mode="json"),
        # None: no `touches` section, a rep's property edits stand in for sales touches.
        "touches": c.touches.model_dump(mode="json") if c.touches else None,
        "targets": [t.model_dump(mode="json") for t in c.targets],
        "alignment": {
            "metrics": [
                {
                    "metric": name,
                    "measure": m.measure,
                    "stage": m.stage,
                    "pipeline": m.pipeline,
                    **alignment.tolerances[name].model_dump(mode="json"),
                }
                for name, m in alignment.metrics.items()
            ],
            "team_reports": [
                {
                    "team": team,
                    "team_metric": team_metric,
                    "metric": metric,
                    "measure": alignment.metrics[metric].measure,
                    "stage": alignment.metrics[metric].stage,
                    "snapshot_days_after": spec.snapshot.days_after,
                    "snapshot_time": spec.snapshot.time,
                    "snapshot_timezone": spec.snapshot.timezone,
                    "has_view": team_metric in spec.views,
                }
                for team, spec in alignment.teams.items()
                for team_metric, metric in spec.reports.items()
            ],
            "team_views": [
                {
                    "team": team,
                    "team_metric": team_metric,
                    "metric": spec.reports[team_metric],
                    "stage": alignment.metrics[spec.reports[team_metric]].stage,
                    "measure": alignment.metrics[spec.reports[team_metric]].measure,
                    "date_property": view.date.property if view.date else None,
                    "first_set": view.date.first_set if view.date else None,
                    "activity_types": view.activities,
                    "timezone": view.timezone,
                    "lifecycle_rank": (lifecycle.index(view.lifecycle_at_least) + 1)
                    if view.lifecycle_at_least
                    else None,
                    "excludes": view.excludes,
                    "snapshot_days_after": spec.snapshot.days_after,
                    "snapshot_time": spec.snapshot.time,
                    "snapshot_timezone": spec.snapshot.timezone,
                }
                for team, spec in alignment.teams.items()
                for team_metric, view in spec.views.items()
            ],
        },
    }


def json_macro(name: str, header: str, data: dict[str, Any]) -> str:
    """A dbt macro returning `data`. The JSON sits in a `{% raw %}` block with every `%` escaped
    (it only occurs inside JSON strings), so no value can close the block or inject Jinja."""
    payload = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=True).replace("%", "\\u0025")
    return (
        f"{{#- {header} -#}}\n"
        f"{{% macro {name}() -%}}\n"
        "{%- set payload -%}{% raw %}\n"
        f"{payload}\n"
        "{% endraw %}{%- endset -%}\n"
        "{{- return(fromjson(payload)) -}}\n"
        "{%- endmacro %}\n"
    )


def write_if_changed(path: Path, text: str) -> bool:
    """Replace the file atomically when its text differs; True when it did."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def render(loaded: LoadedContract) -> str:
    header = (
        "Generated by `funnel contract compile` from the contract; do not edit (edit funnel.yml).\n"
        f"    contract sha256: {loaded.sha256}"
    )
    return json_macro("funnel_contract", header, contract_data(loaded))


def generated_path(dbt_project_dir: Path) -> Path:
    return dbt_project_dir / GENERATED_RELATIVE


def outputs(loaded: LoadedContract) -> dict[Path, str]:
    """Every file the contract compiles to, relative to the dbt project."""
    from funnel.contract import semantic
    from funnel.contract.handbook import dbt_docs

    return {
        GENERATED_RELATIVE: render(loaded),
        DOCS_RELATIVE: dbt_docs(loaded),
        semantic.SEMANTIC_RELATIVE: semantic.render(loaded),
    }


def is_stale(loaded: LoadedContract, dbt_project_dir: Path) -> bool:
    for relative, text in outputs(loaded).items():
        path = dbt_project_dir / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            return True
    return False


def write(loaded: LoadedContract, dbt_project_dir: Path) -> bool:
    """Write the compiled files that differ (each atomically); True when any changed."""
    changed = [write_if_changed(dbt_project_dir / relative, text) for relative, text in outputs(loaded).items()]
    return any(changed)
