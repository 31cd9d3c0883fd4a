"""What keeps personal data private on disk: owner-only files, and the key behind `email_hash`.

The working warehouse holds emails in clear (staging needs them to match people); the published
copy, reports and Data Docs never do. `email_hash` is a keyed SHA-256: without the key, a list
of addresses cannot be hashed and matched against it.
"""

from __future__ import annotations

import contextlib
import os
import secrets

import duckdb

from funnel.config import Settings

# Files and folders a run creates: readable by their owner only (0600 / 0700).
PRIVATE_UMASK = 0o077
HASH_KEY_ENV = "FUNNEL_HASH_KEY"


def keep_private(settings: Settings) -> None:
    """From here on this process (and dbt, which it starts) creates owner-only files; the folders
    that hold the warehouse, the run artifacts and the Data Docs are made owner-only too."""
    os.umask(PRIVATE_UMASK)
    folders = (settings.warehouse.parent, settings.artifacts_dir, settings.expectations_dir / "gx" / "uncommitted")
    for folder in folders:
        with contextlib.suppress(OSError):  # not ours to change (a shared mount): leave it
            if folder.is_dir():
                folder.chmod(0o700)


def ensure_hash_key(con: duckdb.DuckDBPyConnection) -> None:
    """The key in `private.hash_key`: FUNNEL_HASH_KEY when set, else the one generated on the
    warehouse's first run. It lives in the working warehouse only (publication copies marts), and
    is never written to SQL, logs or artifacts: dbt reads it from the table."""
    con.execute("create schema if not exists private")
    con.execute("create table if not exists private.hash_key (key varchar not null)")
    given = os.environ.get(HASH_KEY_ENV)
    current = con.execute("select key from private.hash_key").fetchall()
    if given and current != [(given,)]:
        con.execute("delete from private.hash_key")
        con.execute("insert into private.hash_key values (?)", [given])
    elif not given and len(current) != 1:
        con.execute("delete from private.hash_key")
        con.execute("insert into private.hash_key values (?)", [secrets.token_hex(32)])
