"""What a run did, as plain data: every check's outcome with the rows behind it, the steps that
crashed, and the summary the CLI prints. Read from the Dagster event log by
orchestration/lib/run_summary.py."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# Checks put the rows that explain a failure under this metadata key (a JSON list of dicts),
# and the Data Docs page under DATA_DOCS_KEY.
FAILURES_KEY = "failures"
DATA_DOCS_KEY = "data_docs"
# Alignment checks add the first divergence rows (record level) behind their failures.
DIVERGENCES_KEY = "divergences"


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    severity: str
    description: str
    failures: list[dict] = field(default_factory=list)
    data_docs: str | None = None
    divergences: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    success: bool
    partition: str | None  # the run's day (YYYY-MM-DD), named so in the JSON alerts read
    checks: list[CheckOutcome]
    failed_steps: list[tuple[str, str]]

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == "ERROR"]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == "WARN"]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def with_stored_failures(summary: RunSummary, warehouse, manifest, *, limit: int = 20) -> RunSummary:
    """The summary with, for each failed dbt test that stores its failing rows (store_failures,
    e.g. `has_fx_rate`), the first of those rows: the records, values and dates to fix."""
    import duckdb

    try:
        tests = {
            node["name"]: node.get("relation_name")
            for node in json.loads(manifest.read_text())["nodes"].values()
            if node.get("resource_type") == "test" and node.get("config", {}).get("store_failures")
        }
    except (OSError, ValueError):
        return summary
    wanted = [c for c in summary.checks if not c.passed and not c.failures and tests.get(c.check)]
    if not wanted:
        return summary
    found: dict[str, list[dict]] = {}
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return summary
    try:
        for outcome in wanted:
            try:
                cursor = con.execute(f"select * from {tests[outcome.check]} limit {int(limit)}")
                names = [column[0] for column in cursor.description]
                rows = cursor.fetchall()
            except duckdb.Error:
                continue
            found[outcome.check] = [{k: (None if v is None else str(v)) for k, v in zip(names, row)} for row in rows]
    finally:
        con.close()
    checks = [CheckOutcome(**{**asdict(c), "failures": found.get(c.check, c.failures)}) for c in summary.checks]
    return RunSummary(summary.run_id, summary.success, summary.partition, checks, summary.failed_steps)


def with_dbt_errors(summary: RunSummary, errors: list[str], log) -> RunSummary:
    """The summary with a failed dbt step explained by dbt's own error lines, and the path of
    its full log (which outlives the run)."""
    steps = [
        (step, ("dbt failed: " + " | ".join(errors) if errors else message) + f" (full dbt log: {log})")
        if step.startswith("funnel_dbt")
        else (step, message)
        for step, message in summary.failed_steps
    ]
    return RunSummary(summary.run_id, summary.success, summary.partition, summary.checks, steps)


# Metadata JSON comes back with sorted keys; print the fields in the order people read them.
_FIELD_ORDER = [
    "team",
    "metric",
    "period",
    "reported",
    "canonical",
    "delta",
    "allowed",
    "severity",
    "problem",
    "explained",
    "unexplained",
    "kind",
    "source",
    "file",
    "line",
    "record_id",
    "field",
    "raw_value",
    "value",
    "reason",
    "deal_id",
    "platform",
    "account_id",
    "campaign_id",
    "currency",
    "rate_date",
]


def format_summary(summary: RunSummary, *, max_rows: int = 5) -> str:
    """One screen: what failed, by how much, where to look."""
    lines = []
    status = "passed" if summary.success else "FAILED"
    lines.append(f"Run {summary.run_id[:8]} for {summary.partition or '(no date)'}: {status}")
    passed = sum(c.passed for c in summary.checks)
    lines.append(
        f"Checks: {passed} passed, {len(summary.blocking_failures)} failed (blocking), "
        f"{len(summary.warnings)} warning(s)"
    )
    for outcome in summary.blocking_failures + summary.warnings:
        label = "FAILED" if outcome.severity == "ERROR" else "WARN"
        lines.append(f"  {label} {outcome.check} on {outcome.asset}: {outcome.description}")
        for row in outcome.failures[:max_rows]:
            ordered = sorted(row, key=lambda k: _FIELD_ORDER.index(k) if k in _FIELD_ORDER else len(_FIELD_ORDER))
            lines.append("      " + ", ".join(f"{k}={row[k]}" for k in ordered))
        if len(outcome.failures) > max_rows:
            lines.append(f"      … and {len(outcome.failures) - max_rows} more")
        if outcome.divergences:
            lines.append("      records behind them (marts.alignment_divergences):")
            for row in outcome.divergences[:10]:
                side = (
                    f"{row['counted_by']} counted record {row['record_id']}"
                    if row["counted_by"] != "canonical"
                    else f"only canonical counted person {row['person_id']}"
                )
                lines.append(f"        {row['metric']} {row['period']} {row['reason']}: {side}")
        if outcome.data_docs:
            lines.append(f"      Data Docs: {outcome.data_docs}")
    for step, message in summary.failed_steps:
        lines.append(f"  step {step} failed: {message[:1500]}")
    return "\n".join(lines)
