"""The sample company as Fivetran lands it: HubSpot's, Salesforce's and the ad platforms' tables
in a DuckDB file, so the funnel can be run on Fivetran-landed data and compared with the files path.

Everything is read straight from the generated files with DuckDB (`read_text` + JSON functions for
the API pages, `read_csv` for the ad exports) in set-based SQL; nothing of the product is imported,
so this module stays a generator of inputs, independent of the loaders it helps test.

Column names and types follow Fivetran's published schemas (the `get_<table>_columns` macros of
Fivetran's dbt packages; see the research notes in /work/research/fivetran_columns.md): HubSpot
properties land as typed `property_<name>` columns, Salesforce fields in snake_case, ad reports at
their connectors' grain (Google and Microsoft segmented by device and network, Facebook at ad level).

Two sync modes, as a Fivetran connection offers them (`mode=` on each writer):

- `soft_delete` (Fivetran's default): one row per record, `_fivetran_deleted` true for a record
  deleted in the source, `_fivetran_synced` the sync that last wrote the row.
- `history`: one row per version of each record, `_fivetran_start` / `_fivetran_end` /
  `_fivetran_active` instead of `_fivetran_deleted`; the active version ends in the far future, a
  deleted record's last version is inactive and ends at the deletion.

Association and report tables hold the same rows in both modes; only their system columns differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

MODES = ("soft_delete", "history")

# Fivetran's end of an active version.
FAR_FUTURE = "timestamptz '9999-12-31 23:59:59+00'"

# Fivetran stamps every HubSpot row with the portal (HubSpot account) it came from. The pages do not
# say which portal they are from, so the sample company's portal gets a fixed id.
PORTAL_ID = 24681357

# Fivetran syncs a connection every six hours by default: a change is landed by the next sync.
SYNC_HOURS = 6

HUBSPOT_SCHEMA = "hubspot"
SALESFORCE_SCHEMA = "salesforce"
AD_SCHEMAS = ("google_ads", "linkedin_ads", "facebook_ads", "microsoft_ads")


# ------------------------------------------------------------------------------------------------
# Shared machinery: reading pages, syncing instants, landing versions in either mode.
# ------------------------------------------------------------------------------------------------


def _check_mode(mode: str) -> None:
    """Refuse a mode Fivetran does not have, before anything is written."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, with instants read and written in UTC as Fivetran writes them (the session
    zone only affects this connection)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("set TimeZone = 'UTC'")
    return con


def _files(folder: Path, *patterns: str) -> list[Path]:
    """The files of the documented layout under `folder`, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted({path for pattern in patterns for path in folder.glob(pattern) if path.is_file()})


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _read_records(con: duckdb.DuckDBPyConnection, table: str, files: list[Path], records_path: str) -> None:
    """Temp table `table` (filename, rec): every record of the JSON pages, one row each. A layout
    without the folder gives an empty table, as a connector that synced no such object."""
    if not files:
        con.execute(
            f"create or replace temp table {table} as select null::varchar as filename, null::json as rec where false"
        )
        return
    con.execute(
        f"""
        create or replace temp table {table} as
        select filename, unnest(json_extract(content, '{records_path}')) as rec
        from read_text({_sql_list(files)})
        """
    )


def _synced(instant: str) -> str:
    """SQL: the first sync after `instant` (Fivetran's six-hourly syncs, on UTC hour boundaries)."""
    seconds = SYNC_HOURS * 3600
    return f"to_timestamp((floor(epoch({instant}) / {seconds}) + 1) * {seconds})"


def _land(
    con: duckdb.DuckDBPyConnection,
    table: str,
    versions: str,
    key: list[str],
    mode: str,
    *,
    soft_deleted: bool = True,
) -> None:
    """Create `table` from `versions`: the record's columns plus `_start` (when the version began in
    the source) and `_deleted_at` (when the record was deleted, else NULL; on every version).

    Soft delete keeps the latest version per key, flagged `_fivetran_deleted` (when Fivetran's
    schema has that column for the table: `soft_deleted`), synced by the sync that saw the change,
    or, for a deleted record, at the deletion (the sync that saw it). History keeps every version:
    each ends just before the next begins (Fivetran: "the time until which the record was active
    minus epsilon"), the last one in the far future, or at the deletion, inactive.
    """
    keys = ", ".join(key)
    if mode == "soft_delete":
        flag = "_deleted_at is not null as _fivetran_deleted, " if soft_deleted else ""
        sql = f"""
        select * exclude (_start, _deleted_at, _version),
            {flag}coalesce(_deleted_at, {_synced("_start")}) as _fivetran_synced
        from (
            select *, row_number() over (partition by {keys} order by _start desc) as _version
            from ({versions})
        )
        where _version = 1
        """
    else:
        # History mode does not restamp _fivetran_synced for a deletion (Fivetran's system-columns
        # documentation): a closed version was last written by the sync that saw its successor.
        sql = f"""
        select * exclude (_start, _deleted_at, _next),
            _start as _fivetran_start,
            coalesce(_next - interval 1 millisecond, _deleted_at, {FAR_FUTURE}) as _fivetran_end,
            _next is null and _deleted_at is null as _fivetran_active,
            {_synced("coalesce(_next, _start)")} as _fivetran_synced
        from (
            select *, lead(_start) over (partition by {keys} order by _start) as _next
            from ({versions})
        )
        """
    con.execute(f"create table {table} as {sql}")


def _land_changes(
    con: duckdb.DuckDBPyConnection, table: str, changes: str, partition: list[str], at: str, with_history: bool
) -> None:
    """Create `table` from `changes`, a property's change log (one row per value it took at `at`).

    HubSpot's property-history tables are history tables of their own: a value is active from its
    change until the next change of the same property (`deal_stage` always carries the columns; the
    property-history tables carry them when the connection is in history mode)."""
    if not with_history:
        con.execute(f"create table {table} as select *, {_synced(at)} as _fivetran_synced from ({changes})")
        return
    window = f"over (partition by {', '.join(partition)} order by {at}, value)"
    con.execute(
        f"""
        create table {table} as
        select * exclude (_next),
            {at} as _fivetran_start,
            coalesce(_next - interval 1 millisecond, {FAR_FUTURE}) as _fivetran_end,
            _next is null as _fivetran_active,
            {_synced(f"coalesce(_next, {at})")} as _fivetran_synced
        from (select *, lead({at}) {window} as _next from ({changes}))
        """
    )


def _reset_schemas(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> None:
    """Start each schema empty: a re-landing never keeps a table of another mode or sample."""
    for schema in schemas:
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")


def _counts(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, int]:
    """{schema.table: rows} of every table written into `schemas` of the warehouse."""
    catalog = con.execute("select current_database()").fetchone()[0]
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2",
        [catalog, *schemas],
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
        for schema, table in tables
    }


def _write(warehouse: Path, schemas: tuple[str, ...], build) -> dict[str, int]:
    """Run `build(con)` in one transaction after emptying `schemas`; their row counts."""
    con = _connect(warehouse)
    try:
        con.execute("begin transaction")
        _reset_schemas(con, schemas)
        build(con)
        con.execute("commit")
        return _counts(con, schemas)
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------
# HubSpot
# ------------------------------------------------------------------------------------------------

# Property types where Fivetran does not land a string (HubSpot's number and owner properties).
# Every other property is a string, except dates and date-times (see _property_type).
_PROPERTY_TYPES = {
    "hubspotscore": "double",
    "hubspot_owner_id": "bigint",
    "associatedcompanyid": "bigint",
    "numberofemployees": "bigint",
    "amount": "double",
}

# Properties whose value is the date a record entered a stage: in a version before that date the
# record had not entered it yet.
_STAGE_DATE_PREFIXES = (
    "hs_lifecyclestage_",
    "hs_v2_date_entered_",
    "hs_date_entered_",
    "hs_v2_date_exited_",
    "hs_date_exited_",
)

# Properties HubSpot sets to the instant of each change.
_MODIFIED_AT = ("lastmodifieddate", "hs_lastmodifieddate")


def _property_type(name: str) -> str:
    """The DuckDB type Fivetran gives a HubSpot property: numbers and ids typed, date-times as
    instants, text as text."""
    if name in _PROPERTY_TYPES:
        return _PROPERTY_TYPES[name]
    if name.endswith("date") or name.startswith(_STAGE_DATE_PREFIXES):
        return "timestamptz"
    return "varchar"


def _is_stage_date(name: str) -> bool:
    """Whether a property dates a stage entry (empty in a version before the record got there)."""
    return name.startswith(_STAGE_DATE_PREFIXES) and _property_type(name) == "timestamptz"


@dataclass(frozen=True)
class _Column:
    """One landed column of a CRM object: read from `property` of the record, typed `kind`."""

    name: str
    property: str
    kind: str

    def current(self, record: str = "c") -> str:
        """SQL: the value as the pages hold it today, typed (a value that does not parse is NULL,
        as Fivetran leaves a value its column type cannot hold)."""
        return f"try_cast({record}.props->>'{self.property}' as {self.kind})"


def _crm_records(con: duckdb.DuckDBPyConnection, data_dir: Path, folder: str) -> str:
    """Temp table hs_<folder>: one row per record of `<folder>/` (live) and `<folder>_archived/`
    (archived) pages, the latest `updatedAt` when a record is listed twice."""
    table = f"hs_{folder}"
    files = _files(data_dir / "hubspot", f"{folder}/*.json", f"{folder}_archived/*.json")
    _read_records(con, f"{table}_pages", files, "$.results[*]")
    con.execute(
        f"""
        create or replace temp table {table} as
        select
            cast(rec->>'id' as bigint) as id,
            rec->'properties' as props,
            rec->'propertiesWithHistory' as history,
            cast(rec->>'createdAt' as timestamptz) as created_at,
            cast(rec->>'updatedAt' as timestamptz) as updated_at,
            coalesce(cast(rec->>'archived' as boolean), false) as archived,
            cast(rec->>'archivedAt' as timestamptz) as archived_at
        from {table}_pages
        qualify row_number() over (
            partition by rec->>'id' order by cast(rec->>'updatedAt' as timestamptz) desc) = 1
        """
    )
    return table


def _crm_history(con: duckdb.DuckDBPyConnection, records: str) -> str:
    """Temp table <records>_changes (id, name, value, timestamp, source, source_id): every entry of
    every record's propertiesWithHistory."""
    table = f"{records}_changes"
    con.execute(
        f"""
        create or replace temp table {table} as
        with names as (
            select id, history, unnest(json_keys(history)) as name from {records} where history is not null
        ),
        entries as (
            select id, name, unnest(from_json(json_extract(history, '$."' || name || '"'), '["json"]')) as entry
            from names
        )
        select id, name, entry->>'value' as value, cast(entry->>'timestamp' as timestamptz) as timestamp,
            entry->>'sourceType' as source, entry->>'sourceId' as source_id
        from entries
        """
    )
    return table


def _property_columns(con: duckdb.DuckDBPyConnection, records: str, landed_apart: dict[str, str]) -> list[_Column]:
    """`property_<name>` for every property the pages carry (Fivetran lands them all), except the
    ones Fivetran lands under a column of their own (`landed_apart`: property → column) and the
    record id."""
    names = [
        row[0]
        for row in con.execute(
            f"select distinct unnest(json_keys(props)) as name from {records} order by name"
        ).fetchall()
    ]
    columns = [_Column(column, name, _property_type(name)) for name, column in landed_apart.items()]
    columns += [
        _Column(f"property_{name}", name, _property_type(name))
        for name in names
        if name != "hs_object_id" and name not in landed_apart
    ]
    return columns


def _as_of(column: _Column, history_names: list[str]) -> str:
    """SQL: `column` as it was at the start `v._start` of an earlier version (aliases: `c` the
    record, `a` its property values at that instant)."""
    if column.property in _MODIFIED_AT:
        return "v._start"
    if column.property in history_names:
        slot = history_names.index(column.property)
        return f"case when a.has_{slot} then try_cast(a.at_{slot} as {column.kind}) else {column.current()} end"
    if _is_stage_date(column.property):
        return f"case when {column.current()} <= v._start then {column.current()} end"
    return column.current()


def _crm_versions(
    con: duckdb.DuckDBPyConnection,
    records: str,
    changes: str,
    columns: list[_Column],
    key: str,
    starts: str,
    instants: str,
    constants: dict[str, tuple[str, str]],
) -> str:
    """SQL: every version of every record of `records`, for `_land`.

    The last version is the record as the pages hold it, from `starts.final_start`. Earlier versions
    begin at each of `instants` (id, _start) before it; in each, a property with a change log
    (`changes`) has the value it had then, a stage date the record had not reached yet is empty,
    the last-modified date is the version's start, and other properties keep their value (the pages
    hold no older one). `constants`: column → (SQL in the last version, SQL in earlier ones).
    """
    history_names = [row[0] for row in con.execute(f"select distinct name from {changes} order by name").fetchall()]
    history_names = [name for name in history_names if name in {c.property for c in columns}]
    slots = (
        ",\n".join(
            f"bool_or(h.name = '{name}') as has_{i}, "
            f"arg_max(h.value, h.timestamp) filter (where h.name = '{name}' and h.timestamp <= v._start) as at_{i}"
            for i, name in enumerate(history_names)
        )
        or "true as has_none"
    )
    current = ", ".join(f"{column.current()} as {column.name}" for column in columns)
    earlier = ", ".join(f"{_as_of(column, history_names)} as {column.name}" for column in columns)
    last_constants = "".join(f", {last} as {name}" for name, (last, _) in constants.items())
    earlier_constants = "".join(f", {before} as {name}" for name, (_, before) in constants.items())
    return f"""
        with earlier_starts as (
            select distinct i.id, i._start
            from ({instants}) as i
            join {starts} as s on s.id = i.id
            where i._start < s.final_start
        ),
        values_then as (
            select v.id, v._start, {slots}
            from earlier_starts as v
            left join {changes} as h on h.id = v.id
            group by v.id, v._start
        )
        select c.id as {key}{last_constants}, {current}, s.final_start as _start, s.deleted_at as _deleted_at
        from {records} as c
        join {starts} as s on s.id = c.id
        union all
        select c.id as {key}{earlier_constants}, {earlier}, v._start, s.deleted_at as _deleted_at
        from earlier_starts as v
        join values_then as a on a.id = v.id and a._start = v._start
        join {records} as c on c.id = v.id
        join {starts} as s on s.id = c.id
    """


def _crm_starts(con: duckdb.DuckDBPyConnection, records: str, changes: str, deleted_when: str) -> str:
    """Temp table <records>_starts (id, final_start, deleted_at): when the current version began
    and when the record was deleted (`deleted_when`, SQL over `c`, says which archived records are
    deletions).

    A live record's current version began at its last update. An archived record's pages show the
    archiving itself as its last update; the version Fivetran holds began at the last change before
    it (its creation, or the last entry of its property history)."""
    table = f"{records}_starts"
    con.execute(
        f"""
        create or replace temp table {table} as
        select c.id,
            case when c.archived
                then greatest(c.created_at, coalesce(last_change.at, c.created_at))
                else c.updated_at end as final_start,
            case when c.archived and ({deleted_when}) then c.archived_at end as deleted_at
        from {records} as c
        left join (
            select h.id, max(h.timestamp) as at
            from {changes} as h join {records} as r on r.id = h.id
            where h.timestamp < r.archived_at
            group by h.id
        ) as last_change on last_change.id = c.id
        """
    )
    return table


def _hubspot_contacts(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`contact` and `contact_property_history`.

    A contact merged into another is archived by HubSpot and leaves the API, but Fivetran does not
    delete it: it stays a live row, and its survivor names it in `property_hs_merged_object_ids`.
    Only a contact archived without being merged (deleted) is a deletion. The survivor's
    `hs_merged_object_ids` history gets one entry per merge, at the merge, listing the records
    merged into it so far: that is how a merge is dated in Fivetran's tables. HubSpot computes the
    property itself (it is read-only), so its changes are CALCULATED, not a rep's CRM_UI edits.

    HubSpot also keeps a contact's primary company in `associatedcompanyid`, which Fivetran lands
    like any property; the pages carry it as the primary contacts_to_companies association."""
    records = _crm_records(con, data_dir, "contacts")
    con.execute(
        f"""
        update {records} as c set props = json_merge_patch(c.props, json_object('associatedcompanyid', p.company_id))
        from (
            select from_id as contact_id, cast(min(to_id) as varchar) as company_id
            from hs_association_types
            where association = 'contacts_to_companies'
                and association_type->>'category' = 'HUBSPOT_DEFINED' and association_type->>'typeId' = '1'
            group by from_id
        ) as p
        where p.contact_id = c.id and c.props->>'associatedcompanyid' is null
        """
    )
    con.execute(
        f"""
        create or replace temp table hs_merges as
        with listed as (
            select id as survivor_id,
                try_cast(trim(unnest(string_split(props->>'hs_merged_object_ids', ';'))) as bigint) as merged_id
            from {records}
        )
        select listed.survivor_id, listed.merged_id, merged.archived_at as merged_at
        from listed join {records} as merged on merged.id = listed.merged_id
        where listed.merged_id <> listed.survivor_id and merged.archived
        """
    )
    changes = _crm_history(con, records)
    # Survivors whose pages carry no history of hs_merged_object_ids get the one the merges wrote.
    con.execute(
        f"""
        insert into {changes}
        select m.survivor_id, 'hs_merged_object_ids',
            string_agg(cast(so_far.merged_id as varchar), ';' order by so_far.merged_at, so_far.merged_id),
            m.merged_at, 'CALCULATED', 'hs_merged_object_ids'
        from hs_merges as m
        join hs_merges as so_far
            on so_far.survivor_id = m.survivor_id
            and (so_far.merged_at < m.merged_at or (so_far.merged_at = m.merged_at and so_far.merged_id <= m.merged_id))
        join {records} as survivor on survivor.id = m.survivor_id
        where json_extract(survivor.history, '$.hs_merged_object_ids') is null
        group by m.survivor_id, m.merged_id, m.merged_at
        """
    )
    starts = _crm_starts(con, records, changes, deleted_when="c.id not in (select merged_id from hs_merges)")
    columns = _property_columns(con, records, {})
    # Earlier versions: at creation and at each lifecycle-stage change.
    instants = f"""
        select id, created_at as _start from {records}
        union select id, timestamp from {changes} where name = 'lifecyclestage'
    """
    versions = _crm_versions(con, records, changes, columns, "id", starts, instants, {})
    _land(con, f"{HUBSPOT_SCHEMA}.contact", versions, ["id"], mode)
    _land_changes(
        con,
        f"{HUBSPOT_SCHEMA}.contact_property_history",
        f"select id as contact_id, name, value, timestamp, source, source_id from {changes}",
        ["contact_id", "name"],
        "timestamp",
        with_history=mode == "history",
    )


def _hubspot_companies(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`company`: a first version at creation and the current one (`is_deleted` is HubSpot's own
    flag, true for an archived company)."""
    records = _crm_records(con, data_dir, "companies")
    changes = _crm_history(con, records)
    starts = _crm_starts(con, records, changes, deleted_when="true")
    columns = _property_columns(con, records, {})
    instants = f"select id, created_at as _start from {records}"
    constants = {"portal_id": (str(PORTAL_ID), str(PORTAL_ID)), "is_deleted": ("c.archived", "false")}
    versions = _crm_versions(con, records, changes, columns, "id", starts, instants, constants)
    _land(con, f"{HUBSPOT_SCHEMA}.company", versions, ["id"], mode)


def _hubspot_deals(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`deal` (one version per dealstage change, keyed `deal_id`, pipeline, stage and owner landed
    apart from the properties) and `deal_stage`, Fivetran's own history of the stages a deal
    entered (a history table in both modes)."""
    records = _crm_records(con, data_dir, "deals")
    changes = _crm_history(con, records)
    starts = _crm_starts(con, records, changes, deleted_when="true")
    columns = _property_columns(
        con,
        records,
        {"pipeline": "deal_pipeline_id", "dealstage": "deal_pipeline_stage_id", "hubspot_owner_id": "owner_id"},
    )
    instants = f"""
        select id, created_at as _start from {records}
        union select id, timestamp from {changes} where name = 'dealstage'
    """
    constants = {"portal_id": (str(PORTAL_ID), str(PORTAL_ID)), "is_deleted": ("c.archived", "false")}
    versions = _crm_versions(con, records, changes, columns, "deal_id", starts, instants, constants)
    _land(con, f"{HUBSPOT_SCHEMA}.deal", versions, ["deal_id"], mode)
    _land_changes(
        con,
        f"{HUBSPOT_SCHEMA}.deal_stage",
        f"""select id as deal_id, value, timestamp as date_entered, source, source_id
            from {changes} where name = 'dealstage'""",
        ["deal_id"],
        "date_entered",
        with_history=True,
    )


def _hubspot_pipelines(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`deal_pipeline` and `deal_pipeline_stage` (HubSpot's closed flag as `is_closed`; Fivetran's
    older `closed_won` is deprecated and not landed)."""
    _read_records(con, "hs_pipeline_pages", _files(data_dir / "hubspot" / "pipelines", "deals.json"), "$.results[*]")
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.deal_pipeline",
        """
        select rec->>'id' as pipeline_id, rec->>'label' as label,
            cast(rec->>'displayOrder' as integer) as display_order,
            not coalesce(cast(rec->>'archived' as boolean), false) as active,
            cast(rec->>'createdAt' as timestamptz) as created_at, cast(rec->>'updatedAt' as timestamptz) as updated_at,
            cast(rec->>'updatedAt' as timestamptz) as _start,
            case when cast(rec->>'archived' as boolean) then cast(rec->>'updatedAt' as timestamptz) end as _deleted_at
        from hs_pipeline_pages""",
        ["pipeline_id"],
        mode,
    )
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.deal_pipeline_stage",
        """
        with stages as (
            select rec->>'id' as pipeline_id, unnest(from_json(rec->'stages', '["json"]')) as stage
            from hs_pipeline_pages
        )
        select stage->>'id' as stage_id, pipeline_id, stage->>'label' as label,
            cast(stage->>'displayOrder' as integer) as display_order,
            try_cast(stage->'metadata'->>'probability' as double) as probability,
            coalesce(lower(stage->'metadata'->>'isClosed') = 'true', false) as is_closed,
            not coalesce(cast(stage->>'archived' as boolean), false) as active,
            cast(stage->>'createdAt' as timestamptz) as created_at,
            cast(stage->>'updatedAt' as timestamptz) as updated_at,
            cast(stage->>'updatedAt' as timestamptz) as _start,
            case when cast(stage->>'archived' as boolean) then cast(stage->>'updatedAt' as timestamptz) end
                as _deleted_at
        from stages""",
        ["pipeline_id", "stage_id"],
        mode,
    )


def _hubspot_association_types(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Temp table hs_association_types (association, from_id, to_id, association_type): one row per
    association type (label) of each association of the association pages."""
    _read_records(
        con, "hs_association_pages", _files(data_dir / "hubspot" / "associations", "*/*.json"), "$.results[*]"
    )
    con.execute(
        """
        create or replace temp table hs_association_types as
        with targets as (
            select regexp_extract(filename, 'associations/([^/]+)/', 1) as association,
                cast(rec->'from'->>'id' as bigint) as from_id, unnest(from_json(rec->'to', '["json"]')) as target
            from hs_association_pages
        )
        select association, from_id, cast(target->>'toObjectId' as bigint) as to_id,
            unnest(from_json(target->'associationTypes', '["json"]')) as association_type
        from targets
        """
    )


def _hubspot_associations(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """`deal_contact` and `contact_company`: one row per association type (label) of each
    association, with HubSpot's category and type id (deal→contact "Primary" is USER_DEFINED 1001;
    a contact's primary company is HUBSPOT_DEFINED 1). Dated by the later-created of the two
    records: an association cannot be older than either end."""
    for table, association, (from_column, from_records), (to_column, to_records) in (
        ("deal_contact", "deals_to_contacts", ("deal_id", "hs_deals"), ("contact_id", "hs_contacts")),
        ("contact_company", "contacts_to_companies", ("contact_id", "hs_contacts"), ("company_id", "hs_companies")),
    ):
        _land(
            con,
            f"{HUBSPOT_SCHEMA}.{table}",
            f"""
            select a.from_id as {from_column}, a.to_id as {to_column},
                cast(a.association_type->>'typeId' as bigint) as type_id,
                a.association_type->>'category' as category,
                greatest(f.created_at, t.created_at) as _start, null::timestamptz as _deleted_at
            from hs_association_types as a
            left join {from_records} as f on f.id = a.from_id
            left join {to_records} as t on t.id = a.to_id
            where a.association = '{association}'""",
            [from_column, to_column, "type_id"],
            mode,
            soft_deleted=False,
        )


def _hubspot_owners(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`owner` (keyed `owner_id`; `active_user_id` is the owner's user id), and the teams of the
    owners' users: `team` and `team_user` (`is_secondary_user` unless it is the user's primary
    team)."""
    _read_records(con, "hs_owner_pages", _files(data_dir / "hubspot" / "owners", "*.json"), "$.results[*]")
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.owner",
        f"""
        select cast(rec->>'id' as bigint) as owner_id, rec->>'email' as email,
            rec->>'firstName' as first_name, rec->>'lastName' as last_name,
            cast(rec->>'userId' as bigint) as active_user_id,
            cast(rec->>'createdAt' as timestamptz) as created_at, cast(rec->>'updatedAt' as timestamptz) as updated_at,
            {PORTAL_ID} as portal_id, rec->>'type' as type,
            cast(rec->>'updatedAt' as timestamptz) as _start,
            case when cast(rec->>'archived' as boolean) then cast(rec->>'updatedAt' as timestamptz) end as _deleted_at
        from hs_owner_pages""",
        ["owner_id"],
        mode,
        soft_deleted=False,
    )
    con.execute(
        """
        create or replace temp table hs_owner_teams as
        select cast(rec->>'userId' as bigint) as user_id, cast(rec->>'createdAt' as timestamptz) as created_at,
            unnest(from_json(rec->'teams', '["json"]')) as team
        from hs_owner_pages
        """
    )
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.team",
        """
        select cast(team->>'id' as bigint) as id, min(team->>'name') as name,
            min(created_at) as _start, null::timestamptz as _deleted_at
        from hs_owner_teams group by 1""",
        ["id"],
        mode,
    )
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.team_user",
        """
        select cast(team->>'id' as bigint) as team_id, user_id,
            not coalesce(cast(team->>'primary' as boolean), false) as is_secondary_user,
            created_at as _start, null::timestamptz as _deleted_at
        from hs_owner_teams""",
        ["team_id", "user_id"],
        mode,
    )


def _hubspot_forms(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`form` (keyed by the form's `guid`) and `contact_form_submission`.

    Fivetran keeps no form fields: each submission is filed under the contact whose email the form
    carried (the smallest contact id with that email), and the visit's UTM values reach Fivetran
    only in the page URL, so they are put in its query string."""
    _read_records(con, "hs_form_pages", _files(data_dir / "hubspot" / "forms", "*.json"), "$.results[*]")
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.form",
        f"""
        select rec->>'id' as guid, rec->>'name' as name, rec->>'formType' as form_type,
            cast(rec->>'createdAt' as timestamptz) as created_at, cast(rec->>'updatedAt' as timestamptz) as updated_at,
            {PORTAL_ID} as portal_id,
            cast(rec->>'updatedAt' as timestamptz) as _start,
            case when cast(rec->>'archived' as boolean) then cast(rec->>'updatedAt' as timestamptz) end as _deleted_at
        from hs_form_pages""",
        ["guid"],
        mode,
    )
    _read_records(
        con, "hs_submission_pages", _files(data_dir / "hubspot" / "form_submissions", "*/*.json"), "$.results[*]"
    )
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.contact_form_submission",
        f"""
        with submissions as (
            select regexp_extract(filename, 'form_submissions/([^/]+)/', 1) as form_id,
                rec->>'conversionId' as conversion_id,
                -- The Forms API gives epoch milliseconds.
                timezone('UTC', epoch_ms(cast(rec->>'submittedAt' as bigint))) as submitted_at,
                rec->>'pageUrl' as page_url, rec->'values' as form_values
            from hs_submission_pages
        ),
        fields as (
            select conversion_id, field->>'name' as name, field->>'value' as value
            from (select conversion_id, unnest(from_json(form_values, '["json"]')) as field from submissions)
        ),
        submitted as (
            select s.*,
                (select max(f.value) from fields as f where f.conversion_id = s.conversion_id and f.name = 'email')
                    as email,
                (select string_agg(f.name || '=' || f.value, '&' order by f.name) from fields as f
                 where f.conversion_id = s.conversion_id and starts_with(f.name, 'utm_')) as utm_query
            from submissions as s
        ),
        emails as (
            select props->>'email' as email, min(id) as contact_id from hs_contacts group by 1
        )
        select emails.contact_id, submitted.conversion_id, submitted.form_id, submitted.submitted_at as timestamp,
            submitted.page_url || coalesce('?' || submitted.utm_query, '') as page_url,
            null::bigint as page_id, {PORTAL_ID} as portal_id, null::varchar as title,
            submitted.submitted_at as _start, null::timestamptz as _deleted_at
        from submitted join emails on emails.email = submitted.email""",
        ["conversion_id"],
        mode,
        soft_deleted=False,
    )


# Engagement folders (GET /crm/v3/objects/<folder>) -> the suffix of Fivetran's engagement_<type>.
_ENGAGEMENT_TYPES = {"calls": "call", "emails": "email", "meetings": "meeting", "notes": "note", "tasks": "task"}
# Engagement properties Fivetran does not land as text: HubSpot's date-time and number properties
# (hs_createdate, hs_lastmodifieddate and the owner are typed by _property_type already).
_ENGAGEMENT_PROPERTY_TYPES = {
    "hs_timestamp": "timestamptz",
    "hs_meeting_start_time": "timestamptz",
    "hs_meeting_end_time": "timestamptz",
    "hs_call_duration": "double",
}
# Columns every engagement_<type> table has, whether or not the pages carry the property.
_ENGAGEMENT_BASE = ("hs_createdate", "hs_timestamp", "hubspot_owner_id")


def _hubspot_engagements(con: duckdb.DuckDBPyConnection, data_dir: Path, mode: str) -> None:
    """`engagement` (id, type, portal), `engagement_<type>` (keyed `engagement_id`, every property
    as `property_<name>`) and `engagement_contact`.

    The engagement's `type` is HubSpot's engagement type: an email's is its direction (EMAIL,
    INCOMING_EMAIL, FORWARDED_EMAIL). `property_hubspot_team_id` is the owner's primary team, which
    HubSpot sets on the engagement; the pages do not carry it, the owners list does. One version per
    engagement (the pages hold no history of engagements). Runs after `_hubspot_owners` and
    `_hubspot_contacts` (their page tables date teams and associations)."""
    con.execute(
        """
        create or replace temp table hs_owner_primary_team as
        select owner_id, max(cast(team->>'id' as bigint)) as team_id
        from (
            select cast(rec->>'id' as bigint) as owner_id, unnest(from_json(rec->'teams', '["json"]')) as team
            from hs_owner_pages
        )
        where coalesce(cast(team->>'primary' as boolean), false)
        group by owner_id
        """
    )
    parents, links = [], []
    for folder, kind in _ENGAGEMENT_TYPES.items():
        records = _crm_records(con, data_dir, folder)
        columns = [
            _Column(c.name, c.property, _ENGAGEMENT_PROPERTY_TYPES.get(c.property, c.kind))
            for c in _property_columns(con, records, {})
        ]
        landed = {c.property for c in columns}
        columns += [
            _Column(f"property_{name}", name, _ENGAGEMENT_PROPERTY_TYPES.get(name, _property_type(name)))
            for name in _ENGAGEMENT_BASE
            if name not in landed
        ]
        type_sql = "coalesce(c.props->>'hs_email_direction', 'EMAIL')" if kind == "email" else f"'{kind.upper()}'"
        current = ", ".join(f"{column.current()} as {column.name}" for column in columns)
        _land(
            con,
            f"{HUBSPOT_SCHEMA}.engagement_{kind}",
            f"""
            select c.id as engagement_id, {type_sql} as type, {current}, t.team_id as property_hubspot_team_id,
                c.updated_at as _start, case when c.archived then c.archived_at end as _deleted_at
            from {records} as c
            left join hs_owner_primary_team as t on t.owner_id = try_cast(c.props->>'hubspot_owner_id' as bigint)""",
            ["engagement_id"],
            mode,
        )
        parents.append(
            f"""select c.id, {type_sql} as type, {PORTAL_ID} as portal_id, c.updated_at as _start,
                case when c.archived then c.archived_at end as _deleted_at from {records} as c"""
        )
        links.append(
            f"""select a.from_id as engagement_id, a.to_id as contact_id,
                a.association_type->>'category' as category, cast(a.association_type->>'typeId' as bigint) as type_id,
                greatest(e.created_at, k.created_at) as _start, null::timestamptz as _deleted_at
            from hs_association_types as a
            left join {records} as e on e.id = a.from_id
            left join hs_contacts as k on k.id = a.to_id
            where a.association = '{folder}_to_contacts'"""
        )
    _land(con, f"{HUBSPOT_SCHEMA}.engagement", " union all ".join(parents), ["id"], mode, soft_deleted=False)
    _land(
        con,
        f"{HUBSPOT_SCHEMA}.engagement_contact",
        " union all ".join(links),
        ["engagement_id", "contact_id", "type_id"],
        mode,
        soft_deleted=False,
    )


def write_fivetran_hubspot(data_dir: Path, warehouse: Path, mode: str = "soft_delete") -> dict[str, int]:
    """Write the HubSpot pages under `data_dir` as the tables Fivetran's HubSpot connector lands in
    schema `hubspot` of `warehouse`, in sync mode `mode`; {table: rows}."""
    _check_mode(mode)
    data_dir = Path(data_dir)

    def build(con: duckdb.DuckDBPyConnection) -> None:
        _hubspot_association_types(con, data_dir)
        _hubspot_contacts(con, data_dir, mode)
        _hubspot_companies(con, data_dir, mode)
        _hubspot_deals(con, data_dir, mode)
        _hubspot_pipelines(con, data_dir, mode)
        _hubspot_associations(con, mode)
        _hubspot_owners(con, data_dir, mode)
        _hubspot_forms(con, data_dir, mode)
        _hubspot_engagements(con, data_dir, mode)

    counts = _write(Path(warehouse), (HUBSPOT_SCHEMA,), build)
    return {name.split(".", 1)[1]: count for name, count in counts.items()}


# ------------------------------------------------------------------------------------------------
# Salesforce
# ------------------------------------------------------------------------------------------------

# Salesforce object → (Fivetran table, [(column, field, type)]). Fivetran snake-cases field names;
# date fields land as dates, date-time fields as instants. Only the fields the pages carry.
_SALESFORCE_OBJECTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "Lead": (
        "lead",
        [
            ("email", "Email", "varchar"),
            ("first_name", "FirstName", "varchar"),
            ("last_name", "LastName", "varchar"),
            ("company", "Company", "varchar"),
            ("status", "Status", "varchar"),
            ("lead_source", "LeadSource", "varchar"),
            ("is_converted", "IsConverted", "boolean"),
            ("converted_date", "ConvertedDate", "date"),
            ("converted_contact_id", "ConvertedContactId", "varchar"),
            ("converted_account_id", "ConvertedAccountId", "varchar"),
            ("converted_opportunity_id", "ConvertedOpportunityId", "varchar"),
            ("owner_id", "OwnerId", "varchar"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
        ],
    ),
    "LeadHistory": (
        "lead_history",
        [
            ("lead_id", "LeadId", "varchar"),
            ("field", "Field", "varchar"),
            ("old_value", "OldValue", "varchar"),
            ("new_value", "NewValue", "varchar"),
            ("created_date", "CreatedDate", "timestamptz"),
        ],
    ),
    "Contact": (
        "contact",
        [
            ("email", "Email", "varchar"),
            ("first_name", "FirstName", "varchar"),
            ("last_name", "LastName", "varchar"),
            ("account_id", "AccountId", "varchar"),
            ("owner_id", "OwnerId", "varchar"),
            ("lead_source", "LeadSource", "varchar"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
        ],
    ),
    "Account": (
        "account",
        [
            ("name", "Name", "varchar"),
            ("website", "Website", "varchar"),
            ("industry", "Industry", "varchar"),
            ("number_of_employees", "NumberOfEmployees", "bigint"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
        ],
    ),
    "Opportunity": (
        "opportunity",
        [
            ("account_id", "AccountId", "varchar"),
            ("name", "Name", "varchar"),
            ("stage_name", "StageName", "varchar"),
            ("amount", "Amount", "double"),
            ("currency_iso_code", "CurrencyIsoCode", "varchar"),
            ("type", "Type", "varchar"),
            ("lead_source", "LeadSource", "varchar"),
            ("owner_id", "OwnerId", "varchar"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("close_date", "CloseDate", "date"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
            ("is_closed", "IsClosed", "boolean"),
            ("is_won", "IsWon", "boolean"),
        ],
    ),
    "OpportunityHistory": (
        "opportunity_history",
        [
            ("opportunity_id", "OpportunityId", "varchar"),
            ("stage_name", "StageName", "varchar"),
            ("amount", "Amount", "double"),
            ("close_date", "CloseDate", "date"),
            ("created_date", "CreatedDate", "timestamptz"),
        ],
    ),
    "OpportunityContactRole": (
        "opportunity_contact_role",
        [
            ("opportunity_id", "OpportunityId", "varchar"),
            ("contact_id", "ContactId", "varchar"),
            ("is_primary", "IsPrimary", "boolean"),
            ("role", "Role", "varchar"),
        ],
    ),
    "User": (
        "user",
        [
            ("email", "Email", "varchar"),
            ("first_name", "FirstName", "varchar"),
            ("last_name", "LastName", "varchar"),
            ("department", "Department", "varchar"),
            ("is_active", "IsActive", "boolean"),
            ("created_date", "CreatedDate", "timestamptz"),
        ],
    ),
    "OpportunityStage": (
        "opportunity_stage",
        [
            ("master_label", "MasterLabel", "varchar"),
            ("api_name", "ApiName", "varchar"),
            ("sort_order", "SortOrder", "integer"),
            ("is_active", "IsActive", "boolean"),
            ("is_closed", "IsClosed", "boolean"),
            ("is_won", "IsWon", "boolean"),
            ("default_probability", "DefaultProbability", "double"),
        ],
    ),
    # Activities (fivetran/dbt_salesforce_source get_task_columns / get_event_columns).
    "Task": (
        "task",
        [
            ("who_id", "WhoId", "varchar"),
            ("what_id", "WhatId", "varchar"),
            ("owner_id", "OwnerId", "varchar"),
            ("subject", "Subject", "varchar"),
            ("status", "Status", "varchar"),
            ("priority", "Priority", "varchar"),
            ("is_closed", "IsClosed", "boolean"),
            ("task_subtype", "TaskSubtype", "varchar"),
            ("type", "Type", "varchar"),
            ("activity_date", "ActivityDate", "date"),
            ("completed_date_time", "CompletedDateTime", "timestamptz"),
            ("call_type", "CallType", "varchar"),
            ("call_disposition", "CallDisposition", "varchar"),
            ("call_duration_in_seconds", "CallDurationInSeconds", "integer"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
            ("system_modstamp", "SystemModstamp", "timestamptz"),
        ],
    ),
    "Event": (
        "event",
        [
            ("who_id", "WhoId", "varchar"),
            ("what_id", "WhatId", "varchar"),
            ("owner_id", "OwnerId", "varchar"),
            ("subject", "Subject", "varchar"),
            ("type", "Type", "varchar"),
            ("event_subtype", "EventSubtype", "varchar"),
            ("start_date_time", "StartDateTime", "timestamptz"),
            ("end_date_time", "EndDateTime", "timestamptz"),
            ("activity_date_time", "ActivityDateTime", "timestamptz"),
            ("activity_date", "ActivityDate", "date"),
            ("duration_in_minutes", "DurationInMinutes", "integer"),
            ("is_all_day_event", "IsAllDayEvent", "boolean"),
            ("show_as", "ShowAs", "varchar"),
            ("created_date", "CreatedDate", "timestamptz"),
            ("last_modified_date", "LastModifiedDate", "timestamptz"),
            ("system_modstamp", "SystemModstamp", "timestamptz"),
        ],
    ),
}

# Objects without an IsDeleted field. Fivetran flags deletions of the others with Salesforce's own
# `is_deleted` (Recycle Bin, then hard deletes) and adds no `_fivetran_deleted` to them ("For our
# Salesforce connector, we use the is_deleted column in the soft delete mode"); these two get it.
_SALESFORCE_WITHOUT_IS_DELETED = {"User", "OpportunityStage"}


def _salesforce_records(con: duckdb.DuckDBPyConnection, data_dir: Path, sobject: str) -> str:
    """Temp table sf_<table>: the object's fields as Fivetran's columns (id, fields, is_deleted),
    plus `_created` and `_modified` (the record's own clock, when it has one)."""
    table, fields = _SALESFORCE_OBJECTS[sobject]
    pages = f"sf_{table}_pages"
    _read_records(con, pages, _files(data_dir / "salesforce" / sobject, "*.json"), "$.records[*]")
    columns = ", ".join(f"try_cast(rec->>'{field}' as {kind}) as {column}" for column, field, kind in fields)
    is_deleted = (
        ""
        if sobject in _SALESFORCE_WITHOUT_IS_DELETED
        else ", coalesce(try_cast(rec->>'IsDeleted' as boolean), false) as is_deleted"
    )
    con.execute(
        f"""
        create or replace temp table sf_{table} as
        select rec->>'Id' as id, {columns}{is_deleted},
            try_cast(rec->>'CreatedDate' as timestamptz) as _created,
            try_cast(rec->>'LastModifiedDate' as timestamptz) as _modified
        from {pages}
        """
    )
    return f"sf_{table}"


def _salesforce_single_versions(records: str, fallback_start: str) -> str:
    """SQL: one version per record, begun at its last modification (or creation, or
    `fallback_start` for objects without a clock)."""
    return f"""
        select * exclude (_created, _modified), coalesce(_modified, _created, {fallback_start}) as _start,
            null::timestamptz as _deleted_at
        from {records}
    """


def _lead_versions() -> str:
    """SQL: every version of every Lead. The current one is the record; earlier ones begin at its
    creation and at each Status change or conversion LeadHistory logged before its last
    modification, with the status and conversion fields of that time."""
    return """
        with instants as (
            select id, _created as _start from sf_lead
            union
            select h.lead_id, h.created_date from sf_lead_history as h where h.field in ('Status', 'leadConverted')
        ),
        earlier as (
            select i.id, i._start from instants as i join sf_lead as l on l.id = i.id
            where i._start < coalesce(l._modified, l._created)
        ),
        states as (
            select e.id, e._start,
                arg_max(h.new_value, h.created_date) filter (where h.field = 'Status' and h.created_date <= e._start)
                    as status_then,
                arg_min(h.old_value, h.created_date) filter (where h.field = 'Status') as first_status,
                bool_or(h.field = 'leadConverted' and h.created_date <= e._start) as converted_then
            from earlier as e left join sf_lead_history as h on h.lead_id = e.id
            group by e.id, e._start
        )
        select * exclude (_created, _modified), coalesce(_modified, _created) as _start,
            null::timestamptz as _deleted_at
        from sf_lead
        union all by name
        select l.* exclude (_created, _modified, status, is_converted, converted_date, converted_contact_id,
                            converted_account_id, converted_opportunity_id, last_modified_date, is_deleted),
            coalesce(s.status_then, s.first_status, l.status) as status,
            coalesce(s.converted_then, false) as is_converted,
            case when s.converted_then then l.converted_date end as converted_date,
            case when s.converted_then then l.converted_contact_id end as converted_contact_id,
            case when s.converted_then then l.converted_account_id end as converted_account_id,
            case when s.converted_then then l.converted_opportunity_id end as converted_opportunity_id,
            s._start as last_modified_date, false as is_deleted,
            s._start, null::timestamptz as _deleted_at
        from states as s join sf_lead as l on l.id = s.id
    """


def _opportunity_versions() -> str:
    """SQL: every version of every Opportunity. The current one is the record; earlier ones begin at
    each OpportunityHistory entry before its last modification, with that entry's stage, amount
    and close date (closed and won as the stage picklist says)."""
    return """
        select * exclude (_created, _modified), coalesce(_modified, _created) as _start,
            null::timestamptz as _deleted_at
        from sf_opportunity
        union all by name
        select o.* exclude (_created, _modified, stage_name, amount, close_date, is_closed, is_won,
                            last_modified_date, is_deleted),
            h.stage_name, h.amount, h.close_date,
            coalesce(stage.is_closed, false) as is_closed, coalesce(stage.is_won, false) as is_won,
            h.created_date as last_modified_date, false as is_deleted,
            h.created_date as _start, null::timestamptz as _deleted_at
        from sf_opportunity_history as h
        join sf_opportunity as o on o.id = h.opportunity_id
        left join sf_opportunity_stage as stage on stage.api_name = h.stage_name
        where h.created_date < coalesce(o._modified, o._created)
        qualify row_number() over (partition by h.opportunity_id, h.created_date order by h.id desc) = 1
    """


def write_fivetran_salesforce(data_dir: Path, warehouse: Path, mode: str = "soft_delete") -> dict[str, int]:
    """Write the Salesforce REST pages under `data_dir` as the tables Fivetran's Salesforce
    connector lands in schema `salesforce` of `warehouse` (objects in snake_case), in sync mode
    `mode`; {schema.table: rows}. LeadHistory and OpportunityHistory are Salesforce's own audit
    objects, landed like any object (one version per entry)."""
    _check_mode(mode)
    data_dir = Path(data_dir)

    def build(con: duckdb.DuckDBPyConnection) -> None:
        for sobject in _SALESFORCE_OBJECTS:
            _salesforce_records(con, data_dir, sobject)
        # Objects without a clock of their own were there at the first sync, which saw the org's
        # oldest record.
        first_sync = _synced("(select min(_created) from sf_user)")
        for sobject, (table, _) in _SALESFORCE_OBJECTS.items():
            if table == "lead":
                versions = _lead_versions()
            elif table == "opportunity":
                versions = _opportunity_versions()
            elif table == "opportunity_contact_role":
                # A contact role is added to an opportunity: it is as old as the opportunity.
                versions = f"""
                    select r.* exclude (_created, _modified),
                        coalesce(r._modified, r._created, o._created, {first_sync}) as _start,
                        null::timestamptz as _deleted_at
                    from sf_opportunity_contact_role as r left join sf_opportunity as o on o.id = r.opportunity_id
                """
            else:
                versions = _salesforce_single_versions(f"sf_{table}", first_sync)
            _land(
                con,
                f'{SALESFORCE_SCHEMA}."{table}"',
                versions,
                ["id"],
                mode,
                soft_deleted=sobject in _SALESFORCE_WITHOUT_IS_DELETED,
            )

    return _write(Path(warehouse), (SALESFORCE_SCHEMA,), build)


# ------------------------------------------------------------------------------------------------
# Ad platforms
# ------------------------------------------------------------------------------------------------


def _manifest(data_dir: Path) -> dict:
    """The generator's manifest (company name, time zone), empty when absent."""
    path = data_dir / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _read_csvs(con: duckdb.DuckDBPyConnection, table: str, files: list[Path], columns: dict[str, str]) -> None:
    """Temp table `table`: the rows of every CSV export, typed (`columns`: column → SQL type; other
    columns of the export stay text)."""
    if not files:
        con.execute(
            f"create or replace temp table {table} as select "
            + ", ".join(f"null::{kind} as {name}" for name, kind in columns.items())
            + " where false"
        )
        return
    typed = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())
    con.execute(
        f"""
        create or replace temp table {table} as
        select * replace ({typed})
        from read_csv({_sql_list(files)}, header = true, all_varchar = true, union_by_name = true)
        """
    )


def _split(value: str, low: str, high: str) -> str:
    """SQL: the part of integer `value` between cumulative percentages `low` and `high`; the parts of
    a split sum back to `value` exactly."""
    return f"(({value}) * {high} // 100 - ({value}) * {low} // 100)"


def _split_conversions(value: str, low: str, high: str, first: str) -> str:
    """SQL: conversions split like counts when whole; fractional (modelled) conversions stay whole on
    the `first` segment, since a split would not sum back exactly."""
    return (
        f"case when {value} = floor({value}) then cast({_split(f'cast({value} as bigint)', low, high)} as double) "
        f"when {first} then {value} else 0.0 end"
    )


# Report segments: a campaign-day is split over 2 segments one day, 3 the next (cumulative
# percentages of its metrics).
_SEGMENTS = """
    (values
        (2, 0, 0, 60, 'DESKTOP', 'SEARCH', 'Computer', 'Windows', 'Microsoft sites and select traffic'),
        (2, 1, 60, 100, 'MOBILE', 'SEARCH', 'Smartphone', 'Android', 'Microsoft sites and select traffic'),
        (3, 0, 0, 50, 'MOBILE', 'SEARCH', 'Smartphone', 'iOS', 'Microsoft sites and select traffic'),
        (3, 1, 50, 85, 'DESKTOP', 'SEARCH', 'Computer', 'Windows', 'Microsoft sites and select traffic'),
        (3, 2, 85, 100, 'TABLET', 'CONTENT', 'Tablet', 'iOS', 'Syndicated search partners')
    ) as g(segment_count, segment_index, low, high, device, ad_network_type, device_type, device_os, network)
"""


def _segment_count(day: str) -> str:
    """SQL: over how many segments a campaign-day is split (alternating 2 and 3 by day), so both
    shapes of a segmented report occur."""
    return f"(2 + (({day}) - date '2000-01-01') % 2)"


def _google_ads(con: duckdb.DuckDBPyConnection, data_dir: Path, manifest: dict) -> None:
    """google_ads: `campaign_stats` segmented by device and ad network (`id` is the campaign, the
    customer id an integer without its dashes), `campaign_history` (two versions per campaign: a
    draft, then the live campaign with the export's name) and `account_history`."""
    _read_csvs(
        con,
        "gads_stats",
        _files(data_dir / "ads" / "google_ads", "*.csv"),
        {"date": "date", "cost_micros": "bigint", "clicks": "bigint", "impressions": "bigint", "conversions": "double"},
    )
    con.execute("create schema if not exists google_ads")
    con.execute(
        f"""
        create table google_ads.campaign_stats as
        select cast(s.campaign_id as bigint) as id, cast(replace(s.customer_id, '-', '') as bigint) as customer_id,
            s.date,
            {_split("s.cost_micros", "g.low", "g.high")} as cost_micros,
            {_split("s.clicks", "g.low", "g.high")} as clicks,
            {_split("s.impressions", "g.low", "g.high")} as impressions,
            {_split_conversions("s.conversions", "g.low", "g.high", "g.segment_index = 0")} as conversions,
            0.0::double as conversions_value, 0::bigint as view_through_conversions,
            g.device, g.ad_network_type,
            md5(concat_ws('|', s.customer_id, s.campaign_id, s.date, g.device, g.ad_network_type)) as _fivetran_id,
            {_synced("cast(s.date + 1 as timestamptz)")} as _fivetran_synced
        from gads_stats as s
        join {_SEGMENTS} on g.segment_count = {_segment_count("s.date")}
        """
    )
    con.execute(
        """
        create table google_ads.campaign_history as
        with campaigns as (
            select campaign_id, any_value(customer_id) as customer_id, arg_max(campaign_name, date) as name,
                min(date) as first_day
            from gads_stats group by campaign_id
        ),
        versions as (
            select campaign_id, customer_id, name || ' (draft)' as name, 'PAUSED' as status,
                cast(first_day - 21 as timestamptz) + interval 15 hour as updated_at, false as is_latest
            from campaigns
            union all
            select campaign_id, customer_id, name, 'ENABLED',
                cast(first_day - 2 as timestamptz) + interval 15 hour, true
            from campaigns
        )
        select cast(campaign_id as bigint) as id, name, cast(replace(customer_id, '-', '') as bigint) as customer_id,
            updated_at, status, is_latest as _fivetran_active,
            """
        + _synced("updated_at")
        + """ as _fivetran_synced
        from versions
        """
    )
    con.execute(
        f"""
        create table google_ads.account_history as
        select cast(replace(customer_id, '-', '') as bigint) as id,
            arg_max(customer_currency_code, date) as currency_code,
            ? as descriptive_name, ? as time_zone, true as auto_tagging_enabled,
            cast(min(date) - 30 as timestamptz) + interval 15 hour as updated_at, true as _fivetran_active,
            {_synced("cast(min(date) - 30 as timestamptz) + interval 15 hour")} as _fivetran_synced
        from gads_stats group by customer_id
        """,
        [manifest.get("company", {}).get("name"), manifest.get("timezone")],
    )


def _linkedin_ads(con: duckdb.DuckDBPyConnection, data_dir: Path, manifest: dict) -> None:
    """linkedin_ads: `ad_analytics_by_campaign` (campaign × day; `day` a midnight timestamp; cost in
    the account's currency and in USD at the day's rate), `campaign_history` (two versions per
    campaign) and `account_history`."""
    _read_csvs(
        con,
        "li_stats",
        _files(data_dir / "ads" / "linkedin_ads", "*.csv"),
        {
            "date": "date",
            "cost_in_local_currency": "decimal(18, 2)",
            "clicks": "bigint",
            "impressions": "bigint",
            "external_website_conversions": "double",
        },
    )
    _read_csvs(con, "fx_rates", _files(data_dir / "fx", "fx_rates_daily*.csv"), {"date": "date", "rate": "double"})
    con.execute("create schema if not exists linkedin_ads")
    con.execute(
        f"""
        create table linkedin_ads.ad_analytics_by_campaign as
        select cast(s.campaign_id as bigint) as campaign_id, cast(s.date as timestamp) as day,
            s.cost_in_local_currency,
            case when upper(s.currency) = 'USD' then s.cost_in_local_currency
                 else cast(round(s.cost_in_local_currency * fx.rate, 2) as decimal(18, 2)) end as cost_in_usd,
            s.clicks, s.impressions, cast(s.external_website_conversions as bigint) as external_website_conversions,
            {_synced("cast(s.date + 1 as timestamptz)")} as _fivetran_synced
        from li_stats as s
        left join fx_rates as fx
            on fx.date = s.date and upper(fx.from_currency) = upper(s.currency) and upper(fx.to_currency) = 'USD'
        """
    )
    con.execute(
        f"""
        create table linkedin_ads.campaign_history as
        with campaigns as (
            select campaign_id, any_value(account_id) as account_id, arg_max(campaign_name, date) as name,
                min(date) as first_day
            from li_stats group by campaign_id
        ),
        versions as (
            select *, name || ' (draft)' as version_name, 'DRAFT' as status, 1 as version,
                cast(first_day - 21 as timestamptz) + interval 15 hour as last_modified_time
            from campaigns
            union all
            select *, name, 'ACTIVE', 2, cast(first_day - 2 as timestamptz) + interval 15 hour from campaigns
        )
        select cast(campaign_id as bigint) as id, version_name as name, cast(account_id as bigint) as account_id,
            status, 'TEXT_AD' as type, cast(first_day - 21 as timestamptz) + interval 15 hour as created_time,
            last_modified_time, cast(version as varchar) as version_tag,
            {_synced("last_modified_time")} as _fivetran_synced
        from versions
        """
    )
    con.execute(
        f"""
        create table linkedin_ads.account_history as
        select cast(account_id as bigint) as id, ? as name, arg_max(currency, date) as currency,
            'ACTIVE' as status, 'BUSINESS' as type,
            cast(min(date) - 30 as timestamptz) + interval 15 hour as created_time,
            cast(min(date) - 30 as timestamptz) + interval 15 hour as last_modified_time, '1' as version_tag,
            {_synced("cast(min(date) - 30 as timestamptz) + interval 15 hour")} as _fivetran_synced
        from li_stats group by account_id
        """,
        [manifest.get("company", {}).get("name")],
    )


def _facebook_ads(con: duckdb.DuckDBPyConnection, data_dir: Path, manifest: dict) -> None:
    """facebook_ads: the ad-level report `basic_ad` (each campaign-day spread over the campaign's
    one or two ads, summing back exactly; spend in cents), leads in `basic_ad_actions`, and
    `ad_history`, `campaign_history` (two versions) and `account_history` (two syncs per account,
    the later one right: the table has no update time, the latest sync is the account)."""
    _read_csvs(
        con,
        "fb_stats",
        _files(data_dir / "ads" / "meta_ads", "*.csv"),
        {
            "date_start": "date",
            "spend": "decimal(18, 2)",
            "clicks": "bigint",
            "impressions": "bigint",
            "conversions": "double",
        },
    )
    con.execute("create schema if not exists facebook_ads")
    # Meta ids are snowflakes issued close together: a campaign's ad set and ads are numbered just
    # after it. Every other campaign runs two ads.
    con.execute(
        """
        create or replace temp table fb_ads as
        with campaigns as (
            select campaign_id, any_value(account_id) as account_id, arg_max(campaign_name, date_start) as name,
                min(date_start) as first_day,
                dense_rank() over (order by campaign_id) % 2 + 1 as ad_count
            from fb_stats group by campaign_id
        )
        select c.*, cast(c.campaign_id as bigint) + 101 as ad_set_id, cast(c.campaign_id as bigint) + 201 + k as ad_id,
            k as ad_index,
            case when c.ad_count = 1 then 0 else [0, 60][k + 1] end as low,
            case when c.ad_count = 1 then 100 else [60, 100][k + 1] end as high
        from campaigns as c, range(2) as r(k)
        where k < c.ad_count
        """
    )
    con.execute(
        f"""
        create or replace temp table fb_ad_days as
        select cast(a.ad_id as varchar) as ad_id, a.name || ' - ad ' || (a.ad_index + 1) as ad_name,
            a.name || ' - ad set' as adset_name, s.date_start as date,
            cast(regexp_replace(s.account_id, '^act_', '') as bigint) as account_id,
            {_split("s.impressions", "a.low", "a.high")} as impressions,
            {_split("s.clicks", "a.low", "a.high")} as inline_link_clicks,
            {_split("cast(round(s.spend * 100) as bigint)", "a.low", "a.high")} / 100.0 as spend,
            {_split_conversions("s.conversions", "a.low", "a.high", "a.ad_index = 0")} as leads
        from fb_stats as s join fb_ads as a on a.campaign_id = s.campaign_id
        """
    )
    con.execute(
        f"""
        create table facebook_ads.basic_ad as
        select ad_id, ad_name, adset_name, date, account_id, impressions, inline_link_clicks, spend,
            impressions * 4 // 5 as reach,
            case when impressions * 4 // 5 > 0 then impressions / (impressions * 4 // 5) end as frequency,
            {_synced("cast(date + 1 as timestamptz)")} as _fivetran_synced
        from fb_ad_days
        """
    )
    # Only actions that happened are reported: a day without leads has no row.
    con.execute(
        f"""
        create table facebook_ads.basic_ad_actions as
        select ad_id, date, 'offsite_conversion.fb_pixel_lead' as action_type, leads as value, 0 as index,
            md5(concat_ws('|', ad_id, date, 'offsite_conversion.fb_pixel_lead')) as _fivetran_id,
            {_synced("cast(date + 1 as timestamptz)")} as _fivetran_synced
        from fb_ad_days where leads > 0
        """
    )
    con.execute(
        f"""
        create table facebook_ads.ad_history as
        select ad_id as id, cast(campaign_id as bigint) as campaign_id, ad_set_id,
            cast(regexp_replace(account_id, '^act_', '') as bigint) as account_id,
            name || ' - ad ' || (ad_index + 1) as name,
            cast(first_day - 2 as timestamptz) + interval 15 hour as updated_time,
            {_synced("cast(first_day - 2 as timestamptz) + interval 15 hour")} as _fivetran_synced
        from fb_ads
        """
    )
    con.execute(
        f"""
        create table facebook_ads.campaign_history as
        with campaigns as (select distinct campaign_id, account_id, name, first_day from fb_ads),
        versions as (
            select *, name || ' (draft)' as version_name, 'PAUSED' as status,
                cast(first_day - 21 as timestamptz) + interval 15 hour as updated_time
            from campaigns
            union all
            select *, name, 'ACTIVE', cast(first_day - 2 as timestamptz) + interval 15 hour from campaigns
        )
        select cast(campaign_id as bigint) as id, cast(regexp_replace(account_id, '^act_', '') as bigint) as account_id,
            version_name as name, updated_time, cast(first_day - 21 as timestamptz) + interval 15 hour as created_time,
            status, cast(first_day as timestamptz) as start_time,
            {_synced("updated_time")} as _fivetran_synced
        from versions
        """
    )
    # An earlier sync saw the account before its currency was set to the company's (Meta's default,
    # USD, or EUR for an account in USD): only the latest sync's row is the account.
    con.execute(
        f"""
        create table facebook_ads.account_history as
        with accounts as (
            select cast(regexp_replace(account_id, '^act_', '') as bigint) as id,
                arg_max(account_currency, date_start) as currency, min(date_start) as first_day
            from fb_stats group by account_id
        )
        select id, ? as name, case when currency = 'USD' then 'EUR' else 'USD' end as currency,
            'ACTIVE' as account_status, ? as timezone_name,
            {_synced("cast(first_day - 30 as timestamptz)")} as _fivetran_synced
        from accounts
        union all
        select id, ?, currency, 'ACTIVE', ?, {_synced("cast(first_day - 2 as timestamptz)")}
        from accounts
        """,
        [manifest.get("company", {}).get("name"), manifest.get("timezone")] * 2,
    )


def _microsoft_ads(con: duckdb.DuckDBPyConnection, data_dir: Path, manifest: dict) -> None:
    """microsoft_ads: `campaign_performance_daily_report` segmented by device and network (spend in
    cents summing back exactly), `campaign_history` (two versions per campaign) and
    `account_history`. Microsoft's account id is a number; the export's `B0…` account number
    gives its digits."""
    _read_csvs(
        con,
        "ms_stats",
        _files(data_dir / "ads" / "microsoft_ads", "*.csv"),
        {
            "TimePeriod": "date",
            "Spend": "decimal(18, 2)",
            "Clicks": "bigint",
            "Impressions": "bigint",
            "Conversions": "double",
        },
    )
    con.execute("create schema if not exists microsoft_ads")
    account_id = "cast(regexp_replace(AccountId, '[^0-9]', '', 'g') as bigint)"
    con.execute(
        f"""
        create table microsoft_ads.campaign_performance_daily_report as
        select s.TimePeriod as date, cast(regexp_replace(s.AccountId, '[^0-9]', '', 'g') as bigint) as account_id,
            cast(s.CampaignId as bigint) as campaign_id, s.CurrencyCode as currency_code,
            cast(cast({_split("cast(round(s.Spend * 100) as bigint)", "g.low", "g.high")} as decimal(18, 0)) * 0.01
                as decimal(18, 2)) as spend,
            {_split("s.Clicks", "g.low", "g.high")} as clicks,
            {_split("s.Impressions", "g.low", "g.high")} as impressions,
            {_split_conversions("s.Conversions", "g.low", "g.high", "g.segment_index = 0")} as conversions,
            g.device_type, g.device_os, g.network, 'Search' as ad_distribution, 'Broad' as bid_match_type,
            'Phrase' as delivered_match_type, g.network || ' - top' as top_vs_other,
            {_synced("cast(s.TimePeriod + 1 as timestamptz)")} as _fivetran_synced
        from ms_stats as s
        join {_SEGMENTS} on g.segment_count = {_segment_count("s.TimePeriod")}
        """
    )
    con.execute(
        f"""
        create table microsoft_ads.campaign_history as
        with campaigns as (
            select CampaignId, any_value(AccountId) as AccountId, arg_max(CampaignName, TimePeriod) as name,
                min(TimePeriod) as first_day
            from ms_stats group by CampaignId
        ),
        versions as (
            select *, name || ' (draft)' as version_name, 'Paused' as status,
                cast(first_day - 21 as timestamptz) + interval 15 hour as modified_time
            from campaigns
            union all
            select *, name, 'Active', cast(first_day - 2 as timestamptz) + interval 15 hour from campaigns
        )
        select cast(CampaignId as bigint) as id, version_name as name, {account_id} as account_id,
            modified_time, status, ? as time_zone, 'Search' as type,
            {_synced("modified_time")} as _fivetran_synced
        from versions
        """,
        [manifest.get("timezone")],
    )
    con.execute(
        f"""
        create table microsoft_ads.account_history as
        select {account_id} as id, arg_max(AccountName, TimePeriod) as name,
            arg_max(CurrencyCode, TimePeriod) as currency_code,
            cast(min(TimePeriod) - 30 as timestamptz) + interval 15 hour as last_modified_time, ? as time_zone,
            {_synced("cast(min(TimePeriod) - 30 as timestamptz) + interval 15 hour")} as _fivetran_synced
        from ms_stats group by AccountId
        """,
        [manifest.get("timezone")],
    )


def write_fivetran_ads(data_dir: Path, warehouse: Path, mode: str = "soft_delete") -> dict[str, int]:
    """Write the ad platforms' CSV exports under `data_dir` as the tables Fivetran's Google Ads,
    LinkedIn Ads, Facebook Ads and Microsoft Advertising connectors land in `warehouse`;
    {schema.table: rows}.

    The ad connectors land reports (rows of metrics, no record to delete) and *_history tables that
    are versioned by the platform's own update time in every mode, so `mode` (checked like the
    other writers') changes nothing here."""
    _check_mode(mode)
    data_dir = Path(data_dir)
    manifest = _manifest(data_dir)

    def build(con: duckdb.DuckDBPyConnection) -> None:
        _google_ads(con, data_dir, manifest)
        _linkedin_ads(con, data_dir, manifest)
        _facebook_ads(con, data_dir, manifest)
        _microsoft_ads(con, data_dir, manifest)

    return _write(Path(warehouse), AD_SCHEMAS, build)
