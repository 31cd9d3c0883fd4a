"""The what-if: what a proposed contract would count, on the data of the last run, published nowhere.

The raw tables of the warehouse are copied into a scratch DuckDB file, the proposed contract is
compiled into a scratch copy of the dbt project, and dbt builds the models there with the last
run's as-of instant. Counts per stage and month, and the people who move, are then compared
with the warehouse's own marts. Nothing the warehouse, the published copy or the repository
holds is touched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from funnel import compiled
from funnel.config import Settings
from funnel.contract import compile as contract_compile
from funnel.contract.load import LoadedContract
from funnel.run_lock import hold
from funnel.transform import build_args, dbt_env, dbt_executable

SAMPLE_SIZE = 10


@dataclass(frozen=True)
class StageChange:
    stage: str
    entering_only_now: int
    entering_only_proposed: int
    moving: int
    """People entering under both, at another instant."""
    sample_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WhatIf:
    as_of: str | None
    current_version: str
    proposed_version: str
    counts: list[dict]
    """{stage, month, current, proposed, change} per stage and month with any entry."""
    changes: list[StageChange]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def _snapshot(warehouse: Path, target: Path) -> tuple[str | None, list[tuple]]:
    """Copy schemas raw and private (email_hash's key) into a new DuckDB file, under the run lock
    so no run is writing meanwhile (the lock is held for the copy only, not for dbt); returns the
    last run's as-of instant and the warehouse's current entries."""
    with hold(warehouse, "funnel contract diff (copying the raw data)"):
        con = duckdb.connect()
        try:
            con.execute(f"attach '{_quote(warehouse)}' as source (read_only)")
            con.execute(f"attach '{_quote(target)}' as scratch")
            for schema in ("raw", "private"):
                con.execute(f"create schema scratch.{schema}")
                tables = [
                    r[0]
                    for r in con.execute(
                        "select table_name from information_schema.tables where table_catalog = 'source' "
                        "and table_schema = ? and table_type = 'BASE TABLE'",
                        [schema],
                    ).fetchall()
                ]
                for table in tables:
                    con.execute(f"create table scratch.{schema}.{table} as select * from source.{schema}.{table}")
            [(as_of,)] = con.execute(
                "select strftime(as_of, '%Y-%m-%dT%H:%M:%SZ') from source.intermediate.int_run_context"
            ).fetchall()
            current = con.execute(_ENTRIES.format(prefix="source.")).fetchall()
        finally:
            con.close()
    return as_of, current


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


_ENTRIES = (
    "select stage, min(stage_order), person_id, min(entered_at), strftime(min(entered_date), '%Y-%m') "
    "from {prefix}marts.fct_stage_entries where entry_number = 1 group by stage, person_id"
)


def _entries(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(_ENTRIES.format(prefix="")).fetchall()
    finally:
        con.close()


def run_whatif(proposed: LoadedContract, config: Settings, current_version: str) -> WhatIf:
    scratch = Path(tempfile.mkdtemp(prefix="funnel-whatif-"))
    try:
        warehouse = scratch / "whatif.duckdb"
        as_of, current = _snapshot(config.warehouse, warehouse)
        project = scratch / "dbt_project"
        # The project the runs build (with this sources file), then the proposed contract in it.
        built = compiled.resolve(config).dbt_project_dir
        shutil.copytree(built, project, ignore=shutil.ignore_patterns("target", "logs"))
        contract_compile.write(proposed, project)
        scratch_settings = Settings(
            warehouse=warehouse,
            data_dir=config.data_dir,
            contract=proposed.path,
            dagster_home=config.dagster_home,
            dbt_project_dir=project,
            expectations_dir=config.expectations_dir,
            sources_file=config.sources_file,
        )
        result = subprocess.run(
            [
                dbt_executable(),
                *build_args("run", as_of=as_of, full_refresh=False),
                "--quiet",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
            ],
            cwd=project,
            env=dbt_env(scratch_settings),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt could not build under the proposed contract:\n{result.stdout[-3000:]}")
        return _compare(current, _entries(warehouse), as_of, current_version, proposed.contract.meta.version)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _compare(current: list[tuple], proposed: list[tuple], as_of, current_version, proposed_version) -> WhatIf:
    order = {row[0]: row[1] for row in current + proposed}
    counts: dict[tuple[str, str], list[int]] = {}
    for index, rows in enumerate((current, proposed)):
        for stage, _, _, _, month in rows:
            counts.setdefault((stage, month), [0, 0])[index] += 1
    now = {(r[0], r[2]): r[3] for r in current}
    then = {(r[0], r[2]): r[3] for r in proposed}
    changes = []
    for stage in sorted(order, key=order.get):
        only_now = sorted(p for s, p in now if s == stage and (s, p) not in then)
        only_then = sorted(p for s, p in then if s == stage and (s, p) not in now)
        moving = sorted(p for s, p in now if s == stage and (s, p) in then and now[(s, p)] != then[(s, p)])
        sample = (only_then + only_now + moving)[:SAMPLE_SIZE]
        changes.append(StageChange(stage, len(only_now), len(only_then), len(moving), sample))
    rows = [
        {"stage": stage, "month": month, "current": c, "proposed": p, "change": p - c}
        for (stage, month), (c, p) in sorted(counts.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    ]
    return WhatIf(as_of, current_version, proposed_version, rows, changes)


def format_whatif(whatif: WhatIf, *, all_months: bool = False) -> str:
    lines = [
        f"What-if: contract {whatif.current_version} (current) vs {whatif.proposed_version} (proposed), "
        f"as of {whatif.as_of or 'all loaded data'}. Nothing was published."
    ]
    lines.append(f"{'stage':<14}{'month':<9}{'current':>9}{'proposed':>10}{'change':>8}")
    for row in whatif.counts:
        if row["change"] or all_months:
            lines.append(
                f"{row['stage']:<14}{row['month']:<9}{row['current']:>9}{row['proposed']:>10}{row['change']:>+8}"
            )
    if not any(row["change"] for row in whatif.counts):
        lines.append("(no month changes)")
    lines.append("People who change stage:")
    for change in whatif.changes:
        lines.append(
            f"  {change.stage:<12} +{change.entering_only_proposed} enter only under the proposal, "
            f"-{change.entering_only_now} no longer enter, {change.moving} enter at another time"
            + (f"; e.g. {', '.join(change.sample_ids)}" if change.sample_ids else "")
        )
    return "\n".join(lines)
