"""Benchmark: generate a company, run the whole daily pipeline, print seconds per phase and peak RSS.

    python bench/pipeline.py                       # 100,000 and 1,000,000 contacts
    python bench/pipeline.py --sizes 20000         # any sizes
    python bench/pipeline.py --keep DIR            # keep the generated data and warehouses
    python bench/pipeline.py --engine duckdb spark # the same companies on both engines, side by side

Generation and the run each happen in their own process, so that each peak memory figure is
that phase's alone; the memory of the run's child processes (dbt, and on Spark the JVMs of dbt-spark
and of the checks' session) is sampled from /proc while the run goes. On Spark the dbt phase
includes exporting the raw tables to the Parquet lake.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _descendants_rss_kb(root: int) -> int:
    """Resident memory of every process below `root`, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * resource.getpagesize() // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def generate_one(contacts: int, workdir: Path) -> dict:
    from sample_company import generate

    data = workdir / "data"
    started = time.perf_counter()
    manifest = generate(data, contacts=contacts)
    seconds = time.perf_counter() - started
    return {
        "contacts": contacts,
        "records": manifest["counts"]["contacts"] + manifest["counts"]["contacts_archived"],
        "data_mb": round(sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6, 1),
        "generate_s": round(seconds, 1),
        "generate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "as_of": manifest["as_of"],
    }


def run_one(workdir: Path, as_of: str, engine: str) -> dict:
    import os
    import threading

    import dagster as dg

    from funnel.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings
    from orchestration.runner import run_daily

    data = workdir.parent / "data"
    peak_children = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak_children[0] = max(peak_children[0], _descendants_rss_kb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

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
        engine=engine,
    )
    started = time.perf_counter()
    summary = run_daily(settings, date.fromisoformat(as_of), quiet=True)
    run_seconds = time.perf_counter() - started
    done.set()

    phases: dict[str, float] = {}
    instance = dg.DagsterInstance.get()
    starts: dict[str, float] = {}
    for entry in instance.all_logs(
        summary.run_id,
        of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE},
    ):
        key = entry.dagster_event.step_key
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            starts[key] = entry.timestamp
        elif key in starts:
            phases[_phase(key)] = phases.get(_phase(key), 0.0) + entry.timestamp - starts[key]

    return {
        "warehouse_mb": round(settings.warehouse.stat().st_size / 1e6, 1),
        **{f"{name}_s": round(seconds, 1) for name, seconds in sorted(phases.items())},
        "run_s": round(run_seconds, 1),
        "run_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "dbt_peak_rss_mb": round(peak_children[0] / 1024),
        "run_passed": summary.success,
        "failed_steps": [step for step, _ in summary.failed_steps],
    }


def _phase_in_process(workdir: Path, env: dict, *flags: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *flags, "--workdir", str(workdir)], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the work in")
    parser.add_argument("--engine", nargs="+", choices=["duckdb", "spark"], default=["duckdb"])
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=str, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate:
        print(json.dumps(generate_one(args.generate, args.workdir)))
        return 0
    if args.run:
        print(json.dumps(run_one(args.workdir, args.run, args.engine[0])))
        return 0

    rows = []
    for size in args.sizes:
        workdir = (args.keep / str(size)) if args.keep else Path(tempfile.mkdtemp(prefix=f"funnel-bench-{size}-"))
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"… {size:,} contacts in {workdir}", file=sys.stderr, flush=True)
        generated = _phase_in_process(workdir, dict(os.environ), "--generate", str(size))
        as_of = generated.pop("as_of")
        for engine in args.engine:
            # Each engine runs in its own folder and Dagster home, on the same generated data.
            run_dir = workdir / engine
            env_home = run_dir / "dagster_home"
            env_home.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / "dagster.yaml", env_home / "dagster.yaml")
            print(f"… {size:,} contacts on {engine}", file=sys.stderr, flush=True)
            env = {**os.environ, "DAGSTER_HOME": str(env_home)}
            row = {"engine": engine, **generated}
            row.update(_phase_in_process(run_dir, env, "--run", as_of, "--engine", engine))
            row["total_s"] = round(row["generate_s"] + row["run_s"], 1)
            rows.append(row)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    columns = list(dict.fromkeys(k for row in rows for k in row))
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")) for c in columns))
    # How each engine grows from the smallest size to the largest: the figure that compares them.
    for engine in args.engine:
        mine = sorted((r for r in rows if r["engine"] == engine), key=lambda r: r["contacts"])
        if len(mine) > 1 and mine[0].get("dbt_s"):
            first, last = mine[0], mine[-1]
            print(
                f"{engine}: {last['contacts'] / first['contacts']:g}x the contacts -> dbt phase "
                f"{last.get('dbt_s', 0) / first['dbt_s']:.1f}x, whole run {last['run_s'] / first['run_s']:.1f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
