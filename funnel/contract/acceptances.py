"""Signed-off divergences: `alignment_acceptances.yml`, committed beside the contract.

A team's number can stay outside tolerance for a reason leadership knows and accepts (a report
pulled a day early, a one-off import). An acceptance names one team metric and period, who
accepted it, when and why, and what was accepted: the delta and a fingerprint of the records
behind it (`explanation`: alignment_reconciliation.explanation_md5, an MD5 of the period's
divergence ids and reasons). While both stay as accepted, the period no longer blocks
publication; any change, or the expiry date passing, re-opens it. The rule itself lives in
alignment_reconciliation.sql (acceptance_state); this module reads, validates and writes the file.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from funnel.contract import yaml_lines
from funnel.contract.load import _from_pydantic
from funnel.contract.model import Strict
from funnel.contract.problems import ContractError, Problem

HEADER = """\
# Signed-off divergences (`funnel accept`; README, "Signed-off divergences").
# Each entry lets one team metric and period publish although it is outside tolerance, while its
# delta and the records behind it (explanation) stay as they were when accepted.
"""


class Acceptance(Strict):
    team: str = Field(min_length=1)
    metric: str = Field(min_length=1, description="the team's own name of the metric, as reported")
    period: date = Field(description="the first day of the reported period")
    delta: float
    explanation: str = Field(pattern=r"^[0-9a-f]{32}$")
    records: int = Field(ge=0, description="records behind the delta when accepted (for the reader)")
    reason: str = Field(min_length=1)
    by: str = Field(min_length=1)
    at: datetime
    expires: date | None = None

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.team.lower(), self.metric.lower(), self.period)


class _File(Strict):
    acceptances: list[Acceptance] = []


def load_acceptances(path: Path) -> list[Acceptance]:
    """The acceptances in `path` (none when the file does not exist); invalid → ContractError
    with a line per problem, as for the contract."""
    if not path.exists():
        return []
    try:
        located = yaml_lines.load(path.read_text(encoding="utf-8-sig"))
    except yaml_lines.UnsafeYaml as exc:
        raise ContractError(str(path), [Problem((), exc.problem, "write every value out in full", exc.line)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContractError(
            str(path), [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", "", mark and mark.line + 1)]
        ) from None
    problems = [Problem(p, f"duplicate key '{p[-1]}'", "keep one of the two", line) for p, line in located.duplicates]
    parsed = None
    try:
        parsed = _File.model_validate(located.data or {})
    except ValidationError as exc:
        problems += [_from_pydantic(error) for error in exc.errors()]
    if parsed is not None:
        seen: dict[tuple, int] = {}
        for index, acceptance in enumerate(parsed.acceptances):
            if acceptance.key in seen:
                problems.append(
                    Problem(
                        ("acceptances", index),
                        f"{acceptance.team} {acceptance.metric} {acceptance.period} is accepted twice "
                        f"(also entry {seen[acceptance.key] + 1})",
                        "keep one",
                    )
                )
            seen.setdefault(acceptance.key, index)
    if problems:
        placed = [Problem(p.path, p.message, p.hint, p.line or located.line_of(p.path)) for p in problems]
        raise ContractError(str(path), sorted(placed, key=lambda p: (p.line or 0, p.where)))
    return list(parsed.acceptances)


def dbt_var(acceptances: list[Acceptance]) -> list[dict]:
    """What alignment_reconciliation.sql reads (dbt var `alignment_acceptances`)."""
    return [
        {
            "team": a.team.lower(),
            "team_metric": a.metric.lower(),
            "period_start": a.period.isoformat(),
            "delta": a.delta,
            "explanation_md5": a.explanation,
            "reason": a.reason,
            "by": a.by,
            "accepted_on": a.at.astimezone(UTC).date().isoformat(),
            "expires_on": a.expires.isoformat() if a.expires else None,
        }
        for a in acceptances
    ]


def write_acceptances(path: Path, acceptances: list[Acceptance]) -> None:
    """Write the file whole, through a temporary file: a reader never sees half of it."""
    entries = [
        {key: value for key, value in a.model_dump(mode="json").items() if value is not None}
        for a in sorted(acceptances, key=lambda a: a.key)
    ]
    text = HEADER + yaml.safe_dump({"acceptances": entries}, sort_keys=False, allow_unicode=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def parse_period(text: str) -> date:
    """A period's first day from `2026-09` or `2026-09-01`."""
    try:
        return date.fromisoformat(text) if len(text) > 7 else date.fromisoformat(text + "-01")
    except ValueError:
        raise ValueError(f"--period {text!r}: write the period's month (2026-09) or first day (2026-09-01)") from None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
