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
    assert (limit, threads, temp) == ("953.0 MiB", 1, str(tmp_path / ".spill"))


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
    assert json.loads(previews[-1]) == [{"m": "3.0 GiB", "t": 2, "d": str(tmp_path / "spill")}]


def test_an_invalid_limit_stops_funnel_run_in_one_line(tmp_path):
    project = make_project(tmp_path / "p", tmp_path / "data")
    env = {**project.env(), "FUNNEL_MEMORY_LIMIT": "plenty"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("funnel")), "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 3
    assert result.stderr.strip() == ("funnel run: FUNNEL_MEMORY_LIMIT='plenty': write a size such as 4GB, 512MB or 60%")
    assert not project.settings.warehouse.exists()
