"""The expectation suites, generated from the contract, and the warehouse slices they validate.

Each suite validates a small DataFrame: a per-table profile of the raw layer, a per-person row
of stage timestamps, per-stage totals, won deals, or the reconciliation table. Slices carry
ids and numbers only — never an email or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from funnel.checks.gx_context import SuiteSpec
from funnel.contract.load import LoadedContract
from funnel.sources.loader import CsvFiles, JsonPages


@dataclass(frozen=True)
class Slice:
    suite: SuiteSpec
    sql: str


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Tables a daily run cannot do without; the others may legitimately be empty (no ads, no reports,
# no HubSpot deals when sales works in Salesforce).
REQUIRED_TABLES = {"hubspot_contacts", "hubspot_owners", "salesforce_lead", "salesforce_user"}


def raw_profile(source: str, tables: dict[str, JsonPages | CsvFiles], loaded: LoadedContract) -> Slice:
    """One row per raw table of a source: rows loaded, records and files quarantined, missing ids."""
    from great_expectations.expectations.row_conditions import Column

    gxe = _gxe()
    parts = []
    for table, spec in tables.items():
        has_id = isinstance(spec, JsonPages) and "id" in spec.columns
        id_check = f"(select count(*) filter (where id is null) from raw.{table})" if has_id else "0"
        parts.append(
            f"""
            select {_quote(table)} as table_name,
                (select count(*) from raw.{table}) as rows_loaded,
                {id_check} as missing_ids,
                (select count(*) from raw.quarantine where source = {_quote(spec.source)}) as quarantined
            """
        )
    required = sorted(REQUIRED_TABLES & set(tables))
    limit = loaded.contract.policies.quarantine_max_rows
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="quarantined",
            max_value=limit,
            meta={"why": f"more than policies.quarantine_max_rows ({limit}) records or files could not be loaded"},
        ),
        gxe.ExpectColumnValuesToBeBetween(column="missing_ids", max_value=0),
    ]
    if required:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="rows_loaded", min_value=1, row_condition=Column("table_name").is_in(required)
            )
        )
    suite = SuiteSpec(name=f"raw_{source}", expectations=expectations, index_columns=["table_name"])
    return Slice(suite, " union all ".join(parts))


def landed_tables() -> SuiteSpec:
    """Tables landed by Fivetran, profiled per table (checks/landed.py): each exists unless
    optional, has every column the funnel cannot do without, a key on every row, and rows where
    the funnel cannot start without them."""
    from great_expectations.expectations.row_conditions import Column

    gxe = _gxe()
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(column="missing_required_columns", max_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="missing_ids", max_value=0),
        gxe.ExpectColumnValuesToBeBetween(
            # GX builds the condition from the comparison: `not Column(...)` would be a Python bool.
            column="table_exists",
            min_value=1,
            row_condition=Column("is_optional") == False,  # noqa: E712
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rows_loaded",
            min_value=1,
            row_condition=Column("must_have_rows") == True,  # noqa: E712
        ),
    ]
    return SuiteSpec("landed_tables", expectations, ["table_name"])


def stage_order(loaded: LoadedContract) -> Slice:
    """Each person's first stage entries never go backwards along the funnel."""
    gxe = _gxe()
    keys = [s.key for s in loaded.contract.stages]
    columns = ", ".join(f"{k}_at" for k in keys)
    expectations = [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=f"{later}_at", column_B=f"{earlier}_at", or_equal=True, ignore_row_if="either_value_is_missing"
        )
        for earlier, later in combinations(keys, 2)
    ]
    reached = " + ".join(f"case when {k}_at is not null then 1 else 0 end" for k in keys)
    # Only people with two stages or more can be out of order.
    sql = f"select person_id, {columns} from marts.dim_people where not is_excluded and ({reached}) >= 2"
    return Slice(SuiteSpec("funnel_stage_order", expectations, ["person_id"]), sql)


def stage_evidence() -> SuiteSpec:
    """Every criterion that needs dated evidence (history, stage dates) finds some in the data:
    an export without it must not publish an empty stage (contract/evidence.py). Validates one
    row per criterion, computed from the run's data profile."""
    gxe = _gxe()
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="undated",
            max_value=0,
            meta={"why": "records exist, but nothing in the data dates this criterion: its stage would be empty"},
        )
    ]
    return SuiteSpec("stage_evidence", expectations, ["need"])


def rejected_values(loaded: LoadedContract) -> Slice:
    """Values the funnel cannot read (intermediate.int_rejected_values), within the tolerance."""
    gxe = _gxe()
    limit = loaded.contract.policies.quarantine_max_rows
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="rejected",
            max_value=limit,
            meta={"why": f"more than policies.quarantine_max_rows ({limit}) values could not be read"},
        )
    ]
    sql = """
        select source, field, reason, count(*) as rejected
        from intermediate.int_rejected_values
        group by source, field, reason
        union all
        select 'all', 'all', 'all', count(*) from intermediate.int_rejected_values
    """
    return Slice(SuiteSpec("rejected_values", expectations, ["source", "field", "reason"]), sql)


def value_warnings() -> Slice:
    """Values that parse but look wrong (intermediate.int_value_warnings), by kind."""
    gxe = _gxe()
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="records",
            max_value=0,
            meta={
                "why": "values that look wrong: a policy in funnel.yml (policies.suspicious_values) says whether "
                "they only warn or block the run"
            },
        )
    ]
    sql = "select kind, count(*) as records from intermediate.int_value_warnings group by kind"
    return Slice(SuiteSpec("value_warnings", expectations, ["kind"]), sql)


def daily_totals() -> Slice:
    """funnel_daily adds up to exactly the stage entries, stage by stage."""
    gxe = _gxe()
    sql = """
        with daily as (select stage, sum(entries) as daily_total from marts.funnel_daily group by stage),
        facts as (select stage, count(*) as entry_total from marts.fct_stage_entries group by stage)
        select coalesce(daily.stage, facts.stage) as stage,
               coalesce(daily.daily_total, 0) as daily_total,
               coalesce(facts.entry_total, 0) as entry_total
        from daily full outer join facts on facts.stage = daily.stage
    """
    expectations = [gxe.ExpectColumnPairValuesToBeEqual(column_A="daily_total", column_B="entry_total")]
    return Slice(SuiteSpec("funnel_daily_totals", expectations, ["stage"]), sql)


def _deal_stage(loaded: LoadedContract) -> str | None:
    """The first stage a deal's creation enters (the contract's opportunity), if any."""
    for stage in loaded.contract.stages:
        if any(node.kind == "deal_created" for node in loaded.criteria[stage.key].entry.walk()):
            return stage.key
    return None


def won_deals(loaded: LoadedContract) -> Slice:
    """Every won deal of a counted person has an entry in the stage deals enter (opportunity)."""
    gxe = _gxe()
    stage = _deal_stage(loaded)
    column = f"people.{stage}_at" if stage else "cast(null as timestamp)"
    sql = f"""
        select deals.deal_id, {column} as deal_stage_at
        from marts.pipeline_deals as deals
        join marts.dim_people as people on people.person_id = deals.primary_person_id
        where deals.is_won and not people.is_excluded {"" if stage else "and false"}
    """
    expectations = [gxe.ExpectColumnValuesToNotBeNull(column="deal_stage_at")]
    return Slice(SuiteSpec("won_deals_have_opportunity", expectations, ["deal_id"]), sql)


def alignment(loaded: LoadedContract, team: str) -> Slice:
    """A team's numbers stay within the contract's tolerance of the canonical ones.

    One expectation per metric the team reports, each restricted to that metric's rows, so a
    failure names the metric; the tolerance itself is recorded in the expectation's meta.
    """
    from great_expectations.expectations.row_conditions import Column

    gxe = _gxe()
    alignment_spec = loaded.contract.alignment
    expectations = []
    for team_metric, metric in alignment_spec.teams[team].reports.items():
        tolerance = alignment_spec.tolerances[metric]
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="allowed_delta",
                column_B="abs_delta",
                or_equal=True,
                # A signed-off period (status accepted) is outside tolerance on purpose.
                row_condition=(Column("team_metric") == team_metric) & (Column("is_accepted") == False),  # noqa: E712
                meta={
                    "metric": metric,
                    "team_metric": team_metric,
                    "tolerance_relative": tolerance.relative,
                    "tolerance_absolute": tolerance.absolute,
                    "severity": tolerance.severity,
                },
            )
        )
    if alignment_spec.teams[team].views:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="unexplained_delta",
                min_value=0,
                max_value=0,
                row_condition=Column("has_team_view") == True,  # noqa: E712 (a GX condition, not a test)
                meta={
                    "severity": "warn",
                    "why": "the reported number differs from what the team's own tool counts under its view",
                },
            )
        )
    sql = f"""
        select team, team_metric, metric, period_start, period_end, team_value, canonical_value,
               delta, abs_delta, allowed_delta, severity, status, has_team_view, team_computed_value,
               explained_delta, unexplained_delta, is_accepted, acceptance_state, accepted_by, accepted_on,
               accepted_reason
        from marts.alignment_reconciliation
        where team = {_quote(team)}
        order by team_metric, period_start
    """
    return Slice(SuiteSpec(f"alignment_{team}", expectations, ["team_metric", "period_start"]), sql)
