"""What a criterion needs the data to date, and whether the warehouse has it.

A criterion can only be met when something dates it: a lifecycle criterion needs lifecycle
history or the stage dates HubSpot keeps on each record; a property criterion that property's
history; a deal-stage criterion dealstage history or the deals' stage dates. An export without
them does not fail by itself — it gives an empty stage — so both `funnel contract check` and the
daily run's `stage_evidence` check ask the staging layer, per criterion: how many records could
carry the evidence, and how many are dated. Records but no dates is an error naming the criterion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from orchestration.contract.criteria import Criterion
from orchestration.contract.load import LoadedContract


@dataclass(frozen=True)
class Need:
    path: tuple
    stage: str
    what: str
    """What must be in the data, in words ("lifecycle stage history or stage dates")."""
    records_sql: str
    """How many records could carry the evidence."""
    dated_sql: str
    """How many of them are dated."""
    hint: str


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


_CONTACTS = "(select count(*) from staging.stg_hubspot__contacts where lifecycle_stage is not null)"
_LIFECYCLE = ("(select count(distinct contact_id) from intermediate.int_contact_property_changes "
              "where property_name = 'lifecyclestage')")
_DEALS = "(select count(*) from intermediate.int_deals)"
_DEAL_STAGES = "(select count(distinct deal_id) from intermediate.int_deal_stage_history)"


def _property_need(path: tuple, stage: str, name: str) -> Need:
    return Need(
        path, stage, f"history of the contact property '{name}'",
        "(select count(*) from staging.stg_hubspot__contacts)",
        "(select count(*) from intermediate.int_contact_property_changes "
        f"where property_name = {_quote(name)})",
        f"export contacts with propertiesWithHistory={name} (or sync it with Fivetran's "
        "contact_property_history), or base the stage on a property that has history",
    )


def _need(node: Criterion, stage: str) -> Need | None:
    if node.kind == "lifecycle_stage_reached":
        return Need(
            node.path, stage, "lifecycle stage history or lifecycle stage dates", _CONTACTS, _LIFECYCLE,
            "export contacts with propertiesWithHistory=lifecyclestage, or with the "
            "hs_lifecyclestage_<stage>_date properties HubSpot keeps on each record",
        )
    if node.kind == "lead_status_in":
        return _property_need(node.path, stage, "hs_lead_status")
    if node.kind in ("property_at_least", "property_in"):
        return _property_need(node.path, stage, node.args["property"])
    if node.kind == "deal_stage_reached":
        return Need(
            node.path, stage, "deal stage history or deal stage dates", _DEALS, _DEAL_STAGES,
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


def slice_sql(loaded: LoadedContract) -> str:
    """One row per need: where it sits, what it needs, records that could carry it, dated ones."""
    rows = [
        f"select {i} as need, {_quote('.'.join(map(str, n.path)))} as criterion, {_quote(n.stage)} as stage, "
        f"{_quote(n.what)} as evidence, {n.records_sql} as records, {n.dated_sql} as dated"
        for i, n in enumerate(needs(loaded))
    ]
    if not rows:
        return ("select 0 as need, '' as criterion, '' as stage, '' as evidence, 0 as records, 0 as dated "
                "where false")
    return "\nunion all\n".join(rows)


def missing(loaded: LoadedContract, frame) -> list[tuple[Need, int]]:
    """The needs the warehouse cannot meet (records but nothing dated), with the record count."""
    by_index = dict(enumerate(needs(loaded)))
    return [(by_index[int(row.need)], int(row.records))
            for row in frame.itertuples() if row.records > 0 and row.dated == 0]
