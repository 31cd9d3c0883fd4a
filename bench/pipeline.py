"""Benchmark: generate a company, run the whole daily pipeline, print seconds per phase and peak RSS.

    python bench/pipeline.py                       # 100,000 and 1,000,000 contacts
    python bench/pipeline.py --sizes 20000         # any sizes
    python bench/pipeline.py --keep DIR            # keep the generated data and warehouses
    python bench/pipeline.py --engine duckdb spark # the same companies on both engines, side by side
    python bench/pipeline.py --memory-limits default 4GB   # each DuckDB run once per FUNNEL_MEMORY_LIMIT
    python bench/pipeline.py --daily 1 36          # a daily incremental run at 1 and 36 months of history

Generation and the run each happen in their own process, so that each peak memory figure is
that phase's alone. The run's memory (its own and its child processes': dbt, and on Spark the JVMs
of dbt-spark and of the checks' session) is sampled from /proc while the run goes: `peak_mb` is the
whole process tree's peak, `<phase>_peak_mb` the same within each phase. On Spark the dbt phase
includes exporting the raw tables to the Parquet lake.

`raw_pass_s` is one DuckDB pass over the raw tables (each copied once, in the same warehouse and
process, after the run); `dbt/raw` divides the dbt phase by it: what dbt costs over the least any
transformation of the same data costs.

`--daily` generates a company per history length with the same number of people per month
(`--per-month`), runs the day before the last in full, then the last day on the export as it is one
day later (sample_company/exports/as_of.py): that second run is the daily incremental run.
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


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and every process below it, from /proc."""
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
    total, stack = rss.get(root, 0), list(children.get(root, []))
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


def _settings(workdir: Path, data: Path, engine: str):
    from funnel.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings

    dbt_dir = workdir / "dbt_project"
    if not dbt_dir.exists():
        shutil.copytree(DBT_PROJECT_DIR, dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    expectations = workdir / "expectations"
    if not expectations.exists():
        shutil.copytree(EXPECTATIONS_DIR, expectations, ignore=shutil.ignore_patterns("uncommitted"))
    return Settings(
        warehouse=workdir / "warehouse" / "funnel.duckdb",
        data_dir=data,
        contract=ROOT / "funnel.yml",
        dagster_home=workdir / "dagster_home",
        dbt_project_dir=dbt_dir,
        expectations_dir=expectations,
        engine=engine,
    )


def _measured_run(settings, as_of: str) -> dict:
    """One daily run, timed per phase, with the process tree's memory sampled every 0.2 s."""
    import threading

    import dagster as dg

    from orchestration.runner import run_daily

    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            samples.append((time.time(), _tree_rss_kb(os.getpid())))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    summary = run_daily(settings, date.fromisoformat(as_of), quiet=True)
    run_seconds = time.perf_counter() - started
    done.set()
    sampler.join()

    phases: dict[str, float] = {}
    peaks: dict[str, int] = {}
    starts: dict[str, float] = {}
    for entry in dg.DagsterInstance.get().all_logs(
        summary.run_id,
        of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE},
    ):
        key = entry.dagster_event.step_key
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            starts[key] = entry.timestamp
        elif key in starts:
            phase = _phase(key)
            phases[phase] = phases.get(phase, 0.0) + entry.timestamp - starts[key]
            within = [kb for at, kb in samples if starts[key] <= at <= entry.timestamp]
            peaks[phase] = max([peaks.get(phase, 0), *within])
    return {
        **{f"{name}_s": round(seconds, 1) for name, seconds in sorted(phases.items())},
        "run_s": round(run_seconds, 1),
        "peak_mb": round(max((kb for _, kb in samples), default=0) / 1024),
        **{f"{name}_peak_mb": round(kb / 1024) for name, kb in sorted(peaks.items())},
        "run_passed": summary.success,
        "failed_steps": [step for step, _ in summary.failed_steps],
    }


def _raw_pass_seconds(warehouse: Path) -> float:
    """Copy every raw table once, in the warehouse the run built: the least a transformation of
    the same data costs on this machine."""
    from funnel.warehouse import connect

    with connect(warehouse) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'BASE TABLE' and table_name not like '\\_%' escape '\\'"
            ).fetchall()
        ]
        con.execute("create schema if not exists _raw_pass")
        started = time.perf_counter()
        for table in tables:
            con.execute(f"create or replace table _raw_pass.{table} as select * from raw.{table}")
        seconds = time.perf_counter() - started
        con.execute("drop schema _raw_pass cascade")
    return seconds


def run_one(workdir: Path, as_of: str, engine: str) -> dict:
    settings = _settings(workdir, workdir.parent / "data", engine)
    row = _measured_run(settings, as_of)
    row["warehouse_mb"] = round(settings.warehouse.stat().st_size / 1e6, 1)
    if engine == "duckdb":
        raw_pass = _raw_pass_seconds(settings.warehouse)
        row["raw_pass_s"] = round(raw_pass, 2)
        row["dbt/raw"] = round(row.get("dbt_s", 0) / raw_pass, 1)
    return row


def daily_one(workdir: Path, months: int, per_month: int) -> dict:
    """A full run of the day before the last, then the last day's incremental run, on a company
    of `months` months with `per_month` people a month."""
    from datetime import timedelta

    from funnel.run_day import as_of_for
    from sample_company import generate
    from sample_company.exports.as_of import contact_pages, instant, pages_as_of, write_pages

    final = workdir / "final"
    manifest = generate(final, contacts=per_month * months, months=months)
    last_day = date.fromisoformat(manifest["as_of"])
    day_before = last_day - timedelta(days=1)
    data = workdir / "data"
    shutil.copytree(final, data)
    pages = contact_pages(final)
    write_pages(data, pages_as_of(pages, instant(as_of_for(day_before, manifest["timezone"]))))
    settings = _settings(workdir, data, "duckdb")
    full = _measured_run(settings, day_before.isoformat())
    changed = write_pages(data, pages)
    daily = _measured_run(settings, last_day.isoformat())
    return {
        "months": months,
        "contacts": per_month * months,
        "pages_changed": changed,
        "full_run_s": full["run_s"],
        "full_dbt_s": full.get("dbt_s"),
        **{f"daily_{key}": value for key, value in daily.items() if key.endswith("_s") or key == "peak_mb"},
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
    parser.add_argument(
        "--memory-limits",
        nargs="+",
        default=["default"],
        help="FUNNEL_MEMORY_LIMIT of each DuckDB run ('default': unset, 60%% of this machine)",
    )
    parser.add_argument("--daily", type=int, nargs="+", metavar="MONTHS", help="daily incremental runs instead")
    parser.add_argument("--per-month", type=int, default=3000, help="people a month in --daily companies")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--daily-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=str, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate:
        print(json.dumps(generate_one(args.generate, args.workdir)))
        return 0
    if args.run:
        print(json.dumps(run_one(args.workdir, args.run, args.engine[0])))
        return 0
    if args.daily_one:
        print(json.dumps(daily_one(args.workdir, args.daily_one, args.per_month)))
        return 0
    if args.daily:
        return _daily(args)

    rows = []
    for size in args.sizes:
        workdir = (args.keep / str(size)) if args.keep else Path(tempfile.mkdtemp(prefix=f"funnel-bench-{size}-"))
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"… {size:,} contacts in {workdir}", file=sys.stderr, flush=True)
        generated = _phase_in_process(workdir, dict(os.environ), "--generate", str(size))
        as_of = generated.pop("as_of")
        runs = [
            (engine, limit)
            for engine in args.engine
            for limit in (args.memory_limits if engine == "duckdb" else ["default"])
        ]
        for engine, limit in runs:
            # Each run has its own folder and Dagster home, on the same generated data.
            run_dir = workdir / (engine if limit == "default" else f"{engine}-{limit}")
            env_home = run_dir / "dagster_home"
            env_home.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / "dagster.yaml", env_home / "dagster.yaml")
            print(f"… {size:,} contacts on {engine}, memory limit {limit}", file=sys.stderr, flush=True)
            env = {**os.environ, "DAGSTER_HOME": str(env_home)}
            env.pop("FUNNEL_MEMORY_LIMIT", None)
            if limit != "default":
                env["FUNNEL_MEMORY_LIMIT"] = limit
            row = {"engine": engine, "memory_limit": limit, **generated}
            row.update(_phase_in_process(run_dir, env, "--run", as_of, "--engine", engine))
            row["total_s"] = round(row["generate_s"] + row["run_s"], 1)
            rows.append(row)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    _table(rows)
    # How each engine grows from the smallest size to the largest: the figure that compares them.
    for engine in args.engine:
        mine = sorted(
            (r for r in rows if r["engine"] == engine and r["memory_limit"] == "default"), key=lambda r: r["contacts"]
        )
        if len(mine) > 1 and mine[0].get("dbt_s"):
            first, last = mine[0], mine[-1]
            print(
                f"{engine}: {last['contacts'] / first['contacts']:g}x the contacts -> dbt phase "
                f"{last.get('dbt_s', 0) / first['dbt_s']:.1f}x, whole run {last['run_s'] / first['run_s']:.1f}x"
            )
    return 0


def _table(rows: list[dict]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")) for c in columns))


def _daily(args) -> int:
    rows = []
    for months in args.daily:
        base = args.keep or Path(tempfile.mkdtemp(prefix="funnel-bench-daily-"))
        workdir = base / f"daily-{months}m"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        env_home = workdir / "dagster_home"
        env_home.mkdir()
        shutil.copyfile(ROOT / "dagster.yaml", env_home / "dagster.yaml")
        print(f"… {months} months of history, {args.per_month:,} people a month, in {workdir}", file=sys.stderr)
        env = {**os.environ, "DAGSTER_HOME": str(env_home)}
        rows.append(_phase_in_process(workdir, env, "--daily-one", str(months), "--per-month", str(args.per_month)))
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    _table(rows)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"daily run: {last['months']} months of history against {first['months']}: "
            f"whole run {last['daily_run_s'] / first['daily_run_s']:.2f}x, "
            f"dbt phase {last['daily_dbt_s'] / first['daily_dbt_s']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
