"""The typed shape of `funnel.yml`. Criteria stay raw here; `criteria.parse` reads them."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

# Keys become column names (`mql_at`) and dbt identifiers: keep them plain.
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,30}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Decision(Strict):
    date: date
    decision: str
    decided_by: str
    why: str = ""


# The first day a run may compute when the contract does not say (`meta.history_start`): early
# enough for any CRM export, so that only a date the data cannot hold is refused.
DEFAULT_HISTORY_START = date(2000, 1, 1)


class Meta(Strict):
    name: str
    owner: str
    version: str = Field(min_length=1, max_length=40)
    effective_from: date
    # The first day the funnel has data for: runs (and Dagster's daily partitions) start here.
    history_start: date = DEFAULT_HISTORY_START
    decisions: list[Decision] = []


class Reporting(Strict):
    timezone: str
    week_start: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    fx_source: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


class Exclusions(Strict):
    internal_domains: list[str] = []
    test_patterns: list[str] = []
    competitor_domains: list[str] = []
    lifecycle_stages: list[str] = []

    @field_validator("test_patterns")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"test pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return patterns

    @field_validator("internal_domains", "competitor_domains")
    @classmethod
    def _domains(cls, domains: list[str]) -> list[str]:
        for domain in domains:
            if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", domain):
                raise ValueError(f"'{domain}' is not a lower-case domain such as example.com")
        return domains


class Identity(Strict):
    key: Literal["email"] = "email"
    plus_addressing: Literal["strip", "keep"] = "strip"
    exclusions: Exclusions = Exclusions()


class ChannelWhen(Strict):
    """One condition: every field it names must hold one of its values (an empty one matches all)."""

    original_source: list[str] = []
    """HubSpot's hs_analytics_source (ORGANIC_SEARCH, PAID_SEARCH, OFFLINE, …)."""
    original_source_detail: list[str] = []
    """hs_analytics_source_data_1, the first drill-down (IMPORT, CRM_UI, CONTACTS, a search engine…)."""
    original_source_detail_2: list[str] = []
    """hs_analytics_source_data_2, the second drill-down (CRM_UI under CONTACTS, a file, a campaign…)."""
    lead_source: list[str] = []
    """Salesforce's LeadSource, for people who exist only in Salesforce."""

    def is_catch_all(self) -> bool:
        return not (
            self.original_source or self.original_source_detail or self.original_source_detail_2 or self.lead_source
        )


class Channel(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    label: str
    sourced_by: Literal["marketing", "sales", "partner"]
    when: ChannelWhen | list[ChannelWhen] = ChannelWhen()
    """One condition, or a list of alternatives (the channel matches when any of them does)."""

    @property
    def conditions(self) -> list[ChannelWhen]:
        return self.when if isinstance(self.when, list) else [self.when]

    def is_catch_all(self) -> bool:
        return not self.conditions or any(c.is_catch_all() for c in self.conditions)


class PreviousDefinition(Strict):
    version: str = Field(min_length=1, max_length=40)
    until: date
    entry: Any
    decided_by: str = ""
    why: str = ""


class Stage(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    label: str
    owner: str
    definition: str
    entry: Any
    exit: Any = None
    sla_hours: float | None = Field(None, gt=0)
    sla_from: str | None = None
    previous_definitions: list[PreviousDefinition] = []


class SuspiciousValues(Strict):
    """Per kind of value that parses but looks wrong: list it as a warning, or block the run."""

    negative_won_amount: Literal["warn", "block"] = "warn"
    date_out_of_range: Literal["warn", "block"] = "warn"
    conflicting_duplicate: Literal["warn", "block"] = "warn"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The days of `sla_business_hours`, in ISO order (Monday first)."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday(value: Any) -> Any:
    if not isinstance(value, str) or value not in WEEKDAYS:
        raise ValueError(f"unknown day {value!r}; use one of: {_one_of(WEEKDAYS)}")
    return value


def _time_of_day(value: Any, midnight_ok: bool = False) -> str:
    """'HH:MM' on a 24-hour clock; with `midnight_ok`, also '24:00' (the end of the day)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 25 * 60:
        # YAML 1.1 reads an unquoted 17:00 as a base-60 number (1020); 09:00 stays a string.
        hours, minutes = divmod(value, 60)
        raise ValueError(
            f'YAML reads an unquoted {hours}:{minutes:02d} as the number {value}; quote it: "{hours:02d}:{minutes:02d}"'
        )
    if value == "24:00" and not midnight_ok:
        raise ValueError("24:00 is the end of a day; `start` is a time from 00:00 to 23:59")
    is_time = isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value) is not None
    if not (is_time or (midnight_ok and value == "24:00")):
        raise ValueError(f'{value!r} is not a time of day; write HH:MM on a 24-hour clock, e.g. "09:00"')
    return value


def minutes_of(time: str) -> int:
    """Minutes from midnight to an 'HH:MM' time ('24:00' is 1440)."""
    hours, minutes = time.split(":")
    return int(hours) * 60 + int(minutes)


class BusinessHours(Strict):
    """When the SLA clock runs: on `days`, from `start` to `end`, on the wall clock of the
    reporting timezone (09:00 is 09:00 local on either side of a DST change)."""

    days: list[Annotated[str, BeforeValidator(_weekday)]]
    start: str
    end: str
    """"24:00" for midnight: a business day ends the day it starts."""

    @field_validator("days")
    @classmethod
    def _some_days_once_each(cls, days: list[str]) -> list[str]:
        if not days:
            raise ValueError(
                "lists no day; name the days the SLA clock runs (e.g. [mon, tue, wed, thu, fri]), or remove "
                "`sla_business_hours` to count every hour"
            )
        for day in days:
            if days.count(day) > 1:
                raise ValueError(f"{day!r} is listed twice; list each day once")
        return days

    @field_validator("start", mode="before")
    @classmethod
    def _start_time(cls, value: Any) -> str:
        return _time_of_day(value)

    @field_validator("end", mode="before")
    @classmethod
    def _end_after_start(cls, value: Any, info: ValidationInfo) -> str:
        end = _time_of_day(value, midnight_ok=True)
        start = info.data.get("start")
        if start is not None and minutes_of(end) <= minutes_of(start):
            raise ValueError(
                f"{end} is not after `start` ({start}); business hours end later the same day "
                '(use "24:00" for midnight)'
            )
        return end


class Policies(Strict):
    skipped_stages: Literal["backfill", "leave_empty"] = "backfill"
    reentry: Literal["first", "every"] = "first"
    attribution_window_days: int = Field(90, gt=0)
    # Time-decay attribution: a touch this many days before the conversion weighs half as much.
    attribution_half_life_days: float = Field(7, gt=0)
    deal_contacts: Literal["primary", "all"] = "primary"
    primary_association_label: str = "Primary"
    deal_source_credit: dict[str, Literal["marketing", "sales", "partner"]] = {}
    quarantine_max_rows: int = Field(0, ge=0)
    """How many unloadable records (raw.quarantine) or unreadable values (rejected_values) a run tolerates."""
    suspicious_values: SuspiciousValues = SuspiciousValues()
    sla_business_hours: BusinessHours | None = None
    """The hours the SLA clock counts (absent: every hour, the wall clock's)."""


# What a rep logs in the CRM (HubSpot engagements), in the contract's own words: each type's
# outcomes are HubSpot's values in lower snake case (a call's disposition by its label; a GUID
# HubSpot does not ship is `other`). Notes have no outcome.
TOUCH_OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": ("connected", "left_voicemail", "left_live_message", "no_answer", "busy", "wrong_number", "other"),
    "email": ("sent", "bounced", "failed", "scheduled", "sending"),
    "meeting": ("scheduled", "completed", "rescheduled", "no_show", "canceled"),
    "note": (),
    "task": ("completed", "not_started", "in_progress", "waiting", "deferred"),
}
# Only calls and emails have a direction in HubSpot; only an email can be forwarded.
TOUCH_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "call": ("outbound", "inbound"),
    "email": ("outbound", "inbound", "forwarded"),
}
TouchType = Literal["call", "email", "meeting", "note", "task"]


def _one_of(values) -> str:
    return ", ".join(values)


class TouchActivity(Strict):
    """One kind of logged activity that counts as a sales touch; every field it gives must hold."""

    type: TouchType
    direction: Literal["outbound", "inbound", "forwarded"] | None = None
    outcomes: list[str] | None = None
    """The outcomes that count (absent: any outcome)."""
    automated: bool | None = None
    """Emails only: false keeps one-to-one emails, true only those a sequence sent (absent: both)."""

    # The checks below name the activity type, so they run after `type` was read (declared
    # first); when `type` itself is wrong, they stay quiet and only that is reported.
    @field_validator("type", mode="before")
    @classmethod
    def _known_type(cls, value: Any) -> Any:
        if not isinstance(value, str) or value not in TOUCH_OUTCOMES:
            raise ValueError(f"unknown activity type {value!r}; use one of: {_one_of(TOUCH_OUTCOMES)}")
        return value

    @field_validator("direction", mode="before")
    @classmethod
    def _direction_of_type(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        allowed = TOUCH_DIRECTIONS.get(kind)
        if not allowed:
            raise ValueError(f"a {kind} has no direction; remove it (only {' and '.join(TOUCH_DIRECTIONS)} have one)")
        if value not in allowed:
            raise ValueError(f"unknown direction {value!r} of a {kind}; use one of: {_one_of(allowed)}")
        return value

    @field_validator("outcomes")
    @classmethod
    def _outcomes_of_type(cls, values: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("type")
        if values is None or kind is None:
            return values
        allowed = TOUCH_OUTCOMES[kind]
        if not allowed:
            raise ValueError(f"a {kind} has no outcome; remove `outcomes`")
        if not values:
            raise ValueError(f"list at least one outcome, or leave `outcomes` out to count any {kind}")
        for value in values:
            if value not in allowed:
                raise ValueError(f"{value!r} is not an outcome of a {kind}; use one of: {_one_of(allowed)}")
        return values

    @field_validator("automated")
    @classmethod
    def _only_emails_are_automated(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        kind = info.data.get("type")
        if value is not None and kind is not None and kind != "email":
            raise ValueError(f"only an email can be automated (sent by a sequence), not a {kind}; remove it")
        return value


class Touches(Strict):
    """What counts as a sales touch (first touch for the SLA, sales_activity touchpoints)."""

    activities: list[TouchActivity]
    owner_teams: list[str] = []
    """The owner's HubSpot team must be one of these; empty: whoever owns the activity, or no one."""
    property_changes: bool = False
    """Also count a rep's property edits and records created in the CRM (the proxy used without
    this section)."""

    @field_validator("activities")
    @classmethod
    def _at_least_one(cls, activities: list[TouchActivity]) -> list[TouchActivity]:
        if not activities:
            raise ValueError(
                "lists no activity; name at least one (e.g. {type: call, direction: outbound}), or remove "
                "the `touches` section to infer sales touches from a rep's property edits"
            )
        return activities

    @field_validator("owner_teams")
    @classmethod
    def _team_names(cls, teams: list[str]) -> list[str]:
        for team in teams:
            if not team.strip():
                raise ValueError("an empty team name; use the team's name as HubSpot's owners list it")
        return teams


class Tolerance(Strict):
    relative: float = Field(ge=0)
    absolute: float = Field(ge=0)
    severity: Literal["block", "warn"] = "block"


class Metric(Strict):
    """A canonical metric: entries into a stage; the people who had reached a stage and got a
    sales touch in the period (`people_touched`, e.g. sales' "leads worked"); or an amount of
    deals in a pipeline."""

    measure: Literal["entries", "people_touched", "pipeline_amount", "won_revenue"] = "entries"
    stage: str | None = None
    pipeline: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Metric:
        if self.measure in ("entries", "people_touched") and not self.stage:
            raise ValueError(f"a metric counting {self.measure.replace('_', ' ')} needs `stage`")
        if self.measure in ("pipeline_amount", "won_revenue") and not self.pipeline:
            raise ValueError(f"a {self.measure} metric needs `pipeline` (the deals it sums)")
        return self

    @property
    def counts_people(self) -> bool:
        return self.measure in ("entries", "people_touched")


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone '{value}'; use an IANA name such as America/New_York") from None
    return value


class ViewDate(Strict):
    """Which instant puts a record in a team's period: a date property's value as it stood when
    the team pulled its report (`property`; createdate, or a property exported with history), or
    the first time a property was set (`first_set`)."""

    property: str | None = None
    first_set: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ViewDate:
        if (self.property is None) == (self.first_set is None):
            raise ValueError("give either `property` or `first_set`")
        return self


class TeamView(Strict):
    """How a team counts one of its metrics today, in its own tool: records by a date (`date`),
    or — for a `people_touched` metric — records with an activity of one of `activities` dated in
    the period and logged by the time the team pulled its report (any owner, any outcome)."""

    date: ViewDate | None = None
    activities: list[Literal["call", "email", "meeting", "note", "task"]] | None = None
    timezone: str
    lifecycle_at_least: str | None = None
    excludes: list[Literal["internal", "test", "competitor"]] = []

    @model_validator(mode="after")
    def _one_way(self) -> TeamView:
        if (self.date is None) == (self.activities is None):
            raise ValueError("give either `date` (records by a date) or `activities` (records with logged activity)")
        if self.activities is not None and not self.activities:
            raise ValueError("`activities` lists no type; name at least one (call, email, meeting, note, task)")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


class Snapshot(Strict):
    """When a team pulls its report: `days_after` the period ended, at `time` in `timezone`
    (1 day after a month: the 1st of the next month). Anything written later is invisible to it."""

    days_after: int = Field(1, ge=0, le=60)
    time: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


class Team(Strict):
    reports: dict[str, str]
    snapshot: Snapshot = Snapshot()
    views: dict[str, TeamView] = {}


class Alignment(Strict):
    metrics: dict[str, Metric] = {}
    tolerances: dict[str, Tolerance] = {}
    teams: dict[str, Team] = {}


class Target(Strict):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    stage: str
    value: float = Field(ge=0)


class Segment(Strict):
    """A company size band; a person's segment is the band of their primary company."""

    key: str = Field(pattern=KEY_PATTERN)
    label: str
    min_employees: int = Field(ge=0)


class HubSpot(Strict):
    # HubSpot lets each portal define its lifecycle stages, so their order is the contract's.
    lifecycle_order: list[str] = Field(min_length=1)

    @field_validator("lifecycle_order")
    @classmethod
    def _internal_values(cls, stages: list[str]) -> list[str]:
        # HubSpot's internal values (or numeric ids of custom stages) name its stage-date
        # properties (hs_lifecyclestage_<stage>_date): nothing else can be one.
        for stage in stages:
            if not re.fullmatch(r"[a-z0-9_]{1,60}", stage):
                raise ValueError(
                    f"'{stage}' is not a HubSpot lifecycle stage's internal value "
                    "(lower-case letters, digits and underscores, e.g. marketingqualifiedlead)"
                )
        return stages


class Contract(Strict):
    meta: Meta
    reporting: Reporting
    identity: Identity = Identity()
    channels: list[Channel]
    ad_platforms: dict[str, str] = {}
    # A touch's channel from its utm_medium (form submissions carry the visit's UTM values).
    utm_mediums: dict[str, str] = {}
    segments: list[Segment] = []
    hubspot: HubSpot
    stages: list[Stage] = Field(min_length=1)
    policies: Policies = Policies()
    # Absent: a rep's edits of a record's properties in the CRM are the sales touches.
    touches: Touches | None = None
    alignment: Alignment = Alignment()
    targets: list[Target] = []

    def stage(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)
