"""`sources.yml`: which sources a run reads, and from where (files, the live API, Fivetran)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from funnel.contract.compile import json_macro

Mode = Literal["files", "fivetran", "off"]


def _off(value):
    """YAML reads a bare `off` as false: take it for the word."""
    return "off" if value is False else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _yaml_off(cls, value):
        return _off(value)


class HubSpot(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    mode: Literal["files", "api", "fivetran"] = Field("files", alias="from")
    # The portal's company currency: a deal without deal_currency_code is in it. In api mode the
    # account details say it; set it here for exports and Fivetran (or to override).
    default_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")


class Ads(_Strict):
    google_ads: Mode = "files"
    linkedin_ads: Mode = "files"
    meta_ads: Mode = "files"
    microsoft_ads: Mode = "files"


class Fivetran(_Strict):
    primary_deal_contact_type_id: int = 1001


class Salesforce(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    mode: Literal["off", "files", "fivetran"] = Field("off", alias="from")


class SourcesConfig(_Strict):
    hubspot: HubSpot = HubSpot()
    salesforce: Salesforce = Salesforce()
    ads: Ads = Ads()
    reports: Literal["files", "off"] = "files"
    fivetran: Fivetran = Fivetran()

    def as_dbt_data(self) -> dict:
        """What dbt needs to know: where each source is read from."""
        return {
            "hubspot": self.hubspot.mode,
            "hubspot_default_currency": self.hubspot.default_currency,
            "salesforce": self.salesforce.mode,
            "ads": self.ads.model_dump(),
            "reports": self.reports,
            "fivetran": self.fivetran.model_dump(),
        }


GENERATED_RELATIVE = Path("macros") / "generated" / "sources.sql"
PROJECT_RELATIVE = Path("dbt_project.yml")
_ENABLED_LINE = re.compile(r"^  funnel_source_enabled: .*$", re.MULTILINE)


def dbt_sources_enabled(config: SourcesConfig) -> dict[str, bool]:
    """The dbt sources a configuration reads, of those that can be switched off: the others are
    disabled (`config.enabled` in models/staging/*/_*__sources.yml), so that dbt docs and the
    Dagster graph list only what a run reads. The raw `hubspot` source stays on in every mode: its
    incremental models' hooks name it whatever the mode (the models switch on funnel_sources())."""
    ads = config.ads
    return {
        "hubspot_fivetran": config.hubspot.mode == "fivetran",
        "salesforce": config.salesforce.mode == "files",
        "salesforce_fivetran": config.salesforce.mode == "fivetran",
        "google_ads_fivetran": ads.google_ads == "fivetran",
        "linkedin_ads_fivetran": ads.linkedin_ads == "fivetran",
        "facebook_ads_fivetran": ads.meta_ads == "fivetran",
        "microsoft_ads_fivetran": ads.microsoft_ads == "fivetran",
    }


def render_dbt_macro(config: SourcesConfig) -> str:
    """The source selection as a dbt macro, so that `dbt build` by hand reads the same sources."""
    return json_macro(
        "funnel_sources", "Generated from sources.yml by `funnel compile`; do not edit.", config.as_dbt_data()
    )


def render_dbt_project(config: SourcesConfig, project_text: str) -> str:
    """dbt_project.yml with its `funnel_source_enabled` var set for `config`. A var, because the
    `enabled` of a source yml is rendered before macros exist (var() and env_var() only); one line
    of the hand-written file, so that its comments stay."""
    line = "  funnel_source_enabled: " + json.dumps(dbt_sources_enabled(config), sort_keys=True)
    text, count = _ENABLED_LINE.subn(lambda _: line, project_text)
    if count == 0 and "\nvars:\n" in project_text:
        # A project from before the var existed: add it under `vars:`.
        return project_text.replace("\nvars:\n", f"\nvars:\n{line}\n", 1)
    if count != 1:
        raise ValueError(f"{PROJECT_RELATIVE}: expected one `funnel_source_enabled:` line under `vars:`")
    return text


def load_sources(file: Path) -> SourcesConfig:
    """The sources configuration; every source from files when the file does not exist."""
    if not file.exists():
        return SourcesConfig()
    data = yaml.safe_load(file.read_text()) or {}
    try:
        return SourcesConfig.model_validate(data)
    except Exception as error:  # pydantic's message names the key; add the file
        raise ValueError(f"{file}: {error}") from None
