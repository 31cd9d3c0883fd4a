"""The sample-company generator: determinism, file shapes, a self-consistent truth, and knobs
that each produce (or, at 0, remove) their kind of mess."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from orchestration.generator import Messiness, contract, generate

HORIZON = "2026-11-01T03:59:59.999Z"  # end of 2026-10-31 in America/New_York
REASONS = {
    "excluded_internal",
    "excluded_test",
    "excluded_competitor",
    "excluded_lifecycle_other",
    "archived",
    "duplicate_merged",
    "late_update",
    "reentry",
    "stage_skipped_backfilled",
    "timezone_boundary",
    "not_in_crm",
    "not_in_marketing",
    "definition_difference",
}
NO_MESS = Messiness(
    **{f.name: 0.0 for f in dataclasses.fields(Messiness) if f.name != "currencies"}, currencies=("USD",)
)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate(out, contacts=2000, seed=7)
    return out


@pytest.fixture(scope="module")
def tidy_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tidy")
    generate(out, contacts=2000, seed=7, messiness=NO_MESS)
    return out


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _pages(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("page-*.json"))]


def _objects(folder: Path) -> list[dict]:
    return [obj for page in _pages(folder) for obj in page["results"]]


def _truth(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / f"{name}.csv", dtype=str, keep_default_na=False)


def _contacts(folder: Path) -> pd.DataFrame:
    rows = []
    for sub in ("contacts", "contacts_archived"):
        for obj in _objects(folder / "hubspot" / sub):
            history = sorted((e["timestamp"], e["value"]) for e in obj["propertiesWithHistory"]["lifecyclestage"])
            rows.append(
                {
                    "id": obj["id"],
                    "email": obj["properties"]["email"],
                    "archived": obj["archived"],
                    "merged_ids": obj["properties"]["hs_merged_object_ids"],
                    "lifecycle": [v for _, v in history],
                    "lifecycle_ts": [t for t, _ in history],
                    "mql_date": obj["properties"]["hs_lifecyclestage_marketingqualifiedlead_date"],
                }
            )
    records = pd.DataFrame(rows)
    person = _truth(folder, "records").set_index("record_id")["person_id"]
    records["person_id"] = person.loc[records["id"]].to_numpy()
    return records


def _normalised(emails: pd.Series) -> pd.Series:
    return emails.str.strip(" ").str.lower().str.replace(r"\+[^@]*@", "@", regex=True)


def test_same_arguments_give_identical_files(company: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", contacts=2000, seed=7)
    assert _digest(tmp_path / "again") == _digest(company)


def test_another_seed_gives_other_contacts(company: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", contacts=2000, seed=8)
    page = "hubspot/contacts/page-00001.json"
    assert (tmp_path / "other" / page).read_bytes() != (company / page).read_bytes()


def test_manifest_names_the_run_and_counts(company: Path) -> None:
    manifest = json.loads((company / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-10-31"
    assert manifest["timezone"] == "America/New_York"
    assert manifest["period"] == {"start": "2025-05-01", "end": "2026-10-31"}
    assert manifest["counts"]["contacts"] == len(_objects(company / "hubspot" / "contacts"))
    assert manifest["counts"]["deals"] == len(_objects(company / "hubspot" / "deals"))


def test_pages_are_bounded_and_linked(company: Path) -> None:
    folders = [p.parent for p in (company / "hubspot").rglob("page-00001.json")]
    assert len(folders) >= 9  # contacts, archived contacts, companies, deals, owners, 5 forms ...
    for folder in folders:
        pages = _pages(folder)
        for i, page in enumerate(pages):
            assert len(page["results"]) <= 100
            if i < len(pages) - 1:
                assert page["paging"]["next"]["after"]
            else:
                assert "paging" not in page


def test_property_values_are_strings_or_null(company: Path) -> None:
    for sub in ("contacts", "contacts_archived", "companies", "deals"):
        for obj in _objects(company / "hubspot" / sub):
            assert all(v is None or isinstance(v, str) for v in obj["properties"].values()), obj["id"]
            for history in obj["propertiesWithHistory"].values():
                assert all(isinstance(e["value"], str) for e in history)


def test_nothing_happens_after_the_horizon(company: Path) -> None:
    stamps = []
    for path in (company / "hubspot").rglob("*.json"):
        stamps += re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", path.read_text())
    assert max(stamps) <= HORIZON


def test_contact_ids_grow_with_createdate(company: Path) -> None:
    objects = _objects(company / "hubspot" / "contacts") + _objects(company / "hubspot" / "contacts_archived")
    ordered = sorted(objects, key=lambda o: int(o["id"]))
    created = [o["createdAt"] for o in ordered]
    assert created == sorted(created)


def test_every_record_belongs_to_one_person(company: Path) -> None:
    records = _contacts(company)
    people = _truth(company, "people")
    listed = [int(i) for ids in people["contact_ids"] for i in ids.split(";")]
    assert sorted(listed) == sorted(records["id"].astype(int))
    active = records[~records["archived"]].groupby("person_id")["id"].apply(lambda ids: min(int(i) for i in ids))
    assert (active.index.astype(int) == active.to_numpy()).all()  # person_id = smallest active id


def test_funnel_daily_adds_up_to_stage_entries(company: Path) -> None:
    entries = _truth(company, "stage_entries")
    daily = _truth(company, "funnel_daily")
    counted = entries.groupby(["entered_date", "channel", "stage"]).size()
    summed = daily.assign(entries=daily["entries"].astype(int)).set_index(["date", "channel", "stage"])["entries"]
    assert counted.sort_index().tolist() == summed.sort_index().tolist()
    assert counted.index.tolist() == summed.sort_index().index.tolist()


def test_stage_entries_are_in_order_and_only_for_included_people(company: Path) -> None:
    people = _truth(company, "people")
    entries = _truth(company, "stage_entries")
    excluded = set(people.loc[people["is_excluded"] == "true", "person_id"])
    assert excluded and not excluded & set(entries["person_id"])
    assert set(people.loc[people["is_excluded"] == "true", "exclusion_reason"]) == {
        "archived",
        "internal",
        "test",
        "competitor",
        "lifecycle_other",
    }
    for _, row in people[people["is_excluded"] == "false"].iterrows():
        stamps = [row[f"{s}_at"] for s in contract.STAGES if row[f"{s}_at"]]
        assert stamps == sorted(stamps), row["person_id"]
        reached = [bool(row[f"{s}_at"]) for s in contract.STAGES]
        assert reached == sorted(reached, reverse=True), row["person_id"]  # backfill leaves no gaps


def test_reports_carry_the_team_values(company: Path) -> None:
    metrics = _truth(company, "team_metrics")
    for team in ("marketing", "sales"):
        report = pd.read_csv(company / "reports" / f"{team}.csv", dtype=str)
        mine = metrics[metrics["team"] == team]
        assert (
            report[["metric", "period_start", "value"]].values.tolist()
            == mine[["metric", "period_start", "team_value"]].values.tolist()
        )
    assert len(metrics) == 3 * 18


def test_divergences_explain_every_difference(company: Path) -> None:
    metrics = _truth(company, "team_metrics")
    rows = _truth(company, "divergences")
    assert set(rows["reason"]) <= REASONS and (rows["reason"] != "").all()
    for _, m in metrics.iterrows():
        mine = rows[
            (rows["team"] == m["team"]) & (rows["metric"] == m["metric"]) & (rows["period_start"] == m["period_start"])
        ]
        team_only = (mine["counted_by"] == m["team"]).sum()
        canonical_only = (mine["counted_by"] == "canonical").sum()
        assert int(m["team_value"]) - int(m["canonical_value"]) == team_only - canonical_only
    assert not rows["detail"].str.contains("@").any()  # ids only, never an email


def test_every_knob_produces_cases(company: Path) -> None:
    records = _contacts(company)
    active = records[~records["archived"]]
    assert _normalised(active["email"]).duplicated().any(), "duplicates"
    assert records["merged_ids"].notna().any(), "merges"
    assert (records["archived"] & records["merged_ids"].notna()).any(), "merge chain"
    reasons = set(_truth(company, "people")["exclusion_reason"])
    assert {"archived", "internal", "test", "competitor", "lifecycle_other"} <= reasons
    assert _persons_skipping_mql(company, records), "inbound SQLs without MQL"
    assert records["lifecycle"].map(_regressed).any(), "regressions"
    assert _late_mqls(records), "late updates"
    entries = _truth(company, "stage_entries")
    assert (entries["entered_at"].str[:7] != entries["entered_date"].str[:7]).sum() >= 10, "near-midnight"
    deals = _truth(company, "deals")
    assert (deals["primary_person_id"] == "").any(), "deals without contact"
    assert set(deals["currency"]) == {"USD", "EUR", "GBP"}
    assert set(deals["pipeline"]) == {"default", "renewals"}
    assert (entries["is_backfilled"] == "true").any()
    assert set(_truth(company, "divergences")["reason"]) == REASONS


def test_zero_knobs_remove_their_cases(tidy_company: Path) -> None:
    records = _contacts(tidy_company)
    assert not records["archived"].any()  # no merges, no deletions
    assert not _normalised(records["email"]).duplicated().any()
    assert not (_truth(tidy_company, "people")["is_excluded"] == "true").any()
    assert not _persons_skipping_mql(tidy_company, records)
    assert not records["lifecycle"].map(_regressed).any()
    assert not _late_mqls(records)
    deals = _truth(tidy_company, "deals")
    assert (deals["primary_person_id"] != "").all() and set(deals["currency"]) == {"USD"}


def _regressed(values: list[str]) -> bool:
    """MQL, then back to lead, then MQL again, in one record's chronological history."""
    if "marketingqualifiedlead" not in values:
        return False
    after_mql = values[values.index("marketingqualifiedlead") + 1 :]
    return "lead" in after_mql and "marketingqualifiedlead" in after_mql[after_mql.index("lead") + 1 :]


def _late_mqls(records: pd.DataFrame) -> bool:
    """An MQL date days earlier than the lifecycle entry that wrote it."""
    for _, r in records[records["mql_date"].notna()].iterrows():
        written = [t for t, v in zip(r["lifecycle_ts"], r["lifecycle"]) if v == "marketingqualifiedlead"][-1]
        if written[:10] > r["mql_date"][:10]:
            return True
    return False


def _persons_skipping_mql(folder: Path, records: pd.DataFrame) -> bool:
    people = _truth(folder, "people").set_index("person_id")
    values = records.groupby("person_id")["lifecycle"].sum()
    inbound = people.loc[values.index, "channel"] != "outbound"
    skipped = values.map(lambda v: "salesqualifiedlead" in v and "marketingqualifiedlead" not in v)
    return bool((skipped & inbound).any())


def test_contract_constants_match_funnel_yml() -> None:
    path = Path(__file__).resolve().parents[1] / "funnel.yml"
    if not path.exists():
        pytest.skip("funnel.yml not found")
    spec = yaml.safe_load(path.read_text())
    assert spec["reporting"]["timezone"] == "America/New_York" and spec["reporting"]["currency"] == "USD"
    exclusions = spec["identity"]["exclusions"]
    assert tuple(exclusions["internal_domains"]) == contract.INTERNAL_DOMAINS
    assert tuple(exclusions["test_patterns"]) == contract.TEST_PATTERNS
    assert tuple(exclusions["competitor_domains"]) == contract.COMPETITOR_DOMAINS
    assert tuple(exclusions["lifecycle_stages"]) == contract.EXCLUDED_LIFECYCLE
    rules = [
        (
            c["key"],
            c["sourced_by"],
            tuple(c["when"].get("original_source", ())),
            tuple(c["when"]["original_source_detail"]) if "original_source_detail" in c["when"] else None,
        )
        for c in spec["channels"]
        if c["when"]
    ]
    assert rules == [tuple(r[:2]) + (r[2], r[3]) for r in contract.CHANNEL_RULES]
    assert spec["ad_platforms"] == contract.AD_PLATFORM_CHANNEL
    assert [s["key"] for s in spec["stages"]] == list(contract.STAGES)
    assert spec["policies"]["deal_contacts"] == "primary" and spec["policies"]["reentry"] == "first"
    metrics = spec["alignment"]["metrics"]
    # The sample writes a report for every team metric the contract has a view of.
    mapped = [
        (team, name, metrics[conf["reports"][name]]["stage"])
        for team, conf in spec["alignment"]["teams"].items()
        for name in conf.get("views", {})
    ]
    assert sorted(mapped) == sorted(contract.TEAM_METRICS)
