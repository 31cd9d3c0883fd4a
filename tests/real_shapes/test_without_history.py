"""The sample company exported without propertiesWithHistory (as most export tools write it) gives
the same canonical stage entries as with it, except where only history can tell:

- re-entry and regressions: a stage-date property holds a stage's *latest* entry, history its
  first, so a person who entered a stage twice is dated later without history;
- late writes: an integration that wrote a lifecycle stage late left the original instant in the
  stage-date property while history records the write, so such a person is dated earlier.

Each differing entry is listed and must be explained by one of these, found in the history the
with-history run loaded.
"""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from funnel.config import PROJECT_ROOT
from orchestration.runner import run_daily
from sample_company import generate
from tests.conftest import SAMPLE_CONTACTS, SAMPLE_SEED, make_project

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

AS_OF = date(2026, 10, 31)


def _contract_for_an_export_without_history() -> str:
    """The demo contract without what needs property history besides the lifecycle stage: the
    teams' views (they read properties as they stood on report day) and the score-based MQL
    definition before 2025 (the sample starts later, so no entry depends on it)."""
    text = (PROJECT_ROOT / "funnel.yml").read_text()
    text = text[: text.index("  teams:")] + "  teams: {}\n\n" + text[text.index("# The growth course") :]
    start = text.index("    # Entries before 2025-01-01 were counted")
    return text[:start] + text[text.index("  - key: sql") :]


def _entries(project) -> pd.DataFrame:
    return project.query(
        "select person_id, stage, entered_at, is_backfilled, evidence from marts.fct_stage_entries"
    ).set_index(["person_id", "stage"])


@pytest.fixture(scope="module")
def without_history(tmp_path_factory):
    data = tmp_path_factory.mktemp("no_history") / "data"
    generate(data, contacts=SAMPLE_CONTACTS, seed=SAMPLE_SEED, with_history=False)
    # No teams in this contract, so their reports would be rejected as reconciled with nothing.
    shutil.rmtree(data / "reports")
    project = make_project(data.parent / "project", data, contract_text=_contract_for_an_export_without_history())
    summary = run_daily(project.settings, AS_OF, quiet=True)
    assert summary.success, [c.description for c in summary.blocking_failures] or summary.failed_steps
    return project


def test_the_same_people_enter_the_same_stages(analytics_run, without_history):
    with_history, without = _entries(analytics_run), _entries(without_history)
    assert sorted(without.index) == sorted(with_history.index)
    assert set(with_history["evidence"]) <= {"history", "created", "form_submission"}
    assert set(without["evidence"]) <= {"stage_date_property", "created", "form_submission"}
    assert (without["evidence"] == "stage_date_property").sum() == (with_history["evidence"] == "history").sum()


def test_every_entry_dated_differently_is_a_reentry_or_a_late_write(analytics_run, without_history):
    with_history, without = _entries(analytics_run), _entries(without_history)
    both = with_history.join(without, lsuffix="_history", rsuffix="_dates")
    later = both[both["entered_at_dates"] > both["entered_at_history"]]
    earlier = both[both["entered_at_dates"] < both["entered_at_history"]]
    flag_changed = both[both["is_backfilled_dates"] != both["is_backfilled_history"]]

    # People with a record that entered one lifecycle stage twice (its date property kept the last).
    reentered = set(
        analytics_run.query(
            """
        select distinct resolved.person_id
        from staging.stg_hubspot__contact_lifecycle_history as history
        join intermediate.int_contacts_resolved as resolved
            on resolved.contact_id = history.contact_id and resolved.is_counted
        where history.property_name = 'lifecyclestage'
        group by resolved.person_id, history.contact_id, history.property_value
        having count(*) > 1
        """
        )["person_id"]
    )
    # People with a record whose MQL date was written later than the instant it holds.
    written_late = set(
        analytics_run.query(
            """
        select distinct resolved.person_id
        from staging.stg_hubspot__contact_lifecycle_history as history
        join intermediate.int_contacts_resolved as resolved
            on resolved.contact_id = history.contact_id and resolved.is_counted
        where history.property_name = 'hs_lifecyclestage_marketingqualifiedlead_date'
            and try_cast(history.property_value as timestamptz) < history.changed_at
        """
        )["person_id"]
    )

    print(
        f"\n{len(later)} entries dated later without history (re-entry or regression), "
        f"{len(earlier)} earlier (late writes), {len(flag_changed)} backfill flags changed:"
    )
    print(pd.concat([later, earlier]).sort_index().to_string())
    assert len(later) > 0 and len(earlier) > 0, "the sample has both cases: the comparison must see them"
    assert set(later.index.get_level_values("person_id")) <= reentered
    assert set(earlier.index.get_level_values("person_id")) <= written_late
    assert set(flag_changed.index.get_level_values("person_id")) <= reentered
    untouched = both.drop(later.index.union(earlier.index))
    assert (untouched["entered_at_dates"] == untouched["entered_at_history"]).all()
    assert len(untouched) > 0.95 * len(both)
