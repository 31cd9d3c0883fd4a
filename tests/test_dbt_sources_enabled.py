"""Sources that sources.yml does not read are off in dbt (funnel/sources/config.py
dbt_sources_enabled, `config.enabled` in models/staging/*/_*__sources.yml): the docs site and the
Dagster graph list only what a run reads, and the models parse in every mode."""

from __future__ import annotations

import os
import subprocess

import pytest

from funnel import compiled
from funnel.contract.load import load_contract
from funnel.sources.config import SourcesConfig, dbt_sources_enabled, render_dbt_project
from funnel.transform import dbt_executable
from tests.conftest import make_project

ALL_FIVETRAN = """
hubspot: {from: fivetran}
salesforce: {from: fivetran}
ads: {google_ads: fivetran, linkedin_ads: fivetran, meta_ads: fivetran, microsoft_ads: fivetran}
"""
SALESFORCE_FILES = "salesforce: {from: files}\n"
ALWAYS = {"ads", "funnel_private", "hubspot", "mappings", "reports"}
FIVETRAN = {
    "hubspot_fivetran",
    "salesforce_fivetran",
    "google_ads_fivetran",
    "linkedin_ads_fivetran",
    "facebook_ads_fivetran",
    "microsoft_ads_fivetran",
}


def test_the_default_sources_switch_every_landed_and_salesforce_source_off():
    assert set(dbt_sources_enabled(SourcesConfig())) == FIVETRAN | {"salesforce"}
    assert not any(dbt_sources_enabled(SourcesConfig()).values())


def test_the_switches_are_one_generated_line_of_dbt_project_yml():
    text = "vars:\n  as_of: null\n  funnel_source_enabled: {}\n  other: 1\n"
    rendered = render_dbt_project(SourcesConfig.model_validate({"salesforce": {"from": "files"}}), text)
    assert rendered.startswith("vars:\n  as_of: null\n  funnel_source_enabled: {") and rendered.endswith("  other: 1\n")
    assert '"salesforce": true' in rendered and '"salesforce_fivetran": false' in rendered
    with pytest.raises(ValueError, match="funnel_source_enabled"):
        render_dbt_project(SourcesConfig(), "vars:\n  as_of: null\n")


@pytest.mark.integration
@pytest.mark.parametrize(
    ("sources_text", "expected"),
    [
        (None, ALWAYS),
        (ALL_FIVETRAN, ALWAYS | FIVETRAN),
        (SALESFORCE_FILES, ALWAYS | {"salesforce"}),
    ],
    ids=["repository", "all_fivetran", "salesforce_files"],
)
def test_dbt_lists_only_the_sources_sources_yml_reads(tmp_path, sources_text, expected):
    project = make_project(tmp_path / "project", tmp_path / "data", sources_text=sources_text)
    compiled.write(load_contract(project.settings.contract), project.settings)
    dbt_dir = project.settings.dbt_project_dir
    result = subprocess.run(
        [
            dbt_executable(),
            "ls",
            "--resource-type",
            "source",
            "--resource-type",
            "model",
            "--quiet",
            *("--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)),
            *("--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")),
        ],
        env={**os.environ, "FUNNEL_DBT_TARGET": "lint", "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    listed = result.stdout.split()
    assert {line.split(".")[1] for line in listed if line.startswith("source:")} == expected
    assert "unified_funnel.marts.dim_people" in listed and "unified_funnel.marts.pipeline_deals" in listed
