"""Generated files have one writer (`funnel compile`); loading the definitions and running with
another contract or sources file never write into the checkout (funnel/compiled.py)."""

from __future__ import annotations

from datetime import date

import pytest

from funnel import compiled
from funnel.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT, Settings
from funnel.contract.load import load_contract
from orchestration.definitions import build_definitions
from orchestration.runner import run_daily
from sample_company import generate
from tests.helpers import git_status

pytestmark = pytest.mark.xdist_group("compiled")


def _checkout_settings(tmp_path, contract=PROJECT_ROOT / "funnel.yml", sources=PROJECT_ROOT / "sources.yml"):
    """The checkout's own dbt project and GX folder, with a throw-away warehouse."""
    return Settings(
        warehouse=tmp_path / "warehouse" / "funnel.duckdb",
        data_dir=tmp_path / "data",
        contract=contract,
        dagster_home=tmp_path / "dagster_home",
        dbt_project_dir=DBT_PROJECT_DIR,
        expectations_dir=EXPECTATIONS_DIR,
        sources_file=sources,
    )


def test_the_checkout_holds_what_funnel_compile_writes(tmp_path):
    settings = _checkout_settings(tmp_path)
    assert compiled.stale(load_contract(settings.contract), settings) == [], "run `funnel compile` and commit"


@pytest.mark.integration
@pytest.mark.slow
def test_another_contract_and_sources_compile_beside_the_warehouse(tmp_path):
    before = git_status()
    contract = tmp_path / "funnel.warn.yml"
    text = (PROJECT_ROOT / "funnel.yml").read_text()
    assert "mqls: {relative: 0.08, absolute: 3, severity: block}" in text
    contract.write_text(
        text.replace(
            "mqls: {relative: 0.08, absolute: 3, severity: block}",
            "mqls: {relative: 0.08, absolute: 3, severity: warn}",
        )
    )
    sources = tmp_path / "sources.yml"
    sources.write_text((PROJECT_ROOT / "sources.yml").read_text().replace("microsoft_ads: files", "microsoft_ads: off"))
    settings = _checkout_settings(tmp_path, contract, sources)
    loaded = load_contract(contract)
    stale = compiled.stale(loaded, settings)
    assert "macros/generated/contract.sql" in stale and "macros/generated/sources.sql" in stale
    assert any(name.startswith("GX suite alignment_") for name in stale), stale

    # Loading the definitions (what `funnel ui` and `dagster dev` do) compiles into a scratch copy.
    build_definitions(settings)
    resolved = compiled.for_run(loaded, settings)
    assert resolved.dbt_project_dir.parent.parent == settings.warehouse.parent / "compiled"
    assert '"microsoft_ads": "off"' in (resolved.dbt_project_dir / "macros/generated/sources.sql").read_text()
    macro = "macros/generated/contract.sql"
    warns = [(p / macro).read_text().count('"severity": "warn"') for p in (DBT_PROJECT_DIR, resolved.dbt_project_dir)]
    assert warns[1] == warns[0] + 1, warns  # mqls warns now
    assert compiled.stale(loaded, resolved) == []
    marker = resolved.dbt_project_dir.parent / compiled.COMPLETE
    built = marker.stat().st_mtime_ns
    assert compiled.for_run(loaded, settings) == resolved and marker.stat().st_mtime_ns == built  # reused
    assert git_status() == before

    # A whole run with them: built, checked against the warn tolerance, and the checkout untouched.
    generate(settings.data_dir, contacts=150, seed=3, months=3)
    summary = run_daily(settings, date(2026, 10, 31), quiet=True)
    assert not summary.failed_steps, summary.failed_steps
    assert git_status() == before


def test_loading_the_checkout_definitions_writes_nothing_tracked(tmp_path):
    before = git_status()
    build_definitions(_checkout_settings(tmp_path))
    assert git_status() == before
