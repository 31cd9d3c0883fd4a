"""Shared fixtures: isolated project copies and a real pipeline run on a generated company.

Every integration environment gets its own warehouse, DAGSTER_HOME, dbt project copy and GX
context copy, so tests can change the contract or the reports without touching the repository
and run in parallel (pytest-xdist).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from funnel.config import (
    DBT_PROJECT_DIR,
    EXPECTATIONS_DIR,
    PROJECT_ROOT,
    Settings,
)

SAMPLE_CONTACTS = 2000
SAMPLE_SEED = 7

os.environ.setdefault("DO_NOT_TRACK", "1")
# One email_hash key for every test warehouse, as one deployment reads one secret: tests compare
# marts across warehouses (files vs Fivetran vs API). Without it each warehouse generates its own.
os.environ.setdefault("FUNNEL_HASH_KEY", "tests-only-key-not-a-secret")


@dataclass
class Project:
    """A throw-away copy of everything a run writes to, plus the settings pointing at it."""

    root: Path
    settings: Settings

    def env(self) -> dict[str, str]:
        """The environment a `funnel` subprocess needs to work on this project."""
        return {
            **os.environ,
            "FUNNEL_WAREHOUSE": str(self.settings.warehouse),
            "FUNNEL_DATA_DIR": str(self.settings.data_dir),
            "FUNNEL_CONTRACT": str(self.settings.contract),
            "DAGSTER_HOME": str(self.settings.dagster_home),
            "FUNNEL_DBT_PROJECT_DIR": str(self.settings.dbt_project_dir),
            "FUNNEL_EXPECTATIONS_DIR": str(self.settings.expectations_dir),
            "FUNNEL_SOURCES": str(self.settings.sources_file),
        }

    def query(self, sql: str, params: list | None = None):
        """The result of a query on the warehouse as a DataFrame; the file is opened read-only and
        closed at once, so a later run can write it."""
        import duckdb

        con = duckdb.connect(str(self.settings.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        """The result of a query on the warehouse as tuples (see `query`)."""
        return list(self.query(sql, params).itertuples(index=False, name=None))

    def funnel(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        """Run the `funnel` command of this environment on this project."""
        command = [str(Path(sys.executable).with_name("funnel")), *args]
        return subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=timeout)


def make_project(
    root: Path, data_dir: Path, contract_text: str | None = None, sources_text: str | None = None
) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    dbt_dir = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, dbt_dir, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    expectations = root / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, expectations, ignore=shutil.ignore_patterns("uncommitted"))
    (root / "dagster_home").mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", root / "dagster_home" / "dagster.yaml")
    contract = root / "funnel.yml"
    contract.write_text(contract_text if contract_text is not None else (PROJECT_ROOT / "funnel.yml").read_text())
    sources = root / "sources.yml"
    sources.write_text(sources_text if sources_text is not None else (PROJECT_ROOT / "sources.yml").read_text())
    settings = Settings(
        warehouse=root / "warehouse" / "funnel.duckdb",
        data_dir=data_dir,
        contract=contract,
        dagster_home=root / "dagster_home",
        dbt_project_dir=dbt_dir,
        expectations_dir=expectations,
        sources_file=sources,
    )
    return Project(root, settings)


def copy_data(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory) -> Path:
    """The default generated company (2,000 people, seed 7), generated once per worker."""
    from sample_company import generate

    out = tmp_path_factory.mktemp("sample") / "data"
    generate(out, contacts=SAMPLE_CONTACTS, seed=SAMPLE_SEED)
    return out


@pytest.fixture
def fresh_project(tmp_path, sample_data) -> Project:
    """An isolated project on a private copy of the sample data (safe to edit)."""
    data = copy_data(sample_data, tmp_path / "data")
    return make_project(tmp_path / "project", data)


@pytest.fixture(scope="session")
def default_run(tmp_path_factory, sample_data):
    """The sample company's daily run (2026-10-31) under the repository's contract and sources,
    made once per worker and shared by every test that only reads it (a run costs ~40 s).
    Returns (project, summary)."""
    from datetime import date

    from orchestration.runner import run_daily

    project = make_project(tmp_path_factory.mktemp("default_run"), sample_data)
    summary = run_daily(project.settings, date(2026, 10, 31), quiet=True)
    return project, summary


@pytest.fixture(scope="session")
def analytics_run(default_run) -> Project:
    """The default run, for the analytics modules (xdist group `analytics`). Tests must only read it."""
    return default_run[0]
