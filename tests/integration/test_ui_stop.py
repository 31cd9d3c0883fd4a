"""`funnel ui` started in the background stops with every process it started, on SIGTERM and on
SIGINT sent to its own pid (as `kill -INT <pid>` from a shell), exits 0, frees its port, and
starts without dagster dev's warning that a dagster.yaml "will not be used"."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from funnel.config import PROJECT_ROOT
from tests.conftest import make_project
from tests.helpers import descendants, free_port, running

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("compiled")]

STOP_SECONDS = 45


def _ignore_sigint() -> None:
    """What a non-interactive shell does to a command it starts with `&`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _wait_for_code_location(port: int, ui: subprocess.Popen, seconds: float = 240) -> None:
    """Until the webserver answers with the project's assets: its code servers are up."""
    query = json.dumps({"query": "{ assetNodes { id } }"}).encode()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert ui.poll() is None, f"funnel ui exited with {ui.returncode}"
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/graphql", data=query, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                if json.loads(response.read()).get("data", {}).get("assetNodes"):
                    return
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError(f"the UI did not serve the assets within {seconds} s")


def _port_free(port: int) -> bool:
    """Nothing listens on the port, and a new server can bind it (as the webserver does, with
    SO_REUSEADDR: the connections the test made may linger in TIME_WAIT)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        pass
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="walks /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_funnel_ui_stops_with_all_its_processes_and_frees_its_port(tmp_path, signum):
    project = make_project(tmp_path / "project", tmp_path / "no-data")
    port = free_port()
    log = tmp_path / "ui.log"
    with log.open("w") as out:
        ui = subprocess.Popen(
            [str(Path(sys.executable).with_name("funnel")), "ui", "--port", str(port)],
            cwd=PROJECT_ROOT,  # the checkout, with its dagster.yaml, as a person starts it
            env=project.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_ignore_sigint,
            start_new_session=True,  # only so that the test's own process group is left alone
        )
    tree: set[int] = set()
    try:
        _wait_for_code_location(port, ui)
        tree = descendants(ui.pid)
        # dagster dev, its webserver and daemon, and their code servers.
        assert len(tree) >= 3, tree
        os.kill(ui.pid, signum)
        assert ui.wait(timeout=STOP_SECONDS) == 0
        deadline = time.monotonic() + 10
        while (any(running(pid) for pid in tree) or not _port_free(port)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in tree if running(pid)] == []
        assert _port_free(port)
        text = log.read_text()
        assert "will not be used" not in text, text[-3000:]
        assert "superseded" not in text, text[-3000:]
    finally:
        for pid in [ui.pid, *tree]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        ui.wait()
