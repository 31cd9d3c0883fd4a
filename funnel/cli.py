"""`funnel`: generate a sample company, run the daily pipeline, inspect the contract and results."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from funnel.config import settings
from funnel.exits import EXIT_CHECKS_FAILED, EXIT_INFRA, EXIT_INVALID, EXIT_OK, EXIT_USAGE, crashed


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    parser = _parser()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["metrics"] and argv[1:2] not in (["-h"], ["--help"]):
        # Everything after `metrics` belongs to `mf query`, options included.
        args = argparse.Namespace(handler=_metrics, mf_args=argv[1:])
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("funnel: interrupted", file=sys.stderr)
        return EXIT_INFRA
    except Exception as error:  # noqa: BLE001 — a person gets one line, the traceback goes to a file
        return crashed(error)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="funnel", description=__doc__)
    parser.add_argument("--version", action="version", version=f"funnel {_version()}")
    commands = parser.add_subparsers(metavar="command")

    generate = commands.add_parser("generate", help="write a sample B2B company whose true funnel is known")
    generate.add_argument("--contacts", type=int, default=2000, help="people to simulate (default 2000)")
    generate.add_argument("--months", type=int, default=18, help="months of history (default 18)")
    generate.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    generate.add_argument("--out", type=Path, default=None, help="folder (default $FUNNEL_DATA_DIR)")
    generate.add_argument(
        "--crm",
        choices=["hubspot", "salesforce"],
        default="hubspot",
        help="where sales works: HubSpot (default) or Salesforce (marketing stays in HubSpot)",
    )
    generate.add_argument(
        "--no-history",
        dest="with_history",
        action="store_false",
        help="write HubSpot pages without propertiesWithHistory, as many export tools do",
    )
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="run the daily pipeline; exit 1 when a blocking check fails")
    run.add_argument("--date", type=date.fromisoformat, default=None, help="day to compute (default yesterday)")
    run.add_argument(
        "--full-refresh", action="store_true", help="reload every export file and rebuild every model from scratch"
    )
    run.add_argument(
        "--retire-deleted",
        action="store_true",
        help="remove the rows of export files that were loaded before and are gone now (default: report them)",
    )
    run.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="wait this long for a run or a program that holds the warehouse (default: "
        "$FUNNEL_LOCK_WAIT_SECONDS, else 0)",
    )
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="generate the sample if absent, run it, show where to look")
    demo.set_defaults(handler=_demo)

    ui = commands.add_parser("ui", help="the Dagster UI for this project, on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)

    report = commands.add_parser("report", help="where the latest alignment report and the GX Data Docs are")
    report.add_argument("--open", action="store_true", help="open them in the browser")
    report.set_defaults(handler=_report_paths)

    metrics = commands.add_parser(
        "metrics",
        help="query the semantic layer (MetricFlow's `mf query`) on the published marts",
        description="Runs `mf query ARGS` against the published copy, read-only: never the warehouse a "
        "run writes. Example: funnel metrics --metrics mqls --group-by metric_time__month",
    )
    metrics.add_argument("mf_args", nargs=argparse.REMAINDER, help="arguments of `mf query`")
    metrics.set_defaults(handler=_metrics)

    site = commands.add_parser(
        "docs", help="the dbt docs site for BI users (marts, columns, metrics, dashboards): one HTML file"
    )
    site.set_defaults(handler=_docs)

    compile_all = commands.add_parser(
        "compile",
        help="write every file generated from the contract and sources into the repository "
        "(dbt macros, semantic metrics, GX suites); the only command that does",
    )
    compile_all.set_defaults(handler=_compile, path=None)

    contract = commands.add_parser("contract", help="validate and compile the definitions contract")
    contract_commands = contract.add_subparsers(metavar="action")
    check = contract_commands.add_parser("check", help="validate the contract; print every problem with its line")
    check.add_argument("path", nargs="?", default=None)
    check.set_defaults(handler=_contract_check)
    compile_ = contract_commands.add_parser("compile", help="the same as `funnel compile`")
    compile_.add_argument("path", nargs="?", default=None)
    compile_.set_defaults(handler=_compile)
    docs = contract_commands.add_parser("docs", help="write the handbook (Markdown and a self-contained HTML page)")
    docs.add_argument("path", nargs="?", default=None)
    docs.add_argument(
        "--out", type=Path, default=None, help="folder (default: artifacts/handbook beside the warehouse)"
    )
    docs.set_defaults(handler=_contract_docs)
    board = commands.add_parser(
        "dashboard", help="the starter dashboard over the published marts: one self-contained HTML page"
    )
    board.add_argument(
        "--warehouse", type=Path, metavar="PATH", help="a DuckDB file with schema marts (default: the published copy)"
    )
    board.add_argument(
        "--out", type=Path, metavar="PATH", help="the page (default: warehouse/artifacts/dashboard/index.html)"
    )
    board.set_defaults(handler=_dashboard)

    accept = commands.add_parser(
        "accept",
        help="sign off a team's metric-period outside tolerance, so that it no longer blocks publication",
        description="Writes alignment_acceptances.yml beside the contract (commit it). The sign-off holds "
        "while the delta and the records behind it stay as the last run found them.",
    )
    accept.add_argument("--list", action="store_true", help="list the sign-offs and their state in the last run")
    accept.add_argument("--team", help="the team, as in funnel.yml's alignment.teams")
    accept.add_argument("--metric", help="the team's own name of the metric, as in its report")
    accept.add_argument("--period", help="the period's month (2026-09) or first day")
    accept.add_argument("--reason", help="why the divergence is accepted (shown in the report and the handbook)")
    accept.add_argument("--by", help="who signs it off")
    accept.add_argument("--expires", type=date.fromisoformat, default=None, help="last day it holds (YYYY-MM-DD)")
    accept.set_defaults(handler=_accept)

    diff = contract_commands.add_parser(
        "diff", help="what a proposed contract would count on the last run's data, per stage and month"
    )
    diff.add_argument("path", nargs="?", default=None, help="the current contract (default: the one in use)")
    diff.add_argument("--proposed", type=Path, required=True, help="the proposed contract file")
    diff.add_argument("--json", type=Path, default=None, help="also write the comparison as JSON here")
    diff.add_argument("--all-months", action="store_true", help="list unchanged months too")
    diff.set_defaults(handler=_contract_diff)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unified-funnel")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _report(error) -> None:
    print(f"{error.file} is invalid ({len(error.problems)} problem(s)):", file=sys.stderr)
    for problem in error.problems:
        print("  " + problem.format(Path(error.file).name), file=sys.stderr)


def _load_contract_or_report(path, *, against=None):
    """The loaded contract, or None after printing every problem (with lines) on stderr.

    With `against` (the Settings in use), criteria are also checked against the data: the last
    run's data profile, else the portal's property catalogue (contract/data_checks.py).
    """
    from funnel.contract import ContractError, load_contract

    try:
        loaded = load_contract(path)
    except ContractError as error:
        _report(error)
        return None
    problems, _ = _data_problems(loaded, against) if against else ([], "")
    if problems:
        _report(loaded.problem_error(problems))
        return None
    return loaded


def _data_problems(loaded, config) -> tuple[list, str]:
    """(problems, what the contract was checked against — "" when nothing could be read)."""
    from funnel.contract import data_checks, evidence
    from funnel.sources import catalogue
    from funnel.sources.config import load_sources

    data = evidence.read_profile(config.artifacts_dir)
    if data is not None:
        return data_checks.check_against_data(loaded, data), f"the data of the last run ({config.artifacts_dir})"
    mode = load_sources(config.sources_file).hubspot.mode
    names, where = catalogue.property_catalogue(mode, config.data_dir, config.warehouse)
    if names is None:
        return [], ""
    return data_checks.check_against_catalogue(loaded, names, where), f"the portal's properties ({where})"


def _generate(args) -> int:
    from sample_company import generate

    out = args.out or settings().data_dir
    manifest = generate(
        out,
        contacts=args.contacts,
        months=args.months,
        seed=args.seed,
        crm=args.crm,
        with_history=args.with_history,
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True),
    )
    counts = ", ".join(f"{k}={v}" for k, v in manifest.get("counts", {}).items())
    print(f"Wrote the sample company to {out} ({counts})")
    return EXIT_OK


def _run(args) -> int:
    """Check what can be checked without Dagster, then hand this process over to the Dagster
    launcher (orchestration/__main__.py): same pid, so a signal or a kill reaches the run itself."""
    from funnel import memory
    from funnel.config import engine_problem
    from funnel.engine import spark_available
    from funnel.run_day import run_date_problem

    config = settings()
    problem = engine_problem(config) or memory.problem()
    if problem:
        print(f"funnel run: {problem}", file=sys.stderr)
        return EXIT_INVALID
    missing = spark_available() if config.engine == "spark" else []
    if missing:
        print(f"funnel run: FUNNEL_ENGINE=spark needs {' and '.join(missing)}", file=sys.stderr)
        return EXIT_INFRA
    loaded = _load_contract_or_report(config.contract, against=config)
    if loaded is None or not _acceptances_valid(config):
        return EXIT_INVALID
    if args.date is not None:
        problem = run_date_problem(args.date, loaded.contract.meta.history_start, loaded.contract.reporting.timezone)
        if problem:
            print(f"funnel run: {problem}", file=sys.stderr)
            return EXIT_INVALID
    command = _launcher(
        "run", args.date, wait=args.wait, full_refresh=args.full_refresh, retire_deleted=args.retire_deleted
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
    return EXIT_INFRA  # not reached: execv replaces this process


def _acceptances_valid(config) -> bool:
    from funnel.contract import ContractError
    from funnel.contract.acceptances import load_acceptances

    try:
        load_acceptances(config.acceptances)
    except ContractError as error:
        _report(error)
        return False
    return True


def _dashboard(args) -> int:
    from funnel.dashboard import run

    return run(args.warehouse, args.out)


def _accept(args) -> int:
    from funnel.accept import AcceptError, Request, accept, listing

    config = settings()
    if not _acceptances_valid(config):
        return EXIT_INVALID
    if args.list:
        rows = listing(config)
        if not rows:
            print(f"No sign-offs in {config.acceptances}.")
        for row in rows:
            print(
                f"{row['team']} {row['metric']} {row['period']}: delta {row['delta']:+g}, accepted by {row['by']} "
                f"on {row['on']}, expires {row['expires']} — {row['state in the last run']}\n    {row['reason']}"
            )
        return EXIT_OK
    missing = [f"--{name}" for name in ("team", "metric", "period", "reason", "by") if not getattr(args, name)]
    if missing:
        print(f"funnel accept: {', '.join(missing)} required (or --list)", file=sys.stderr)
        return EXIT_USAGE
    request = Request(args.team, args.metric, args.period, args.reason, args.by, args.expires)
    try:
        (acceptance,) = accept(config, [request])
    except AcceptError as error:
        print(f"funnel accept: {error}", file=sys.stderr)
        return EXIT_INVALID
    until = f" until {acceptance.expires}" if acceptance.expires else ""
    print(
        f"Accepted {acceptance.team} {acceptance.metric} {acceptance.period:%Y-%m}: delta {acceptance.delta:+g} over "
        f"{acceptance.records} records, by {acceptance.by}{until}. Written to {config.acceptances}; "
        "commit it. The next run publishes if nothing else blocks; a changed delta or records re-open it."
    )
    return EXIT_OK


def _launcher(
    command: str,
    run_date: date | None,
    *,
    wait: float | None = None,
    full_refresh: bool = False,
    retire_deleted: bool = False,
):
    """The command line of the Dagster launcher, with this Python."""
    argv = [sys.executable, "-m", "orchestration", command]
    argv += ["--date", run_date.isoformat()] if run_date else []
    argv += ["--wait", str(wait)] if wait is not None else []
    argv += ["--full-refresh"] if full_refresh else []
    argv += ["--retire-deleted"] if retire_deleted else []
    return argv


def _demo(args) -> int:
    import subprocess

    from funnel import demo
    from funnel.report import where_to_look
    from sample_company import data_as_of, generate

    demo.use_demo_acceptances(settings().data_dir)
    config = settings()
    if _load_contract_or_report(config.contract) is None or not _acceptances_valid(config):
        return EXIT_INVALID
    if not (config.data_dir / "manifest.json").exists():
        print(f"Generating the sample company into {config.data_dir} …", file=sys.stderr)
        generate(config.data_dir, progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True))

    def run(day: date) -> int:
        # The run prints its own progress and summary; its exit code says how it ended.
        return subprocess.run([*_launcher("run", day), "--no-paths"], check=False).returncode

    run_date = data_as_of(config.data_dir)
    if not config.published.exists():
        demo.publish_the_day_before(config, run_date, run)
    print(f"Running the daily pipeline as of {run_date} …", file=sys.stderr, flush=True)
    code = run(run_date)
    if code not in (EXIT_OK, EXIT_CHECKS_FAILED):
        return code
    print()
    print(_funnel_summary(config))
    print()
    print(demo.what_bi_shows(config, run_date, code))
    print(where_to_look(config))
    # The demo succeeded if the pipeline ran; failed checks are its point, crashed steps are not.
    return EXIT_OK


def _funnel_summary(config) -> str:
    from funnel.contract.load import load_contract
    from funnel.warehouse import query_df

    stages = [s.key for s in load_contract(config.contract).contract.stages]
    first, last = stages[0], stages[-1]
    totals = query_df(
        config.warehouse,
        "select stage, min(stage_order) as stage_order, count(distinct person_id) as people "
        "from marts.fct_stage_entries group by stage order by stage_order",
    )
    by_channel = query_df(
        config.warehouse,
        "select channel, count(distinct person_id) filter (where stage = ?) as first_stage, "
        "count(distinct person_id) filter (where stage = ?) as last_stage "
        "from marts.fct_stage_entries group by channel order by first_stage desc",
        [first, last],
    )
    lines = ["Canonical funnel (all time):"]
    top = None
    for row in totals.itertuples():
        top = top or row.people
        lines.append(f"  {row.stage:<12} {row.people:>7,} people  ({row.people / top:6.1%} of the first stage)")
    lines.append(f"By first-touch channel ({first} → {last}):")
    for row in by_channel.itertuples():
        lines.append(f"  {row.channel:<14} {row.first_stage:>6,} → {row.last_stage:>5,}")
    return "\n".join(lines)


def _metrics(args) -> int:
    import subprocess

    config = settings()
    if not config.published.exists():
        print(
            f"funnel metrics: nothing is published yet ({config.published}): metrics read the published "
            "copy, which a run writes once its checks pass",
            file=sys.stderr,
        )
        return EXIT_INFRA
    from funnel import compiled

    config = compiled.resolve(config)  # the project the runs built (another contract: its copy)
    mf = Path(sys.executable).with_name("mf")
    env = {
        **os.environ,
        "FUNNEL_DBT_TARGET": "published",
        "FUNNEL_PUBLISHED": str(config.published),
        "FUNNEL_CATALOG": config.warehouse.stem,
        "DO_NOT_TRACK": "1",
    }
    result = subprocess.run(
        [str(mf), "query", *_ordered(args.mf_args)],
        cwd=config.dbt_project_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    # mf animates a spinner on stdout even when it is not a terminal: keep the answer only.
    answer = [line for line in result.stdout.splitlines() if line.strip() and not "\u2800" <= line[0] <= "\u28ff"]
    print("\n".join(answer))
    if result.returncode != 0:
        # MetricFlow's own message, without the traceback it prints after it.
        message = result.stderr.split("Traceback (most recent call last)")[0].strip()
        print(f"funnel metrics: {message or 'mf query failed'}", file=sys.stderr)
        return EXIT_INFRA
    return EXIT_OK


def _ordered(mf_args: list[str]) -> list[str]:
    """`mf query` returns rows in no order; without an --order of the caller's, order by the
    group-by dimensions, as a reader expects (months ascending)."""
    if "--order" in mf_args or any(a.startswith("--order=") for a in mf_args):
        return mf_args
    for index, arg in enumerate(mf_args):
        if arg == "--group-by" and index + 1 < len(mf_args):
            return [*mf_args, "--order", mf_args[index + 1]]
        if arg.startswith("--group-by="):
            return [*mf_args, "--order", arg.split("=", 1)[1]]
    return mf_args


def _report_paths(args) -> int:
    import webbrowser

    from funnel import compiled
    from funnel.checks.gx_context import data_docs_index
    from funnel.report import latest_report

    config = compiled.resolve(settings())
    paths = {"alignment report": latest_report(config), "GX Data Docs": data_docs_index(config.expectations_dir)}
    missing = False
    for label, path in paths.items():
        exists = path.exists()
        missing |= not exists
        print(f"{label + ':':<18}{path}" + ("" if exists else "  (not there yet: run `funnel run`)"))
        if args.open and exists:
            webbrowser.open(path.as_uri())
    return EXIT_INFRA if missing else EXIT_OK


def _docs(args) -> int:
    from funnel.dbt_docs import build_docs

    config = settings()
    loaded = _load_contract_or_report(config.contract)
    if loaded is None:
        return EXIT_INVALID
    try:
        page = build_docs(loaded, config)
    except (FileNotFoundError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return EXIT_INFRA
    print(f"Wrote the dbt docs site: {page}")
    return EXIT_OK


def _ui(args) -> int:
    """`dagster dev` on this project, run from $DAGSTER_HOME, until it ends or is asked to stop.

    It runs from $DAGSTER_HOME, whose dagster.yaml is the repository's (ensure_dagster_home):
    started beside another dagster.yaml (the checkout's), dagster dev warns that that file "will
    not be used". The code location is named by module and folder instead of workspace.yaml
    (whose `working_directory: .` means the folder a command starts in), and every path setting
    reaches it resolved, as this command read it."""
    from funnel.config import PROJECT_ROOT, ensure_dagster_home

    config = settings()
    ensure_dagster_home(config)
    dagster = Path(sys.executable).with_name("dagster")
    command = [
        str(dagster),
        "dev",
        "-m",
        "orchestration.definitions",
        "-d",
        str(PROJECT_ROOT),
        "-h",
        "127.0.0.1",
        "-p",
        str(args.port),
    ]
    return _serve_until_stopped(command, cwd=config.dagster_home, env=_ui_environment(config))


# Relative paths in these are read against the folder a command starts in: `funnel ui` hands
# them on resolved, since dagster dev starts elsewhere.
_UI_PATH_VARIABLES = ("FUNNEL_LAKE", "FUNNEL_SPARK_DIR", "FUNNEL_ACCEPTANCES", "FUNNEL_TEMP_DIR", "FUNNEL_SPARK_DBT")


def _ui_environment(config) -> dict[str, str]:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(config.dagster_home),
        "FUNNEL_WAREHOUSE": str(config.warehouse),
        "FUNNEL_DATA_DIR": str(config.data_dir),
        "FUNNEL_CONTRACT": str(config.contract),
        "FUNNEL_SOURCES": str(config.sources_file),
        "FUNNEL_DBT_PROJECT_DIR": str(config.dbt_project_dir),
        "FUNNEL_EXPECTATIONS_DIR": str(config.expectations_dir),
    }
    for name in _UI_PATH_VARIABLES:
        if os.environ.get(name, "").strip():
            env[name] = str(Path(os.environ[name].strip()).resolve())
    # dagster dev's own notice that `dg dev` (a CLI this project does not install) supersedes it.
    quiet = "ignore:Function `dev_command` is superseded"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    return env


def _serve_until_stopped(command: list[str], *, cwd: Path, env: dict[str, str], grace: float = 30.0) -> int:
    """Run `command` in a session of its own; on SIGINT (Ctrl-C) or SIGTERM to this process,
    pass the signal to every process of that session, give them `grace` seconds, then kill
    what is left. Exit 0 on a requested stop.

    dagster dev starts a webserver, a daemon and their code servers, and stops them on SIGINT
    (SIGTERM too: it maps it to SIGINT's handler). But a shell starts a background command with
    SIGINT ignored, dagster dev inherits that, and then ignores both; killed, it leaves its
    children serving the port. Here the handlers are this process's own (exec resets them to
    the default in the child), and the whole session is waited for, not only dagster dev."""
    import signal
    import subprocess
    import time

    requested: list[int] = []

    def request_stop(signum, _frame) -> None:
        requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        child = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
        while not requested and child.poll() is None:
            time.sleep(0.2)
        _stop_session(child, requested[0] if requested else signal.SIGTERM, grace)
        if requested:
            print("funnel ui: stopped", file=sys.stderr)
            return EXIT_OK
        return EXIT_OK if child.returncode == 0 else EXIT_INFRA
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_session(child, signum: int, grace: float) -> None:
    """Signal every process of `child`'s session (its process group: dagster starts none of its
    own), wait up to `grace` seconds for all of them to end, then SIGKILL the rest."""
    import contextlib
    import signal
    import time

    group = child.pid  # start_new_session: the child leads its own session and group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        child.poll()  # reap dagster dev as soon as it ends: a zombie still counts as alive
        if not _group_alive(group):
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    child.wait()


def _group_alive(group: int) -> bool:
    """Whether a process of the group still runs. Zombies do not count: the grandchildren of
    this process are reaped by whoever adopts them, not here."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def _contract_check(args) -> int:
    from funnel.contract.compile import is_stale

    config = settings()
    loaded = _load_contract_or_report(args.path or config.contract, against=config)
    if loaded is None:
        return EXIT_INVALID
    stages = ", ".join(s.key for s in loaded.contract.stages)
    print(f"{loaded.path.name}: valid — version {loaded.contract.meta.version}, stages {stages}")
    _, against = _data_problems(loaded, config)
    print(
        f"Checked against {against}."
        if against
        else "Not checked against data: no run has profiled the warehouse yet, and the source lists no properties."
    )
    if is_stale(loaded, config.dbt_project_dir):
        print("The compiled contract in the dbt project is out of date: run `funnel compile`.")
    return EXIT_OK


def _compile(args) -> int:
    """The one writer of generated files into the repository (compiled.py)."""
    from funnel import compiled

    config = settings()
    loaded = _load_contract_or_report(args.path or config.contract)
    if loaded is None:
        return EXIT_INVALID
    written = compiled.write(loaded, config)
    for name in written:
        print(f"Wrote {name}")
    if not written:
        print(
            f"Up to date: {config.dbt_project_dir} and {config.expectations_dir} hold what "
            f"{loaded.path.name} and {config.sources_file.name} compile to."
        )
    return EXIT_OK


def _contract_docs(args) -> int:
    from funnel.contract import ContractError
    from funnel.contract.acceptances import load_acceptances
    from funnel.contract.handbook import blocks, to_html, to_markdown

    loaded = _load_contract_or_report(args.path or settings().contract)
    if loaded is None:
        return EXIT_INVALID
    try:
        acceptances = load_acceptances(settings().acceptances)
    except ContractError as error:
        _report(error)
        return EXIT_INVALID
    out = args.out or settings().artifacts_dir / "handbook"
    out.mkdir(parents=True, exist_ok=True)
    parts = blocks(loaded, acceptances)
    (out / "handbook.md").write_text(to_markdown(parts), encoding="utf-8")
    (out / "handbook.html").write_text(to_html(parts, loaded.contract.meta.name), encoding="utf-8")
    print(f"Wrote {out / 'handbook.md'}\nWrote {out / 'handbook.html'}")
    return EXIT_OK


def _contract_diff(args) -> int:
    from funnel.whatif import format_whatif, run_whatif

    config = settings()
    current = _load_contract_or_report(args.path or config.contract)
    proposed = _load_contract_or_report(args.proposed, against=config)
    if current is None or proposed is None:
        return EXIT_INVALID
    if not config.warehouse.exists():
        print(
            f"No warehouse at {config.warehouse}: run `funnel run` first, the what-if replays its data.",
            file=sys.stderr,
        )
        return EXIT_INFRA
    print("Building the proposed funnel on a scratch copy of the raw data …", file=sys.stderr)
    whatif = run_whatif(proposed, config, current.contract.meta.version)
    print(format_whatif(whatif, all_months=args.all_months))
    if args.json:
        args.json.write_text(whatif.to_json(), encoding="utf-8")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
