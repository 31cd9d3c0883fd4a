"""Which raw tables our loaders write in a configuration (sources.yml): per source, name → spec."""

from __future__ import annotations

from funnel.sources import ads, hubspot, reports, salesforce
from funnel.sources.config import SourcesConfig

DESCRIPTIONS = {
    "ads": "Ad platforms' daily campaign reports, FX rates and the UTM mapping (CSV).",
    "reports": "The numbers each team reported (CSV).",
    "hubspot": "HubSpot CRM exports (API-shaped JSON pages).",
    "salesforce": "Salesforce REST API query pages, one folder per object.",
}


def raw_tables(sources: SourcesConfig) -> dict[str, dict]:
    """Per source, the raw tables our loaders (files, or the HubSpot API sync) write."""
    tables = {"ads": {**ads_tables_from_files(sources), **ads.MAPPINGS}}
    if sources.reports == "files":
        tables["reports"] = reports.TABLES
    if sources.hubspot.mode in ("files", "api"):
        tables["hubspot"] = hubspot.TABLES
    if sources.salesforce.mode == "files":
        tables["salesforce"] = salesforce.TABLES
    return tables


def ads_tables_from_files(sources: SourcesConfig) -> dict:
    """The ad tables our loader reads: FX always, each platform only when it comes from files."""
    modes = sources.ads.model_dump()
    return {
        name: spec
        for name, spec in ads.TABLES.items()
        if ads.platform_of(name) is None or modes[ads.platform_of(name)] == "files"
    }
