"""The rows behind a check's failure as a Dagster table, so that the UI shows them as one.

The run summary and the alerts read the same rows as JSON (funnel/run_summary.py, FAILURES_KEY);
this is only what a person sees in the check's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

from funnel.checks.explain import MAX_ROWS_IN_METADATA

# Under this key a check's metadata holds the table (FAILURES_KEY keeps the JSON).
FAILING_ROWS_KEY = "failing_rows"


def failing_rows_table(rows: Sequence[Mapping[str, Any]], limit: int = MAX_ROWS_IN_METADATA) -> dg.TableMetadataValue:
    """The first `limit` rows as a table: one column per field, in the order the rows first name
    them (the checks build their rows in reading order). Dagster wants every record to carry
    every column, and a column one type: a field a row lacks is empty, and a column whose values
    are not all numbers, or all booleans, is text (a list or a mapping as its JSON)."""
    shown = [dict(row) for row in rows[:limit]]
    names = list(dict.fromkeys(name for row in shown for name in row))
    types = {name: _column_type([row.get(name) for row in shown]) for name in names}
    records = [dg.TableRecord({name: _cell(row.get(name), types[name]) for name in names}) for row in shown]
    schema = dg.TableSchema(columns=[dg.TableColumn(name, types[name]) for name in names])
    return dg.MetadataValue.table(records, schema)


def _column_type(values: list[Any]) -> str:
    present = [value for value in values if value is not None and not _is_nan(value)]
    if present and all(isinstance(value, bool) for value in present):
        return "bool"
    if present and all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        return "int"
    if present and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in present):
        return "float"
    return "string"


def _cell(value: Any, column_type: str) -> str | int | float | bool | None:
    if value is None or _is_nan(value):
        return None
    if column_type == "float":
        return float(value)
    if column_type != "string" or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value
