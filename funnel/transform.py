"""dbt, driven from Python: its executable and environment, the parse (only when the project's
files changed), the arguments of a run and what a run left behind (errors, the log).

Nothing here runs at import. The Dagster asset that runs `dbt build` is in
orchestration/defs/transform/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from funnel import memory
from funnel.config import Settings
from funnel.contract import acceptances

_PARSE_STAMP = "funnel_parse_inputs.sha256"


def dbt_executable() -> str:
    """dbt from the same environment as this Python, so no PATH set-up is needed."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "FUNNEL_WAREHOUSE": str(settings.warehouse),
        **memory.dbt_env(settings.warehouse),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def acceptances_var(settings: Settings) -> list[dict]:
    """The signed-off divergences beside the contract, as dbt reads them (ContractError if invalid)."""
    return acceptances.dbt_var(acceptances.load_acceptances(settings.acceptances))


def parse_inputs_hash(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for folder in ("models", "macros", "tests"):
        for path in sorted((project_dir / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(project_dir).as_posix().encode())
                digest.update(path.read_bytes())
    for name in ("dbt_project.yml", "profiles.yml"):
        digest.update((project_dir / name).read_bytes())
    return digest.hexdigest()


def prepare(settings: Settings) -> Path:
    """Parse the dbt project when its files changed since the last parse; returns the manifest.

    Writes only under the project's (git-ignored) target folder: the generated files come from
    `funnel compile`, or from compiled.for_run for another contract. `dbt parse` takes a few
    seconds, so it only runs when the project's files differ from those of the last parse.
    """
    project_dir = settings.dbt_project_dir
    target = project_dir / "target"
    manifest = target / "manifest.json"
    stamp = target / _PARSE_STAMP
    inputs = parse_inputs_hash(project_dir)
    if manifest.exists() and stamp.exists() and stamp.read_text() == inputs:
        return manifest
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        cwd=project_dir,
        env=dbt_env(settings),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed in {project_dir}:\n{result.stdout}\n{result.stderr}")
    stamp.write_text(inputs)
    return manifest


def build_args(
    command: str, *, as_of: str | None, full_refresh: bool, acceptances: list[dict] | None = None
) -> list[str]:
    """dbt arguments for a run. dbt unit tests are left out: they check the SQL logic on fixed
    rows under the demo contract, and run in the test suite (tests/test_dbt_unit.py).
    `acceptances`: the signed-off divergences (acceptances.dbt_var), read by alignment_reconciliation."""
    args = [command]
    if command == "build":
        args += ["--exclude-resource-type", "unit_test"]
    variables = {"as_of": as_of} if as_of else {}
    if acceptances:
        variables["alignment_acceptances"] = acceptances
    if variables:
        args += ["--vars", json.dumps(variables)]
    if full_refresh:
        args.append("--full-refresh")
    return args


def broken_nodes(run_results: Path) -> list[str]:
    """Models, seeds or tests dbt could not run (errors, not test failures): `name: message`."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return ["dbt wrote no run results"]
    return [
        f"{result['unique_id'].split('.')[-1]}: {' '.join((result.get('message') or '').split())[:300]}"
        for result in results
        if result.get("status") == "error"
    ]


def incremental_models_built(run_results: Path, manifest: Path) -> bool:
    """Whether every incremental model of the project was built by this run (so that the next
    run may build on it: funnel/build_state.py)."""
    try:
        results = {r["unique_id"]: r.get("status") for r in json.loads(run_results.read_text())["results"]}
        nodes = json.loads(manifest.read_text())["nodes"]
    except (OSError, ValueError, KeyError):
        return False
    incremental = [
        unique_id
        for unique_id, node in nodes.items()
        if node.get("resource_type") == "model" and node.get("config", {}).get("materialized") == "incremental"
    ]
    return all(results.get(unique_id) == "success" for unique_id in incremental)


def built_models(run_results: Path) -> int:
    """How many models dbt built successfully in a run (0 when it wrote no results)."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum(1 for r in results if r["unique_id"].startswith("model.") and r.get("status") == "success")


def dbt_log_path(settings: Settings, run_id: str) -> Path:
    """Where a run's dbt log is kept after the run (its target folder is removed)."""
    return settings.artifacts_dir / "logs" / f"dbt-{run_id[:8]}.log"


def dbt_errors(log: Path, limit: int = 8) -> list[str]:
    """What failed, from dbt's JSON log: each failing model's or test's own message, compact."""
    found: list[str] = []
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        if '"RunResultError"' not in line:
            continue
        try:
            message = json.loads(line)["info"]["msg"]
        except (ValueError, KeyError):
            continue
        parts = [part.strip() for part in message.splitlines() if part.strip()]
        found.append(" ".join(parts)[:400])
        if len(found) == limit:
            break
    return found
