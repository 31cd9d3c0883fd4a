"""Small helpers several test modules share."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from funnel.config import PROJECT_ROOT


def git_status() -> str:
    """What git sees changed in the checkout's tracked and untracked (not ignored) files."""
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (children of children included)."""
    children: dict[int, set[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), set()).add(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless, with no network: Chromium's own background traffic off, and every request sent to a
# closed local port, so a page that loads anything from outside shows it.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` holding `needle`."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def contract_problems(text: str) -> list[str]:
    """The problems a contract text is refused with, each as `funnel.yml:<line>: ...`."""
    import pytest

    from funnel.contract import ContractError
    from funnel.contract.load import parse_contract

    with pytest.raises(ContractError) as error:
        parse_contract(text, Path("funnel.yml"))
    return [p.format("funnel.yml") for p in error.value.problems]
