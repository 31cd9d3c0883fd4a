"""Checks of the contract against the data: what a criterion names must exist, and be datable.

Two sources, neither of which opens the warehouse a run may be writing:
- the data profile the last run kept (contract/evidence.py): a criterion nothing dates, a form or
  a pipeline that does not exist, a team view on a property without history;
- before any run, the portal's property catalogue (contract/catalogue.py): a property criterion
  naming a property the portal does not have.
"""

from __future__ import annotations

from funnel.contract import evidence
from funnel.contract.load import LoadedContract
from funnel.contract.problems import Problem


def _all_criteria(loaded: LoadedContract):
    for stage_criteria in loaded.criteria.values():
        roots = [stage_criteria.entry, *stage_criteria.previous]
        if stage_criteria.exit:
            roots.append(stage_criteria.exit)
        for root in roots:
            yield from root.walk()


def named_properties(loaded: LoadedContract) -> list[tuple[tuple, str]]:
    """(where, property) for every contact property the contract names."""
    found = []
    for node in _all_criteria(loaded):
        if node.kind in ("property_at_least", "property_in"):
            found.append((node.path, node.args["property"]))
        elif node.kind == "lead_status_in":
            found.append((node.path, "hs_lead_status"))
    for team, spec in loaded.contract.alignment.teams.items():
        for team_metric, view in spec.views.items():
            if view.date is None:  # counts records with logged activity: no property
                continue
            name = view.date.property or view.date.first_set
            if name != "createdate":
                found.append((("alignment", "teams", team, "views", team_metric, "date"), name))
    return found


def check_against_catalogue(loaded: LoadedContract, catalogue: set[str], where: str) -> list[Problem]:
    """Property names the portal does not have (before any run has loaded data)."""
    return [
        Problem(
            path,
            f"no contact property '{name}' in the portal ({where})",
            "use a property's internal name, as HubSpot's properties API or an export lists it",
        )
        for path, name in named_properties(loaded)
        if name not in catalogue
    ]


def check_against_data(loaded: LoadedContract, data: dict) -> list[Problem]:
    """Problems found against a data profile (evidence.profile)."""
    problems: list[Problem] = [
        Problem(need.path, f"nothing in the data dates it: {records} record(s), but no {need.what}", need.hint)
        for need, records in evidence.missing(loaded, data)
    ]
    forms = set(data["forms"])
    stages = set(data["pipeline_stages"])
    pipelines = {pair.split("/", 1)[0] for pair in stages}
    for node in _all_criteria(loaded):
        args = node.args
        if node.kind == "form_submitted":
            for form in args["forms"]:
                if form not in forms:
                    problems.append(
                        Problem(
                            node.path,
                            f"no form with id or name '{form}' in the HubSpot forms loaded",
                            "use a form id or its exact name",
                        )
                    )
        if node.kind in ("deal_created", "deal_stage_reached"):
            if args["pipeline"] not in pipelines:
                problems.append(
                    Problem(
                        node.path,
                        f"no deal pipeline '{args['pipeline']}' in the data",
                        f"use one of: {', '.join(sorted(pipelines))}",
                    )
                )
            elif (
                node.kind == "deal_stage_reached"
                and args.get("stage")
                and f"{args['pipeline']}/{args['stage']}" not in stages
            ):
                problems.append(
                    Problem(
                        node.path,
                        f"pipeline '{args['pipeline']}' has no stage '{args['stage']}'",
                        "use a stage id of that pipeline",
                    )
                )
    for name, metric in loaded.contract.alignment.metrics.items():
        if metric.pipeline and metric.pipeline not in pipelines:
            problems.append(
                Problem(
                    ("alignment", "metrics", name, "pipeline"),
                    f"no deal pipeline '{metric.pipeline}' in the data",
                    f"use one of: {', '.join(sorted(pipelines))}",
                )
            )
    touches = loaded.contract.touches
    # A profile written before owner teams were profiled has none: nothing to check against.
    if touches and touches.owner_teams and data.get("owner_teams"):
        for i, team in enumerate(touches.owner_teams):
            if team not in data["owner_teams"]:
                # A misspelt team would leave every activity owner_not_in_sales_team: every SLA breached.
                problems.append(
                    Problem(
                        ("touches", "owner_teams", i),
                        f"no owner team '{team}' in the data",
                        f"use one of: {', '.join(data['owner_teams'])}",
                    )
                )
    historied = set(data["history_properties"])
    for team, spec in loaded.contract.alignment.teams.items():
        for team_metric, view in spec.views.items():
            if view.date is None:
                continue
            name = view.date.property or view.date.first_set
            if name != "createdate" and name not in historied:
                problems.append(
                    Problem(
                        ("alignment", "teams", team, "views", team_metric, "date"),
                        f"property '{name}' has no history in the HubSpot contacts loaded",
                        "team views read properties as they stood at the report date: export it with history",
                    )
                )
    return problems
