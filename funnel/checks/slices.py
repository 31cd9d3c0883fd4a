"""The warehouse slices the Great Expectations suites judge, and the suites generated from the
contract. `funnel compile` writes the suites; the Dagster checks validate the slices."""

from __future__ import annotations

from funnel.checks import suites
from funnel.checks.gx_context import sync
from funnel.config import Settings
from funnel.contract.load import LoadedContract
from funnel.sources import ads, hubspot, reports, salesforce

RAW_SOURCES = {
    "hubspot": hubspot.TABLES,
    "salesforce": salesforce.TABLES,
    "ads": {**ads.TABLES, **ads.MAPPINGS},
    "reports": reports.TABLES,
}


def all_slices(loaded: LoadedContract) -> list[suites.Slice]:
    slices = [suites.raw_profile(source, tables, loaded) for source, tables in RAW_SOURCES.items()]
    slices += [
        suites.stage_order(loaded),
        suites.daily_totals(),
        suites.won_deals(loaded),
        suites.rejected_values(loaded),
        suites.value_warnings(),
    ]
    slices += [suites.alignment(loaded, team) for team in loaded.contract.alignment.teams]
    return slices


def sync_suites(loaded: LoadedContract, config: Settings, *, write: bool = True) -> list[str]:
    """Write the suites generated from the contract into the GX context (only when changed);
    write=False only names the suites that differ."""
    return sync(
        config.expectations_dir,
        [s.suite for s in all_slices(loaded)] + [suites.landed_tables(), suites.stage_evidence()],
        write=write,
    )
