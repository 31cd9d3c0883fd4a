"""Dagster as its users expect it: owners from the contract, dbt's descriptions and columns,
freshness checks on the sources, failing rows as a table, and a `funnel ui` that stops with all
its processes on SIGINT and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest

from funnel.checks.gx_context import Validation
from funnel.config import RUN_DAY_TAG
from funnel.contract.load import load_contract
from funnel.run_summary import FAILURES_KEY
from orchestration.definitions import JOB_NAME, build_definitions
from tests.conftest import make_project
from tests.helpers import descendants, running

pytestmark = pytest.mark.xdist_group("definitions")

MART = dg.AssetKey(["marts", "dim_people"])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("ux")
    return make_project(root / "project", root / "no-data")


@pytest.fixture(scope="module")
def defs(project):
    return build_definitions(project.settings)


def test_every_asset_has_owners_from_the_contract(project, defs):
    graph = defs.resolve_asset_graph()
    owners = {key: graph.get(key).owners for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert owners and all(owners.values()), [key for key, value in owners.items() if not value]
    assert owners[dg.AssetKey(["raw", "hubspot_contacts"])] == ["team:data"]
    assert owners[dg.AssetKey(["staging", "stg_hubspot__contacts"])] == ["team:data"]
    assert owners[dg.AssetKey(["published", "bi_marts"])] == ["team:data"]
    contract = load_contract(project.settings.contract).contract
    stage_teams = [f"team:{o}" for o in dict.fromkeys(s.owner for s in contract.stages)]
    assert owners[MART] == ["team:data", *stage_teams]
    reconciliation = owners[dg.AssetKey(["marts", "alignment_reconciliation"])]
    assert set(reconciliation) == {"team:data", *stage_teams, *(f"team:{t}" for t in contract.alignment.teams)}
    assert "team:finance" in reconciliation  # owns no stage, but its report is reconciled there


def test_a_mart_carries_its_dbt_description_and_column_schema(defs):
    node = defs.resolve_asset_graph().get(MART)
    assert node.description and node.description.startswith("One row per person")
    schema = node.metadata["dagster/column_schema"]
    columns = {column.name: column for column in schema.columns}
    assert "person_id" in columns and columns["person_id"].description


def test_the_columns_dbt_declares_for_a_source_become_its_column_schema():
    from orchestration.lib.asset_specs import source_column_schemas

    manifest = {
        "sources": {
            "source.p.hubspot_fivetran.contact": {
                "schema": "hubspot",
                "identifier": "contact",
                "columns": {
                    "id": {"name": "id", "data_type": "bigint", "description": "The contact's id."},
                    "property_email": {"name": "property_email", "description": ""},
                },
            },
            "source.p.hubspot.contacts": {"schema": "raw", "identifier": "hubspot_contacts", "columns": {}},
        }
    }
    schemas = source_column_schemas(manifest)
    contact = schemas[dg.AssetKey(["hubspot", "contact"])].columns
    assert [(c.name, c.type, c.description) for c in contact] == [
        ("id", "bigint", "The contact's id."),
        ("property_email", "?", None),
    ]
    # A source that declares no column gets no (empty) schema.
    assert dg.AssetKey(["raw", "hubspot_contacts"]) not in schemas

    # And describe_assets puts it on the asset that profiles the source (Fivetran mode).
    from funnel.config import PROJECT_ROOT
    from funnel.contract.load import load_contract
    from orchestration.lib.asset_specs import describe_assets

    @dg.multi_asset(specs=[dg.AssetSpec(dg.AssetKey(["hubspot", "contact"]))])
    def landed_contact():
        return None

    (described,) = describe_assets([landed_contact], load_contract(PROJECT_ROOT / "funnel.yml").contract, manifest)
    spec = next(iter(described.specs))
    assert [c.name for c in spec.metadata["dagster/column_schema"].columns] == ["id", "property_email"]
    assert spec.owners == ["team:data"]


def test_every_source_asset_has_a_non_blocking_freshness_check_run_by_the_daily_job(defs):
    graph = defs.resolve_asset_graph()
    raw = {key for key in graph.get_all_asset_keys() if graph.get(key).group_name in ("raw", "landed")}
    assert raw
    freshness = {key for key in graph.asset_check_keys if key.name == "freshness_check"}
    assert {key.asset_key for key in freshness} == raw
    for key in freshness:
        spec = graph.get_check_spec(key)
        assert not spec.blocking
    # Run by the daily job after its loads, so a run leaves them fresh and passed...
    job = defs.resolve_job_def(JOB_NAME)
    assert freshness <= set(job.asset_layer.asset_graph.asset_check_keys)
    # ...and between runs by a sensor (it needs the daemon).
    assert defs.resolve_sensor_def("raw_freshness_sensor") is not None


def test_failing_rows_become_a_table_with_one_column_per_field():
    from orchestration.lib.check_metadata import failing_rows_table

    rows = [
        {"team": "marketing", "metric": "mqls", "delta": 4, "allowed": 3.0, "blocks": True},
        {"team": "sales", "metric": "leads", "delta": -2.5, "reasons": ["late_update", "reentry"]},
    ]
    table = failing_rows_table(rows)
    assert isinstance(table, dg.TableMetadataValue)
    assert [(c.name, c.type) for c in table.schema.columns] == [
        ("team", "string"),
        ("metric", "string"),
        ("delta", "float"),
        ("allowed", "float"),
        ("blocks", "bool"),
        ("reasons", "string"),
    ]
    assert table.records[0].data == {
        "team": "marketing",
        "metric": "mqls",
        "delta": 4.0,
        "allowed": 3.0,
        "blocks": True,
        "reasons": None,
    }
    assert table.records[1].data["reasons"] == '["late_update", "reentry"]'
    assert len(failing_rows_table([{"n": i} for i in range(200)], limit=50).records) == 50
    assert failing_rows_table([]).records == []


def test_a_checks_metadata_holds_the_rows_as_a_table_and_as_json_for_the_run_summary():
    from orchestration.defs.checks.asset_checks import _metadata

    rows = [{"stage": "mql", "records": 3}, {"stage": "sql", "records": 1}]
    context = SimpleNamespace(run=SimpleNamespace(tags={RUN_DAY_TAG: "2026-10-31"}))
    validation = Validation(success=False, failed=[], docs_page=None)
    metadata = _metadata(context, rows, validation)
    assert isinstance(metadata["failing_rows"], dg.TableMetadataValue)
    assert [r.data for r in metadata["failing_rows"].records] == rows
    assert metadata[FAILURES_KEY].value == rows  # read back by orchestration/lib/run_summary.py


# A stand-in for dagster dev: a parent that starts a child (as dagster dev starts its webserver
# and daemon), both default Python processes that end on SIGINT or SIGTERM.
_TREE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(child.pid, flush=True)
time.sleep(600)
"""

_SERVE = """
import sys
from funnel.cli import _serve_until_stopped
sys.exit(_serve_until_stopped([sys.executable, "-c", sys.argv[1]], cwd=sys.argv[2], env=None, grace=10))
"""


def _ignore_sigint() -> None:
    """What a shell does to a command it starts in the background."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="walks /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_until_stopped_ends_the_whole_tree_on_a_signal_to_its_own_process(tmp_path, signum):
    serve = subprocess.Popen(
        [sys.executable, "-c", _SERVE, _TREE, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint,
        start_new_session=True,
    )
    tree: set[int] = set()
    try:
        serve.stdout.readline()  # the grandchild is running
        tree = descendants(serve.pid)
        assert len(tree) == 2, tree  # the stand-in and its child
        os.kill(serve.pid, signum)  # as `kill -INT <pid>` from a shell: the process, not its group
        assert serve.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if running(pid)] == []
    finally:
        for pid in [serve.pid, *tree]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        serve.wait()
