"""The small vocabulary of entry and exit criteria, parsed from YAML into plain data.

A criterion is a mapping with exactly one key: a leaf (`lifecycle_stage_reached: lead`) or a
group (`any: [...]`, `all: [...]`). Parsing never raises: it collects problems with the YAML
path so that `funnel contract check` can report them all at once, with lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from funnel.contract.problems import Problem

GROUPS = ("any", "all")

# Leaf → (argument shape, an example for the fix hint).
LEAVES: dict[str, tuple[str, str]] = {
    "created": ("true", "created: true"),
    "lifecycle_stage_reached": ("a lifecycle stage", "lifecycle_stage_reached: marketingqualifiedlead"),
    "lead_status_in": ("a list of lead statuses", "lead_status_in: [CONNECTED, IN_PROGRESS]"),
    "property_at_least": ("{property, value}", "property_at_least: {property: hubspotscore, value: 60}"),
    "property_in": ("{property, values}", "property_in: {property: lifecyclestage, values: [lead]}"),
    "form_submitted": ("a list of form ids or names (empty: any form)", "form_submitted: [Demo request]"),
    "deal_created": ("{pipeline, min_amount}", "deal_created: {pipeline: default, min_amount: 1000}"),
    "deal_stage_reached": (
        "{pipeline, stage} or {pipeline, won: true}",
        "deal_stage_reached: {pipeline: default, won: true}",
    ),
    # Salesforce: its Opportunities are deals whose pipeline is their Type (e.g. New Business).
    "salesforce_lead_created": ("true", "salesforce_lead_created: true"),
    "salesforce_lead_converted": ("true", "salesforce_lead_converted: true"),
    "salesforce_lead_status_in": ("a list of Lead statuses", "salesforce_lead_status_in: [Qualified]"),
}


@dataclass(frozen=True)
class Criterion:
    kind: str
    args: dict[str, Any]
    children: tuple[Criterion, ...] = ()
    path: tuple = ()
    """Where it sits in funnel.yml, for messages that point at the line."""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def parse(raw: Any, path: tuple, problems: list[Problem]) -> Criterion | None:
    if not isinstance(raw, dict) or len(raw) != 1:
        problems.append(
            Problem(
                path,
                "a criterion must be a mapping with exactly one key",
                f"write one of: {', '.join(GROUPS + tuple(LEAVES))}; e.g. " + LEAVES["lifecycle_stage_reached"][1],
            )
        )
        return None
    ((kind, value),) = raw.items()
    here = path + (kind,)
    if kind in GROUPS:
        if not isinstance(value, list) or not value:
            problems.append(Problem(here, f"'{kind}' needs a non-empty list of criteria", f"{kind}: [...]"))
            return None
        children = [parse(item, here + (i,), problems) for i, item in enumerate(value)]
        if any(child is None for child in children):
            return None
        return Criterion(kind, {}, tuple(children), here)
    if kind not in LEAVES:
        problems.append(
            Problem(here, f"unknown criterion '{kind}'", f"use one of: {', '.join(GROUPS + tuple(LEAVES))}")
        )
        return None
    args = _leaf_args(kind, value, here, problems)
    return None if args is None else Criterion(kind, args, (), here)


def _leaf_args(kind: str, value: Any, path: tuple, problems: list[Problem]) -> dict | None:
    shape, example = LEAVES[kind]

    def bad(message: str) -> None:
        problems.append(Problem(path, f"'{kind}' expects {shape}: {message}", f"e.g. {example}"))

    if kind in ("created", "salesforce_lead_created", "salesforce_lead_converted"):
        if value is not True:
            return bad(f"write `{kind}: true`")
        return {}
    if kind == "salesforce_lead_status_in":
        values = _strings(value)
        if not values:
            return bad("not a non-empty list of strings")
        return {"values": values}
    if kind == "lifecycle_stage_reached":
        if not isinstance(value, str) or not value:
            return bad("not a stage name")
        return {"stage": value}
    if kind == "lead_status_in":
        values = _strings(value)
        if not values:
            return bad("not a non-empty list of strings")
        return {"values": values}
    if kind == "form_submitted":
        value = value.get("forms") if isinstance(value, dict) else value
        values = _strings(value) if value else []
        if value and not values:
            return bad("not a list of strings")
        return {"forms": values}
    if not isinstance(value, dict):
        return bad("not a mapping")
    unknown = (
        set(value)
        - {
            "property_at_least": {"property", "value"},
            "property_in": {"property", "values"},
            "deal_created": {"pipeline", "min_amount"},
            "deal_stage_reached": {"pipeline", "stage", "won"},
        }[kind]
    )
    if unknown:
        return bad(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if kind in ("property_at_least", "property_in"):
        prop = value.get("property")
        if not isinstance(prop, str) or not prop:
            return bad("'property' is missing")
        if kind == "property_at_least":
            number = value.get("value")
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                return bad("'value' must be a number")
            return {"property": prop, "value": number}
        values = _strings(value.get("values"))
        if not values:
            return bad("'values' must be a non-empty list of strings")
        return {"property": prop, "values": values}
    pipeline = value.get("pipeline")
    if not isinstance(pipeline, str) or not pipeline:
        return bad("'pipeline' is missing")
    if kind == "deal_created":
        amount = value.get("min_amount", 0)
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            return bad("'min_amount' must be a number ≥ 0")
        return {"pipeline": pipeline, "min_amount": amount}
    stage, won = value.get("stage"), value.get("won")
    if (stage is None) == (won is None) or (won is not None and won is not True):
        return bad("give either 'stage' or 'won: true'")
    if stage is not None and (not isinstance(stage, str) or not stage):
        return bad("'stage' must be a stage id")
    return {"pipeline": pipeline, "stage": stage, "won": won is True}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        return []
    return [str(v) for v in value]


def describe(criterion: Criterion, *, exact_lifecycle: bool = False) -> str:
    """The criterion in plain words, for the handbook and dbt docs.

    `exact_lifecycle` follows policies.skipped_stages: leave_empty.
    """
    kind, a = criterion.kind, criterion.args
    if kind in GROUPS:
        joiner = " or " if kind == "any" else " and "
        parts = [describe(child, exact_lifecycle=exact_lifecycle) for child in criterion.children]
        return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"
    if kind == "created":
        return "the contact record was created"
    if kind == "salesforce_lead_created":
        return "a Salesforce Lead was created"
    if kind == "salesforce_lead_converted":
        return "the Salesforce Lead was converted"
    if kind == "salesforce_lead_status_in":
        return "the Salesforce Lead status was set to " + _or(a["values"])
    if kind == "lifecycle_stage_reached":
        later = "" if exact_lifecycle else " or a later one"
        return f"the HubSpot lifecycle stage reached '{a['stage']}'{later}"
    if kind == "lead_status_in":
        return "the lead status was set to " + _or(a["values"])
    if kind == "property_at_least":
        return f"'{a['property']}' reached at least {a['value']:g}"
    if kind == "property_in":
        return f"'{a['property']}' was set to " + _or(a["values"])
    if kind == "form_submitted":
        return "a form was submitted" + (f" ({_or(a['forms'])})" if a["forms"] else "")
    if kind == "deal_created":
        amount = f" with an amount of at least {a['min_amount']:g}" if a["min_amount"] else ""
        return f"a deal was created in pipeline '{a['pipeline']}'{amount}"
    target = "closed won" if a["won"] else f"stage '{a['stage']}' or a later open stage"
    return f"a deal in pipeline '{a['pipeline']}' reached {target}"


def _or(values: list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
