"""The dbt docs site is for BI users (funnel docs): a project overview, a description on every
column a mart outputs, and exposures with an owner and no made-up address."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from funnel.config import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
MARTS = MODELS / "marts"


def _yml_models(folder: Path) -> dict[str, dict]:
    """Every model entry of the yml files in `folder`, by name."""
    entries = {}
    for path in sorted(folder.glob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            entries[model["name"]] = model
    return entries


def _column_descriptions(model: dict) -> dict[str, str]:
    return {column["name"]: (column.get("description") or "").strip() for column in model.get("columns", [])}


def test_the_project_has_an_overview_page():
    blocks = [p for p in MODELS.rglob("*.md") if "{% docs __overview__ %}" in p.read_text(encoding="utf-8")]
    assert len(blocks) == 1, blocks


def test_exposures_name_an_owner_and_no_placeholder_address():
    exposures = yaml.safe_load((MODELS / "exposures.yml").read_text(encoding="utf-8"))["exposures"]
    assert exposures
    for exposure in exposures:
        assert (exposure.get("owner") or {}).get("name"), exposure["name"]
        for value in (exposure.get("url"), exposure["owner"].get("email")):
            assert value is None or "example" not in value, (exposure["name"], value)


@pytest.mark.integration
@pytest.mark.xdist_group("analytics")
def test_every_mart_column_has_a_description(analytics_run):
    """Against the marts a run built (under the repository's contract: one `<stage>_at` and
    `<stage>_entries` column per stage), so a column added to a model without a description, or a
    description left behind by a renamed column, fails here."""
    documented = _yml_models(MARTS)
    built: dict[str, list[str]] = {}
    for table, column in analytics_run.rows(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ):
        built.setdefault(table, []).append(column)

    marts = sorted(path.stem for path in MARTS.glob("*.sql"))
    assert marts and set(marts) <= set(built), set(marts) - set(built)
    undescribed = {
        mart: [c for c in built[mart] if not _column_descriptions(documented.get(mart, {})).get(c)] for mart in marts
    }
    stale = {
        mart: [c for c in _column_descriptions(documented.get(mart, {})) if c not in built[mart]] for mart in marts
    }
    assert not {m: c for m, c in undescribed.items() if c}, "describe these columns in models/marts/*.yml"
    assert not {m: c for m, c in stale.items() if c}, "these documented columns are not in the mart"
