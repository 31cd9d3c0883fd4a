"""HubSpot forms and their submissions: the first one when a record is created by a form, a few
later ones, each carrying the email exactly as the person typed it."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

from .clock import MS_DAY, Clock
from .streams import stream

FORM_KEYS = ("demo_request", "contact_us", "ebook_download", "webinar_registration", "newsletter_signup")
_SLUGS = {
    "demo_request": "demo",
    "contact_us": "contact",
    "ebook_download": "resources/funnel-metrics-ebook",
    "webinar_registration": "webinars/one-funnel",
    "newsletter_signup": "newsletter",
}
LATER_SUBMISSIONS = 0.5  # mean number of later submissions per form-created record
_UTM = {
    "PAID_SEARCH": ("google", "cpc"),
    "PAID_SOCIAL": (None, "paid_social"),
    "EMAIL_MARKETING": ("newsletter", "email"),
}


def form_ids(seed: int) -> dict[str, str]:
    """GUIDs fixed by the seed, as HubSpot form ids are fixed for a portal."""
    rng = stream(seed, "form_ids")
    return {key: str(uuid.UUID(bytes=rng.bytes(16), version=4)) for key in FORM_KEYS}


def page_url(form: str) -> str:
    return f"https://www.acme-analytics.com/{_SLUGS[form]}"


def simulate_submissions(records: pd.DataFrame, clock: Clock, seed: int) -> pd.DataFrame:
    """One row per submission: form, record row, submitted_at (ms), conversion id, utm values."""
    rng = stream(seed, "form_submissions")
    by_form = records[records["first_form"].notna()]
    n = len(by_form)
    first = pd.DataFrame(
        {"form": by_form["first_form"].to_numpy(), "rec": by_form.index.to_numpy(), "at": by_form["created"].to_numpy()}
    )
    extra_counts = rng.poisson(LATER_SUBMISSIONS, n)
    rec = np.repeat(by_form.index.to_numpy(), extra_counts)
    start = np.repeat(by_form["created"].to_numpy(), extra_counts)
    end = np.repeat(_active_until(by_form, clock), extra_counts)
    at = np.floor(start + rng.random(len(rec)) * np.maximum(end - start, 0))
    later = pd.DataFrame(
        {"form": np.asarray(FORM_KEYS[:4], dtype=object)[rng.integers(0, 4, len(rec))], "rec": rec, "at": at}
    )
    later = later[later["at"] > records.loc[later["rec"], "created"].to_numpy()]
    subs = pd.concat([first, later], ignore_index=True)
    subs["at"] = subs["at"].astype(np.int64)
    words = rng.integers(0, np.iinfo(np.int64).max, size=(len(subs), 2), dtype=np.int64)
    subs["conversion_id"] = [str(uuid.UUID(int=(int(a) << 64) | int(b), version=4)) for a, b in words]
    src = records["source"].to_numpy(dtype=object)[subs["rec"].to_numpy()]
    d1 = records["source_d1"].to_numpy(dtype=object)[subs["rec"].to_numpy()]
    d2 = records["source_d2"].to_numpy(dtype=object)[subs["rec"].to_numpy()]
    is_first = np.arange(len(subs)) < len(first)  # utm values travel with the visit that created the record
    utm_source, utm_medium, utm_campaign = [], [], []
    for s, a, b, f in zip(src, d1, d2, is_first):
        if f and s in _UTM:
            source, medium = _UTM[s]
            utm_source.append(source or a), utm_medium.append(medium), utm_campaign.append(b)
        else:
            utm_source.append(None), utm_medium.append(None), utm_campaign.append(None)
    subs["utm_source"], subs["utm_medium"], subs["utm_campaign"] = utm_source, utm_medium, utm_campaign
    return subs.sort_values(["form", "at", "conversion_id"], ascending=[True, False, True], ignore_index=True)


def _active_until(records: pd.DataFrame, clock: Clock) -> np.ndarray:
    """A record can submit forms until it is archived, or until the horizon (minus a day)."""
    archived = records["archived_at"].to_numpy(np.float64)
    return np.where(np.isnan(archived), clock.horizon_ms - MS_DAY, archived - 1)
