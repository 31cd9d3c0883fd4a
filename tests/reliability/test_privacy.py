"""Personal data stays private on disk: owner-only files, and an email hash nobody can recompute
from a list of addresses without the warehouse's key."""

from __future__ import annotations

import hashlib
import os
import stat

import duckdb
import pytest

from funnel.engine import DuckDBEngine
from funnel.privacy import HASH_KEY_ENV, ensure_hash_key
from funnel.publish import publish

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("sample_run")]


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_run_creates_owner_only_files(default_run):
    project, _ = default_run
    settings = project.settings
    assert _mode(settings.warehouse) == 0o600  # holds emails in clear
    assert _mode(settings.warehouse.parent) == 0o700
    assert _mode(settings.artifacts_dir) == 0o700
    docs = settings.expectations_dir / "gx" / "uncommitted"
    assert _mode(docs) == 0o700
    written = [p for p in (*settings.artifacts_dir.rglob("*"), *docs.rglob("*")) if p.is_file()]
    assert written and {oct(_mode(p)) for p in written} == {oct(0o600)}


def test_email_hash_is_keyed_and_the_key_is_never_published(default_run, tmp_path):
    project, _ = default_run
    rows = project.rows(
        """
        select people.email_normalized, dim.email_hash, key.key
        from marts.dim_people as dim
        join intermediate.int_people as people using (person_id)
        cross join private.hash_key as key
        where people.email_normalized is not null
        """
    )
    assert len(rows) > 1000
    key = rows[0][2]
    assert key == os.environ[HASH_KEY_ENV] and all(r[2] == key for r in rows)  # conftest sets it
    # Not the bare SHA-256 of the address (499 of 514 were re-identified that way), but of key|address.
    assert not any(h == hashlib.sha256(e.encode()).hexdigest() for e, h, _ in rows)
    assert all(h == hashlib.sha256(f"{key}|{e}".encode()).hexdigest() for e, h, _ in rows)

    # The sample's run fails its checks on purpose: publish its warehouse here, as a passing run would.
    published = tmp_path / "published.duckdb"
    publish(DuckDBEngine(project.settings.warehouse), published, run_id="test", as_of=None, contract_version="1")
    con = duckdb.connect(str(published), read_only=True)
    try:
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        hashes = con.execute("select count(*) from marts.dim_people where email_hash is not null").fetchall()
    finally:
        con.close()
    assert schemas == {"marts", "utilities"} and hashes == [(len(rows),)]
    for path in project.settings.artifacts_dir.rglob("*"):
        if path.is_file():
            assert key not in path.read_text(errors="replace"), path


def test_the_key_comes_from_the_environment_or_is_generated_once(monkeypatch):
    con = duckdb.connect()
    monkeypatch.delenv(HASH_KEY_ENV, raising=False)
    ensure_hash_key(con)
    [(generated,)] = con.execute("select key from private.hash_key").fetchall()
    assert len(generated) == 64  # 32 random bytes, hex
    ensure_hash_key(con)
    assert con.execute("select key from private.hash_key").fetchall() == [(generated,)]  # stable across runs

    monkeypatch.setenv(HASH_KEY_ENV, "a-secret-from-the-vault")
    ensure_hash_key(con)
    assert con.execute("select key from private.hash_key").fetchall() == [("a-secret-from-the-vault",)]
