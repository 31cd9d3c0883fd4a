"""Deals and spend in the reporting currency, with exact decimal rounding.

Rounding rule (mirror it in SQL with DECIMAL, not DOUBLE):
- deal amount_reporting = round(amount * rate, 2), the rate of the deal's create date in the
  reporting timezone (USD: 1), amount with 2 decimals and rate with 6, the product exact, rounded
  half away from zero (DuckDB's round() on DECIMAL).
- spend_reporting per (date, channel, campaign) = round(sum over the platform rows of that date,
  channel and campaign name of native spend * rate of that date, 2): multiply exactly, sum
  exactly, round once, half away from zero. Native spend = cost_micros / 1e6 (Google, USD),
  cost_in_local_currency (LinkedIn, EUR), spend (Meta, GBP). The date is the platform's report
  date, which is already a calendar day (no timezone conversion).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.ads import FX_CURRENCIES, PLATFORM_CURRENCY, rate_table
from ..simulate.clock import Clock, iso, iso_dates
from . import contract


def cents_text(cents: np.ndarray) -> np.ndarray:
    cents = np.asarray(cents, dtype=np.int64)
    return np.array([f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in cents], dtype=object)


def _round_half_up(units: np.ndarray, per_cent: int) -> np.ndarray:
    return (units + per_cent // 2) // per_cent  # amounts are never negative


def deals_truth(
    deals: pd.DataFrame,
    links: pd.DataFrame,
    record_person: np.ndarray,
    people: pd.DataFrame,
    fx: pd.DataFrame,
    clock: Clock,
) -> pd.DataFrame:
    currencies = sorted(set(deals["currency"]) | {"USD"})
    rates = rate_table(fx, currencies, clock.n_days)
    created = deals["created"].to_numpy().astype(np.int64)
    day = clock.day_index(created)
    cur = pd.Series(deals["currency"].to_numpy()).map({c: i for i, c in enumerate(currencies)}).to_numpy()
    reporting = _round_half_up(deals["amount_cents"].to_numpy() * rates[cur, day], 1_000_000)
    primary = links[links["is_primary"]]
    person = np.full(len(deals), -1, dtype=np.int64)
    person[primary["deal"].to_numpy()] = record_person[primary["rec"].to_numpy()]
    channel_of = pd.Series(people["channel"].to_numpy(), index=people["person_id"].to_numpy())
    channel = np.where(person >= 0, channel_of.reindex(person).to_numpy(dtype=object), contract.FALLBACK_CHANNEL)
    source = deals["deal_source"].to_numpy(dtype=object)
    sourced_by = np.where(
        source == "partner",
        "partner",
        np.where(
            person >= 0,
            pd.Series(channel).map(contract.SOURCED_BY).to_numpy(dtype=object),
            np.where(source == "outbound", "sales", "marketing"),
        ),
    )
    out = pd.DataFrame(
        {
            "deal_id": deals["id"].to_numpy(),
            "pipeline": deals["pipeline"].to_numpy(),
            "created_at": iso(created),
            "amount": cents_text(deals["amount_cents"].to_numpy()),
            "currency": deals["currency"].to_numpy(),
            "amount_reporting": cents_text(reporting),
            "stage": deals["stage"].to_numpy(),
            "is_won": deals["won"].to_numpy(),
            "is_lost": deals["lost"].to_numpy(),
            "primary_person_id": np.where(person >= 0, person.astype(str), "").astype(object),
            "source_channel": channel,
            "sourced_by": sourced_by,
        }
    )
    return out.sort_values("deal_id", ignore_index=True)


def spend_truth(campaigns: pd.DataFrame, spend: pd.DataFrame, fx: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    currencies = ["USD", *FX_CURRENCIES]
    rates = rate_table(fx, currencies, clock.n_days)
    platform = spend["platform"].to_numpy()
    cur = pd.Series(platform).map(lambda p: currencies.index(PLATFORM_CURRENCY[p])).to_numpy()
    rate = rates[cur, spend["day"].to_numpy()]
    native = spend["native"].to_numpy()
    # Units of 1e-12 USD: micros (1e-6) x rate (1e-6); cents (1e-2) x rate (1e-6) x 1e4.
    units = np.where(platform == "google_ads", native * rate, native * rate * 10_000)
    frame = pd.DataFrame(
        {
            "day": spend["day"].to_numpy(),
            "channel": pd.Series(platform).map(contract.AD_PLATFORM_CHANNEL).to_numpy(),
            "campaign": campaigns["name"].to_numpy()[spend["campaign"].to_numpy()],
            "units": units,
        }
    )
    summed = frame.groupby(["day", "channel", "campaign"], as_index=False)["units"].sum()
    summed = summed.sort_values(["day", "channel", "campaign"], ignore_index=True)
    dates = np.datetime64(clock.first_day, "D") + summed["day"].to_numpy()
    return pd.DataFrame(
        {
            "date": iso_dates(dates),
            "channel": summed["channel"].to_numpy(),
            "campaign": summed["campaign"].to_numpy(),
            "spend_reporting": cents_text(_round_half_up(summed["units"].to_numpy(), 10**10)),
        }
    )
