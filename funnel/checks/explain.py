"""The rows and words behind a failing check: what the check's metadata, the run summary and the
alignment report show. Plain data in, plain data out; the Dagster checks only attach them."""

from __future__ import annotations

import pandas as pd

from funnel.checks.gx_context import Validation, plain
from funnel.config import Settings
from funnel.engine import models

MAX_ROWS_IN_METADATA = 50


def rows_for(frame: pd.DataFrame, validation: Validation, index_columns: list[str]) -> list[dict]:
    """The frame rows behind GX's failing index keys, JSON-safe, in frame order."""
    wanted = {tuple(key.get(c) for c in index_columns) for f in validation.failed for key in f.keys}
    if not wanted or frame.empty:
        return []
    records = [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return [r for r in records if tuple(r.get(c) for c in index_columns) in wanted]


def records(config: Settings, table: str, columns: str, where: str = "true") -> list[dict]:
    frame = models(config).query_df(
        f"select {columns} from intermediate.{table} where {where} order by all limit {MAX_ROWS_IN_METADATA}"
    )
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def raw_problem(table: str, spec, profile: list[dict], quarantined: list[dict], data_dir=None) -> str:
    """What is wrong with a raw table, in words that say where to look."""
    row = profile[0] if profile else {}
    problems = []
    if quarantined:
        first = "; ".join(
            f"{r['file']}" + (f":{r['line']}" if r["line"] is not None else "") + f": {r['reason']}"
            for r in quarantined[:3]
        )
        problems.append(f"{len(quarantined)} file(s)/record(s) quarantined in raw.quarantine — {first}")
    if row.get("rows_loaded") == 0:
        where = f"{data_dir / spec.folder}/" if data_dir is not None else f"$FUNNEL_DATA_DIR/{spec.folder}/"
        problems.append(f"no rows loaded: is there data under {where}?")
    if row.get("missing_ids"):
        problems.append(f"{row['missing_ids']} rows without an id")
    return f"raw.{table}: " + (" | ".join(problems) or "failed its shape suite")


def number(value):
    """Counts read as counts (12, not 12.0); other numbers keep two decimals at most."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 2)
    return value


def alignment_row(row: dict, outside: bool, mismatched: bool) -> dict:
    problems = (["outside tolerance"] if outside else []) + (
        ["report differs from the team's tool"] if mismatched else []
    )
    shown = {
        "team": row["team"],
        "metric": row["team_metric"],
        "period": period_label(row["period_start"], row["period_end"]),
        "reported": number(row["team_value"]),
        "canonical": number(row["canonical_value"]),
        "delta": number(row["delta"]),
        "allowed": number(row["allowed_delta"]),
        "severity": row["severity"],
        "problem": " and ".join(problems),
    }
    if row.get("has_team_view"):
        shown |= {"explained": number(row["explained_delta"]), "unexplained": number(row["unexplained_delta"])}
    if isinstance(row.get("acceptance_state"), str) and row["acceptance_state"] != "accepted":
        # A sign-off that no longer holds: say so, the reader may remember accepting it.
        shown["acceptance"] = f"{row['acceptance_state']} (accepted by {row['accepted_by']} on {row['accepted_on']})"
    return shown


def period_label(start, end) -> str:
    """'2026-03' for a calendar month, '2026-03-02..2026-03-08' for any other period."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        return start.strftime("%Y-%m")
    return f"{start.date()}..{end.date()}"


def top_divergences(config: Settings, team: str, periods: list[tuple], limit: int = 10) -> list[dict]:
    """The first divergence rows behind the failing metric-periods, most common reasons first."""
    if not periods:
        return []
    wanted = " or ".join(
        f"(team_metric = {_literal(m)} and period_start = cast({_literal(start)} as date) "
        f"and period_end = cast({_literal(end)} as date))"
        for m, start, end in periods
    )
    frame = models(config).query_df(
        f"""
        with rows as (
            select team_metric, period_start, period_end, record_id, person_id, counted_by, reason,
                   count(*) over (partition by team_metric, period_start, period_end, reason) as reason_rows
            from marts.alignment_divergences
            where team = {_literal(team)} and ({wanted})
        )
        select team_metric as metric, period_start, period_end, reason, counted_by, record_id, person_id
        from rows
        order by period_start, period_end, team_metric, reason_rows desc, reason, record_id
        limit {int(limit)}
        """
    )
    return [
        {
            "metric": row["metric"],
            "period": period_label(row["period_start"], row["period_end"]),
            **{k: plain(row[k]) for k in ("reason", "counted_by", "record_id", "person_id")},
        }
        for row in frame.to_dict("records")
    ]


def _literal(text: str) -> str:
    """A SQL string literal for a contract name or an ISO date: both engines read it alike (the
    Spark engine takes no bound parameters). The contract's names are identifiers, no quotes."""
    if "'" in str(text) or "\\" in str(text):
        raise ValueError(f"not a plain name: {text!r}")
    return f"'{text}'"
