"""The Great Expectations file context in `expectations/gx`: set up once, then run read-only.

Two paths, because GX takes no file locks and rewrites its JSON on every `add_or_update`:
- `sync()` (at compile time) creates or updates the datasource, suites, validation definitions
  and checkpoints, and writes a file only when its content changed;
- `validate()` (at run time) only reads them, runs a checkpoint on a DataFrame, and updates the
  Data Docs under `expectations/gx/uncommitted/data_docs/local_site/`. The site's builder and
  validation renderer are ours (docs_assets): the docs read offline, name each run by its day
  and run id, and show failures of `severity: warn` expectations as warnings.
Suites validate small DataFrames pulled from DuckDB (GX's SQL datasource returns nothing on
DuckDB). No personal data is ever put in a validated frame, so none reaches the Data Docs.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

DATASOURCE = "warehouse_slices"
BATCH = "whole_frame"
SITE = "local_site"
SITE_CONFIG = {
    "class_name": "SiteBuilder",
    "show_how_to_buttons": False,
    "store_backend": {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": "uncommitted/data_docs/local_site/",
    },
    # Plain-HTML index, local assets, localised pages; a validation page that names the data asset
    # and shows `warn` failures as warnings (funnel/checks/docs_assets.py).
    "site_index_builder": {"class_name": "OfflineSiteIndexBuilder", "module_name": "funnel.checks.docs_assets"},
    "site_section_builders": {
        "validations": {
            "renderer": {
                "class_name": "WarningAwareValidationResultsPageRenderer",
                "module_name": "funnel.checks.docs_assets",
            }
        }
    },
}


@dataclass(frozen=True)
class SuiteSpec:
    """A suite and how to read the frame it validates."""

    name: str
    expectations: list[Any]
    index_columns: list[str]
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    kwargs: dict
    meta: dict
    keys: list[dict]
    """The index-column values of every failing row."""


@dataclass(frozen=True)
class Validation:
    success: bool
    failed: list[FailedExpectation]
    docs_page: str | None


def data_docs_index(expectations_dir: Path) -> Path:
    return expectations_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@cache
def open_context(expectations_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(expectations_dir))
    variables = context.variables
    dirty = False
    if dict(variables.progress_bars or {}).get("globally") is not False:
        variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        dirty = True
    if variables.analytics_enabled is not False:
        variables.analytics_enabled = False
        dirty = True
    if (variables.data_docs_sites or {}) != {SITE: SITE_CONFIG}:
        variables.data_docs_sites = {SITE: SITE_CONFIG}
        dirty = True
    if dirty:
        variables.save()
    return context


def _fingerprint(expectation) -> str:
    data = expectation.dict(exclude={"id", "rendered_content"})
    data["meta"] = data.get("meta") or None
    data["notes"] = data.get("notes") or None
    return json.dumps(data, sort_keys=True, default=str)


def sync(expectations_dir: Path, specs: list[SuiteSpec], *, write: bool = True) -> list[str]:
    """Create or update every GX object for `specs`; returns the names of the suites that were
    (or, with write=False, would be) written. write=False changes nothing on disk: it is how a
    run finds out whether the checkout's suites are current (compiled.py)."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.exceptions import DataContextError

    context = open_context(expectations_dir)
    try:
        source = context.data_sources.get(DATASOURCE)
    except KeyError:
        if not write:
            return [spec.name for spec in specs]
        source = context.data_sources.add_pandas(name=DATASOURCE)
    written = []
    for spec in specs:
        try:
            asset = source.get_asset(spec.name)
            batch = asset.get_batch_definition(BATCH)
        except (LookupError, KeyError):
            if not write:
                written.append(spec.name)
                continue
            try:
                asset = source.get_asset(spec.name)
            except LookupError:
                asset = source.add_dataframe_asset(name=spec.name)
            batch = asset.add_batch_definition_whole_dataframe(BATCH)

        desired = gx.ExpectationSuite(name=spec.name, expectations=spec.expectations, meta=spec.meta)
        try:
            existing = context.suites.get(spec.name)
        except DataContextError:
            existing = None
        if existing is None:
            written.append(spec.name)
            if not write:
                continue
            suite = context.suites.add(desired)
        else:
            # add_or_update would renumber every expectation id: keep the ids of unchanged ones.
            ids: dict[str, list[str]] = {}
            for old in existing.expectations:
                ids.setdefault(_fingerprint(old), []).append(old.id)
            for new in desired.expectations:
                if ids.get(_fingerprint(new)):
                    new.id = ids[_fingerprint(new)].pop(0)
            same = [_fingerprint(e) for e in existing.expectations] == [_fingerprint(e) for e in desired.expectations]
            if same and (existing.meta or {}) == (desired.meta or {}):
                suite = existing
            else:
                written.append(spec.name)
                if not write:
                    continue
                suite = context.suites.add_or_update(desired)

        try:
            definition = context.validation_definitions.get(spec.name)
            stale = definition.data.id != batch.id or definition.suite.id != suite.id
        except DataContextError:
            stale = True
        if stale:
            if not write:
                written.append(spec.name)
                continue
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
            )

        checkpoint = gx.Checkpoint(
            name=spec.name,
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[SITE])],
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": spec.index_columns},
        )
        try:
            existing_checkpoint = context.checkpoints.get(spec.name)
            checkpoint.id = existing_checkpoint.id
            changed = existing_checkpoint != checkpoint
        except DataContextError:
            changed = True
        if changed:
            if not write:
                written.append(spec.name)
                continue
            context.checkpoints.add_or_update(checkpoint)
    return sorted(set(written), key=written.index)


def gx_run_name(day: date | str | None, run_id: str | None) -> str:
    """The name a validation carries in the Data Docs (and in the path of its page): the day the
    run computed and the first 8 characters of its run id, e.g. `2026-10-31_run-1a2b3c4d`.
    Without a day (a run "as of now") it is today's; without a run id, `manual`."""
    day = day if day is not None else date.today()
    day_text = day.isoformat() if isinstance(day, date) else str(day)
    run = f"run-{run_id[:8]}" if run_id else "manual"
    # A path segment in the stores: nothing but letters, digits, '.', '-' and '_'.
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{day_text}_{run}")


def validate(
    expectations_dir: Path, suite_name: str, frame: pd.DataFrame, *, run_name: str | None = None
) -> Validation:
    """Run the suite's checkpoint on `frame`; `run_name` (see gx_run_name) names the validation
    in the Data Docs, by default today's date and `manual`."""
    from great_expectations.core.run_identifier import RunIdentifier

    context = open_context(expectations_dir)
    run_id = RunIdentifier(run_name=run_name or gx_run_name(None, None), run_time=datetime.now(UTC))
    result = context.checkpoints.get(suite_name).run(batch_parameters={"dataframe": frame}, run_id=run_id)
    failed: list[FailedExpectation] = []
    docs_page = None
    for identifier, run in result.run_results.items():
        urls = context.get_docs_sites_urls(resource_identifier=identifier, site_names=[SITE])
        docs_page = (urls[0].get("site_url") if urls else None) or docs_page
        for outcome in run.results:
            if outcome.success:
                continue
            config = outcome.expectation_config
            kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
            keys = [plain(row) for row in (outcome.result or {}).get("unexpected_index_list") or []]
            error = (outcome.exception_info or {}).get("exception_message")
            if error:
                kwargs["error"] = error
            failed.append(FailedExpectation(config.type, plain(kwargs), plain(config.meta or {}), keys))
    return Validation(result.success, failed, docs_page)


def plain(value: Any) -> Any:
    """JSON-safe values (GX hands back numpy and pandas scalars)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        # Dates from the frame and from GX must compare equal: keep the date when it is one.
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if hasattr(value, "item"):
        return value.item()
    return str(value)
