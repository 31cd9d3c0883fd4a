"""What a data engineer sees in the Dagster UI: after a run, `funnel ui` starts on the checkout
with another contract and sources file, writes nothing into the checkout, and its GraphQL API
shows no asset with phantom missing partitions (the job is not partitioned: the day is a tag)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from funnel.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT
from sample_company import generate
from tests.conftest import Project
from tests.helpers import free_port, git_status

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("compiled")]

ASSETS_QUERY = """
{
  assetNodes {
    assetKey { path }
    isPartitioned
    partitionStats { numMaterialized numPartitions }
    assetMaterializations(limit: 1) { runId }
  }
}
"""


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _wait_for_assets(port: int, ui: subprocess.Popen, seconds: float = 240) -> list[dict]:
    """The asset nodes once the webserver answers and the code location has loaded."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        assert ui.poll() is None, f"funnel ui exited with {ui.returncode}"
        try:
            nodes = _graphql(port, ASSETS_QUERY).get("data", {}).get("assetNodes") or []
            if nodes:
                return nodes
        except OSError as error:
            last = error
        time.sleep(2)
    raise AssertionError(f"the UI did not serve the assets within {seconds} s ({last})")


def unmaterialized(node: dict) -> int:
    """How many of an asset's partitions the UI shows as missing (an unpartitioned asset: 0 or 1)."""
    if node["isPartitioned"]:
        stats = node["partitionStats"] or {"numPartitions": 0, "numMaterialized": 0}
        return stats["numPartitions"] - stats["numMaterialized"]
    return 0 if node["assetMaterializations"] else 1


def test_the_ui_shows_no_phantom_partitions_and_writes_nothing_into_the_checkout(tmp_path):
    before = git_status()
    contract = tmp_path / "funnel.warn.yml"
    contract.write_text(
        (PROJECT_ROOT / "funnel.yml")
        .read_text()
        .replace(
            "mqls: {relative: 0.08, absolute: 3, severity: block}",
            "mqls: {relative: 0.08, absolute: 3, severity: warn}",
        )
    )
    sources = tmp_path / "sources.yml"
    sources.write_text((PROJECT_ROOT / "sources.yml").read_text().replace("microsoft_ads: files", "microsoft_ads: off"))
    data = tmp_path / "data"
    generate(data, contacts=200, seed=5, months=3)
    from funnel.config import Settings

    project = Project(
        tmp_path,
        Settings(
            warehouse=tmp_path / "warehouse" / "funnel.duckdb",
            data_dir=data,
            contract=contract,
            dagster_home=tmp_path / "dagster_home",
            dbt_project_dir=DBT_PROJECT_DIR,
            expectations_dir=EXPECTATIONS_DIR,
            sources_file=sources,
        ),
    )
    run = project.funnel("run", "--date", date(2026, 10, 31).isoformat())
    assert run.returncode in (0, 1), run.stderr[-2000:]
    assert git_status() == before

    port = free_port()
    ui = subprocess.Popen(
        [str(Path(sys.executable).with_name("funnel")), "ui", "--port", str(port)],
        env=project.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # dagster dev starts a webserver and a code server: stop them all
    )
    try:
        nodes = _wait_for_assets(port, ui)
        missing = {"/".join(n["assetKey"]["path"]): unmaterialized(n) for n in nodes}
        partitioned = ["/".join(n["assetKey"]["path"]) for n in nodes if n["isPartitioned"]]
        print(f"{len(nodes)} assets, {len(partitioned)} partitioned, {sum(missing.values())} unmaterialized")
        assert len(nodes) > 40
        assert partitioned == []
        assert {name: count for name, count in missing.items() if count > 1} == {}
        # The run materialized the models: only what a failed check held back may be missing.
        assert missing["marts/fct_stage_entries"] == 0 and missing["raw/hubspot_contacts"] == 0
        assert git_status() == before
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        try:
            ui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()
    assert git_status() == before
