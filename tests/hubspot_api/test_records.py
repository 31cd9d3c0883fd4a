"""API objects as raw records: the export's properties, and values as HubSpot's text."""

from __future__ import annotations

import json

import pytest

from funnel.sources.hubspot_api.records import (
    CRM_OBJECTS,
    DEAL_STAGE_DATE_PREFIX,
    ENGAGEMENTS,
    property_text,
    raw_record,
    with_deal_stage_dates,
)


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("hubspotscore", 15, "15"),
        ("hubspotscore", "15", "15"),
        ("amount", 26262.45, "26262.45"),
        ("amount", 5000.0, "5000"),
        ("hs_is_unworked", True, "true"),
        ("hs_is_unworked", False, "false"),
        ("createdate", 1748960525120, "2025-06-03T14:22:05.120Z"),
        ("createdate", "2025-06-03T14:22:05.120Z", "2025-06-03T14:22:05.120Z"),
        ("email", None, None),
    ],
)
def test_typed_values_become_hubspots_text(name, value, text):
    assert property_text(name, value) == text


def test_history_values_and_instants_become_text_and_a_missing_history_is_empty():
    obj = {
        "id": "1",
        "properties": {"hubspotscore": 60},
        "propertiesWithHistory": {
            "hubspotscore": [{"value": 60, "timestamp": 1748960525120, "sourceType": "CALCULATED"}]
        },
        "createdAt": "2025-06-03T14:22:05.120Z",
    }

    record = raw_record(obj)

    assert record["properties"] == {"hubspotscore": "60"}
    assert record["propertiesWithHistory"]["hubspotscore"][0] == {
        "value": "60",
        "timestamp": "2025-06-03T14:22:05.120Z",
        "sourceType": "CALCULATED",
    }
    assert raw_record({"id": "2", "properties": {}})["propertiesWithHistory"] == {}


def test_the_connector_asks_for_every_property_and_history_the_exports_have(sample_data):
    hubspot = sample_data / "hubspot"
    pipelines = json.loads((hubspot / "pipelines" / "deals.json").read_text())["results"]
    for name, crm in CRM_OBJECTS.items():
        page = json.loads(next(iter(sorted((hubspot / name).glob("*.json")))).read_text())
        exported = page["results"][0]
        stage_dates = {p for p in exported["properties"] if p.startswith(DEAL_STAGE_DATE_PREFIX)}

        assert set(exported["properties"]) - stage_dates == set(crm.properties), name
        # A deal carries the dates of the stages it entered; the connector asks for every stage's.
        assert stage_dates <= set(with_deal_stage_dates(crm, pipelines).properties), name
        assert bool(stage_dates) == (name == "deals"), name
        assert set(exported["propertiesWithHistory"]) == set(crm.history), name
        assert crm.modified_property in crm.properties


def test_the_connector_asks_for_every_engagement_property_the_exports_have(sample_data):
    hubspot = sample_data / "hubspot"
    found = [name for name in ENGAGEMENTS if sorted((hubspot / name).glob("*.json"))]
    if not found:
        pytest.skip("the generated company has no engagements")
    for name in found:
        for page in sorted((hubspot / name).glob("*.json")):
            for exported in json.loads(page.read_text())["results"]:
                assert set(exported["properties"]) == set(ENGAGEMENTS[name].properties), (name, exported["id"])
                assert not exported.get("propertiesWithHistory"), name
