"""Load and validate `funnel.yml`: every problem at once, each with its line and a fix hint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from funnel.contract import criteria, yaml_lines
from funnel.contract.criteria import Criterion
from funnel.contract.model import Contract
from funnel.contract.problems import ContractError, Problem


@dataclass(frozen=True)
class StageCriteria:
    entry: Criterion
    exit: Criterion | None
    previous: tuple[Criterion, ...]
    """Entry criteria of `previous_definitions`, in the same order."""


@dataclass(frozen=True)
class LoadedContract:
    contract: Contract
    criteria: dict[str, StageCriteria]
    path: Path
    sha256: str
    located: yaml_lines.Located

    def problem_error(self, problems: list[Problem]) -> ContractError:
        """A ContractError for problems found later (e.g. against the data), with their lines."""
        placed = [Problem(p.path, p.message, p.hint, p.line or self.located.line_of(p.path)) for p in problems]
        return ContractError(str(self.path), placed)


def load_contract(path: str | Path) -> LoadedContract:
    """The contract at `path`, validated (which contract is in use is the caller's settings)."""
    file = Path(path).resolve()
    try:
        if file.stat().st_size > yaml_lines.MAX_BYTES:
            raise ContractError(
                str(file),
                [
                    Problem(
                        (),
                        f"the file is larger than {yaml_lines.MAX_BYTES:,} bytes: not a contract",
                        "point FUNNEL_CONTRACT at funnel.yml",
                    )
                ],
            )
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ContractError(
            str(file),
            [Problem((), f"cannot read the contract: {exc.strerror}", "create it or set FUNNEL_CONTRACT to its path")],
        ) from None
    return parse_contract(text, file)


def parse_contract(text: str, file: Path) -> LoadedContract:
    try:
        located = yaml_lines.load(text)
    except yaml_lines.UnsafeYaml as exc:
        raise ContractError(str(file), [Problem((), exc.problem, "write every value out in full", exc.line)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ContractError(
            str(file),
            [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", "check indentation and quoting", line)],
        ) from None

    problems = [
        Problem(path, f"duplicate key '{path[-1]}'", "keep one of the two", line) for path, line in located.duplicates
    ]
    contract = None
    try:
        contract = Contract.model_validate(located.data)
    except ValidationError as exc:
        problems += [_from_pydantic(error) for error in exc.errors()]
    raw = located.data if isinstance(located.data, dict) else {}
    stage_criteria = _stage_criteria(raw, problems)
    if contract is not None:
        _check_references(contract, problems)
    if problems:
        placed = [Problem(p.path, p.message, p.hint, p.line or located.line_of(p.path)) for p in problems]
        placed.sort(key=lambda p: (p.line or 0, p.where))
        raise ContractError(str(file), placed)
    return LoadedContract(contract, stage_criteria, file, hashlib.sha256(text.encode()).hexdigest(), located)


def _from_pydantic(error: dict) -> Problem:
    path = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return Problem(path, "is required", "add it (see the README's contract section)")
    if kind == "extra_forbidden":
        return Problem(path, f"unknown key '{path[-1]}'", "remove it or check its spelling")
    message = error["msg"].removeprefix("Value error, ")
    hint = ""
    if kind == "greater_than_equal":
        hint = "use a value ≥ " + str(error.get("ctx", {}).get("ge"))
    elif kind == "string_pattern_mismatch" and path and path[-1] == "key":
        hint = "use lower-case letters, digits and underscores, starting with a letter"
    return Problem(path, message, hint)


def _stage_criteria(raw: dict, problems: list[Problem]) -> dict[str, StageCriteria]:
    """Parse every stage's criteria from the raw YAML, even when other sections are invalid,
    so that one run of `funnel contract check` reports criteria problems too."""
    hubspot = raw.get("hubspot") if isinstance(raw.get("hubspot"), dict) else {}
    lifecycle = hubspot.get("lifecycle_order") if isinstance(hubspot.get("lifecycle_order"), list) else None
    stages = raw.get("stages") if isinstance(raw.get("stages"), list) else []
    result: dict[str, StageCriteria] = {}
    for i, stage in enumerate(stages):
        if not isinstance(stage, dict):
            continue
        base = ("stages", i)
        entry = criteria.parse(stage.get("entry"), base + ("entry",), problems)
        exit_ = criteria.parse(stage["exit"], base + ("exit",), problems) if stage.get("exit") is not None else None
        previous = []
        old_definitions = stage.get("previous_definitions") or []
        for j, old in enumerate(old_definitions if isinstance(old_definitions, list) else []):
            entry_raw = old.get("entry") if isinstance(old, dict) else None
            previous.append(criteria.parse(entry_raw, base + ("previous_definitions", j, "entry"), problems))
        for crit in (entry, exit_, *previous):
            for node in crit.walk() if crit else ():
                if node.kind == "lifecycle_stage_reached" and lifecycle and node.args["stage"] not in lifecycle:
                    problems.append(
                        Problem(
                            node.path,
                            f"unknown lifecycle stage '{node.args['stage']}'",
                            f"use one of: {', '.join(lifecycle)}",
                        )
                    )
        if entry and all(previous) and isinstance(stage.get("key"), str):
            result[stage["key"]] = StageCriteria(entry, exit_, tuple(previous))
    return result


def _check_references(contract: Contract, problems: list[Problem]) -> None:
    """Cross-references between sections; needs a contract whose sections are all well-typed."""
    stage_keys = [s.key for s in contract.stages]
    _no_duplicates("stages", stage_keys, problems)
    _no_duplicates("channels", [c.key for c in contract.channels], problems)
    channel_keys = {c.key for c in contract.channels}

    last = contract.channels[-1] if contract.channels else None
    if last and not last.is_catch_all():
        problems.append(
            Problem(
                ("channels", len(contract.channels) - 1),
                "the last channel must catch everything else",
                "end the list with a channel whose `when` is {} (e.g. unattributed)",
            )
        )
    for platform, channel in contract.ad_platforms.items():
        if channel not in channel_keys:
            problems.append(
                Problem(
                    ("ad_platforms", platform),
                    f"unknown channel '{channel}'",
                    f"use one of: {', '.join(sorted(channel_keys))}",
                )
            )
    for medium, channel in contract.utm_mediums.items():
        if channel not in channel_keys:
            problems.append(
                Problem(
                    ("utm_mediums", medium),
                    f"unknown channel '{channel}'",
                    f"use one of: {', '.join(sorted(channel_keys))}",
                )
            )
    _check_segments(contract, problems)
    for i, stage in enumerate(contract.stages):
        base = ("stages", i)
        last_until = None
        for j, old in enumerate(stage.previous_definitions):
            if last_until and old.until <= last_until:
                problems.append(
                    Problem(
                        base + ("previous_definitions", j, "until"),
                        "previous definitions must be listed oldest first",
                        "order them by `until`, each later than the one before",
                    )
                )
            last_until = old.until
        if stage.sla_from is not None:
            if stage.sla_from not in stage_keys:
                problems.append(
                    Problem(
                        base + ("sla_from",),
                        f"unknown stage '{stage.sla_from}'",
                        f"use one of: {', '.join(stage_keys)}",
                    )
                )
            elif stage_keys.index(stage.sla_from) >= i:
                problems.append(
                    Problem(
                        base + ("sla_from",),
                        f"stage order cycle: '{stage.key}' is measured from '{stage.sla_from}', "
                        "which does not come before it",
                        "measure an SLA from an earlier stage",
                    )
                )
    _check_alignment(contract, stage_keys, problems)
    for i, target in enumerate(contract.targets):
        if target.stage not in stage_keys:
            problems.append(
                Problem(
                    ("targets", i, "stage"), f"unknown stage '{target.stage}'", f"use one of: {', '.join(stage_keys)}"
                )
            )


def _check_segments(contract: Contract, problems: list[Problem]) -> None:
    segments = contract.segments
    _no_duplicates("segments", [s.key for s in segments], problems)
    if segments and segments[0].min_employees != 0:
        problems.append(
            Problem(
                ("segments", 0, "min_employees"),
                "the first segment must start at 0 employees",
                "set its min_employees to 0 so every company has a segment",
            )
        )
    for i in range(1, len(segments)):
        if segments[i].min_employees <= segments[i - 1].min_employees:
            problems.append(
                Problem(
                    ("segments", i, "min_employees"),
                    "segments must be listed from the smallest companies up",
                    "give each segment a larger min_employees than the one before",
                )
            )


def _check_alignment(contract: Contract, stage_keys: list[str], problems: list[Problem]) -> None:
    alignment = contract.alignment
    for name, metric in alignment.metrics.items():
        if metric.stage is not None and metric.stage not in stage_keys:
            problems.append(
                Problem(
                    ("alignment", "metrics", name, "stage"),
                    f"unknown stage '{metric.stage}'",
                    f"use one of: {', '.join(stage_keys)}",
                )
            )
        if metric.measure == "people_touched" and contract.touches is None:
            problems.append(
                Problem(
                    ("alignment", "metrics", name, "measure"),
                    "counts people touched, but the contract has no `touches` section",
                    "add `touches` (which logged activities are sales touches), or remove the metric",
                )
            )
    for name in alignment.tolerances:
        if name not in alignment.metrics:
            problems.append(
                Problem(
                    ("alignment", "tolerances", name),
                    f"tolerance for unknown metric '{name}'",
                    "define it under alignment.metrics first",
                )
            )
    lifecycle = contract.hubspot.lifecycle_order
    for team, spec in alignment.teams.items():
        for team_metric, view in spec.views.items():
            where = ("alignment", "teams", team, "views", team_metric)
            if team_metric not in spec.reports:
                problems.append(
                    Problem(
                        where,
                        f"a view of '{team_metric}', which {team} does not report",
                        f"add it under alignment.teams.{team}.reports or remove the view",
                    )
                )
            elif metric := alignment.metrics.get(spec.reports[team_metric]):
                if not metric.counts_people:
                    problems.append(
                        Problem(
                            where,
                            "views count records: they explain entry metrics, not amounts",
                            "remove the view; amounts are reconciled without one",
                        )
                    )
                elif metric.measure == "people_touched" and view.activities is None:
                    problems.append(
                        Problem(
                            where,
                            f"'{spec.reports[team_metric]}' counts people touched: its view counts records "
                            "with logged activity",
                            "replace `date` by `activities: [call, email, meeting]`",
                        )
                    )
                elif metric.measure == "entries" and view.activities is not None:
                    problems.append(
                        Problem(
                            where + ("activities",),
                            f"'{spec.reports[team_metric]}' counts stage entries: its view counts records by a date",
                            "replace `activities` by `date: {property: ...}` or `date: {first_set: ...}`",
                        )
                    )
            if view.lifecycle_at_least and view.lifecycle_at_least not in lifecycle:
                problems.append(
                    Problem(
                        where + ("lifecycle_at_least",),
                        f"unknown lifecycle stage '{view.lifecycle_at_least}'",
                        f"use one of: {', '.join(lifecycle)}",
                    )
                )
        for team_metric, canonical in spec.reports.items():
            if canonical not in alignment.metrics:
                problems.append(
                    Problem(
                        ("alignment", "teams", team, "reports", team_metric),
                        f"unknown metric '{canonical}'",
                        f"map it to one of: {', '.join(alignment.metrics) or '(none defined)'}",
                    )
                )
    for name in alignment.metrics:
        if name not in alignment.tolerances:
            problems.append(
                Problem(
                    ("alignment", "metrics", name),
                    f"metric '{name}' has no tolerance",
                    f"add alignment.tolerances.{name}: {{relative: 0.05, absolute: 3}}",
                )
            )


def _no_duplicates(section: str, keys: list[str], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            problems.append(
                Problem((section, i, "key"), f"duplicate {section[:-1]} key '{key}'", "every key must be unique")
            )
        seen.add(key)
