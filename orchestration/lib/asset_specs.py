"""What the Dagster UI says about each asset beyond its key: who owns it, and its columns.

Pure functions of the contract and the dbt manifest; definitions.py applies them to every asset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg

from funnel.contract.model import Contract

# The team that runs the loaders, the models and publication: whoever answers when a load or a
# build breaks. Dagster owners are emails or "team:<name>".
DATA_TEAM = "team:data"

# The marts where each team's own report is set beside the canonical number.
ALIGNMENT_MARTS = frozenset({"alignment_reconciliation", "alignment_divergences"})

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def owner(name: str) -> str:
    """A contract owner as a Dagster owner: an email stays one, anything else is a team."""
    name = name.strip()
    return name if _EMAIL.match(name) else f"team:{name}"


def owners_for(key: dg.AssetKey, contract: Contract) -> list[str]:
    """Who owns an asset, from the contract.

    - Everything the data team builds and runs (raw and landed tables, staging, intermediate,
      utilities, the published copy) is owned by `team:data` alone: a broken load or model is
      theirs to fix.
    - A mart (`marts/...`) is also owned by every team that owns a stage (`stages[].owner`,
      e.g. `team:marketing`, `team:sales`): the marts are where their stage definitions become
      numbers, and those teams answer for whether the numbers are right.
    - `marts/alignment_reconciliation` and `marts/alignment_divergences` are also owned by every
      team in `alignment.teams` (e.g. finance, which owns no stage): each team's report is
      reconciled there, and a gap in it is that team's to explain or sign off.

    `team:data` comes first; the others follow in the contract's order, each once.
    """
    teams = [DATA_TEAM]
    if key.path[0] == "marts":
        teams += [owner(stage.owner) for stage in contract.stages]
        if key.path[-1] in ALIGNMENT_MARTS:
            teams += [owner(team) for team in contract.alignment.teams]
    return list(dict.fromkeys(teams))


def source_column_schemas(manifest: Mapping[str, Any]) -> dict[dg.AssetKey, dg.TableSchema]:
    """The columns dbt declares for its sources, keyed as the assets that write or profile them
    (<schema>/<identifier>, as FunnelTranslator keys sources). dagster-dbt gives the models
    their column schema itself; the sources are assets of ours (the loaders, the landed-table
    profile), so they get theirs here. Sources that declare no column get none."""
    schemas = {}
    for source in manifest.get("sources", {}).values():
        columns = source.get("columns") or {}
        if not columns:
            continue
        schemas[dg.AssetKey([source["schema"], source["identifier"]])] = dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name=name,
                    type=column.get("data_type") or "?",
                    description=column.get("description") or None,
                )
                for name, column in columns.items()
            ]
        )
    return schemas


def describe_assets(
    assets: Iterable[dg.AssetsDefinition], contract: Contract, manifest: Mapping[str, Any]
) -> Sequence[dg.AssetsDefinition]:
    """The assets with their owners, and the column schema of dbt's sources where an asset has none."""
    schemas = source_column_schemas(manifest)

    def describe(spec: dg.AssetSpec) -> dg.AssetSpec:
        spec = spec.replace_attributes(owners=owners_for(spec.key, contract))
        schema = schemas.get(spec.key)
        if schema is not None and "dagster/column_schema" not in spec.metadata:
            spec = spec.merge_attributes(metadata={"dagster/column_schema": schema})
        return spec

    return dg.map_asset_specs(describe, list(assets))
