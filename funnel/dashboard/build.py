"""Writing the page: to a file, from the `funnel dashboard` command or `python -m funnel.dashboard`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from funnel.config import Settings, settings
from funnel.contract import ContractError, load_contract
from funnel.dashboard.context import DashboardError, _connect
from funnel.dashboard.page import render
from funnel.exits import EXIT_INFRA, EXIT_INVALID, EXIT_OK, crashed


def default_output(config: Settings) -> Path:
    return config.artifacts_dir / "dashboard" / "index.html"


def build_dashboard(warehouse: Path, out: Path, contract: Path | None = None) -> Path:
    """Write the dashboard of `warehouse` (any DuckDB file with schema `marts`) to `out`.

    The page is written beside `out` and renamed over it, so a reader never sees half a page."""
    loaded = load_contract(contract or settings().contract)
    con = _connect(Path(warehouse))
    try:
        page = render(con, Path(warehouse), loaded.contract)
    finally:
        con.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".incoming")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)
    return out


def run(warehouse: Path | None = None, out: Path | None = None, command: str = "funnel dashboard") -> int:
    """Build the page and print its path; an exit code (funnel/exits.py) and one line on failure.
    None means the default: the published copy, and artifacts/dashboard/index.html beside it."""
    config = settings()
    try:
        print(build_dashboard(warehouse or config.published, out or default_output(config), config.contract))
    except DashboardError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_INFRA
    except ContractError as error:
        print(f"{command}: invalid contract: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # one line for the person, the traceback in a log (funnel/exits.py)
        return crashed(error, command)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    config = settings()
    parser = argparse.ArgumentParser(
        prog="python -m funnel.dashboard", description="Write the starter dashboard: one self-contained HTML page."
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        metavar="PATH",
        help=f"a DuckDB file with schema marts (default: the published copy, {config.published})",
    )
    parser.add_argument(
        "--out", type=Path, metavar="PATH", help=f"the page to write (default: {default_output(config)})"
    )
    args = parser.parse_args(argv)
    return run(args.warehouse, args.out)
