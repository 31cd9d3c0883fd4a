"""The daily run with HubSpot read from its live API (a local server in HubSpot's shapes):
the marts equal the known answer, exactly as with the export files."""

from __future__ import annotations

from datetime import date

import pytest

from funnel.config import PROJECT_ROOT
from orchestration.runner import run_daily
from sample_company.hubspot_api.portal import Company
from sample_company.hubspot_api.server import Faults, HubSpotServer
from tests.conftest import make_project
from tests.truth import COMPARISONS, differences

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("hubspot_api_run")]

TOKEN = "pat-na1-daily-run-token"


def test_a_daily_run_from_the_hubspot_api_matches_the_truth(tmp_path, sample_data, monkeypatch):
    sources = (PROJECT_ROOT / "sources.yml").read_text().replace("  from: files", "  from: api", 1)
    project = make_project(tmp_path / "api", sample_data, sources_text=sources)
    with HubSpotServer(Company(sample_data), TOKEN, Faults(rate_limit_every=40, server_error_every=55)) as server:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_API_BASE_URL", server.url)
        summary = run_daily(project.settings, date(2026, 10, 31), quiet=True)

    assert summary.failed_steps == []
    assert {c.asset for c in summary.checks if c.check == "raw_shape" and c.passed} >= {"raw/hubspot_contacts"}
    for mart in COMPARISONS:
        expected_rows, only_truth, only_mart = differences(project.settings.warehouse, sample_data / "truth", mart)
        assert only_truth == [] and only_mart == [], mart
    assert (project.settings.warehouse.parent / "dlt").is_dir()
