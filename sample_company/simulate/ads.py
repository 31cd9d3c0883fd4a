"""Paid campaigns, their daily spend in each platform's own currency, and daily FX rates.

Money is kept in exact integers (Google micros, cents, rates in millionths) so that the truth's
rounding is exact decimal arithmetic, the same as DECIMAL arithmetic in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import Clock
from .streams import stream

PLATFORM_CURRENCY = {"google_ads": "USD", "linkedin_ads": "EUR", "meta_ads": "GBP", "microsoft_ads": "CAD"}
FX_CURRENCIES = ("CAD", "EUR", "GBP")
_FX_START = {"CAD": 0.7300, "EUR": 1.0850, "GBP": 1.2700}

# platform, campaign name (= utm_campaign on contacts), always on, daily budget per 2,000 contacts.
# One name runs on both LinkedIn and Meta: spend truth sums it across platforms before rounding.
_CAMPAIGNS = (
    ("google_ads", "gs_brand_us", True, 40.0),
    ("google_ads", "gs_generic_revenue_analytics", False, 80.0),
    ("google_ads", "gs_competitor_conquest", False, 30.0),
    ("google_ads", "gs_funnel_reporting", False, 50.0),
    ("linkedin_ads", "li_abm_enterprise", True, 70.0),
    ("linkedin_ads", "li_thought_leadership", False, 45.0),
    ("linkedin_ads", "retargeting_site_visitors", False, 30.0),
    ("meta_ads", "fb_lookalike_saas", True, 14.0),
    ("meta_ads", "retargeting_site_visitors", False, 10.0),
    ("microsoft_ads", "bing_brand_us", True, 9.0),
    ("microsoft_ads", "bing_generic_analytics", False, 14.0),
)
_CAMPAIGN_IDS = {
    "google_ads": 20_871_430_000,
    "linkedin_ads": 182_900_400,
    "meta_ads": 120_210_553_800_000_000,
    "microsoft_ads": 510_204_000,
}
_COST_PER_CLICK = {"google_ads": 3.4, "linkedin_ads": 7.2, "meta_ads": 1.6, "microsoft_ads": 2.1}
_CLICK_RATE = {"google_ads": 0.045, "linkedin_ads": 0.006, "meta_ads": 0.012, "microsoft_ads": 0.03}
_CONVERSION_RATE = {"google_ads": 0.06, "linkedin_ads": 0.03, "meta_ads": 0.025, "microsoft_ads": 0.05}


@dataclass(frozen=True)
class Ads:
    campaigns: pd.DataFrame  # platform, campaign_id, name, first_day, last_day, budget
    spend: pd.DataFrame  # platform, campaign (row of campaigns), day, native (micros or cents), clicks, ...
    fx: pd.DataFrame  # day, currency, rate (millionths of USD per unit)


def simulate_ads(clock: Clock, contacts: int, seed: int) -> Ads:
    rng = stream(seed, "ads")
    campaigns = _campaigns(clock, rng)
    spend = _spend(clock, campaigns, contacts, rng)
    return Ads(campaigns, spend, _fx(clock, stream(seed, "fx")))


def _campaigns(clock: Clock, rng: np.random.Generator) -> pd.DataFrame:
    n = clock.n_days
    rows = []
    for i, (platform, name, always_on, budget) in enumerate(_CAMPAIGNS):
        start = 0 if always_on else int(rng.integers(0, max(1, n // 2)))
        stop = n - 1 if always_on else int(min(n - 1, start + rng.integers(60, max(61, n))))
        rows.append((platform, str(_CAMPAIGN_IDS[platform] + 7919 * i), name, start, stop, budget))
    return pd.DataFrame(rows, columns=["platform", "campaign_id", "name", "first_day", "last_day", "budget"])


def _spend(clock: Clock, campaigns: pd.DataFrame, contacts: int, rng: np.random.Generator) -> pd.DataFrame:
    scale = contacts / 2000.0
    weekday = (np.datetime64(clock.first_day, "D") + np.arange(clock.n_days)).astype("datetime64[D]")
    dow = (weekday.astype(np.int64) + 3) % 7  # 0 = Monday
    season = np.where(dow == 5, 0.55, np.where(dow == 6, 0.45, 1.0))
    growth = 1.015 ** (np.arange(clock.n_days) / 30.44)
    frames = []
    for idx, row in campaigns.iterrows():
        days = np.arange(row.first_day, row.last_day + 1)
        amount = row.budget * scale * season[days] * growth[days] * rng.lognormal(0.0, 0.25, len(days))
        platform = row.platform
        native = np.round(amount * (1e6 if platform == "google_ads" else 100.0)).astype(np.int64)
        clicks = rng.poisson(amount / _COST_PER_CLICK[platform])
        impressions = clicks + rng.poisson(clicks * (1 / _CLICK_RATE[platform] - 1))
        conversions = clicks * _CONVERSION_RATE[platform] * rng.lognormal(0.0, 0.3, len(days))
        if platform == "google_ads":
            conversions = np.round(conversions, 2)  # Google reports fractional (modelled) conversions
        else:
            conversions = rng.poisson(conversions).astype(np.float64)
        frames.append(
            pd.DataFrame(
                {
                    "platform": platform,
                    "campaign": idx,
                    "day": days,
                    "native": native,
                    "clicks": clicks,
                    "impressions": impressions,
                    "conversions": conversions,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _fx(clock: Clock, rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    for currency in FX_CURRENCIES:
        steps = rng.normal(0.0, 0.0035, clock.n_days)
        steps[0] = 0.0
        rate = _FX_START[currency] * np.exp(np.cumsum(steps))
        frames.append(
            pd.DataFrame(
                {
                    "day": np.arange(clock.n_days),
                    "currency": currency,
                    "rate": np.round(rate * 1e6).astype(np.int64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(["day", "currency"], ignore_index=True)


def rate_table(fx: pd.DataFrame, currencies: list[str], n_days: int) -> np.ndarray:
    """rate[currency index, day] in millionths of USD; USD is exactly 1."""
    table = np.zeros((len(currencies), n_days), dtype=np.int64)
    for i, currency in enumerate(currencies):
        if currency == "USD":
            table[i] = 1_000_000
        else:
            part = fx[fx["currency"] == currency]
            table[i, part["day"].to_numpy()] = part["rate"].to_numpy()
    return table


def pick_campaigns(campaigns: pd.DataFrame, platform: str, days: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Campaign name for each visitor of `platform` on `days`, weighted by the budgets running then."""
    mine = campaigns[campaigns["platform"] == platform]
    grid = np.arange(int(days.max()) + 1 if len(days) else 1)[:, None]
    active = (grid >= mine["first_day"].to_numpy()) & (grid <= mine["last_day"].to_numpy())
    weights = active * mine["budget"].to_numpy()
    cumulative = np.cumsum(weights, axis=1)
    cumulative = cumulative / cumulative[:, -1:]
    choice = (u[:, None] > cumulative[days]).sum(axis=1)
    return mine["name"].to_numpy(dtype=object)[np.minimum(choice, len(mine) - 1)]
