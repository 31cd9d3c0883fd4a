"""The contract's `touches` section: what counts as a sales touch, refused with the line and the
allowed values when it names something HubSpot does not log, compiled for dbt, said in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from funnel.config import PROJECT_ROOT
from funnel.contract.compile import contract_data, render
from funnel.contract.handbook import blocks, to_markdown
from funnel.contract.load import parse_contract
from tests.helpers import contract_problems as problems_of
from tests.helpers import line_of

DEMO = (PROJECT_ROOT / "funnel.yml").read_text()
CALL = "    - {type: call, direction: outbound, outcomes: [connected, left_voicemail, left_live_message]}\n"
EMAIL = "    - {type: email, direction: outbound, automated: false}\n"
MEETING = "    - {type: meeting, outcomes: [completed]}\n"
SECTION = "touches:\n  activities:\n" + CALL + EMAIL + MEETING + "  owner_teams: [SDR, AE]\n  property_changes: false\n"


def parse(text: str):
    return parse_contract(text, Path("funnel.yml"))


def replaced(old: str, new: str) -> str:
    assert DEMO.count(old) == 1, old
    return DEMO.replace(old, new)


def test_the_demo_section_parses():
    touches = parse(DEMO).contract.touches
    assert touches is not None
    assert [(a.type, a.direction, a.outcomes, a.automated) for a in touches.activities] == [
        ("call", "outbound", ["connected", "left_voicemail", "left_live_message"], None),
        ("email", "outbound", None, False),
        ("meeting", None, ["completed"], None),
    ]
    assert touches.owner_teams == ["SDR", "AE"] and touches.property_changes is False


def test_only_activities_are_required_and_every_type_and_outcome_is_accepted():
    text = replaced(
        SECTION,
        "touches:\n  activities:\n"
        "    - {type: call, direction: inbound, outcomes: [no_answer, busy, wrong_number, other]}\n"
        "    - {type: email, direction: forwarded, outcomes: [sent, bounced, failed, scheduled, sending]}\n"
        "    - {type: email, automated: true}\n"
        "    - {type: meeting, outcomes: [scheduled, completed, rescheduled, no_show, canceled]}\n"
        "    - {type: task, outcomes: [completed, not_started, in_progress, waiting, deferred]}\n"
        "    - {type: note}\n",
    )
    touches = parse(text).contract.touches
    assert [a.type for a in touches.activities] == ["call", "email", "email", "meeting", "task", "note"]
    assert touches.owner_teams == [] and touches.property_changes is False


# (the demo's line to replace, its replacement, the problem expected on the replacement's line)
INVALID = {
    "unknown type": (
        MEETING,
        "    - {type: sms, outcomes: [completed]}\n",
        "touches.activities.2.type: unknown activity type 'sms'; use one of: call, email, meeting, note, task",
    ),
    "outcome not in the type's vocabulary": (
        CALL,
        "    - {type: call, direction: outbound, outcomes: [connected, voicemail]}\n",
        "touches.activities.0.outcomes: 'voicemail' is not an outcome of a call; use one of: connected, "
        "left_voicemail, left_live_message, no_answer, busy, wrong_number, other",
    ),
    "another type's outcome": (
        MEETING,
        "    - {type: meeting, outcomes: [connected]}\n",
        "touches.activities.2.outcomes: 'connected' is not an outcome of a meeting; use one of: scheduled, "
        "completed, rescheduled, no_show, canceled",
    ),
    "direction on a meeting": (
        MEETING,
        "    - {type: meeting, direction: outbound, outcomes: [completed]}\n",
        "touches.activities.2.direction: a meeting has no direction; remove it (only call and email have one)",
    ),
    "a forwarded call": (
        CALL,
        "    - {type: call, direction: forwarded}\n",
        "touches.activities.0.direction: unknown direction 'forwarded' of a call; use one of: outbound, inbound",
    ),
    "automated on a call": (
        CALL,
        "    - {type: call, direction: outbound, automated: true}\n",
        "touches.activities.0.automated: only an email can be automated (sent by a sequence), not a call",
    ),
    "outcomes on a note": (
        MEETING,
        "    - {type: note, outcomes: [completed]}\n",
        "touches.activities.2.outcomes: a note has no outcome; remove `outcomes`",
    ),
    "an empty list of outcomes": (
        MEETING,
        "    - {type: meeting, outcomes: []}\n",
        "touches.activities.2.outcomes: list at least one outcome, or leave `outcomes` out to count any meeting",
    ),
    "an unknown field": (
        EMAIL,
        "    - {type: email, direction: outbound, sequence: false}\n",
        "touches.activities.1.sequence: unknown key 'sequence'",
    ),
    "empty activities": (
        "  activities:\n" + CALL + EMAIL + MEETING,
        "  activities: []\n",
        "touches.activities: lists no activity; name at least one",
    ),
    "an empty owner team": (
        "  owner_teams: [SDR, AE]\n",
        "  owner_teams: [SDR, '']\n",
        "touches.owner_teams: an empty team name",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_section_is_refused_on_its_line_naming_the_field(case):
    old, new, expected = INVALID[case]
    text = replaced(old, new)
    line = line_of(text, new.splitlines()[0])
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line}: {expected}"), problem


def test_a_field_on_its_own_line_is_reported_on_that_line():
    text = replaced(MEETING, "    - type: meeting\n      outcomes: [completed]\n      direction: inbound\n")
    (problem,) = problems_of(text)
    line = line_of(text, "      direction: inbound")
    assert problem.startswith(f"funnel.yml:{line}: touches.activities.2.direction: a meeting has no direction")


def test_a_section_without_activities_is_refused():
    text = replaced("  activities:\n" + CALL + EMAIL + MEETING, "")
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line_of(text, 'touches:')}: touches.activities: is required")


def test_the_compiled_contract_carries_the_section_for_dbt():
    rendered = render(parse(DEMO))
    payload = json.loads(rendered.split("{% raw %}")[1].split("{% endraw %}")[0])
    assert payload["touches"] == {
        "activities": [
            {
                "type": "call",
                "direction": "outbound",
                "outcomes": ["connected", "left_voicemail", "left_live_message"],
                "automated": None,
            },
            {"type": "email", "direction": "outbound", "outcomes": None, "automated": False},
            {"type": "meeting", "direction": None, "outcomes": ["completed"], "automated": None},
        ],
        "owner_teams": ["SDR", "AE"],
        "property_changes": False,
    }


def without_touches() -> str:
    """The demo without `touches`, and so without sales' leads worked (it counts touches)."""
    text = DEMO.replace(SECTION, "")
    for old, new in (
        ("    leads_worked: {measure: people_touched, stage: lead}", None),
        ("    leads_worked: {relative: 0.10, absolute: 5, severity: warn}", None),
        ("        leads_worked:   #", None),
        ("          activities: [call, email, meeting]", None),
        ("          timezone: America/New_York\n          excludes: [test]\n        leads:", "        leads:"),
        ("reports: {leads: mqls, leads_worked: leads_worked}", "reports: {leads: mqls}"),
    ):
        if new is None:
            (line,) = [line for line in text.splitlines(keepends=True) if line.startswith(old)]
            text = text.replace(line, "", 1)
        else:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
    return text


def test_without_the_section_the_contract_compiles_no_touch_rules():
    loaded = parse(without_touches())
    assert loaded.contract.touches is None
    assert contract_data(loaded)["touches"] is None


def _section_in_words(text: str) -> str:
    markdown = to_markdown(blocks(parse(text)))
    return markdown.split("## Sales touches and speed to lead\n")[1].split("\n## ")[0]


def test_the_handbook_says_the_demo_touch_rules_and_the_sla_in_words():
    words = _section_in_words(DEMO)
    for sentence in (
        "A sales touch is an outbound call whose outcome is connected, left voicemail or left live message; "
        "an outbound one-to-one email (emails a sequence sends are not); a meeting that was held.",
        "Only activities owned by someone in the SDR or AE team count.",
        "A rep's edits of a record's properties do not count.",
        # The SQL stage's SLA runs from the stage before it (no sla_from in the demo).
        "Sales must make a first touch within 48 hours of a person's first entry into Marketing qualified lead "
        "(the service level of Sales qualified lead); a person who skipped Marketing qualified lead is not measured.",
    ):
        assert sentence in words, words
    assert "`" not in words and "_" not in words


def test_the_handbook_says_other_touch_rules_in_words():
    text = replaced(
        SECTION,
        "touches:\n  activities:\n"
        "    - {type: email, direction: inbound, automated: true, outcomes: [sent]}\n"
        "    - {type: meeting, outcomes: [completed, no_show]}\n"
        "    - {type: task, outcomes: [not_started]}\n"
        "    - {type: note}\n"
        "  property_changes: true\n",
    )
    words = _section_in_words(text)
    assert (
        "A sales touch is an inbound email sent by a sequence whose status is sent (one-to-one emails are not); "
        "a meeting that was held or missed by the contact; a task whose status is not started; a note."
    ) in words
    assert "Activities count whoever owns them, and when no one does." in words
    assert "A rep's edits of a record's properties in the CRM, and records a rep creates there, count too." in words


def test_without_the_section_the_handbook_says_touches_are_inferred_from_property_edits():
    words = _section_in_words(without_touches())
    assert "Sales touches are inferred from the rep's property edits" in words
    assert "A sales touch is" not in words
    assert "Sales must make a first touch within 48 hours" in words
