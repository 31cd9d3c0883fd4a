"""Touchpoints and speed to lead, computed from the simulation as docs/analytics.md defines them.

A touchpoint belongs to a counted record of a non-excluded person (int_contacts_resolved's
`is_counted`: a record counts unless it was deleted while its person still has a live record),
up to the as-of instant:

- every form submission: `ad_click` / `email_click` when its utm_medium maps to a channel
  (contract `utm_mediums`), else `form_submission` on the channel of the record it created (a
  record of the person created within 60 seconds of it), else on DIRECT_TRAFFIC's channel;
- every record no submission created: `event` for a list import (source detail IMPORT),
  `record_created` otherwise;
- `sales_activity`: every engagement the contract's `touches` rules count (engagement_truth.py),
  one touch per engagement at its hs_timestamp.

The demo contract says `property_changes: false`, so the proxy used before reps logged their
work is off (contract.TOUCH_PROPERTY_CHANGES): a record a rep typed into the CRM UI is then an
ordinary `record_created` touch, and a rep's CRM UI changes to a property HubSpot exports with
history (lifecycle stage, lead status) are no touch. With the proxy on, both are
`sales_activity`, and a rep's changes and records at one instant are one touch (owner changes
never: HubSpot exports them without history, so no warehouse can see them).

Sales activities carry no campaign: a rep's call is no visit to a campaign's page, and the
records a rep touches at one instant can come from different campaigns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exports.hubspot_contacts import HISTORY_PROPS
from ..simulate.clock import MS_DAY, MS_HOUR, Clock
from ..simulate.records import final_rows
from . import contract
from .people_truth import PeopleTruth

PAIRING_MS = 60_000  # a record created within a minute of a submission is the one it created
COLUMNS = ["person_id", "touched_at", "touch_type", "channel", "campaign"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # pandas' dayofweek order


def counted_records(records: pd.DataFrame, truth: PeopleTruth) -> np.ndarray:
    """Per record row: does its history count for its person (int_contacts_resolved.is_counted)?

    A record is `deleted` when archived and not merged into a live record; a deleted record
    counts only when its person has no live record at all (the person is then excluded)."""
    final = final_rows(records["merged_into"].to_numpy())
    active = records["archived_at"].isna().to_numpy()
    deleted = ~active & ~((final != np.arange(len(records))) & active[final])
    person_active = truth.people.set_index("person_id")["any_active"]
    return ~deleted | ~person_active.loc[truth.record_person].to_numpy()


def touchpoints_truth(
    records: pd.DataFrame,
    record_events: pd.DataFrame,
    submissions: pd.DataFrame,
    truth: PeopleTruth,
    clock: Clock,
    engagements: pd.DataFrame,
) -> pd.DataFrame:
    """One row per touchpoint (COLUMNS; touched_at in ms), sorted. `engagements` is
    engagement_truth's table: its sales touches are the logged work that counts."""
    person_of = truth.record_person
    excluded = truth.people.set_index("person_id")["is_excluded"]
    keep = counted_records(records, truth) & ~excluded.loc[person_of].to_numpy()
    subs = submissions[keep[submissions["rec"].to_numpy()]].reset_index(drop=True)
    subs = subs.assign(person_id=person_of[subs["rec"].to_numpy()])
    made = _created_records(subs, records, person_of, keep)
    by_form = np.zeros(len(records), dtype=bool)
    by_form[made[made >= 0]] = True
    by_rep = records["object_source"].to_numpy(dtype=object) == "CRM_UI"
    by_rep &= contract.TOUCH_PROPERTY_CHANGES
    channels = contract.channel_for(
        records["source"].to_numpy(dtype=object),
        records["source_d1"].to_numpy(dtype=object),
        records["source_d2"].to_numpy(dtype=object),
    )
    touches = pd.concat(
        [
            _form_touches(subs, made, records, channels),
            _record_touches(records, channels, person_of, np.flatnonzero(keep & ~by_form & ~by_rep)),
            _rep_touches(records, record_events, person_of, keep, np.flatnonzero(keep & ~by_form & by_rep)),
            _logged_touches(engagements),
        ],
        ignore_index=True,
    )
    touches = touches[touches["touched_at"].to_numpy() <= clock.horizon_ms]
    return touches.sort_values(COLUMNS, kind="stable", na_position="first", ignore_index=True)


def _created_records(subs: pd.DataFrame, records: pd.DataFrame, person_of: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per submission, the row of the record it created (-1: none): the person's earliest record
    (then smallest id) created within PAIRING_MS of it, before or after. A submission carries no
    record id, so a later one that happens to fall next to another record's creation claims it."""
    rows = np.flatnonzero(keep)
    candidates = pd.DataFrame({"rec": rows, "person_id": person_of[rows]})
    pairs = subs[["person_id", "at"]].reset_index(names="sub").merge(candidates, on="person_id")
    created = records["created"].to_numpy(np.int64)[pairs["rec"].to_numpy()]
    pairs = pairs.assign(created=created, id=records["id"].to_numpy()[pairs["rec"].to_numpy()])
    pairs = pairs[np.abs(created - pairs["at"].to_numpy(np.int64)) <= PAIRING_MS]
    first = pairs.sort_values(["sub", "created", "id"], kind="stable").drop_duplicates("sub")
    made = np.full(len(subs), -1, dtype=np.int64)
    made[first["sub"].to_numpy()] = first["rec"].to_numpy()
    return made


def _form_touches(subs: pd.DataFrame, made: np.ndarray, records: pd.DataFrame, channels: np.ndarray) -> pd.DataFrame:
    """A submission's utm_medium names its channel; without one, the record it created says where
    the visit came from (HubSpot's original source); with neither it was a direct visit."""
    has_made = made >= 0
    rec = np.where(has_made, made, 0)
    utm_channel = subs["utm_medium"].map(contract.UTM_MEDIUMS)
    has_utm = utm_channel.notna().to_numpy()
    paid = utm_channel.isin(contract.PAID_CHANNELS).to_numpy()
    record_channel = np.where(has_made, channels[rec], contract.DIRECT_TRAFFIC_CHANNEL)
    record_campaign = np.where(has_made, records["source_d2"].to_numpy(dtype=object)[rec], None)
    utm_campaign = subs["utm_campaign"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "person_id": subs["person_id"].to_numpy(),
            "touched_at": subs["at"].to_numpy(np.int64),
            "touch_type": np.where(paid, "ad_click", np.where(has_utm, "email_click", "form_submission")),
            "channel": np.where(has_utm, utm_channel.to_numpy(dtype=object), record_channel),
            "campaign": np.where(pd.notna(utm_campaign), utm_campaign, record_campaign),
        }
    )


def _record_touches(
    records: pd.DataFrame, channels: np.ndarray, person_of: np.ndarray, rows: np.ndarray
) -> pd.DataFrame:
    """Records that arrived without a visit or a rep: event attendee imports, API records."""
    imported = records["source_d1"].to_numpy(dtype=object)[rows] == "IMPORT"
    return pd.DataFrame(
        {
            "person_id": person_of[rows],
            "touched_at": records["created"].to_numpy(np.int64)[rows],
            "touch_type": np.where(imported, "event", "record_created"),
            "channel": channels[rows],
            "campaign": records["source_d2"].to_numpy(dtype=object)[rows],
        }
    )


def _rep_touches(
    records: pd.DataFrame, record_events: pd.DataFrame, person_of: np.ndarray, keep: np.ndarray, typed: np.ndarray
) -> pd.DataFrame:
    """Records a rep typed in (`typed` rows) and the rep's CRM UI changes that HubSpot exports
    with history, when the contract counts them; whatever a rep saves at one instant is one touch."""
    changes = record_events[
        record_events["prop"].isin(HISTORY_PROPS).to_numpy()
        & (record_events["source_type"] == "CRM_UI").to_numpy()
        & keep[record_events["rec"].to_numpy()]
        & contract.TOUCH_PROPERTY_CHANGES
    ]
    created = records["created"].to_numpy(np.int64)[typed]
    rep = pd.DataFrame(
        {
            "person_id": np.concatenate([person_of[typed], person_of[changes["rec"].to_numpy()]]),
            "touched_at": np.concatenate([created, changes["ts"].to_numpy(np.int64)]),
        }
    ).drop_duplicates()
    return rep.assign(touch_type="sales_activity", channel=contract.SALES_CHANNEL, campaign=None)


def _logged_touches(engagements: pd.DataFrame) -> pd.DataFrame:
    """One sales_activity per engagement that counts, at its hs_timestamp."""
    touch = engagements[engagements["is_sales_touch"].to_numpy()]
    return pd.DataFrame(
        {
            "person_id": touch["person_id"].to_numpy(np.int64),
            "touched_at": touch["occurred_at"].to_numpy(np.int64),
            "touch_type": "sales_activity",
            "channel": contract.SALES_CHANNEL,
            "campaign": None,
        }
    )


def first_sales_touches(touches: pd.DataFrame, truth: PeopleTruth, clock: Clock) -> pd.DataFrame:
    """sla_speed_to_lead's facts per SLA: every non-backfilled first entry into the SLA's start
    stage, the first sales_activity at or after it, and the status at the as-of instant (the SLA
    clock counting every hour, or only the business hours of contract.SLA_BUSINESS_HOURS)."""
    parts = []
    run_instant = clock.horizon_ms + 1  # the as-of instant is the exclusive end of the last day
    for sla_stage, (from_stage, sla_hours) in contract.SLAS.items():
        e = truth.entries
        starts = e.loc[(e["stage"] == from_stage) & ~e["is_backfilled"], ["person_id", "entered_at"]]
        sales = touches.loc[touches["touch_type"] == "sales_activity", ["person_id", "touched_at"]]
        later = starts.merge(sales, on="person_id")
        later = later[later["touched_at"] >= later["entered_at"]]
        first = later.groupby("person_id")["touched_at"].min()
        touched = first.reindex(starts["person_id"]).to_numpy(np.float64)
        entered = starts["entered_at"].to_numpy(np.float64)
        limit = sla_hours * MS_HOUR
        to_touch = sla_ms_between(entered, touched, clock.timezone)
        waited = sla_ms_between(entered, np.full_like(entered, run_instant), clock.timezone)
        status = np.where(to_touch <= limit, "met", np.where(~np.isnan(touched) | (waited > limit), "breached", "open"))
        parts.append(
            pd.DataFrame(
                {
                    "sla_stage": sla_stage,
                    "from_stage": from_stage,
                    "person_id": starts["person_id"].to_numpy(),
                    "entered_at": entered,
                    "first_sales_touch_at": touched,
                    "sla_status": status,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sort_values(["sla_stage", "person_id"], ignore_index=True)


def sla_ms_between(start_ms: np.ndarray, end_ms: np.ndarray, timezone: str) -> np.ndarray:
    """The milliseconds the SLA clock runs from each start to its end (NaN where either is NaN):
    all of them, or those in the contract's business hours."""
    hours = contract.SLA_BUSINESS_HOURS
    if hours is None:
        return end_ms - start_ms
    return business_ms_between(start_ms, end_ms, hours, timezone)


def business_ms_between(
    start_ms: np.ndarray, end_ms: np.ndarray, hours: contract.BusinessHours, timezone: str
) -> np.ndarray:
    """Milliseconds inside the business hours from each start to its end (NaN where either is NaN).

    A calendar of the local days the instants span, each with its window on the wall clock (09:00
    local is 09:00 on a DST change day too, so every business day has end - start of them) and
    the business time of the days before it; an instant's business time is its day's running
    total plus its part of its day's window. Instants are read on the timezone's wall clock."""
    start_ms, end_ms = np.asarray(start_ms, np.float64), np.asarray(end_ms, np.float64)
    known = ~np.isnan(start_ms) & ~np.isnan(end_ms)
    out = np.full(start_ms.shape, np.nan)
    if not known.any():
        return out
    start_wall, end_wall = _wall_clock_ms(start_ms[known], timezone), _wall_clock_ms(end_ms[known], timezone)
    first = int(np.floor(min(start_wall.min(), end_wall.min()) / MS_DAY))
    last = int(np.floor(max(start_wall.max(), end_wall.max()) / MS_DAY))
    days = pd.date_range(pd.Timestamp(first, unit="D"), pd.Timestamp(last, unit="D"), freq="D")
    is_open = np.isin(days.dayofweek, [WEEKDAYS.index(day) for day in hours.days])
    opens = np.arange(first, last + 1, dtype=np.float64) * MS_DAY + _ms_of_day(hours.start)
    length = np.where(is_open, _ms_of_day(hours.end) - _ms_of_day(hours.start), 0.0)
    before = np.concatenate([[0.0], np.cumsum(length)[:-1]])

    def business_time(wall: np.ndarray) -> np.ndarray:
        day = np.floor(wall / MS_DAY).astype(np.int64) - first
        return before[day] + np.clip(wall - opens[day], 0.0, length[day])

    out[known] = np.maximum(business_time(end_wall) - business_time(start_wall), 0.0)
    return out


def _wall_clock_ms(ms: np.ndarray, timezone: str) -> np.ndarray:
    """Each UTC instant's local date and time in the timezone, as ms from 1970-01-01 00:00."""
    local = pd.to_datetime(ms.astype(np.int64), unit="ms", utc=True).tz_convert(timezone).tz_localize(None)
    return local.as_unit("ms").asi8.astype(np.float64)


def _ms_of_day(time: str) -> float:
    hours, minutes = time.split(":")
    return (int(hours) * 60 + int(minutes)) * 60_000.0
