"""The contract is read safely, and a criterion naming a property the portal lacks is an error
before the first run: against the export's own pages in files mode, against HubSpot's properties
API (a local server answering in its documented shape) in API mode."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from funnel.contract import ContractError, load_contract
from sample_company.hubspot_api.portal import Company
from sample_company.hubspot_api.server import Faults, HubSpotServer
from tests.conftest import make_project
from tests.hubspot_api.conftest import TOKEN
from tests.real_shapes.test_hubspot_exports import CONTRACT, NORTHWIND

EXIT_INVALID = 3

BOMB = """meta: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
a9: &a9 [*a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8]
"""

# MQL also by score, on a property name with a typo: the portal's is `hubspotscore`.
MISSPELT = CONTRACT.replace(
    "    entry: {lifecycle_stage_reached: marketingqualifiedlead}",
    "    entry:\n"
    "      any:\n"
    "        - lifecycle_stage_reached: marketingqualifiedlead\n"
    "        - property_at_least: {property: hubspot_score, value: 50}",
)


def test_a_yaml_alias_bomb_is_refused_at_once_with_its_line(tmp_path):
    path = tmp_path / "funnel.yml"
    path.write_text(BOMB)
    started = time.monotonic()
    with pytest.raises(ContractError) as refused:
        load_contract(path)
    took = time.monotonic() - started
    assert took < 1.0, took  # unbounded, this expands to 9^10 strings (the issue saw 1.6 GB in 90 s)
    [problem] = refused.value.problems
    assert problem.line == 1 and "anchors and aliases" in problem.message


def test_a_contract_larger_than_a_megabyte_is_not_read(tmp_path):
    path = tmp_path / "funnel.yml"
    path.write_text("# padding\n" * 120_000)
    with pytest.raises(ContractError) as refused:
        load_contract(path)
    assert "larger than 1,000,000 bytes" in refused.value.problems[0].message


@pytest.fixture
def northwind_project(tmp_path):
    project = make_project(tmp_path, NORTHWIND, contract_text=MISSPELT)
    assert not project.settings.warehouse.exists()  # no run yet: nothing profiled
    return project


def _misspelt_line() -> int:
    return next(n for n, line in enumerate(MISSPELT.splitlines(), start=1) if "hubspot_score" in line)


def test_an_unknown_property_fails_the_check_before_any_run_in_files_mode(northwind_project):
    result = northwind_project.funnel("contract", "check")
    assert result.returncode == EXIT_INVALID, result.stdout + result.stderr
    assert f"funnel.yml:{_misspelt_line()}:" in result.stderr
    assert "no contact property 'hubspot_score' in the portal (the contact pages under" in result.stderr
    assert not northwind_project.settings.warehouse.exists()  # checked without creating a warehouse

    # Spelt as the portal spells it, the same contract passes.
    northwind_project.settings.contract.write_text(MISSPELT.replace("hubspot_score", "hubspotscore"))
    fixed = northwind_project.funnel("contract", "check")
    assert fixed.returncode == 0, fixed.stderr
    assert "Checked against the portal's properties (the contact pages under" in fixed.stdout


def test_an_unknown_property_fails_the_check_against_the_properties_api(northwind_project, sample_data):
    sources = northwind_project.settings.sources_file
    sources.write_text(sources.read_text().replace("  from: files\n", "  from: api\n", 1))
    assert "  from: api" in sources.read_text()
    with HubSpotServer(Company(sample_data), TOKEN, Faults()) as server:
        env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_BASE_URL": server.url}
        result = _funnel(northwind_project, env, "contract", "check")
        asked = [entry.path for entry in server.log]
    assert result.returncode == EXIT_INVALID, result.stdout + result.stderr
    assert "no contact property 'hubspot_score' in the portal (HubSpot's properties API)" in result.stderr
    assert asked == ["/crm/v3/properties/contacts"]
    assert TOKEN not in result.stdout + result.stderr


def _funnel(project, env: dict[str, str], *args: str):
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("funnel")), *args]
    return subprocess.run(command, env={**project.env(), **env}, capture_output=True, text=True, timeout=120)
