"""Exit codes (README, "Exit codes"), and the one line a person gets when a command crashes.

Scripts and schedulers tell the codes apart; the traceback goes to a log beside the warehouse.
"""

from __future__ import annotations

import sys
import traceback

from funnel.config import settings
from funnel.run_summary import RunSummary

EXIT_OK = 0  # done; for `funnel run`, every blocking check passed
EXIT_CHECKS_FAILED = 1  # the run finished and a blocking check failed: the data needs a look
EXIT_USAGE = 2  # the command line is wrong (argparse's own code)
EXIT_INVALID = 3  # the contract or the configuration is invalid (or a run date it cannot compute)
EXIT_INFRA = 4  # a source, the warehouse or a tool failed: nothing was judged


def for_run(summary: RunSummary) -> int:
    if summary.success:
        return EXIT_OK
    return EXIT_INFRA if summary.failed_steps else EXIT_CHECKS_FAILED


def crashed(error: BaseException, command: str = "funnel") -> int:
    """One line for the person, the whole traceback in a log beside the warehouse."""
    log = settings().artifacts_dir / "logs" / "funnel-error.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        where = f" (details: {log})"
    except OSError:
        where = ""
    message = " ".join(str(error).split())[:400] or type(error).__name__
    print(f"{command}: {message}{where}", file=sys.stderr)
    return EXIT_INFRA
