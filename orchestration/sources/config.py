"""`sources.yml`: which sources a run reads, and from where (files, the live API, Fivetran)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

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
            "salesforce": self.salesforce.mode,
            "ads": self.ads.model_dump(),
            "reports": self.reports,
            "fivetran": self.fivetran.model_dump(),
        }


GENERATED_RELATIVE = Path("macros") / "generated" / "sources.sql"


def render_dbt_macro(config: SourcesConfig) -> str:
    """The source selection as a dbt macro, so that `dbt build` by hand reads the same sources."""
    payload = json.dumps(config.as_dbt_data(), indent=1, sort_keys=True).replace("%", "\\u0025")
    return (
        "{#- Generated from sources.yml by `funnel run` / `funnel contract compile`; do not edit. -#}\n"
        "{% macro funnel_sources() -%}\n"
        "{%- set payload -%}{% raw %}\n"
        f"{payload}\n"
        "{% endraw %}{%- endset -%}\n"
        "{{- return(fromjson(payload)) -}}\n"
        "{%- endmacro %}\n"
    )


def write_dbt_macro(config: SourcesConfig, dbt_project_dir: Path) -> bool:
    path = dbt_project_dir / GENERATED_RELATIVE
    text = render_dbt_macro(config)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_text(text, encoding="utf-8")
    path.with_suffix(".tmp").replace(path)
    return True


def load_sources(file: Path) -> SourcesConfig:
    """The sources configuration; every source from files when the file does not exist."""
    if not file.exists():
        return SourcesConfig()
    data = yaml.safe_load(file.read_text()) or {}
    try:
        return SourcesConfig.model_validate(data)
    except Exception as error:  # pydantic's message names the key; add the file
        raise ValueError(f"{file}: {error}") from None
