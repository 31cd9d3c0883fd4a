"""HubSpot original-source properties for a record that arrived through a given channel.

Each value is chosen so that funnel.yml's channel rules map it back to that channel; the
`unattributed` channel produces sources no rule but the catch-all matches (OTHER_CAMPAIGNS,
OFFLINE with source detail API, or no source at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ads import pick_campaigns
from .clock import Clock

INBOUND_CHANNELS = ("paid_search", "paid_social", "organic", "email", "events", "referral")
_PARTNER_SITES = ("g2.com", "capterra.com", "partners.snowflake.com", "revopscoop.org", "dbt-community.net")
_EVENT_SERIES = ("saas-summit", "data-council", "revops-live", "webinar-funnel-metrics")
_NURTURE = ("nurture-welcome", "nurture-product-tour", "nurture-case-studies")
# Form first submitted when a record is created through each channel.
CHANNEL_FORMS = {
    "paid_search": ("demo_request", "ebook_download", "contact_us"),
    "paid_social": ("webinar_registration", "ebook_download", "demo_request"),
    "organic": ("contact_us", "ebook_download", "demo_request"),
    "email": ("newsletter_signup",),
    "referral": ("demo_request", "contact_us"),
    "unattributed": ("contact_us",),
}


@dataclass(frozen=True)
class Sources:
    source: np.ndarray
    detail_1: np.ndarray
    detail_2: np.ndarray
    object_source: np.ndarray  # how HubSpot says the record was created
    first_form: np.ndarray  # form submitted at creation, None when not created by a form


def sources_for(
    channels: np.ndarray, created: np.ndarray, clock: Clock, campaigns: pd.DataFrame, rng: np.random.Generator
) -> Sources:
    n = len(channels)
    u = rng.random((n, 4))  # fixed shape: the same draws whatever the channel mix
    days = np.clip(clock.day_index(created.astype(np.int64)), 0, clock.n_days - 1)
    month = np.datetime_as_string(clock.local_dates(created.astype(np.int64)).astype("datetime64[M]"))
    src = np.full(n, None, dtype=object)
    d1 = np.full(n, None, dtype=object)
    d2 = np.full(n, None, dtype=object)
    obj = np.full(n, "FORM", dtype=object)

    def where(channel: str) -> np.ndarray:
        return channels == channel

    m = where("paid_search")
    bing = m & (u[:, 1] >= 0.8)
    google = m & ~bing
    src[m] = "PAID_SEARCH"
    d1[google], d1[bing] = "google", "bing"
    d2[google] = pick_campaigns(campaigns, "google_ads", days[google], u[google, 0])
    d2[bing] = pick_campaigns(campaigns, "microsoft_ads", days[bing], u[bing, 0])

    m = where("paid_social")
    linkedin = m & (u[:, 1] < 0.65)
    facebook = m & ~linkedin
    src[m] = "PAID_SOCIAL"
    d1[linkedin], d1[facebook] = "linkedin", "facebook"
    d2[linkedin] = pick_campaigns(campaigns, "linkedin_ads", days[linkedin], u[linkedin, 0])
    d2[facebook] = pick_campaigns(campaigns, "meta_ads", days[facebook], u[facebook, 0])

    m = where("email")
    src[m], d1[m] = "EMAIL_MARKETING", "newsletter"
    nurture = m & (u[:, 1] < 0.3)
    d2[m & ~nurture] = np.char.add("newsletter-", month[m & ~nurture].astype(str)).astype(object)
    d2[nurture] = np.asarray(_NURTURE, dtype=object)[(u[nurture, 2] * len(_NURTURE)).astype(int)]

    m = where("referral")
    src[m] = "REFERRALS"
    d1[m] = np.asarray(_PARTNER_SITES, dtype=object)[(u[m, 2] * len(_PARTNER_SITES)).astype(int)]

    m = where("events")
    src[m], d1[m], obj[m] = "OFFLINE", "IMPORT", "IMPORT"
    series = np.asarray(_EVENT_SERIES, dtype=object)[(u[m, 2] * len(_EVENT_SERIES)).astype(int)]
    d2[m] = np.array([f"{s}-{mo}" for s, mo in zip(series, month[m])], dtype=object)

    # A rep's record, as HubSpot's API writes it today (CRM_UI, then the user) or as older portals
    # recorded it (CONTACTS, then CRM_UI).
    m = where("outbound")
    src[m], obj[m] = "OFFLINE", "CRM_UI"
    legacy = m & (u[:, 2] < 0.4)
    d1[m & ~legacy] = "CRM_UI"
    d2[m & ~legacy] = np.char.add("userId:", (61_000_000 + (u[m & ~legacy, 3] * 1000).astype(int)).astype(str)).astype(
        object
    )
    d1[legacy], d2[legacy] = "CONTACTS", "CRM_UI"

    m = where("organic")
    search = m & (u[:, 1] < 0.5)
    direct = m & (u[:, 1] >= 0.5) & (u[:, 1] < 0.8)
    social = m & (u[:, 1] >= 0.8)
    src[search], src[direct], src[social] = "ORGANIC_SEARCH", "DIRECT_TRAFFIC", "SOCIAL_MEDIA"
    d1[search] = np.where(u[search, 2] < 0.85, "google", "bing")
    d1[social] = np.where(u[social, 2] < 0.7, "linkedin", "twitter")

    m = where("unattributed")
    other = m & (u[:, 1] < 1 / 3)
    api = m & (u[:, 1] >= 1 / 3) & (u[:, 1] < 2 / 3)
    src[other], d1[other] = "OTHER_CAMPAIGNS", "partner-portal"
    src[api], d1[api], obj[api] = "OFFLINE", "API", "INTEGRATION"
    obj[m & ~other & ~api] = "INTEGRATION"  # no source at all: created through the API

    forms = np.full(n, None, dtype=object)
    for channel, options in CHANNEL_FORMS.items():
        m = where(channel) & (obj == "FORM")
        forms[m] = np.asarray(options, dtype=object)[(u[m, 3] * len(options)).astype(int)]
    return Sources(src, d1, d2, obj, forms)
