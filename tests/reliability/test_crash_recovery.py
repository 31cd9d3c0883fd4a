"""A crashed run never blocks the next one, and nothing waits without saying so.

One project (the northwind portal of tests/real_shapes), driven through the `funnel` command as a
person or a scheduler would, in this order: a clean run (a second run started beside it is turned
away naming the first), a run killed with SIGKILL while dbt builds, the next run (it recovers on
its own and gives the clean run's marts; `funnel metrics` queried throughout does not disturb it),
and a reader holding the working file (the run waits, says for whom, then gives up with exit 4).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Project, make_project
from tests.real_shapes.test_hubspot_exports import CONTRACT, NORTHWIND

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("reliability_crash")]

DAY = date(2025, 6, 30).isoformat()
EXIT_INFRA = 4


def _start(project: Project, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """`funnel ARGS` in the background, in its own session (so the test can kill all of it)."""
    command = [str(Path(sys.executable).with_name("funnel")), *args]
    return subprocess.Popen(
        command,
        env={**project.env(), **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _session_commands(session: int) -> list[str]:
    """The command lines of every live process of a session (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, ProcessLookupError):
            continue
    return found


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {name: sorted(con.execute(f"select * from marts.{name}").fetchall(), key=repr) for name in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return make_project(tmp_path_factory.mktemp("crash"), NORTHWIND, contract_text=CONTRACT)


@pytest.fixture(scope="module")
def clean(project):
    """The first, clean run; a second `funnel run` is started while it holds the warehouse."""
    first = _start(project, "run", "--date", DAY)
    lock = project.settings.warehouse.with_name("funnel.duckdb.lock")
    _wait_for(lambda: lock.exists() and str(first.pid) in lock.read_text(), 60, "the first run to take the lock")
    second = project.funnel("run", "--date", DAY, timeout=60)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    return second, _marts(project.settings.warehouse)


def test_a_second_run_is_turned_away_naming_the_first(project, clean):
    second, _ = clean
    assert second.returncode == EXIT_INFRA
    # One line, naming the run that holds the warehouse, its PID and since when: no silent wait.
    message = [line for line in second.stderr.splitlines() if line.startswith("funnel run:")]
    assert len(message) == 1, second.stderr
    assert re.search(r"in use by funnel run \(PID \d+, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", message[0]), message


def test_a_run_killed_during_dbt_does_not_block_the_next_one(project, clean):
    _, clean_marts = clean
    killed = _start(project, "run", "--date", DAY)
    _wait_for(
        lambda: any(" build" in c and "dbt" in c for c in _session_commands(killed.pid)), 120, "dbt to start building"
    )
    time.sleep(3)  # dbt is writing models by now
    os.killpg(killed.pid, signal.SIGKILL)  # the run and its dbt, as an OOM kill or a pulled plug would
    killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL

    # The next run, with `funnel metrics` asking the published copy throughout.
    started = time.monotonic()
    recovery = _start(project, "run", "--date", DAY)
    answers = []
    while recovery.poll() is None:
        if time.monotonic() - started > 300:  # before the fix: waited for the dead run's slot for ever
            os.killpg(recovery.pid, signal.SIGKILL)
            pytest.fail("the run after a crash was still waiting after 5 minutes")
        answers.append(project.funnel("metrics", "--metrics", "mqls", "--group-by", "metric_time__month", timeout=120))
    out, err = recovery.communicate()
    took = time.monotonic() - started
    print(f"recovery run: {took:.1f}s, {len(answers)} metric queries during it")

    assert recovery.returncode == 0, err[-3000:]
    # It said what it found, once, and needed nobody: the dead run is marked failed with the reason.
    assert len(re.findall(r"run [0-9a-f]{8} its process \(PID \d+\) died before the run ended", err)) == 1, err
    assert _marts(project.settings.warehouse) == clean_marts
    # Bounded: a wedged pool made this wait for ever; a run of this portal takes well under two minutes.
    assert took < 120
    assert answers and all(a.returncode == 0 and "mqls" in a.stdout for a in answers), [
        (a.returncode, a.stderr[-500:]) for a in answers if a.returncode != 0
    ]


def test_a_reader_on_the_working_file_makes_the_run_wait_then_give_up_by_name(project, clean):
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time\n"
                f"con = duckdb.connect({str(project.settings.warehouse)!r}, read_only=True)\n"
                "print('open', flush=True)\n"
                "time.sleep(120)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        result = subprocess.run(
            [str(Path(sys.executable).with_name("funnel")), "run", "--date", DAY, "--wait", "3"],
            env=project.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        reader.kill()
        reader.wait()
    assert result.returncode == EXIT_INFRA
    assert f"is open in PID {reader.pid}" in result.stderr, result.stderr
    waiting = [line for line in result.stderr.splitlines() if "waiting" in line]
    assert waiting and all(f"PID {reader.pid}" in line for line in waiting), result.stderr
    assert "Traceback" not in result.stderr
