"""The parts of funnel.yml the generator's truth follows, restated as constants.

The generator is the oracle the warehouse is checked against, so it deliberately does not read
funnel.yml: a wrong contract loader must not make the oracle agree with a wrong warehouse.
`tests/test_generator.py` checks these constants against the file instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

LIFECYCLE_ORDER = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
)
# `other` is outside the order: it never satisfies "reached X or later".
LIFECYCLE_RANK = {value: rank for rank, value in enumerate(LIFECYCLE_ORDER)}
NO_RANK = -1

STAGES = ("lead", "mql", "sql", "opportunity", "customer")
STAGE_LIFECYCLE = {"lead": "lead", "mql": "marketingqualifiedlead", "sql": "salesqualifiedlead"}

DEAL_PIPELINE = "default"
PRIMARY_LABEL = "Primary"
REPORTING_CURRENCY = "USD"

INTERNAL_DOMAINS = ("acme-analytics.com",)
TEST_PATTERNS = ("^test[+._-]", "^qa[+._-]", r"@example\.(com|org|net)$", r"@mailinator\.com$")
COMPETITOR_DOMAINS = ("rivalmetrics.io", "pipelinepro.com")
EXCLUDED_LIFECYCLE = ("other",)

# (channel key, sourced_by, alternatives); an alternative is (original sources, source details 1
# or None = any, source details 2 or None = any); first matching channel wins.
CHANNEL_RULES: tuple[
    tuple[str, str, tuple[tuple[tuple[str, ...], tuple[str, ...] | None, tuple[str, ...] | None], ...]], ...
] = (
    ("paid_search", "marketing", ((("PAID_SEARCH",), None, None),)),
    ("paid_social", "marketing", ((("PAID_SOCIAL",), None, None),)),
    ("email", "marketing", ((("EMAIL_MARKETING",), None, None),)),
    ("referral", "marketing", ((("REFERRALS",), None, None),)),
    ("events", "marketing", ((("OFFLINE",), ("IMPORT",), None),)),
    # A rep's record: HubSpot's API says CRM_UI (or the sales extension) in drill-down 1, older
    # portals CONTACTS with CRM_UI in drill-down 2.
    (
        "outbound",
        "sales",
        (
            (("OFFLINE",), ("CRM_UI", "EXTENSION", "SALES"), None),
            (("OFFLINE",), ("CONTACTS",), ("CRM_UI",)),
        ),
    ),
    ("organic", "marketing", ((("ORGANIC_SEARCH", "DIRECT_TRAFFIC", "SOCIAL_MEDIA"), None, None),)),
)
FALLBACK_CHANNEL = "unattributed"
SOURCED_BY = {rule[0]: rule[1] for rule in CHANNEL_RULES} | {FALLBACK_CHANNEL: "marketing"}

AD_PLATFORM_CHANNEL = {
    "google_ads": "paid_search",
    "linkedin_ads": "paid_social",
    "meta_ads": "paid_social",
    "microsoft_ads": "paid_search",
}
PAID_CHANNELS = tuple(sorted(set(AD_PLATFORM_CHANNEL.values())))
# Which channel a visit's utm_medium says it came through (`utm_mediums`, attribution).
UTM_MEDIUMS = {"cpc": "paid_search", "paid_social": "paid_social", "email": "email"}
# A rep's own activity: the first channel sourced by sales.
SALES_CHANNEL = next(key for key, sourced_by, _ in CHANNEL_RULES if sourced_by == "sales")
# sla stage -> (the stage its clock starts at, hours), from the stages' `sla_hours`.
SLAS = {"sql": ("mql", 48)}


@dataclass(frozen=True)
class BusinessHours:
    """`policies.sla_business_hours`: the SLA clock runs on `days` (mon … sun) from `start` to
    `end` ("HH:MM", "24:00" for midnight) on the reporting timezone's wall clock."""

    days: tuple[str, ...]
    start: str
    end: str


# The demo contract sets no business hours: the SLA clock counts every hour.
SLA_BUSINESS_HOURS: BusinessHours | None = None


@dataclass(frozen=True)
class TouchActivity:
    """One `touches.activities` entry: an engagement counts when it matches every field given
    (None: any). Outcomes and directions in the contract's words (lower snake case)."""

    type: str
    direction: str | None = None
    outcomes: tuple[str, ...] | None = None
    automated: bool | None = None


# `touches`: what counts as a sales touch. The demo contract counts logged work, not a rep's edits
# of a record's properties (TOUCH_PROPERTY_CHANGES), by the sales teams' owners only.
TOUCH_ACTIVITIES = (
    TouchActivity("call", direction="outbound", outcomes=("connected", "left_voicemail", "left_live_message")),
    TouchActivity("email", direction="outbound", automated=False),
    TouchActivity("meeting", outcomes=("completed",)),
)
TOUCH_OWNER_TEAMS = ("SDR", "AE")
TOUCH_PROPERTY_CHANGES = False

# (team, metric as the team names it, canonical stage it maps to), from `alignment`.
TEAM_METRICS = (
    ("marketing", "leads", "lead"),
    ("marketing", "mqls", "mql"),
    ("sales", "leads", "mql"),
)

_PLUS_TAG = re.compile(r"\+[^@]*@")


def lower_trim(emails: np.ndarray) -> np.ndarray:
    """Lower-cased, space-trimmed emails; SQL `lower(trim(email))` trims spaces only, so do we."""
    return np.array([e.strip(" ").lower() if isinstance(e, str) else None for e in emails], dtype=object)


def normalise_email(emails: np.ndarray) -> np.ndarray:
    """Identity key: lower-cased, trimmed, `+tag` removed (`plus_addressing: strip`); '' when missing."""
    return np.array(
        [_PLUS_TAG.sub("@", e) if e else "" for e in lower_trim(emails)],
        dtype=object,
    )


def email_domains(lowered: np.ndarray) -> np.ndarray:
    return np.array([e.rsplit("@", 1)[-1] if e else "" for e in lowered], dtype=object)


def matches_test_pattern(lowered: np.ndarray) -> np.ndarray:
    pattern = re.compile("|".join(f"(?:{p})" for p in TEST_PATTERNS))
    return np.array([bool(e) and pattern.search(e) is not None for e in lowered], dtype=bool)


def exclusion_reasons(emails: np.ndarray, lifecycle: np.ndarray, archived_only: np.ndarray) -> np.ndarray:
    """Reason codes in the order design.md checks them on a principal record ('' = included)."""
    lowered = lower_trim(emails)
    domains = email_domains(lowered)
    reasons = np.full(len(emails), "", dtype=object)
    checks = (
        (archived_only, "archived"),
        (np.isin(domains, INTERNAL_DOMAINS), "internal"),
        (matches_test_pattern(lowered), "test"),
        (np.isin(domains, COMPETITOR_DOMAINS), "competitor"),
        (np.isin(lifecycle.astype(object), EXCLUDED_LIFECYCLE), "lifecycle_other"),
    )
    for hit, reason in checks:
        reasons[(reasons == "") & hit] = reason
    return reasons


def channel_for(source: np.ndarray, detail: np.ndarray, detail_2: np.ndarray | None = None) -> np.ndarray:
    """Map HubSpot original source and its two drill-downs to a channel key, first matching rule."""
    source = pd.Series(source, dtype=object)
    detail = pd.Series(detail, dtype=object)
    detail_2 = pd.Series(detail_2 if detail_2 is not None else np.full(len(source), None, dtype=object), dtype=object)
    channel = np.full(len(source), "", dtype=object)
    for key, _, alternatives in CHANNEL_RULES:
        hit = np.zeros(len(source), dtype=bool)
        for sources, details, details_2 in alternatives:
            part = source.isin(sources).to_numpy(copy=True)
            if details is not None:
                part &= detail.isin(details).to_numpy()
            if details_2 is not None:
                part &= detail_2.isin(details_2).to_numpy()
            hit |= part
        channel[(channel == "") & hit] = key
    channel[channel == ""] = FALLBACK_CHANNEL
    return channel


def _direct_traffic_channel() -> str:
    return str(channel_for(np.array(["DIRECT_TRAFFIC"], dtype=object), np.array([None], dtype=object))[0])


def lifecycle_ranks(values: np.ndarray) -> np.ndarray:
    return pd.Series(values, dtype=object).map(LIFECYCLE_RANK).fillna(NO_RANK).to_numpy(np.int64)


# A submission with no source of its own is a direct visit, as HubSpot records it.
DIRECT_TRAFFIC_CHANNEL = _direct_traffic_channel()
