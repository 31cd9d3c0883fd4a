"""Benchmark: the HubSpot API connector against a local HubSpot serving a generated company.

    python bench/hubspot_api.py                     # 25,000 contacts
    python bench/hubspot_api.py --contacts 100000   # any size
    python bench/hubspot_api.py --faults            # every 7th request a 429, every 11th a 502

The local HubSpot (sample_company/hubspot_api/server.py) runs in this process; each sync runs in a
process of its own, so that its peak memory is the sync's alone. A full sync, a day of changes
(1% of contacts, deals and companies modified, a few archived and created), then an incremental
sync. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "pat-na1-bench"
SYNC = """
import json, sys
from pathlib import Path
from funnel.sources.hubspot_api import RetryPolicy, sync_hubspot
result = sync_hubspot(Path(sys.argv[1]), state_dir=Path(sys.argv[2]), base_url=sys.argv[3],
                      retry=RetryPolicy(scale=float(sys.argv[4])))
print(json.dumps({"objects": result.objects, "requests": result.requests, "retries": result.retries,
                  "seconds": result.seconds, "windows": result.windows}))
"""


def run_sync(workdir: Path, url: str, wait_scale: float) -> dict:
    """One sync in a child process; its figures plus the child's peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", SYNC, str(workdir / "funnel.duckdb"), str(workdir / "state"), url, str(wait_scale)],
        env={**os.environ, "HUBSPOT_ACCESS_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"sync failed (exit {child.returncode})")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["wall_s"] = time.perf_counter() - started
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    return figures


def a_day_of_changes(company, share: float = 0.01) -> int:
    """Modify `share` of contacts, deals and companies, archive and create a few; the objects touched."""
    changed = 0
    for kind, changes in (
        ("contacts", {"lifecyclestage": "salesqualifiedlead"}),
        ("deals", {"dealstage": "contractsent"}),
        ("companies", {}),
    ):
        live = sorted((i for i, o in company.objects[kind].items() if not o["archived"]), key=int)
        chosen = live[:: max(1, round(1 / share))]
        company.touch(kind, chosen, changes)
        changed += len(chosen)
    live = sorted((i for i, o in company.objects["contacts"].items() if not o["archived"]), key=int)
    company.archive("contacts", live[-20:])
    for _ in range(50):
        company.create("contacts", like=live[0])
    return changed + 70


def report(label: str, figures: dict, changed: int | None = None) -> None:
    rows = sum(figures["objects"].values())
    crm = sum(figures["objects"][f"hubspot_{kind}"] for kind in ("contacts", "companies", "deals"))
    seconds = figures["seconds"]
    print(f"{label}:")
    print(f"  raw rows              {rows:>10,}   (contacts+companies+deals {crm:,})")
    if changed is not None:
        print(f"  objects changed       {changed:>10,}")
    print(f"  records/s             {rows / seconds:>10,.0f}   (raw rows written / sync seconds)")
    print(f"  requests              {figures['requests']:>10,}   retries {figures['retries']:,}")
    print(f"  search windows        {figures['windows']:>10,}")
    print(f"  sync seconds          {seconds:>10.1f}   (wall with process start {figures['wall_s']:.1f})")
    print(f"  peak RSS (sync)       {figures['peak_rss_mb']:>10,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faults", action="store_true", help="inject 429s (Retry-After: 1) and 502s")
    parser.add_argument("--wait-scale", type=float, default=0.01, help="multiplies every retry wait")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()

    from sample_company import generate
    from sample_company.hubspot_api.portal import Company
    from sample_company.hubspot_api.server import Faults, HubSpotServer

    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(workdir / "data", contacts=args.contacts, seed=args.seed)
        print(f"generated {args.contacts:,} contacts in {time.perf_counter() - started:.1f} s")
        company = Company(workdir / "data")
        faults = Faults(rate_limit_every=7, server_error_every=11) if args.faults else Faults()
        with HubSpotServer(company, TOKEN, faults) as server:
            report("full sync", run_sync(workdir, server.url, args.wait_scale))
            changed = a_day_of_changes(company)
            report("incremental sync", run_sync(workdir, server.url, args.wait_scale), changed)
        server_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"local HubSpot (this process) peak RSS {server_rss:,.0f} MB")


if __name__ == "__main__":
    main()
