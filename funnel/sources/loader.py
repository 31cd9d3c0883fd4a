"""Load export files into `raw.*` with DuckDB's own readers, quarantining what does not fit.

Two shapes cover every file source: JSON pages holding a list of records (HubSpot's API
responses) and CSV files with a fixed header (ad platforms, FX, team reports). Each load is one
transaction: readers see the previous contents or the new ones, never a mix. Invalid input is
never dropped: whole unreadable files and individual bad records land in `raw.quarantine` with
the file, the line or record position, and a reason that says what to do. A daily load reads
only the files that are new or changed since the last one (`raw._load_manifest`, manifest.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from funnel.sources import manifest

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    source varchar,
    file varchar,
    line bigint,
    record_id varchar,
    reason varchar,
    _loaded_at timestamptz
)
"""

# Files per read: bounds memory at a million contacts while keeping DuckDB's reads set-based.
_BATCH_FILES = 400


@dataclass(frozen=True)
class LoadResult:
    table: str
    files: int
    rows: int
    quarantined_files: int
    quarantined_records: int
    read_files: int = 0
    """Files read by this load (all of them on a full load; new and changed ones otherwise)."""
    deleted_files: tuple[str, ...] = ()
    """Files loaded earlier that are gone from the folder (manifest.py)."""
    retired: bool = False
    """Whether the deleted files' rows were removed."""


@dataclass(frozen=True)
class JsonPages:
    """Records found at `records_path` in every JSON file of a folder (a full snapshot)."""

    source: str
    table: str
    folder: str
    columns: Mapping[str, str]
    """Target column → SQL over `rec` (the record, JSON) and `filename`."""
    id_expr: str
    invalid_when: Sequence[tuple[str, str]] = ()
    """(condition over `rec`, reason) pairs; a record meeting one is quarantined."""
    pattern: str | tuple[str, ...] = "**/*.json"
    """Glob(s) under `folder`: exactly the documented layout, nothing that merely resembles it."""
    records_path: str = "$.results[*]"
    """Where the records are: a JSONPath to a list, or "$" for a file that is one record."""


@dataclass(frozen=True)
class CsvFiles:
    """Rows of every CSV file of a folder; `columns` is the header each file must carry."""

    source: str
    table: str
    folder: str
    columns: Mapping[str, str]
    """Column → DuckDB type; casting failures are quarantined with their line."""
    pattern: str = "*.csv"
    extra: Mapping[str, str] = field(default_factory=dict)
    """Derived target column → SQL over the typed columns and `filename`."""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)


def _files(root: Path, spec_folder: str, pattern: str | tuple[str, ...]) -> list[Path]:
    folder = root / spec_folder
    if not folder.is_dir():
        return []
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    return sorted({p for glob in patterns for p in folder.glob(glob) if p.is_file()})


def _outside(root: Path, files: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files inside the data folder, (file, reason) for links that lead outside it): a link to
    /etc or to another company's export is never read, however it got there."""
    base = root.resolve()
    inside, refused = [], []
    for path in files:
        target = path.resolve()
        if target.is_relative_to(base):
            inside.append(path)
        else:
            refused.append((path, f"a link to {target}, outside the data folder: not read"))
    return inside, refused


def _quarantine_files(con: duckdb.DuckDBPyConnection, source: str, root: Path, refused) -> None:
    for path, reason in refused:
        con.execute(
            "insert into raw.quarantine values (?, ?, null, null, ?, now())", [source, _relative(path, root), reason]
        )


def sql_list(paths: Sequence[Path]) -> str:
    """Paths as a DuckDB list literal, for read_text/read_blob/read_csv."""
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def load_json_pages(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    spec: JsonPages,
    *,
    full_refresh: bool = False,
    retire_deleted: bool = False,
) -> LoadResult:
    """Bring `raw.<table>` up to date with the pages under `root/spec.folder`: read the new and
    changed files only (manifest.py), or every file on a first load or with `full_refresh`."""
    files, refused = _outside(root, _files(root, spec.folder, spec.pattern))
    ensure_schema(con)
    con.execute("begin transaction")
    try:
        _create_raw_table(con, spec)
        plan = manifest.plan(con, root, spec.table, files, full_refresh=full_refresh, retire_deleted=retire_deleted)
        _clear_for(con, root, spec, plan, refused)
        _quarantine_files(con, spec.source, root, refused)
        for start in range(0, len(plan.read), _BATCH_FILES):
            batch = plan.read[start : start + _BATCH_FILES]
            _read_pages(con, root, spec, batch)
            con.execute(
                f"""
                insert into raw.quarantine
                select ?, filename, null, null,
                    case when not is_valid
                         then 'file is not valid JSON (truncated or corrupt export): re-export it'
                         else '{_no_records_reason(spec)}' end,
                    now()
                from _pages
                where not is_valid or not coalesce({_has_records(spec)}, false)
                """,
                [spec.source],
            )
            insert_records(
                con,
                spec,
                f"""
                with lists as (
                    select filename, {_records_list(spec)} as recs
                    from _pages
                    where is_valid and coalesce({_has_records(spec)}, false)
                )
                select filename, unnest(range(1, len(recs) + 1)) as position, unnest(recs) as rec, now() as _loaded_at
                from lists
                """,
            )
        manifest.record(con, spec.table, plan)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return _result(con, spec.source, spec.table, len(files), plan)


def _read_pages(con: duckdb.DuckDBPyConnection, root: Path, spec: JsonPages, batch: Sequence[Path]) -> None:
    """The batch's pages into the temp table `_pages` (filename, content, is_valid). A page that
    is not UTF-8 is read again here, record by record, so that only the records holding invalid
    bytes are quarantined and the rest of the page loads."""
    # try(decode()) instead of read_text: one file that is not UTF-8 fails read_text for all.
    # A UTF-8 byte-order mark (Excel and many exporters write one) is not part of the JSON.
    con.execute(
        f"""
        create or replace temp table _pages as
        select substr(filename, {len(str(root)) + 2}) as filename, ltrim(text, chr(65279)) as content,
            coalesce(json_valid(ltrim(text, chr(65279))), false) as is_valid, text is null as not_utf8
        from (select filename, try(decode(content)) as text from read_blob({sql_list(batch)}))
        """
    )
    broken = [name for (name,) in con.execute("select filename from _pages where not_utf8 order by 1").fetchall()]
    con.execute("delete from _pages where not_utf8")
    for name in broken:
        content, rejects = _salvage(root / name, spec)
        for position, record_id, reason in rejects:
            con.execute(
                "insert into raw.quarantine values (?, ?, ?, ?, ?, now())",
                [spec.source, name, position, record_id, reason],
            )
        if content is not None:
            con.execute(
                "insert into _pages (filename, content, is_valid, not_utf8) values (?, ?, true, false)", [name, content]
            )


def _salvage(path: Path, spec: JsonPages) -> tuple[str | None, list[tuple[int | None, str | None, str]]]:
    """A page holding bytes that are not UTF-8: (the page without the records that hold them,
    [(position, record id, reason)]). Invalid bytes are kept as surrogates so that the record
    they sit in, and the field, can be named."""
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    try:
        document = json.loads(text)
    except ValueError:
        return None, [(None, None, "file is not valid JSON (truncated or corrupt export), and not UTF-8: re-export it")]
    key = spec.records_path.removeprefix("$.").removesuffix("[*]")
    records = [document] if spec.records_path == "$" else document.get(key) if isinstance(document, dict) else None
    if not isinstance(records, list):
        return None, [(None, None, "not UTF-8, and no list of records: re-export it")]
    kept, rejects = [], []
    for position, record in enumerate(records, start=1):
        field = _invalid_text_at(record)
        if field is None:
            kept.append(record)
            continue
        record_id = record.get("id", record.get("Id")) if isinstance(record, dict) else None
        rejects.append(
            (
                position,
                None if record_id is None else str(record_id),
                f"invalid UTF-8 in {field}: re-export the record (the rest of the file loaded)",
            )
        )
    page = {key: kept} if spec.records_path != "$" else (kept[0] if kept else None)
    content = None if page is None else json.dumps(page, ensure_ascii=False)
    return content, rejects


def _invalid_text_at(value, path: str = "") -> str | None:
    """The path of the first string holding a byte that was not UTF-8 (a surrogate), or None."""
    if isinstance(value, str):
        return path or "the record" if any("\udc80" <= ch <= "\udcff" for ch in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _invalid_text_at(key, f"{path}.{key}".lstrip(".")) or _invalid_text_at(
                item, f"{path}.{key}".lstrip(".")
            )
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _invalid_text_at(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _has_records(spec: JsonPages) -> str:
    """SQL over `content`: the page holds what the spec reads (a list, or one object for "$")."""
    if spec.records_path == "$":
        return "json_type(content) = 'OBJECT'"
    return f"json_type(json_extract(content, '{spec.records_path.removesuffix('[*]')}')) = 'ARRAY'"


def _records_list(spec: JsonPages) -> str:
    if spec.records_path == "$":
        return "list_value(json(content))"
    return f"json_extract(content, '{spec.records_path}')"


def _no_records_reason(spec: JsonPages) -> str:
    if spec.records_path == "$":
        return "not a JSON object: the file should hold one API response object"
    return f"no list at {spec.records_path}: not a page of API results"


def _columns_sql(columns: Mapping[str, str]) -> str:
    return ", ".join(f"{expr} as {name}" for name, expr in columns.items())


def start_replacing(
    con: duckdb.DuckDBPyConnection,
    spec: JsonPages,
    columns: Mapping[str, str] | None = None,
    records_sql: str = "select null::json as rec, ''::varchar as filename",
    params: dict | None = None,
) -> None:
    """Create `raw.<table>` from the column expressions' own types (so the DDL is never written
    out) when it is missing, then empty it and its quarantine rows, inside the caller's
    transaction. `columns` replaces the spec's (another path may hold a column the file path
    derives); `records_sql` must then provide what they read."""
    _create_raw_table(con, spec, columns, records_sql, params)
    con.execute(f"delete from raw.{spec.table}")
    con.execute("delete from raw.quarantine where source = ?", [spec.source])
    manifest.clear(con, spec.table)


def _clear_for(con, root: Path, spec: JsonPages | CsvFiles, plan: manifest.Plan, refused) -> None:
    """Empty the table and its quarantine on a full load; otherwise remove what the replaced,
    retired and refused files brought."""
    if plan.full:
        con.execute(f"delete from raw.{spec.table}")
        con.execute("delete from raw.quarantine where source = ?", [spec.source])
    manifest.forget(con, spec.source, spec.table, plan.replaced + [_relative(p, root) for p, _ in refused])


def _create_raw_table(
    con: duckdb.DuckDBPyConnection,
    spec: JsonPages,
    columns: Mapping[str, str] | None = None,
    records_sql: str = "select null::json as rec, ''::varchar as filename",
    params: dict | None = None,
) -> None:
    con.execute(
        f"""
        create table if not exists raw.{spec.table} as
        select {_columns_sql(columns or spec.columns)}, ''::varchar as _source_file, now() as _loaded_at
        from ({records_sql}) where false
        """,
        params or {},
    )


def insert_records(
    con: duckdb.DuckDBPyConnection,
    spec: JsonPages,
    records_sql: str,
    columns: Mapping[str, str] | None = None,
    params: dict | None = None,
) -> None:
    """Records (`filename`, `position`, `rec`, `_loaded_at`, and what `columns` read) into
    raw.quarantine with the first rule of the spec they break, the others into `raw.<table>`."""
    columns = columns or spec.columns
    rules = " ".join(f"when {cond} then '{reason.replace(chr(39), chr(39) * 2)}'" for cond, reason in spec.invalid_when)
    con.execute(
        f"""
        create or replace temp table _records as
        select *, {spec.id_expr} as record_id, {f"case {rules} end" if rules else "null::varchar"} as reason
        from ({records_sql})
        """,
        params or {},
    )
    con.execute(
        "insert into raw.quarantine select ?, filename, position, record_id, reason, now() "
        "from _records where reason is not null",
        [spec.source],
    )
    names = ", ".join([*columns, "_source_file", "_loaded_at"])
    con.execute(
        f"""
        insert into raw.{spec.table} ({names})
        select {_columns_sql(columns)}, filename, _loaded_at from _records where reason is null
        """
    )
    con.execute("drop table _records")


def load_csv_files(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    spec: CsvFiles,
    *,
    full_refresh: bool = False,
    retire_deleted: bool = False,
) -> LoadResult:
    """Bring `raw.<table>` up to date with the CSV files under `root/spec.folder`: the new and
    changed files only (manifest.py), or every file on a first load or with `full_refresh`."""
    files, refused = _outside(root, _files(root, spec.folder, spec.pattern))
    ensure_schema(con)
    typed = ", ".join(spec.columns)
    extra = "".join(f", {expr} as {name}" for name, expr in spec.extra.items())
    con.execute("begin transaction")
    try:
        plan = manifest.plan(con, root, spec.table, files, full_refresh=full_refresh, retire_deleted=retire_deleted)
        by_header: dict[tuple[str, ...], list[Path]] = {}
        broken: list[tuple[Path, str]] = list(refused)
        for path in plan.read:
            header, problem = _read_header(path, spec.columns)
            if problem:
                broken.append((path, problem))
            else:
                by_header.setdefault(header, []).append(path)
        con.execute(
            f"""
            create table if not exists raw.{spec.table} as
            select {typed}{extra}, ''::varchar as _source_file, now() as _loaded_at
            from (select {", ".join(f"null::{t} as {c}" for c, t in spec.columns.items())}, ''::varchar as filename)
            where false
            """
        )
        _clear_for(con, root, spec, plan, refused)
        for path, problem in broken:
            con.execute(
                "insert into raw.quarantine values (?, ?, null, null, ?, now())",
                [spec.source, _relative(path, root), problem],
            )
        for header, group in by_header.items():
            types = {name: spec.columns.get(name, "VARCHAR") for name in header}
            types_sql = "{" + ", ".join(f"'{n}': '{t}'" for n, t in types.items()) + "}"
            # Reject tables accumulate within a connection: start each read from empty ones.
            con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
            con.execute(
                f"""
                insert into raw.{spec.table}
                select {typed}{extra}, substr(filename, {len(str(root)) + 2}) as _source_file, now()
                from read_csv({sql_list(group)}, header = true, columns = {types_sql},
                              store_rejects = true, filename = true, auto_detect = false)
                """
            )
            con.execute(
                """
                insert into raw.quarantine
                select ?, substr(s.file_path, ?), e.line, null,
                       'line ' || e.line || ': ' || e.error_message || ' — fix the value in the file', now()
                from reject_errors e join reject_scans s using (scan_id, file_id)
                """,
                [spec.source, len(str(root)) + 2],
            )
        manifest.record(con, spec.table, plan)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return _result(con, spec.source, spec.table, len(files), plan)


def _read_header(path: Path, required: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
    """The header of one CSV file, or why the file cannot be loaded at all."""
    # utf-8-sig: a byte-order mark before the header is not part of the first column's name.
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        line = handle.readline()
    first = next(csv.reader([line]), None)
    if not first:
        return (), "empty file: no header line"
    header = tuple(name.strip() for name in first)
    missing = [name for name in required if name not in header]
    if missing:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if all(column in [c.strip() for c in line.rstrip("\r\n").split(delimiter)] for column in required):
                return header, (
                    f"the columns are separated by {name}: export the file comma-separated "
                    f"(header: {','.join(required)})"
                )
        return header, (f"missing column(s) {', '.join(missing)}; expected header: {','.join(required)}")
    return header, None


def _result(con: duckdb.DuckDBPyConnection, source: str, table: str, files: int, plan: manifest.Plan) -> LoadResult:
    rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    q_files, q_records = con.execute(
        "select count(*) filter (where line is null), count(*) filter (where line is not null) "
        "from raw.quarantine where source = ?",
        [source],
    ).fetchone()
    return LoadResult(table, files, rows, q_files, q_records, len(plan.read), tuple(plan.deleted), plan.retired)


def load_all(
    con: duckdb.DuckDBPyConnection, root: Path, specs, *, full_refresh: bool = False, retire_deleted: bool = False
) -> list[LoadResult]:
    """Load each spec (JSON pages or CSV files) from `root`, in order: new and changed files
    only, unless `full_refresh` (manifest.py)."""
    options = {"full_refresh": full_refresh, "retire_deleted": retire_deleted}
    return [
        load_json_pages(con, root, spec, **options)
        if isinstance(spec, JsonPages)
        else load_csv_files(con, root, spec, **options)
        for spec in specs
    ]
