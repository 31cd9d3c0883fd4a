"""Checks of the contract against the loaded data: what a criterion names must exist.

A property criterion needs that property's history in the HubSpot export, a form criterion a
form of that id or name, a deal criterion a pipeline (and stage) of that id. These need the
warehouse, so they run in `funnel contract check` and before `funnel run` once raw data exists.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.contract.load import LoadedContract
from orchestration.contract.problems import Problem


def _all_criteria(loaded: LoadedContract):
    for stage_criteria in loaded.criteria.values():
        roots = [stage_criteria.entry, *stage_criteria.previous]
        if stage_criteria.exit:
            roots.append(stage_criteria.exit)
        for root in roots:
            yield from root.walk()


def _column(con, sql: str) -> set[str]:
    try:
        return {row[0] for row in con.execute(sql).fetchall() if row[0] is not None}
    except duckdb.CatalogException:
        return set()


def check_against_data(loaded: LoadedContract, warehouse: Path) -> list[Problem] | None:
    """Problems found, or None when there is no loaded data to check against."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        return None  # a run holds the file; the next check will see it
    try:
        if not _column(con, "select table_name from information_schema.tables where table_schema = 'raw'"):
            return None
        historied = _column(con, "select distinct unnest(json_keys(properties_with_history)) from raw.hubspot_contacts")
        forms = _column(con, "select id from raw.hubspot_forms") | _column(con, "select name from raw.hubspot_forms")
        pipelines = _column(con, "select id from raw.hubspot_deal_pipelines")
        stages = _column(
            con,
            "select id || '/' || json_extract_string(stage, '$.id') "
            "from (select id, unnest(from_json(stages, '[\"json\"]')) as stage from raw.hubspot_deal_pipelines)",
        )
    finally:
        con.close()

    problems: list[Problem] = []
    for node in _all_criteria(loaded):
        args = node.args
        if node.kind in ("property_at_least", "property_in") and args["property"] not in historied:
            problems.append(Problem(
                node.path, f"property '{args['property']}' has no history in the HubSpot contacts loaded",
                "export it with propertiesWithHistory, or use a property that has history: "
                + ", ".join(sorted(historied)[:8]),
            ))
        if node.kind == "form_submitted":
            for form in args["forms"]:
                if form not in forms:
                    problems.append(Problem(node.path, f"no form with id or name '{form}' in the HubSpot forms loaded",
                                            "use a form id or its exact name"))
        if node.kind in ("deal_created", "deal_stage_reached"):
            if args["pipeline"] not in pipelines:
                problems.append(Problem(node.path, f"no deal pipeline '{args['pipeline']}' in the data",
                                        f"use one of: {', '.join(sorted(pipelines))}"))
            elif node.kind == "deal_stage_reached" and args.get("stage") and \
                    f"{args['pipeline']}/{args['stage']}" not in stages:
                problems.append(Problem(node.path, f"pipeline '{args['pipeline']}' has no stage '{args['stage']}'",
                                        "use a stage id of that pipeline"))
    for name, metric in loaded.contract.alignment.metrics.items():
        if metric.pipeline and metric.pipeline not in pipelines:
            problems.append(Problem(("alignment", "metrics", name, "pipeline"),
                                    f"no deal pipeline '{metric.pipeline}' in the data",
                                    f"use one of: {', '.join(sorted(pipelines))}"))
    for team, spec in loaded.contract.alignment.teams.items():
        for team_metric, view in spec.views.items():
            name = view.date.property or view.date.first_set
            if name != "createdate" and name not in historied:
                problems.append(Problem(
                    ("alignment", "teams", team, "views", team_metric, "date"),
                    f"property '{name}' has no history in the HubSpot contacts loaded",
                    "team views read properties as they stood at the report date: export it with history",
                ))
    return problems
