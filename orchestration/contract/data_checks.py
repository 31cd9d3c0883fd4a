"""Checks of the contract against the loaded data: what a criterion names must exist.

A criterion needs something to date it (contract/evidence.py), a form criterion a form of that
id or name, a deal criterion a pipeline (and stage) of that id, a team view the history of the
property it reads. These read the staging layer of the last run — the same in every source mode
(files, API, Fivetran) — so they run in `funnel contract check` and before `funnel run` once a
run has built it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.contract import evidence
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


_BUILT = ("stg_hubspot__contacts", "int_contact_property_changes", "int_deal_stages", "int_deals",
          "stg_hubspot__forms", "int_deal_stage_history")


def check_against_data(loaded: LoadedContract, warehouse: Path) -> list[Problem] | None:
    """Problems found, or None when there is no built staging layer to check against."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        return None  # a run holds the file; the next check will see it
    try:
        built = _column(con, "select table_name from information_schema.tables "
                             "where table_schema in ('staging', 'intermediate')")
        if not set(_BUILT) <= built:
            return None
        historied = _column(con, "select distinct property_name from staging.stg_hubspot__contact_lifecycle_history")
        forms = _column(con, "select form_id from staging.stg_hubspot__forms") | _column(
            con, "select form_name from staging.stg_hubspot__forms")
        pipelines = _column(con, "select pipeline_id from intermediate.int_deal_stages")
        stages = _column(con, "select pipeline_id || '/' || stage_id from intermediate.int_deal_stages")
        undated = evidence.missing(loaded, con.execute(evidence.slice_sql(loaded)).df())
    finally:
        con.close()

    problems: list[Problem] = [
        Problem(need.path, f"nothing in the data dates it: {records} record(s), but no {need.what}", need.hint)
        for need, records in undated
    ]
    for node in _all_criteria(loaded):
        args = node.args
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
