"""Blocking Dagster asset checks, each a Great Expectations checkpoint on a warehouse slice.

A failing ERROR check blocks everything downstream in the run, publication included; the
check's metadata carries the rows that explain the failure (a table for the UI, JSON for the run
summary) and the Data Docs page.
"""

from collections.abc import Callable

import dagster as dg
import pandas as pd

from funnel.checks import explain, landed, slices, suites
from funnel.checks.gx_context import Validation, gx_run_name, plain, validate
from funnel.config import RUN_DAY_TAG, Settings
from funnel.contract import evidence
from funnel.contract.load import LoadedContract
from funnel.engine import models
from funnel.run_summary import DATA_DOCS_KEY, DIVERGENCES_KEY, FAILURES_KEY
from funnel.warehouse import query_df
from orchestration.defs.sources.assets import raw_key
from orchestration.lib.check_metadata import FAILING_ROWS_KEY, failing_rows_table
from orchestration.lib.warehouse_lock import WAREHOUSE_POOL


def _run_name(context) -> str:
    """This run's name in the GX Data Docs: its day (run tag) and its Dagster run id."""
    return gx_run_name(context.run.tags.get(RUN_DAY_TAG), context.run.run_id)


def _metadata(context, failures: list[dict], validation: Validation, extra: dict | None = None) -> dict:
    metadata = {
        # The day the run computed (the job is not partitioned: the day is a run tag).
        "run_day": context.run.tags.get(RUN_DAY_TAG, "(none: as of now)"),
        # Read back by the run summary (orchestration/lib/run_summary.py).
        FAILURES_KEY: dg.MetadataValue.json(failures[: explain.MAX_ROWS_IN_METADATA]),
        # What a person reads in the UI.
        FAILING_ROWS_KEY: failing_rows_table(failures),
        "failing_row_count": len(failures),
        "failed_expectations": dg.MetadataValue.json(
            [
                {"expectation": f.expectation, **{k: v for k, v in f.kwargs.items() if k != "row_condition"}}
                for f in validation.failed
            ]
        ),
    }
    if validation.docs_page:
        metadata[DATA_DOCS_KEY] = dg.MetadataValue.path(validation.docs_page.removeprefix("file://"))
    return {**metadata, **(extra or {})}


def _raw_check(source: str, slice_: suites.Slice, tables: dict, config: Settings) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            "raw_shape",
            asset=raw_key(table),
            blocking=True,
            description="GX suite raw_" + source + ": loaded rows, quarantine, ids",
        )
        for table in tables
    ]

    @dg.multi_asset_check(
        specs=specs, name=f"check_raw_{source}", pool=WAREHOUSE_POOL, required_resource_keys={"warehouse_lock"}
    )
    def check_raw(context: dg.AssetCheckExecutionContext):
        frame = query_df(config.warehouse, slice_.sql)  # raw tables: always the DuckDB warehouse
        validation = validate(config.expectations_dir, slice_.suite.name, frame, run_name=_run_name(context))
        failing = {key.get("table_name") for f in validation.failed for key in f.keys}
        sources = {table: spec.source for table, spec in tables.items()}
        quarantine = query_df(
            config.warehouse,
            "select source, file, line, record_id, reason from raw.quarantine where source in ("
            + ", ".join("'" + s + "'" for s in sources.values())
            + ") order by source, file, line limit 200",
        )
        for table in tables:
            rows = [
                {k: (None if pd.isna(v) else v) for k, v in r.items()}
                for r in quarantine.to_dict("records")
                if r["source"] == sources[table]
            ]
            profile = frame[frame["table_name"] == table].to_dict("records")
            passed = table not in failing
            yield dg.AssetCheckResult(
                asset_key=raw_key(table),
                check_name="raw_shape",
                passed=passed,
                severity=dg.AssetCheckSeverity.ERROR,
                description="loaded as expected"
                if passed
                else explain.raw_problem(table, tables[table], profile, rows, config.data_dir.resolve()),
                metadata=_metadata(context, rows, validation, {"profile": dg.MetadataValue.json(profile)}),
            )

    return check_raw


def _landed_check(tables: list[landed.LandedTable], config: Settings) -> dg.AssetChecksDefinition:
    """Fivetran-landed tables: the same shape checks as our raw tables (required columns, keys,
    rows), on a profile of the tables in place. Declared columns a table lacks only warn: they
    are read as NULL."""
    specs = [
        dg.AssetCheckSpec(
            "landed_shape",
            asset=dg.AssetKey([t.schema, t.identifier]),
            blocking=True,
            description="GX suite landed_tables: the table exists, has the columns the funnel "
            "cannot do without, a key on every row",
        )
        for t in tables
    ]

    @dg.multi_asset_check(
        specs=specs, name="check_landed_tables", pool=WAREHOUSE_POOL, required_resource_keys={"warehouse_lock"}
    )
    def check_landed(context: dg.AssetCheckExecutionContext):
        frame = landed.profile(config.warehouse, tables)
        validation = validate(config.expectations_dir, "landed_tables", frame, run_name=_run_name(context))
        failing = {key.get("table_name") for f in validation.failed for key in f.keys}
        for table, row in zip(tables, frame.to_dict("records")):
            problem = landed.problem(row) if row["table_name"] in failing else None
            absent = row["absent_columns"]
            if problem:
                passed, severity, description = False, dg.AssetCheckSeverity.ERROR, problem
            elif absent:
                passed, severity = False, dg.AssetCheckSeverity.WARN
                description = f"{row['table_name']}: column(s) absent, read as NULL: {absent}"
            else:
                passed, severity = True, dg.AssetCheckSeverity.ERROR
                description = f"{row['rows_loaded']} rows" if row["table_exists"] else "optional, not landed"
            yield dg.AssetCheckResult(
                asset_key=dg.AssetKey([table.schema, table.identifier]),
                check_name="landed_shape",
                passed=passed,
                severity=severity,
                description=description,
                metadata=_metadata(
                    context,
                    [{k: plain(v) for k, v in row.items()}] if not passed else [],
                    validation,
                    {"profile": dg.MetadataValue.json({k: plain(v) for k, v in row.items()})},
                ),
            )

    return check_landed


REJECTED_KEY = dg.AssetKey(["intermediate", "int_rejected_values"])
WARNINGS_KEY = dg.AssetKey(["intermediate", "int_value_warnings"])


def _rejected_values_check(config: Settings, slice_: suites.Slice) -> dg.AssetChecksDefinition:
    """Values no staging model could read: listed with file, record, field and value; beyond
    policies.quarantine_max_rows they stop publication (GX suite rejected_values)."""

    @dg.asset_check(
        asset=REJECTED_KEY,
        name="rejected_values",
        blocking=True,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
        description="Every value the sources hold is readable, or within policies.quarantine_max_rows.",
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = models(config).query_df(slice_.sql)
        validation = validate(config.expectations_dir, slice_.suite.name, frame, run_name=_run_name(context))
        rows = explain.records(config, "int_rejected_values", "source, file, record_id, field, raw_value, reason")
        total = int(frame.loc[frame["source"] == "all", "rejected"].sum())
        groups = frame[frame["source"] != "all"].to_dict("records")
        description = (
            "every value read"
            if not total
            else (
                f"{total} value(s) could not be read: "
                + "; ".join(f"{g['source']} {g['field']}: {g['rejected']} ({g['reason']})" for g in groups[:5])
            )
        )
        return dg.AssetCheckResult(
            passed=validation.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description,
            metadata=_metadata(context, rows, validation, {"rejected_values": total}),
        )

    return check


def _value_warnings_check(config: Settings, loaded: LoadedContract, slice_: suites.Slice) -> dg.AssetChecksDefinition:
    """Values that parse but look wrong: a warning naming each record, or a failure for the kinds
    the contract's policies.suspicious_values set to `block`."""
    blocking_kinds = {
        kind for kind, policy in loaded.contract.policies.suspicious_values.model_dump().items() if policy == "block"
    }

    @dg.asset_check(
        asset=WARNINGS_KEY,
        name="value_warnings",
        blocking=True,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
        description="No value looks wrong (negative won amounts, dates out of range, conflicting "
        "duplicates); policies.suspicious_values says which kinds block.",
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = models(config).query_df(slice_.sql)
        validation = validate(config.expectations_dir, slice_.suite.name, frame, run_name=_run_name(context))
        rows = explain.records(config, "int_value_warnings", "kind, source, record_id, field, value, reason")
        found = dict(zip(frame["kind"], frame["records"]))
        blocking = bool(blocking_kinds & set(found))
        description = (
            "no value looks wrong"
            if not found
            else "; ".join(
                f"{count} {kind.replace('_', ' ')}"
                + (" (blocks: policies.suspicious_values)" if kind in blocking_kinds else "")
                for kind, count in sorted(found.items())
            )
        )
        return dg.AssetCheckResult(
            passed=validation.success,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=description,
            metadata=_metadata(context, rows, validation),
        )

    return check


def _evidence_check(config: Settings, loaded: LoadedContract) -> dg.AssetChecksDefinition:
    """Every criterion that needs dated evidence finds some (GX suite stage_evidence). The data
    profile it judges is kept (artifacts/data_profile.json) for `funnel contract check`, which so
    never opens the warehouse a run may be writing."""

    @dg.asset_check(
        asset=dg.AssetKey(["marts", "fct_stage_entries"]),
        name="stage_evidence",
        blocking=True,
        description="Every criterion that needs dated evidence (property or deal stage history, or "
        "the stage dates HubSpot keeps on records) finds some in the data (GX).",
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        data = evidence.profile(models(config).rows)
        evidence.write_profile(data, config.artifacts_dir)
        frame = pd.DataFrame(
            evidence.rows(loaded, data),
            columns=["need", "criterion", "stage", "evidence", "records", "dated", "undated"],
        )
        validation = validate(config.expectations_dir, "stage_evidence", frame, run_name=_run_name(context))
        failures = explain.rows_for(frame, validation, ["need"])
        description = (
            "passed"
            if validation.success
            else "; ".join(
                f"stage {r['stage']} ({r['criterion']}): {r['records']} record(s), but no {r['evidence']}"
                for r in failures
            )
            + " — the stage would be empty; export the history or the stage date properties"
        )
        return dg.AssetCheckResult(
            passed=validation.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description,
            metadata=_metadata(context, failures, validation, {"rows_validated": len(frame)}),
        )

    return check


def _frame_check(
    *,
    name: str,
    asset: dg.AssetKey,
    slice_: suites.Slice,
    config: Settings,
    description: str,
    describe: Callable[[list[dict]], str],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=name,
        blocking=True,
        description=description,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = models(config).query_df(slice_.sql)
        validation = validate(config.expectations_dir, slice_.suite.name, frame, run_name=_run_name(context))
        failures = explain.rows_for(frame, validation, slice_.suite.index_columns)
        return dg.AssetCheckResult(
            passed=validation.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description="passed" if validation.success else describe(failures),
            metadata=_metadata(context, failures, validation, {"rows_validated": len(frame)}),
        )

    return check


def _alignment_check(team: str, slice_: suites.Slice, config: Settings) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", "alignment_reconciliation"]),
        name=f"alignment_{team}",
        blocking=True,
        description=f"{team}'s reported numbers are within the contract's tolerance of the canonical ones "
        f"(GX suite alignment_{team}); a `block` metric outside it fails the run, a `warn` one warns.",
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse_lock"},
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = models(config).query_df(slice_.sql)
        if frame.empty:
            # Nothing reconciled is not a pass: the team sent no number for a period that has ended.
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"no report from {team}: none of its numbers was reconciled "
                f"(expected {config.reports_dir.resolve() / (team + '.csv')})",
                metadata={"rows_validated": 0, "run_day": context.run.tags.get(RUN_DAY_TAG, "(none: as of now)")},
            )
        validation = validate(config.expectations_dir, slice_.suite.name, frame, run_name=_run_name(context))
        index = slice_.suite.index_columns

        def keys(failed) -> set[tuple]:
            return {tuple(key.get(c) for c in index) for f in failed for key in f.keys}

        outside = keys(f for f in validation.failed if f.kwargs.get("column_B") == "abs_delta")
        mismatched = keys(f for f in validation.failed if f.kwargs.get("column") == "unexplained_delta")
        failures = explain.rows_for(frame, validation, index)
        shown = [
            explain.alignment_row(r, tuple(r[c] for c in index) in outside, tuple(r[c] for c in index) in mismatched)
            for r in failures
        ]
        # What blocks first, then what only warns.
        shown.sort(key=lambda r: ("tolerance" not in r["problem"], r["severity"] != "block"))
        blocking = any(row["severity"] == "block" and "tolerance" in row["problem"] for row in shown)
        divergences = explain.top_divergences(
            config, team, [(r["team_metric"], r["period_start"], r["period_end"]) for r in failures]
        )
        accepted = int(frame["is_accepted"].fillna(False).astype(bool).sum()) if len(frame) else 0
        if validation.success:
            description = f"{len(frame)} team numbers within tolerance, and each one is what the team's tool counts"
            if accepted:
                description = (
                    f"{len(frame) - accepted} of {len(frame)} team numbers within tolerance; {accepted} outside it "
                    "but signed off (funnel accept --list)"
                )
        elif outside:
            out = [r for r in shown if "tolerance" in r["problem"]]
            periods = ", ".join(f"{r['metric']} {r['period']} ({r['delta']:+g})" for r in out[:6])
            more = f" and {len(out) - 6} more" if len(out) > 6 else ""
            description = f"{len(outside)} of {len(frame)} numbers outside tolerance: {periods}{more}"
        else:
            description = f"{len(mismatched)} reported numbers differ from what {team}'s own tool counts"
        return dg.AssetCheckResult(
            passed=validation.success,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=description,
            metadata=_metadata(
                context,
                shown,
                validation,
                {
                    "rows_validated": len(frame),
                    DIVERGENCES_KEY: dg.MetadataValue.json(divergences),
                    # Written when the run ends (funnel run, or the run sensors for scheduled runs).
                    "alignment_report": dg.MetadataValue.path(str(config.artifacts_dir / "reports" / "latest.html")),
                },
            ),
        )

    return check


def build_checks(
    config: Settings, loaded: LoadedContract, raw_tables: dict[str, dict], landed_tables: list[landed.LandedTable]
) -> list[dg.AssetChecksDefinition]:
    """`raw_tables`: per source, the raw tables our loaders write in this configuration;
    `landed_tables`: the tables landed by others (Fivetran) that dbt reads in place."""
    by_name = {s.suite.name: s for s in slices.all_slices(loaded)}
    checks = [
        _raw_check(source, suites.raw_profile(source, tables, loaded), tables, config)
        for source, tables in raw_tables.items()
    ]
    if landed_tables:
        checks.append(_landed_check(landed_tables, config))
    checks.append(
        _frame_check(
            name="funnel_stage_order",
            asset=dg.AssetKey(["marts", "dim_people"]),
            slice_=by_name["funnel_stage_order"],
            config=config,
            description="Each person's stage entries never go backwards along the funnel (GX).",
            describe=lambda rows: f"{len(rows)} people have a later stage before an earlier one",
        )
    )
    checks.append(_evidence_check(config, loaded))
    checks.append(_rejected_values_check(config, by_name["rejected_values"]))
    checks.append(_value_warnings_check(config, loaded, by_name["value_warnings"]))
    checks.append(
        _frame_check(
            name="funnel_daily_totals",
            asset=dg.AssetKey(["marts", "funnel_daily"]),
            slice_=by_name["funnel_daily_totals"],
            config=config,
            description="funnel_daily adds up to fct_stage_entries, stage by stage (GX).",
            describe=lambda rows: "daily totals differ from stage entries for " + ", ".join(r["stage"] for r in rows),
        )
    )
    checks.append(
        _frame_check(
            name="won_deals_have_opportunity",
            asset=dg.AssetKey(["marts", "pipeline_deals"]),
            slice_=by_name["won_deals_have_opportunity"],
            config=config,
            description="Every won deal's (counted) primary person has an opportunity date (GX).",
            describe=lambda rows: f"{len(rows)} won deals without an opportunity date for their person",
        )
    )
    checks += [_alignment_check(team, by_name[f"alignment_{team}"], config) for team in loaded.contract.alignment.teams]
    return checks
