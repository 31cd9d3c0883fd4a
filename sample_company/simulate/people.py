"""The persons of the simulated company: who they are, where they work, how they arrived.

A person is a real human being; records.py later splits some of them into several HubSpot
records. `kind` marks the groups funnel.yml excludes (junk = spam later deleted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .clock import MS_HOUR, Clock
from .messiness import Messiness
from .midnight import near_midnight
from .sources import sources_for
from .streams import exact_pick, stream

CHANNEL_WEIGHTS = {
    "paid_search": 0.20,
    "paid_social": 0.15,
    "organic": 0.24,
    "email": 0.10,
    "events": 0.10,
    "referral": 0.05,
    "outbound": 0.15,
    "unattributed": 0.01,
}
_SPECIAL_CHANNELS = {
    "junk": {"organic": 0.5, "paid_social": 0.3, "paid_search": 0.2},
    "internal": {"organic": 1.0},
    "test": {"organic": 0.6, "paid_search": 0.4},
    "competitor": {"organic": 0.5, "paid_search": 0.3, "email": 0.2},
}
MONTHLY_GROWTH = 0.03


@dataclass(frozen=True)
class People:
    frame: pd.DataFrame  # one row per person
    companies: pd.DataFrame  # one row per company (name, domain, industry, employees, country)


def simulate_people(
    n: int, clock: Clock, messiness: Messiness, seed: int, campaigns: pd.DataFrame, n_sdrs: int
) -> People:
    kind = _kinds(n, messiness, seed)
    rng = stream(seed, "people")
    channel = _channels(kind, rng)
    created = _created(n, clock, channel, kind, rng)
    chosen = exact_pick(stream(seed, "near_midnight_pick_created"), np.ones(n, bool), messiness.near_midnight_rate)
    created = near_midnight(created, np.full(n, np.nan), chosen, stream(seed, "near_midnight_created"), clock)
    company, companies = _companies(kind, stream(seed, "companies"))
    sources = sources_for(channel, created, clock, campaigns, stream(seed, "sources"))
    name_rng = stream(seed, "names")
    first = names.pick(name_rng, names.FIRST_NAMES, n)
    last = names.pick(name_rng, names.LAST_NAMES, n)
    frame = pd.DataFrame(
        {
            "person": np.arange(n),
            "kind": kind,
            "channel": channel,
            "created": created,
            "firstname": first,
            "lastname": last,
            "email": _emails(kind, first, last, company, companies, name_rng),
            "jobtitle": names.pick(name_rng, names.JOB_TITLES, n),
            "company": company,
            "source": sources.source,
            "source_d1": sources.detail_1,
            "source_d2": sources.detail_2,
            "object_source": sources.object_source,
            "first_form": sources.first_form,
            "sdr": rng.integers(0, n_sdrs, n),
            "near_midnight": chosen,
        }
    )
    return People(frame, companies)


def _kinds(n: int, messiness: Messiness, seed: int) -> np.ndarray:
    kind = np.full(n, "normal", dtype=object)
    for name, rate in (
        ("junk", messiness.deleted_rate),
        ("internal", messiness.internal_rate),
        ("test", messiness.test_rate),
        ("competitor", messiness.competitor_rate),
        ("other", messiness.other_lifecycle_rate),
    ):
        kind[exact_pick(stream(seed, f"kind_{name}"), kind == "normal", rate)] = name
    return kind


def _draw(weights: dict[str, float], u: np.ndarray) -> np.ndarray:
    keys = np.asarray(list(weights), dtype=object)
    cumulative = np.cumsum(list(weights.values()))
    cumulative = cumulative / cumulative[-1]
    return keys[np.minimum(np.searchsorted(cumulative, u, side="right"), len(keys) - 1)]


def _channels(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(len(kind))
    channel = _draw(CHANNEL_WEIGHTS, u)
    for special, weights in _SPECIAL_CHANNELS.items():
        m = kind == special
        channel[m] = _draw(weights, u[m])
    return channel


def _created(n: int, clock: Clock, channel: np.ndarray, kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Creation instants: ~3% more people each month, fewer on weekends, mostly business hours."""
    days = np.arange(clock.n_days)
    dow = ((np.datetime64(clock.first_day, "D") + days).astype(np.int64) + 3) % 7
    weight = (1 + MONTHLY_GROWTH) ** (days / 30.44) * np.where(dow >= 5, 0.35, 1.0)
    day = rng.choice(clock.n_days, size=n, p=weight / weight.sum())
    u = rng.random((n, 2))
    business = np.clip(rng.normal(13.5, 2.6, n), 7.0, 21.5)
    hours = np.where((u[:, 0] < 0.78) | (channel == "outbound"), business, u[:, 1] * 24.0)
    hours = np.where(kind == "junk", u[:, 1] * 24.0, hours)  # bots keep no office hours
    start = clock.day_start(day).astype(np.float64)
    length = clock.day_start(day + 1).astype(np.float64) - start
    created = start + np.minimum(np.round(hours * MS_HOUR), length - 1)
    return np.minimum(created, clock.horizon_ms)


def _companies(kind: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Employees of customers and vendors grouped ~3 to a company; others belong to none."""
    members = np.flatnonzero((kind == "normal") | (kind == "other"))
    sizes = rng.geometric(1 / 3, size=max(1, len(members)))
    count = int(np.searchsorted(np.cumsum(sizes), len(members))) + 1
    slots = np.repeat(np.arange(count), sizes[:count])[: len(members)]
    company = np.full(len(kind), -1, dtype=np.int64)
    company[members[rng.permutation(len(members))]] = slots
    n_companies = int(slots.max()) + 1 if len(slots) else 0
    first = names.pick(rng, names.COMPANY_FIRST, n_companies)
    second = names.pick(rng, names.COMPANY_SECOND, n_companies)
    kinds = names.pick(rng, names.COMPANY_KINDS, n_companies)
    tld = names.pick(rng, names.TLDS, n_companies)
    base = np.array([f"{a.lower()}{b}" for a, b in zip(first, second)], dtype=object)
    key = np.array([f"{b}.{t}" for b, t in zip(base, tld)], dtype=object)
    numbered = names.with_suffix(base, names.number_duplicates(key))
    companies = pd.DataFrame(
        {
            "name": [f"{a}{b} {k}" for a, b, k in zip(first, second, kinds)],
            "domain": [f"{b}.{t}" for b, t in zip(numbered, tld)],
            "industry": names.pick(rng, names.INDUSTRIES, n_companies),
            "employees": np.clip(np.round(120 * rng.lognormal(0, 0.7, n_companies)), 5, 5000).astype(np.int64),
            "country": names.pick(rng, names.COUNTRIES, n_companies),
        }
    )
    return company, companies


def _emails(
    kind: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    company: np.ndarray,
    companies: pd.DataFrame,
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(kind)
    first_l = np.array([f.lower() for f in first], dtype=object)
    last_l = np.array([s.lower() for s in last], dtype=object)
    local = np.array([f"{a}.{b}" for a, b in zip(first_l, last_l)], dtype=object)
    domain = np.full(n, "acme-analytics.com", dtype=object)  # internal staff keep this one
    domains = companies["domain"].to_numpy(dtype=object)
    employed = company >= 0
    domain[employed] = domains[company[employed]]
    competitor = kind == "competitor"
    domain[competitor] = names.pick(rng, ("rivalmetrics.io", "pipelinepro.com"), int(competitor.sum()))

    tests = np.flatnonzero(kind == "test")
    # Distinct company domains, so two `test+N@` addresses never normalise to one person.
    test_domains = domains[rng.permutation(len(domains))[: len(tests)]] if len(domains) >= len(tests) else None
    for k, i in enumerate(tests):
        dom = test_domains[k] if test_domains is not None else f"customer{k}.com"
        style = k % 5
        local[i], domain[i] = (
            (f"test+{k}", dom),
            (f"test.{first_l[i]}{k}", dom),
            (f"QA.{first[i]}{k}", dom.capitalize()),
            (f"{first_l[i]}.{last_l[i]}{k}", "example.com"),
            (f"{first_l[i]}{k}", "mailinator.com"),
        )[style]

    junk = np.flatnonzero(kind == "junk")
    letters = rng.integers(0, 26, size=(len(junk), 7))
    junk_domains = names.pick(rng, names.JUNK_DOMAINS, len(junk))
    for k, i in enumerate(junk):
        local[i] = "".join(chr(97 + c) for c in letters[k]) + str(k)
        domain[i] = junk_domains[k]

    key = np.array([f"{a}@{b}".lower() for a, b in zip(local, domain)], dtype=object)
    return names.join_email(names.with_suffix(local, names.number_duplicates(key)), domain)
