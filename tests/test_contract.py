"""The contract: every invalid file is refused with a one-line message naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from funnel.config import PROJECT_ROOT
from funnel.contract.compile import contract_data, generated_path, is_stale, render
from funnel.contract.load import load_contract, parse_contract
from tests.helpers import contract_problems as problems_of

DEMO = (PROJECT_ROOT / "funnel.yml").read_text()


def parse(text: str):
    return parse_contract(text, Path("funnel.yml"))


def edit(change) -> str:
    data = yaml.safe_load(DEMO)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_the_demo_contract_is_valid_and_compiled_output_is_committed_fresh():
    loaded = load_contract(PROJECT_ROOT / "funnel.yml")
    assert [s.key for s in loaded.contract.stages] == ["lead", "mql", "sql", "opportunity", "customer"]
    assert not is_stale(loaded, PROJECT_ROOT / "dbt_project"), "run `funnel contract compile` and commit the result"


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


INVALID = {
    "unknown lifecycle stage": (
        _set(["stages", 1, "entry"], {"lifecycle_stage_reached": "marketing_qualified"}),
        "stages.1.entry.lifecycle_stage_reached: unknown lifecycle stage 'marketing_qualified'",
    ),
    "unknown criterion": (
        _set(["stages", 0, "entry"], {"became_lead": True}),
        "stages.0.entry.became_lead: unknown criterion 'became_lead'",
    ),
    "two keys in one criterion": (
        _set(["stages", 0, "entry"], {"created": True, "lifecycle_stage_reached": "lead"}),
        "stages.0.entry: a criterion must be a mapping with exactly one key",
    ),
    "negative tolerance": (
        _set(["alignment", "tolerances", "mqls", "relative"], -0.1),
        "alignment.tolerances.mqls.relative: Input should be greater than or equal to 0",
    ),
    "unknown timezone": (
        _set(["reporting", "timezone"], "Mars/Olympus_Mons"),
        "reporting.timezone: unknown timezone 'Mars/Olympus_Mons'",
    ),
    "metric on an unknown stage": (
        _set(["alignment", "metrics", "mqls"], {"stage": "marketing_qualified"}),
        "alignment.metrics.mqls.stage: unknown stage 'marketing_qualified'",
    ),
    "team reports an unknown metric": (
        _set(["alignment", "teams", "sales", "reports"], {"leads": "sales_leads"}),
        "alignment.teams.sales.reports.leads: unknown metric 'sales_leads'",
    ),
    "duplicate stage key": (
        _set(["stages", 2, "key"], "mql"),
        "stages.2.key: duplicate stage key 'mql'",
    ),
    "stage order cycle": (
        _set(["stages", 2, "sla_from"], "opportunity"),
        "stages.2.sla_from: stage order cycle: 'sql' is measured from 'opportunity'",
    ),
    "stage key that is not an identifier": (
        _set(["stages", 0, "key"], "Lead stage"),
        "stages.0.key: String should match pattern",
    ),
    "deal criterion without pipeline": (
        _set(["stages", 3, "entry"], {"deal_created": {"min_amount": 100}}),
        "stages.3.entry.deal_created: 'deal_created' expects {pipeline, min_amount}: 'pipeline' is missing",
    ),
    "won and stage together": (
        _set(
            ["stages", 4, "entry"], {"deal_stage_reached": {"pipeline": "default", "won": True, "stage": "closedwon"}}
        ),
        "give either 'stage' or 'won: true'",
    ),
    "unknown top-level section": (
        _set(["stagse"], []),
        "stagse: unknown key 'stagse'",
    ),
    "channel rules without a catch-all": (
        lambda d: d["channels"].pop(),
        "the last channel must catch everything else",
    ),
    "invalid test pattern": (
        _set(["identity", "exclusions", "test_patterns"], ["test(+"]),
        "is not a valid regular expression",
    ),
    "an unknown field in one of a channel's alternatives": (
        _set(["channels", 5, "when"], [{"original_source": ["OFFLINE"]}, {"original_source_detail_3": ["CRM_UI"]}]),
        "channels.5.when.list[ChannelWhen].1.original_source_detail_3: unknown key 'original_source_detail_3'",
    ),
    "a lifecycle stage that is no HubSpot internal value": (
        _set(["hubspot", "lifecycle_order"], ["lead", "Marketing Qualified Lead"]),
        "'Marketing Qualified Lead' is not a HubSpot lifecycle stage's internal value",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_contracts_are_refused_with_the_place(case):
    change, expected = INVALID[case]
    problems = problems_of(edit(change))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("funnel.yml:") and "\n" not in p for p in problems)


def test_problems_carry_the_yaml_line():
    text = DEMO.replace("timezone: America/New_York", "timezone: Nowhere/Land", 1)
    line = next(i for i, text_line in enumerate(text.splitlines(), start=1) if "Nowhere/Land" in text_line)
    (problem,) = problems_of(text)
    assert problem.startswith(f"funnel.yml:{line}: reporting.timezone: unknown timezone")


def test_duplicate_yaml_keys_are_refused_not_overwritten():
    text = DEMO.replace("  reentry: first\n", "  reentry: first\n  reentry: every\n")
    assert any("policies.reentry: duplicate key 'reentry'" in p for p in problems_of(text))


def test_several_problems_are_reported_at_once():
    def change(data):
        data["reporting"]["timezone"] = "Nowhere/Land"
        data["stages"][1]["entry"] = {"lifecycle_stage_reached": "nope"}

    assert len(problems_of(edit(change))) == 2


HOSTILE = [
    "x'); drop table raw.hubspot_contacts; --",
    'it\'s "quoted" /* comment */ -- and more',
    "{% endraw %}{{ exceptions.raise_compiler_error('injected') }}",
    "back\\slash ; semicolon % percent",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_survive_compilation_as_data(value):
    def change(data):
        data["stages"][0]["entry"] = {"lead_status_in": [value]}
        data["stages"][0]["label"] = value
        data["alignment"]["teams"]["sales"]["reports"][value] = "mqls"

    loaded = parse(edit(change))
    rendered = render(loaded)
    # The payload sits in one raw block that no value can close.
    assert rendered.count("{% raw %}") == 1 and rendered.count("{% endraw %}") == 1
    assert "%" not in rendered.split("{% raw %}")[1].split("{% endraw %}")[0]
    assert contract_data(loaded)["stages"][0]["definitions"][0]["entry"]["values"] == [value]


def test_compile_writes_only_when_the_contract_changed(tmp_path):
    from funnel.contract.compile import write

    loaded = load_contract(PROJECT_ROOT / "funnel.yml")
    assert write(loaded, tmp_path) is True
    assert write(loaded, tmp_path) is False
    assert generated_path(tmp_path).read_text() == render(loaded)
    changed = parse(DEMO.replace('version: "2025.1"', 'version: "2025.2"'))
    assert is_stale(changed, tmp_path)


def test_history_start_bounds_the_runs_and_defaults_to_any_crm_history():
    assert parse(DEMO).contract.meta.history_start.isoformat() == "2024-01-01"
    without = edit(lambda d: d["meta"].pop("history_start"))
    assert parse(without).contract.meta.history_start.isoformat() == "2000-01-01"


def test_a_channel_matches_any_of_its_alternatives_and_compiles_them_as_conditions():
    data = contract_data(parse(DEMO))
    outbound = next(c for c in data["channels"] if c["key"] == "outbound")
    assert [c["original_source_detail"] for c in outbound["conditions"]] == [
        ["CRM_UI", "EXTENSION", "SALES"],
        ["CONTACTS"],
    ]
    assert outbound["conditions"][1]["original_source_detail_2"] == ["CRM_UI"]
    assert data["channels"][-1]["conditions"] == [
        {"original_source": [], "original_source_detail": [], "original_source_detail_2": [], "lead_source": []}
    ]
