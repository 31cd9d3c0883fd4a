"""How much memory, how many threads and which spill folder DuckDB gets: FUNNEL_MEMORY_LIMIT,
FUNNEL_THREADS, FUNNEL_TEMP_DIR.

FUNNEL_MEMORY_LIMIT is the budget of the whole run; DuckDB gets it less what the run's Python
processes need (duckdb_memory_limit). Every DuckDB that touches the warehouse gets the same three
settings: the loaders' connections (warehouse.connect) and dbt's (profiles.yml reads them from the
environment dbt_env sets). With a limit, DuckDB spills to the temp folder instead of growing until
the machine swaps.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

# 60 % leaves room for the Python processes of a run (Dagster, dbt, the checks' pandas slices)
# and for whatever else the machine does.
DEFAULT_SHARE = 0.60
# What a run's Python processes need beside DuckDB (see duckdb_memory_limit).
PYTHON_RESERVE = 768 * 2**20

_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[kmgt]i?b?|b|%)?\s*$", re.IGNORECASE)


class MemorySettingError(ValueError):
    """FUNNEL_MEMORY_LIMIT or FUNNEL_THREADS holds something that is not a size or a count."""


@functools.cache
def machine_memory() -> int:
    """This machine's memory in bytes, read once per process."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def parse_size(text: str, total: int) -> int:
    """Bytes from "4GB", "4GiB", "512MB", "60%" (of `total`), as DuckDB's own setting reads them."""
    match = _SIZE.match(text)
    if not match:
        raise MemorySettingError(f"FUNNEL_MEMORY_LIMIT={text!r}: write a size such as 4GB, 512MB or 60%")
    number, unit = float(match["number"]), (match["unit"] or "").lower()
    if unit == "%":
        if not 0 < number <= 100:
            raise MemorySettingError(f"FUNNEL_MEMORY_LIMIT={text!r}: a share of memory is between 0% and 100%")
        return int(total * number / 100)
    base = 1024 if "i" in unit else 1000
    power = "bkmgt".index(unit[0]) if unit else 0
    size = int(number * base**power)
    if size < 128 * 2**20:
        raise MemorySettingError(f"FUNNEL_MEMORY_LIMIT={text!r}: DuckDB needs at least 128MB")
    return size


def memory_limit() -> int:
    """FUNNEL_MEMORY_LIMIT in bytes; default 60 % of this machine's memory."""
    configured = os.environ.get("FUNNEL_MEMORY_LIMIT", "").strip()
    if not configured:
        return int(machine_memory() * DEFAULT_SHARE)
    return parse_size(configured, machine_memory())


def threads() -> int:
    configured = os.environ.get("FUNNEL_THREADS", "").strip()
    if not configured:
        return os.cpu_count() or 1
    if not configured.isdigit() or int(configured) < 1:
        raise MemorySettingError(f"FUNNEL_THREADS={configured!r}: write a whole number of threads, 1 or more")
    return int(configured)


def temp_directory(warehouse: Path) -> Path:
    """Where DuckDB spills: FUNNEL_TEMP_DIR, else `.spill/` beside the warehouse."""
    configured = os.environ.get("FUNNEL_TEMP_DIR", "").strip()
    return Path(configured).resolve() if configured else warehouse.parent / ".spill"


def duckdb_memory_limit() -> int:
    """DuckDB's share of FUNNEL_MEMORY_LIMIT: the limit is the whole run's, and the run's Python
    processes (Dagster, dbt itself, the checks' pandas slices) live beside DuckDB. At 1M contacts
    with a 4 GB limit they held about 0.5 GB while dbt ran. Never less than half the limit."""
    total = memory_limit()
    return max(total - PYTHON_RESERVE, total // 2)


def duckdb_config(warehouse: Path) -> dict[str, str]:
    """The settings for duckdb.connect(config=...), in DuckDB's own words."""
    return {
        "memory_limit": f"{duckdb_memory_limit() // 2**20}MiB",
        "threads": str(threads()),
        "temp_directory": str(temp_directory(warehouse)),
    }


def dbt_env(warehouse: Path) -> dict[str, str]:
    """The same settings for profiles.yml's duckdb target."""
    config = duckdb_config(warehouse)
    return {
        "FUNNEL_DUCKDB_MEMORY_LIMIT": config["memory_limit"],
        "FUNNEL_DUCKDB_THREADS": config["threads"],
        "FUNNEL_DUCKDB_TEMP_DIR": config["temp_directory"],
    }


def problem() -> str | None:
    """Why the memory settings cannot be used, or None (for the CLI's exit 3)."""
    try:
        memory_limit()
        threads()
    except MemorySettingError as error:
        return str(error)
    return None
