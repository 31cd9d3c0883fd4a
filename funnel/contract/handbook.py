"""The handbook: the contract in words, for the people who sign it and the people who use it.

One structure, three renderings: Markdown, a self-contained HTML page (no external assets) and
the dbt docs block that BI users see next to the marts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from funnel.contract.acceptances import Acceptance
from funnel.contract.criteria import Criterion, describe
from funnel.contract.load import LoadedContract
from funnel.contract.model import WEEKDAY_NAMES, WEEKDAYS, Contract, TouchActivity


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


Block = tuple[str, object]  # ("h1" | "h2" | "h3" | "p", text) or ("table", Table)


def _words(loaded: LoadedContract, criterion: Criterion) -> str:
    return describe(criterion, exact_lifecycle=loaded.contract.policies.skipped_stages == "leave_empty")


def _stage_table(loaded: LoadedContract) -> Table:
    rows = []
    for order, stage in enumerate(loaded.contract.stages, start=1):
        entry = _words(loaded, loaded.criteria[stage.key].entry)
        rows.append([str(order), stage.label, stage.owner, stage.definition, f"Entered when {entry}."])
    return Table(["#", "Stage", "Owner", "Definition", "Exact rule"], rows)


def blocks(loaded: LoadedContract, acceptances: Sequence[Acceptance] = ()) -> list[Block]:
    """The handbook; `acceptances`: the signed-off divergences (alignment_acceptances.yml)."""
    c = loaded.contract
    out: list[Block] = [
        ("h1", f"{c.meta.name} — the funnel handbook"),
        (
            "p",
            f"Owner: {c.meta.owner}. Version {c.meta.version}, effective {c.meta.effective_from.isoformat()}. "
            f"Dates are read in {c.reporting.timezone}; money is in {c.reporting.currency}. "
            "Generated from funnel.yml: edit the contract, not this page.",
        ),
        ("h2", "Stages"),
        ("table", _stage_table(loaded)),
    ]
    previous_stage = None
    for stage in c.stages:
        parsed = loaded.criteria[stage.key]
        out.append(("h3", f"{stage.label} ({stage.key})"))
        out.append(("p", stage.definition))
        out.append(("p", f"Owned by {stage.owner}. Entered when {_words(loaded, parsed.entry)}."))
        if parsed.exit:
            out.append(
                ("p", f"Left (a new entry can then count, under re-entry `every`) when {_words(loaded, parsed.exit)}.")
            )
        sla_from = stage.sla_from or previous_stage
        if stage.sla_hours and sla_from:
            out.append(("p", f"Service level: within {sla_hours_words(c, stage.sla_hours)} of entering {sla_from}."))
        start = None
        for old, entry in zip(stage.previous_definitions, parsed.previous):
            since = f"from {start} " if start else ""
            out.append(
                (
                    "p",
                    f"Until {old.until.isoformat()} {since}(version {old.version}): entered when "
                    f"{_words(loaded, entry)}." + (f" Why it changed: {old.why}" if old.why else ""),
                )
            )
            start = old.until.isoformat()
        previous_stage = stage.key

    out += [("h2", "Sales touches and speed to lead"), *(("p", text) for text in touch_paragraphs(loaded))]

    exclusions = c.identity.exclusions
    out += [
        ("h2", "Who counts"),
        (
            "p",
            "A person is one human, whatever the number of HubSpot records: records are grouped by "
            "normalised email (lower-case, trimmed"
            + (", +tags removed" if c.identity.plus_addressing == "strip" else "")
            + ") and by HubSpot merges.",
        ),
        (
            "table",
            Table(
                ["Excluded", "Rule"],
                [
                    ["Internal", _is_one_of("email domain", exclusions.internal_domains)],
                    ["Tests", "; or ".join(f"email {_pattern_words(p)}" for p in exclusions.test_patterns) or "—"],
                    ["Competitors", _is_one_of("email domain", exclusions.competitor_domains)],
                    ["Lifecycle stages", _is_one_of("HubSpot lifecycle stage", exclusions.lifecycle_stages)],
                    ["Deleted records", "people with no live HubSpot record left"],
                ],
            ),
        ),
        ("h2", "Policies"),
        (
            "table",
            Table(
                ["Policy", "Value"],
                [
                    [
                        "Skipped stages",
                        "counted at the later stage's time (backfill)"
                        if c.policies.skipped_stages == "backfill"
                        else "left empty",
                    ],
                    ["Re-entry", "the first entry counts" if c.policies.reentry == "first" else "every entry counts"],
                    [
                        "Deals link to",
                        "their primary contact" if c.policies.deal_contacts == "primary" else "all their contacts",
                    ],
                    ["Attribution window", f"{c.policies.attribution_window_days} days"],
                    ["Time-decay half-life", f"{c.policies.attribution_half_life_days:g} days"],
                ],
            ),
        ),
        ("h2", "Channels"),
        (
            "table",
            Table(
                ["Channel", "Sourced by", "Matched when (first matching channel wins)"],
                [[ch.label, ch.sourced_by, _channel_words(ch)] for ch in c.channels],
            ),
        ),
    ]
    if c.utm_mediums:
        out += [
            ("h2", "Touches by UTM medium"),
            (
                "table",
                Table(["utm_medium", "Channel"], [[medium, channel] for medium, channel in c.utm_mediums.items()]),
            ),
        ]
    if c.segments:
        out += [
            ("h2", "Segments"),
            (
                "table",
                Table(
                    ["Segment", "Company employees"],
                    [
                        [
                            seg.label,
                            f"{seg.min_employees} or more"
                            if i == len(c.segments) - 1
                            else f"{seg.min_employees} to {c.segments[i + 1].min_employees - 1}",
                        ]
                        for i, seg in enumerate(c.segments)
                    ],
                ),
            ),
        ]
    alignment = c.alignment
    if alignment.metrics:
        out += [
            ("h2", "Tolerances between teams and the canonical numbers"),
            (
                "table",
                Table(
                    ["Metric", "Counts", "Tolerance", "When exceeded"],
                    [
                        [
                            name,
                            _metric_counts(m),
                            f"{alignment.tolerances[name].relative:.0%} or {alignment.tolerances[name].absolute:g}, "
                            "whichever is larger",
                            "the run fails and nothing is published"
                            if alignment.tolerances[name].severity == "block"
                            else "a warning",
                        ]
                        for name, m in alignment.metrics.items()
                    ],
                ),
            ),
            (
                "table",
                Table(
                    ["Team", "Reports", "Compared with"],
                    [
                        [team, team_metric, metric]
                        for team, spec in alignment.teams.items()
                        for team_metric, metric in spec.reports.items()
                    ],
                ),
            ),
        ]
    if c.targets:
        out += [
            ("h2", "Targets"),
            ("table", Table(["Month", "Stage", "Target"], [[t.period, t.stage, f"{t.value:g}"] for t in c.targets])),
        ]
    if c.meta.decisions:
        out += [
            ("h2", "Decision log"),
            (
                "table",
                Table(
                    ["Date", "Decision", "Decided by", "Why"],
                    [[d.date.isoformat(), d.decision, d.decided_by, d.why] for d in c.meta.decisions],
                ),
            ),
        ]
    if acceptances:
        out += [
            ("h2", "Signed-off divergences"),
            (
                "p",
                "Team numbers outside tolerance that were signed off: they do not block publication while "
                "their delta and the records behind it stay as they were when signed off (funnel accept).",
            ),
            (
                "table",
                Table(
                    ["Team", "Metric", "Period", "Delta", "Signed off by", "On", "Until", "Why"],
                    [
                        [
                            a.team,
                            a.metric,
                            f"{a.period:%Y-%m}",
                            f"{a.delta:+g} ({a.records} records)",
                            a.by,
                            a.at.date().isoformat(),
                            a.expires.isoformat() if a.expires else "no end",
                            a.reason,
                        ]
                        for a in sorted(acceptances, key=lambda a: a.key)
                    ],
                ),
            ),
        ]
    return out


# A meeting's outcome as the end of "a meeting that was …".
_MEETING_OUTCOME_WORDS = {"completed": "held", "no_show": "missed by the contact"}


def _or(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _activity_words(activity: TouchActivity) -> str:
    """One `touches.activities` entry as a reader says it: 'an outbound call whose outcome is
    connected or left voicemail', 'an outbound one-to-one email (emails a sequence sends are not)'."""
    kind = activity.type
    adjectives = [activity.direction] if activity.direction else []
    if activity.automated is False:
        adjectives.append("one-to-one")
    phrase = " ".join([*adjectives, kind])
    text = ("an " if phrase[0] in "aeiou" else "a ") + phrase
    if activity.automated:
        text += " sent by a sequence"
    if activity.outcomes:
        if kind == "meeting":
            text += " that was " + _or([_MEETING_OUTCOME_WORDS.get(o, o.replace("_", " ")) for o in activity.outcomes])
        else:
            what = "outcome" if kind == "call" else "status"
            text += f" whose {what} is " + _or([o.replace("_", " ") for o in activity.outcomes])
    if activity.automated is False:
        text += " (emails a sequence sends are not)"
    elif activity.automated:
        text += " (one-to-one emails are not)"
    return text


def _days_words(days: Sequence[str]) -> str:
    """'Monday to Friday' for a run of days (Saturday to Monday wraps), else 'Monday, Wednesday
    and Friday'; 'every day' for all seven."""
    chosen = sorted(WEEKDAYS.index(day) for day in days)
    if len(chosen) == 7:
        return "every day"
    firsts = [i for i in chosen if (i - 1) % 7 not in chosen]
    if len(firsts) == 1 and len(chosen) >= 3:
        first = firsts[0]
        return f"{WEEKDAY_NAMES[first]} to {WEEKDAY_NAMES[(first + len(chosen) - 1) % 7]}"
    names = [WEEKDAY_NAMES[i] for i in chosen]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sla_hours_words(c: Contract, hours: float) -> str:
    """'48 hours', or with `policies.sla_business_hours` '48 business hours (Monday to Friday,
    09:00–17:00 America/New_York)': the hours the SLA clock counts."""
    business = c.policies.sla_business_hours
    unit = "hour" if hours == 1 else "hours"
    if business is None:
        return f"{hours:g} {unit}"
    return (
        f"{hours:g} business {unit} ({_days_words(business.days)}, {business.start}–{business.end} "
        f"{c.reporting.timezone})"
    )


def touch_paragraphs(loaded: LoadedContract) -> list[str]:
    """What a sales touch is (the contract's `touches`, or the property-edit proxy without it),
    then each stage's service level in those terms (sla_speed_to_lead measures it)."""
    c = loaded.contract
    touches = c.touches
    if touches is None:
        out = [
            "Sales touches are inferred from the rep's property edits: a record a rep creates in the CRM, "
            "or a property a rep changes there (lead status, lifecycle stage; a Salesforce Lead's status), "
            "is a sales touch. Logged calls, emails and meetings are not read; the contract's touches "
            "section would make them count."
        ]
    else:
        out = [
            "A sales touch is " + "; ".join(_activity_words(a) for a in touches.activities) + ". "
            "Each counts for the people whose records (HubSpot contacts, Salesforce Leads and Contacts) "
            "it was logged on, at the activity's time; "
            "deleted (archived) activities never count."
        ]
        if touches.owner_teams:
            out.append(f"Only activities owned by someone in the {_or(touches.owner_teams)} team count.")
        else:
            out.append("Activities count whoever owns them, and when no one does.")
        out.append(
            "A rep's edits of a record's properties in the CRM, and records a rep creates there, count too."
            if touches.property_changes
            else "A rep's edits of a record's properties do not count."
        )
    previous = None
    for stage in c.stages:
        start_key = stage.sla_from or (previous.key if previous else None)
        if stage.sla_hours and start_key:
            start = c.stage(start_key).label
            hours = sla_hours_words(c, stage.sla_hours)
            out.append(
                f"{stage.owner[:1].upper()}{stage.owner[1:]} must make a first touch within {hours} of a person's "
                f"first entry into {start} (the service level of {stage.label}); a person who skipped "
                f"{start} is not measured."
            )
        previous = stage
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(parts: list[Block]) -> str:
    lines: list[str] = []
    for kind, value in parts:
        if kind == "table":
            table: Table = value  # type: ignore[assignment]
            lines.append("| " + " | ".join(table.headers) + " |")
            lines.append("|" + " --- |" * len(table.headers))
            lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in table.rows]
        else:
            prefix = {"h1": "# ", "h2": "## ", "h3": "### ", "p": ""}[kind]
            lines.append(prefix + str(value))
        lines.append("")
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d9e2ec; } h3 { margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #d9e2ec; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
"""


def to_html(parts: list[Block], title: str) -> str:
    body: list[str] = []
    for kind, value in parts:
        if kind == "table":
            table: Table = value  # type: ignore[assignment]
            head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(f"<{kind}>{html.escape(str(value))}</{kind}>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def dbt_docs(loaded: LoadedContract) -> str:
    """A dbt docs block with the stage table, so dbt docs read the contract's own words."""
    text = to_markdown([("table", _stage_table(loaded))])
    # Docs blocks are Jinja: keep any brace or percent in a value from being read as Jinja.
    text = text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")
    return (
        "{#- Generated by `funnel contract compile` from the contract; do not edit (edit funnel.yml). -#}\n"
        "{% docs funnel_stages %}\n"
        f"The canonical funnel stages of contract version {_escape(loaded.contract.meta.version)}:\n\n"
        f"{text}\n"
        "{% enddocs %}\n"
    )


def _escape(text: str) -> str:
    return text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


_CHANNEL_FIELDS = {
    "original_source": "original source",
    "original_source_detail": "source drill-down 1",
    "original_source_detail_2": "source drill-down 2",
    "lead_source": "Salesforce lead source",
}


def _channel_words(channel) -> str:
    """Each condition with its fields named: 'original source is OFFLINE and source drill-down 1
    is IMPORT; or …', so two channels never seem to match the same thing."""
    if channel.is_catch_all():
        return "anything no channel above matches"
    alternatives = []
    for condition in channel.conditions:
        parts = []
        for field, label in _CHANNEL_FIELDS.items():
            values = getattr(condition, field)
            if values:
                parts.append(
                    f"{label} is {values[0]}" if len(values) == 1 else f"{label} is one of {', '.join(values)}"
                )
        alternatives.append(" and ".join(parts))
    return "; or ".join(alternatives)


def _is_one_of(field: str, values: list[str]) -> str:
    if not values:
        return "—"
    return f"{field} is {values[0]}" if len(values) == 1 else f"{field} is one of {', '.join(values)}"


_STARTS = re.compile(r"\^(?P<text>[\w@-]+?)\[(?P<chars>[^\]]+)\]")
_ENDS = re.compile(r"(?P<text>(?:[\w@-]|\\\.)+?)(?:\\\.\((?P<choices>[\w|]+)\))?\$")


def _pattern_words(pattern: str) -> str:
    """A test pattern as a reader says it: '^qa[+._-]' → 'starts with "qa" and then one of + . _ -';
    '@example\\.(com|org)$' → 'ends with @example.com or @example.org'. Any other regular
    expression is shown as one, quoted."""
    starts = _STARTS.fullmatch(pattern)
    if starts:
        return f'starts with "{starts["text"]}" and then one of {" ".join(starts["chars"])}'
    ends = _ENDS.fullmatch(pattern)
    if ends:
        text = ends["text"].replace("\\.", ".")
        endings = [f"{text}.{choice}" for choice in ends["choices"].split("|")] if ends["choices"] else [text]
        return "ends with " + (endings[0] if len(endings) == 1 else ", ".join(endings[:-1]) + " or " + endings[-1])
    return f'matches the regular expression "{pattern}"'


def _metric_counts(m) -> str:
    """What a canonical metric counts, in words."""
    if m.measure == "entries":
        return f"entries into {m.stage}"
    if m.measure == "people_touched":
        return (
            f"people who had reached {m.stage} and got at least one sales touch in the period "
            "(the touch rules above), once each"
        )
    return f"{m.measure.replace('_', ' ')} of pipeline {m.pipeline}"
