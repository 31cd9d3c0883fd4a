"""Small helpers several test modules share."""

from __future__ import annotations

import socket
import subprocess

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
