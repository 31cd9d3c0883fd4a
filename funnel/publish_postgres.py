"""The published marts, served to BI from PostgreSQL, replaced atomically.

BI tools speak PostgreSQL; a DuckDB file is one writer at a time and needs a driver. After a
passing run has written the published DuckDB copy (publish.py), its `marts` schema is copied into
the PostgreSQL database of $FUNNEL_PUBLISH_POSTGRES_URL:

1. load every table into a fresh schema `marts__incoming` (COPY, set-based; committed, but no BI
   query names it);
2. in one transaction, rename the live `marts` to `marts__retired` and `marts__incoming` to
   `marts`: a query sees the old schema or the new one, never a mix, and a query already reading
   the old tables finishes on them (the rename waits for no one; the drop below waits for it);
3. drop `marts__retired`.

A run that fails its checks never gets here, so BI keeps the last reconciled marts. A failure
while loading leaves `marts` untouched (the next publication drops the half-loaded schema).
`marts._publication` says which run, day and contract version the schema holds. Roles named in
$FUNNEL_PUBLISH_POSTGRES_GRANT_TO get USAGE and SELECT on the new schema before it goes live,
since grants on the old one leave with it.

One warehouse publishes into one database: two deployments sharing a database would replace each
other's marts. The URL's password is never logged (`redacted`).
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

from funnel.publish import PUBLISHED_SCHEMA

INCOMING = f"{PUBLISHED_SCHEMA}__incoming"
RETIRED = f"{PUBLISHED_SCHEMA}__retired"
PUBLICATION_TABLE = "_publication"

# DuckDB column types of the marts → PostgreSQL types. Anything else stops the publication with
# the table and column named: a new type needs a deliberate mapping, not a silent text column.
_SCALAR_TYPES = {
    "BOOLEAN": "boolean",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "VARCHAR": "text",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


class PostgresPublishError(RuntimeError):
    """The publication to PostgreSQL failed; the message never holds the password."""


def redacted(url: str) -> str:
    """The URL with its password (if any) replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query, parts.fragment))


def postgres_type(duckdb_type: str, table: str, column: str) -> str:
    if duckdb_type in _SCALAR_TYPES:
        return _SCALAR_TYPES[duckdb_type]
    match = _DECIMAL.fullmatch(duckdb_type.replace(" ", ""))
    if match:
        return f"numeric({match.group(1)}, {match.group(2)})"
    raise PostgresPublishError(f"marts.{table}.{column}: no PostgreSQL type for DuckDB type {duckdb_type}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish_to_postgres(
    published: Path,
    url: str,
    *,
    run_id: str,
    run_day: date | None,
    as_of: str | None,
    contract_version: str,
    grant_to: list[str] | None = None,
) -> dict[str, int]:
    """Copy the `marts` tables of the published DuckDB file into PostgreSQL and swap them in;
    returns the rows per table."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=False, connect_timeout=15) as pg:
            counts = _load(pg, published)
            _write_publication(pg, run_id, run_day, as_of, contract_version)
            for role in grant_to or []:
                pg.execute(f"grant usage on schema {INCOMING} to {_ident(role)}")
                pg.execute(f"grant select on all tables in schema {INCOMING} to {_ident(role)}")
            pg.commit()
            _swap(pg)
    except psycopg.Error as error:
        message = " ".join(str(error).split()).replace(url, redacted(url))
        raise PostgresPublishError(f"publishing to {redacted(url)} failed: {message}") from None
    return counts


def _load(pg, published: Path) -> dict[str, int]:
    """Every marts table of `published` into a fresh `marts__incoming`, through COPY."""
    pg.execute(f"drop schema if exists {INCOMING} cascade")
    pg.execute(f"create schema {INCOMING}")
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        # Timestamps leave DuckDB in UTC, whatever the machine's zone.
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{str(published).replace(chr(39), chr(39) * 2)}' as published (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'published' "
                "and table_schema = ? and table_type = 'BASE TABLE' and table_name <> ? order by table_name",
                [PUBLISHED_SCHEMA, PUBLICATION_TABLE],
            ).fetchall()
        ]
        with tempfile.TemporaryDirectory(prefix="funnel-pg-") as scratch:
            for table in tables:
                columns = con.execute(
                    "select column_name, data_type from information_schema.columns where table_catalog = "
                    "'published' and table_schema = ? and table_name = ? order by ordinal_position",
                    [PUBLISHED_SCHEMA, table],
                ).fetchall()
                definition = ", ".join(f"{_ident(c)} {postgres_type(t, table, c)}" for c, t in columns)
                pg.execute(f"create table {INCOMING}.{_ident(table)} ({definition})")
                csv = Path(scratch) / f"{table}.csv"
                # NULL is written unquoted and empty, an empty string quoted: PostgreSQL's CSV
                # reader tells them apart the same way.
                con.execute(
                    f"copy published.{PUBLISHED_SCHEMA}.{table} to '{csv}' "
                    "(format csv, header false, force_quote *, null '')"
                )
                names = ", ".join(_ident(c) for c, _ in columns)
                with pg.cursor() as cursor:
                    with cursor.copy(f"copy {INCOMING}.{_ident(table)} ({names}) from stdin (format csv)") as copy:
                        with csv.open("rb") as source:
                            while block := source.read(1 << 20):
                                copy.write(block)
                counts[table] = cursor.rowcount
                csv.unlink()
    finally:
        con.close()
    return counts


def _write_publication(pg, run_id: str, run_day: date | None, as_of: str | None, contract_version: str) -> None:
    pg.execute(
        f"create table {INCOMING}.{PUBLICATION_TABLE} (run_id text, run_day date, as_of timestamptz, "
        "contract_version text, published_at timestamptz)"
    )
    pg.execute(
        f"insert into {INCOMING}.{PUBLICATION_TABLE} values (%s, %s, %s, %s, %s)",
        [run_id, run_day, as_of, contract_version, datetime.now(UTC)],
    )


def _swap(pg) -> None:
    """The live schema out, the new one in, in one transaction; then the old one dropped."""
    live = pg.execute("select 1 from information_schema.schemata where schema_name = %s", [PUBLISHED_SCHEMA]).fetchone()
    pg.execute(f"drop schema if exists {RETIRED} cascade")
    if live:
        pg.execute(f"alter schema {PUBLISHED_SCHEMA} rename to {RETIRED}")
    pg.execute(f"alter schema {INCOMING} rename to {PUBLISHED_SCHEMA}")
    pg.commit()
    # Waits for queries still reading the old tables; new queries already see the new schema.
    pg.execute(f"drop schema if exists {RETIRED} cascade")
    pg.commit()
