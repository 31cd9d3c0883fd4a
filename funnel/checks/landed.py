"""Tables landed by others (Fivetran), profiled in place before dbt reads them.

Our loaders never touch them, so nothing else would notice a missing table, a missing id column
or an empty contact table before dbt's binder did. The columns each table may hold, and which
of them the funnel cannot do without, are declared once on the dbt sources (`meta.required`,
`meta.optional`, `meta.key` in `dbt_project/models/staging/*/_*__sources.yml`); this module reads
them from the parsed manifest and profiles the warehouse against them: one row per table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from funnel.warehouse import connect

# Tables a run cannot do without, when their source is landed: no people without them.
NON_EMPTY = {
    ("hubspot_fivetran", "contact"),
    ("hubspot_fivetran", "owner"),
    ("salesforce_fivetran", "lead"),
    ("salesforce_fivetran", "user"),
}

# sources.yml mode → the dbt sources it lands.
FIVETRAN_SOURCES = {
    "hubspot": ["hubspot_fivetran"],
    "salesforce": ["salesforce_fivetran"],
    "google_ads": ["google_ads_fivetran"],
    "linkedin_ads": ["linkedin_ads_fivetran"],
    "meta_ads": ["facebook_ads_fivetran"],
    "microsoft_ads": ["microsoft_ads_fivetran"],
}


@dataclass(frozen=True)
class LandedTable:
    source: str
    name: str
    schema: str
    identifier: str
    columns: tuple[str, ...]
    """Declared columns, but the legacy names an older connection may carry instead."""
    required: tuple[str, ...]
    key: tuple[str, ...]
    optional: bool
    legacy_names: dict[str, str]
    """Column → the older name a connection may carry instead (then it is not absent)."""

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.identifier}"


def declared(manifest: Path, sources: list[str]) -> list[LandedTable]:
    """The landed tables of `sources` (dbt source names) as the dbt project declares them."""
    nodes = json.loads(manifest.read_text())["sources"].values()
    tables = []
    for node in nodes:
        if node["source_name"] not in sources:
            continue
        columns = node.get("columns", {})
        tables.append(
            LandedTable(
                source=node["source_name"],
                name=node["name"],
                schema=node["schema"],
                identifier=node["identifier"],
                columns=tuple(name for name, column in columns.items() if not column.get("meta", {}).get("legacy")),
                required=tuple(name for name, column in columns.items() if column.get("meta", {}).get("required")),
                key=tuple(node.get("meta", {}).get("key", [])),
                optional=bool(node.get("meta", {}).get("optional")),
                legacy_names={
                    name: column["meta"]["legacy_name"]
                    for name, column in columns.items()
                    if column.get("meta", {}).get("legacy_name")
                },
            )
        )
    return sorted(tables, key=lambda t: (t.source, t.name))


def landed_sources(sources_config) -> list[str]:
    """The dbt sources a sources.yml configuration reads from Fivetran."""
    modes = {
        "hubspot": sources_config.hubspot.mode,
        "salesforce": sources_config.salesforce.mode,
        **sources_config.ads.model_dump(),
    }
    return [name for key, mode in modes.items() if mode == "fivetran" for name in FIVETRAN_SOURCES[key]]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def profile(warehouse: Path, tables: list[LandedTable]) -> pd.DataFrame:
    """One row per table: whether it exists, rows, required columns missing, declared columns
    absent (read as NULL), and rows without a key."""
    rows = []
    with connect(warehouse, read_only=True) as con:
        present: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall():
            present.setdefault((schema.lower(), table.lower()), set()).add(column.lower())
        for table in tables:
            columns = present.get((table.schema.lower(), table.identifier.lower()))
            missing = [c for c in table.required if columns is None or c not in columns]
            absent = [
                c
                for c in table.columns
                if columns is not None
                and c not in columns
                and c not in missing
                and table.legacy_names.get(c) not in columns
            ]
            count = missing_keys = 0
            if columns is not None:
                relation = f"{_quote(table.schema)}.{_quote(table.identifier)}"
                keys = [k for k in table.key if k in columns]
                null_key = " or ".join(f"{_quote(k)} is null" for k in keys) or "false"
                count, missing_keys = con.execute(
                    f"select count(*), count(*) filter (where {null_key}) from {relation}"
                ).fetchall()[0]
            rows.append(
                {
                    "table_name": table.label,
                    "is_optional": table.optional,
                    "must_have_rows": (table.source, table.name) in NON_EMPTY,
                    "table_exists": int(columns is not None),
                    "rows_loaded": int(count),
                    "missing_required_columns": len(missing),
                    "missing_required": ", ".join(missing),
                    "absent_columns": ", ".join(absent),
                    "missing_ids": int(missing_keys),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "table_name",
            "is_optional",
            "must_have_rows",
            "table_exists",
            "rows_loaded",
            "missing_required_columns",
            "missing_required",
            "absent_columns",
            "missing_ids",
        ],
    )


def problem(row: dict) -> str | None:
    """What makes a landed table unusable, in words that name it; None when it is usable."""
    if not row["table_exists"]:
        return (
            None
            if row["is_optional"]
            else f"{row['table_name']} is not in the warehouse: land it, or switch the source"
        )
    problems = []
    if row["missing_required_columns"]:
        problems.append(f"no column {row['missing_required']} (the funnel cannot do without it)")
    if row["must_have_rows"] and row["rows_loaded"] == 0:
        problems.append("no rows")
    if row["missing_ids"]:
        problems.append(f"{row['missing_ids']} rows without a key")
    return f"{row['table_name']}: " + "; ".join(problems) if problems else None
