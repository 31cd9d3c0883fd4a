"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temp folder, real Postgres.

Debian's `postgresql` package puts the binaries under /usr/lib/postgresql/<version>/bin (.ci/run
installs it). initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
The superuser `funnel` has a password, checked over TCP (scram-sha-256), so that the tests see
what a password in FUNNEL_PUBLISH_POSTGRES_URL does to logs and messages.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import free_port


def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


@dataclass
class PostgresServer:
    root: Path
    port: int
    password: str
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://funnel:{self.password}@127.0.0.1:{self.port}/postgres"

    def database(self, name: str) -> str:
        """A fresh database on this server; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as pg:
            pg.execute(f'drop database if exists "{name}"')
            pg.execute(f'create database "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        _as_owner([str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def _as_owner(command: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True)


def start_postgres() -> PostgresServer:
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL's initdb not found (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="funnel-pg-"))
    password = secrets.token_hex(12)
    (root / "pwfile").write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "pwfile", "postgres", "postgres")
    init = _as_owner(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "funnel",
            "--pwfile",
            str(root / "pwfile"),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ]
    )
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr}")
    port = free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = _as_owner(
        [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-o", options, "-l", str(root / "log"), "-w", "start"]
    )
    if start.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {start.stderr} {log}")
    return PostgresServer(root, port, password, bin_dir)
