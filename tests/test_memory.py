"""FUNNEL_MEMORY_LIMIT, FUNNEL_THREADS and FUNNEL_TEMP_DIR reach every DuckDB of a run: the
loaders' connections and dbt's (through profiles.yml)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from funnel import memory
from funnel.config import DBT_PROJECT_DIR, settings
from funnel.transform import dbt_env, dbt_executable
from funnel.warehouse import connect
from tests.conftest import make_project

GIB = 2**30


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4GB", 4 * 10**9), ("4GiB", 4 * GIB), ("512MB", 512 * 10**6), ("1.5GiB", int(1.5 * GIB)), ("25%", 4 * GIB)],
)
def test_sizes_read_as_duckdb_reads_them(text, expected):
    assert memory.parse_size(text, total=16 * GIB) == expected


@pytest.mark.parametrize("text", ["lots", "4 GB of RAM", "0%", "150%", "10MB"])
def test_a_size_that_is_not_one_is_refused_with_the_variable_named(text):
    with pytest.raises(memory.MemorySettingError, match="FUNNEL_MEMORY_LIMIT="):
        memory.parse_size(text, total=16 * GIB)


def test_the_default_is_sixty_percent_of_this_machine(monkeypatch):
    monkeypatch.delenv("FUNNEL_MEMORY_LIMIT", raising=False)
    assert memory.memory_limit() == int(memory.machine_memory() * 0.6)


def test_the_loaders_connection_has_the_limit_threads_and_spill_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNEL_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("FUNNEL_THREADS", "1")
    with connect(tmp_path / "w.duckdb") as con:
        limit, threads, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
        ).fetchall()[0]
    # 1 GB is 953 MiB; less the Python reserve (768 MiB) would be under half, so half it is.
    assert (limit, threads, temp) == ("476.0 MiB", 1, str(tmp_path / ".spill"))


def test_dbts_duckdb_has_the_same_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNEL_MEMORY_LIMIT", "3GiB")
    monkeypatch.setenv("FUNNEL_THREADS", "2")
    monkeypatch.setenv("FUNNEL_TEMP_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "w.duckdb"))
    config = settings()
    shown = subprocess.run(
        [
            dbt_executable(),
            "show",
            "--inline",
            "select current_setting('memory_limit') as m, current_setting('threads') as t, "
            "current_setting('temp_directory') as d",
            "--output",
            "json",
            "--log-format",
            "json",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
        ],
        env=dbt_env(config),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stdout[-2000:]
    previews = [json.loads(line)["data"]["preview"] for line in shown.stdout.splitlines() if '"preview"' in line]
    # 3 GiB less the 768 MiB the run's Python processes keep: 2,304 MiB.
    assert json.loads(previews[-1]) == [{"m": "2.2 GiB", "t": 2, "d": str(tmp_path / "spill")}]


def test_an_invalid_limit_stops_funnel_run_in_one_line(tmp_path):
    project = make_project(tmp_path / "p", tmp_path / "data")
    env = {**project.env(), "FUNNEL_MEMORY_LIMIT": "plenty"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("funnel")), "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 3
    assert result.stderr.strip() == ("funnel run: FUNNEL_MEMORY_LIMIT='plenty': write a size such as 4GB, 512MB or 60%")
    assert not project.settings.warehouse.exists()


def test_dbt_keeps_building_after_duckdb_has_spilled(monkeypatch, tmp_path):
    """dbt opens a cursor per model; DuckDB refuses to change temp_directory once it has spilled,
    so the spill folder must be set once, when the database opens (at 1M contacts under
    FUNNEL_MEMORY_LIMIT=4GB, every model after the first spill failed). With temp_directory under
    the profile's `settings`, the second model fails here with that error."""
    project = tmp_path / "spilling"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: spilling\nversion: '1.0.0'\nprofile: unified_funnel\nconfig-version: 2\n"
        "models:\n  spilling:\n    +materialized: table\n"
    )
    (project / "profiles.yml").write_text((DBT_PROJECT_DIR / "profiles.yml").read_text())
    # 5M shuffled rows under DuckDB's smallest limit: the sort spills.
    (project / "models" / "shuffled.sql").write_text("select range as i, random() as r from range(5000000) order by r")
    (project / "models" / "after_the_spill.sql").write_text("select count(*) as n from {{ ref('shuffled') }}")
    monkeypatch.setenv("FUNNEL_MEMORY_LIMIT", "128MiB")
    monkeypatch.setenv("FUNNEL_THREADS", "1")
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "w.duckdb"))
    built = subprocess.run(
        [dbt_executable(), "build", "--project-dir", str(project), "--profiles-dir", str(project)],
        env=dbt_env(settings()),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    with connect(tmp_path / "w.duckdb") as con:
        assert con.execute("select n from main.after_the_spill").fetchall() == [(5_000_000,)]


@pytest.mark.parametrize(
    ("limit", "duckdb_share"),
    [("4GB", 4_000_000_000 - 768 * 2**20), ("1GB", 500_000_000), ("60%", None)],
)
def test_duckdb_gets_the_run_budget_less_the_python_reserve(monkeypatch, limit, duckdb_share):
    monkeypatch.setenv("FUNNEL_MEMORY_LIMIT", limit)
    total = memory.memory_limit()
    expected = duckdb_share if duckdb_share is not None else total - 768 * 2**20
    assert memory.duckdb_memory_limit() == expected
