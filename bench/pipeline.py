"""Benchmark: generate a company, run the whole daily pipeline, print seconds per phase and peak RSS.

    python bench/pipeline.py                       # 100,000 and 1,000,000 contacts
    python bench/pipeline.py --sizes 20000         # any sizes
    python bench/pipeline.py --keep DIR            # keep the generated data and warehouses

Each size runs in its own process so that peak memory is that size's alone (the dbt subprocess
is counted in "children"). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _phase(step_key: str) -> str:
    if step_key.startswith("load_"):
        return "ingest"
    if step_key == "funnel_dbt":
        return "dbt"
    if step_key.startswith("published"):
        return "publish"
    return "checks"


def run_one(contacts: int, workdir: Path) -> dict:
    import dagster as dg

    from orchestration.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings
    from orchestration.generator import generate
    from orchestration.runner import run_daily

    data = workdir / "data"
    started = time.perf_counter()
    manifest = generate(data, contacts=contacts)
    generate_seconds = time.perf_counter() - started
    data_bytes = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())

    dbt_dir = workdir / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    expectations = workdir / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, expectations, ignore=shutil.ignore_patterns("uncommitted"))
    settings = Settings(
        warehouse=workdir / "warehouse" / "funnel.duckdb",
        data_dir=data,
        contract=ROOT / "funnel.yml",
        dagster_home=workdir / "dagster_home",
        dbt_project_dir=dbt_dir,
        expectations_dir=expectations,
    )
    started = time.perf_counter()
    summary = run_daily(settings, date.fromisoformat(manifest["as_of"]), quiet=True)
    run_seconds = time.perf_counter() - started

    phases: dict[str, float] = {}
    instance = dg.DagsterInstance.get()
    starts: dict[str, float] = {}
    for entry in instance.all_logs(summary.run_id, of_type={dg.DagsterEventType.STEP_START,
                                                             dg.DagsterEventType.STEP_SUCCESS,
                                                             dg.DagsterEventType.STEP_FAILURE}):
        key = entry.dagster_event.step_key
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            starts[key] = entry.timestamp
        elif key in starts:
            phases[_phase(key)] = phases.get(_phase(key), 0.0) + entry.timestamp - starts[key]

    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "contacts": contacts,
        "records": manifest["counts"]["contacts"] + manifest["counts"]["contacts_archived"],
        "data_mb": round(data_bytes / 1e6, 1),
        "warehouse_mb": round(settings.warehouse.stat().st_size / 1e6, 1),
        "generate_s": round(generate_seconds, 1),
        **{f"{name}_s": round(seconds, 1) for name, seconds in sorted(phases.items())},
        "run_total_s": round(run_seconds, 1),
        "total_s": round(generate_seconds + run_seconds, 1),
        "peak_rss_mb": round(self_kb / 1024),
        "peak_rss_children_mb": round(children_kb / 1024),
        "run_passed": summary.success,
        "failed_steps": [step for step, _ in summary.failed_steps],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the work in")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(run_one(args.one, args.workdir)))
        return 0

    rows = []
    for size in args.sizes:
        workdir = (args.keep / str(size)) if args.keep else Path(tempfile.mkdtemp(prefix=f"funnel-bench-{size}-"))
        workdir.mkdir(parents=True, exist_ok=True)
        env_home = workdir / "dagster_home"
        env_home.mkdir(exist_ok=True)
        shutil.copyfile(ROOT / "dagster.yaml", env_home / "dagster.yaml")
        print(f"… {size:,} contacts in {workdir}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--workdir", str(workdir)],
            capture_output=True, text=True, env={**__import__("os").environ, "DAGSTER_HOME": str(env_home)},
        )
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    columns = list(dict.fromkeys(k for row in rows for k in row))
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")) for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
