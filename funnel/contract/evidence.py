"""What a criterion needs the data to date, and whether the data has it.

A criterion can only be met when something dates it: a lifecycle criterion needs lifecycle
history or the stage dates HubSpot keeps on each record; a property criterion that property's
history; a deal-stage criterion dealstage history or the deals' stage dates. An export without
them does not fail by itself — it gives an empty stage — so the run's `stage_evidence` check and
`funnel contract check` ask, per criterion, how many records could carry the evidence and how
many are dated. Records but no dates is an error naming the criterion.

Both read a *data profile*: a few counts and names taken from the staging layer by the run
(`profile()`), kept as `artifacts/data_profile.json`, so that checking a contract never opens the
warehouse a run may be writing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from funnel.contract.criteria import Criterion
from funnel.contract.load import LoadedContract

PROFILE_NAME = "data_profile.json"


def profile(rows: Callable[[str], list[tuple]]) -> dict:
    """The counts and names the contract is checked against, from built models; `rows` runs a
    query on the engine that holds them (funnel/engine.py)."""

    def one(sql: str) -> int:
        return int(rows(sql)[0][0])

    def names(sql: str) -> list[str]:
        return sorted({row[0] for row in rows(sql) if row[0] is not None})

    return {
        "contacts": one("select count(*) from staging.stg_hubspot__contacts"),
        "contacts_with_lifecycle": one(
            "select count(*) from staging.stg_hubspot__contacts where lifecycle_stage is not null"
        ),
        "lifecycle_dated_contacts": one(
            "select count(distinct contact_id) from intermediate.int_contact_property_changes "
            "where property_name = 'lifecyclestage'"
        ),
        "deals": one("select count(*) from intermediate.int_deals"),
        "dated_deals": one("select count(distinct deal_id) from intermediate.int_deal_stage_history"),
        "property_changes": {
            name: int(count)
            for name, count in rows(
                "select property_name, count(*) from intermediate.int_contact_property_changes group by 1"
            )
        },
        "history_properties": names(
            "select distinct property_name from staging.stg_hubspot__contact_lifecycle_history"
        ),
        "forms": names(
            "select form_id from staging.stg_hubspot__forms union all select form_name from staging.stg_hubspot__forms"
        ),
        "pipeline_stages": names("select pipeline_id || '/' || stage_id from intermediate.int_deal_stages"),
        "owner_teams": names("select team_name from intermediate.int_owners"),
    }


def write_profile(data: dict, artifacts_dir: Path) -> Path:
    path = artifacts_dir / PROFILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".incoming")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    temporary.replace(path)
    return path


def read_profile(artifacts_dir: Path) -> dict | None:
    try:
        return json.loads((artifacts_dir / PROFILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Need:
    path: tuple
    stage: str
    what: str
    """What must be in the data, in words ("lifecycle stage history or stage dates")."""
    records: Callable[[dict], int]
    """How many records could carry the evidence."""
    dated: Callable[[dict], int]
    """How many of them are dated."""
    hint: str


def _property_need(path: tuple, stage: str, name: str) -> Need:
    return Need(
        path,
        stage,
        f"history of the contact property '{name}'",
        lambda p: p["contacts"],
        lambda p: p["property_changes"].get(name, 0),
        f"export contacts with propertiesWithHistory={name} (or sync it with Fivetran's "
        "contact_property_history), or base the stage on a property that has history",
    )


def _need(node: Criterion, stage: str) -> Need | None:
    if node.kind == "lifecycle_stage_reached":
        return Need(
            node.path,
            stage,
            "lifecycle stage history or lifecycle stage dates",
            lambda p: p["contacts_with_lifecycle"],
            lambda p: p["lifecycle_dated_contacts"],
            "export contacts with propertiesWithHistory=lifecyclestage, or with the "
            "hs_lifecyclestage_<stage>_date properties HubSpot keeps on each record",
        )
    if node.kind == "lead_status_in":
        return _property_need(node.path, stage, "hs_lead_status")
    if node.kind in ("property_at_least", "property_in"):
        return _property_need(node.path, stage, node.args["property"])
    if node.kind == "deal_stage_reached":
        return Need(
            node.path,
            stage,
            "deal stage history or deal stage dates",
            lambda p: p["deals"],
            lambda p: p["dated_deals"],
            "export deals with propertiesWithHistory=dealstage, or with the "
            "hs_v2_date_entered_<stage id> properties HubSpot keeps on each deal",
        )
    return None


def needs(loaded: LoadedContract) -> Iterator[Need]:
    """Every criterion (entry, exit, earlier definitions) that needs dated evidence."""
    for stage, criteria in loaded.criteria.items():
        roots = [criteria.entry, *criteria.previous] + ([criteria.exit] if criteria.exit else [])
        for root in roots:
            for node in root.walk():
                need = _need(node, stage)
                if need:
                    yield need


def rows(loaded: LoadedContract, data: dict) -> list[dict]:
    """One row per need: where it sits, what it needs, records that could carry it, dated ones."""
    found = []
    for i, need in enumerate(needs(loaded)):
        records, dated = need.records(data), need.dated(data)
        found.append(
            {
                "need": i,
                "criterion": ".".join(map(str, need.path)),
                "stage": need.stage,
                "evidence": need.what,
                "records": records,
                "dated": dated,
                "undated": int(records > 0 and dated == 0),
            }
        )
    return found


def missing(loaded: LoadedContract, data: dict) -> list[tuple[Need, int]]:
    """The needs the data cannot meet (records but nothing dated), with the record count."""
    return [(need, need.records(data)) for need in needs(loaded) if need.records(data) > 0 and need.dated(data) == 0]
