"""Deals: new business in pipeline `default`, renewals in pipeline `renewals`, and their stages.

A sales-accepted person gets a deal about half the time; the lifecycle moves to `opportunity`
a few seconds after the deal is created (a HubSpot workflow) and to `customer` after it is won.
In 6% of deals the AE skipped the `salesqualifiedlead` lifecycle step, so the canonical SQL is
backfilled from the deal. Renewal deals are not opportunities under funnel.yml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import MS_DAY, MS_HOUR, MS_MINUTE, MS_SECOND, Clock
from .journeys import NEVER, Journey, after_or_never
from .messiness import Messiness
from .streams import exact_pick, lognormal_ms, stream, uniform_ms

OPEN_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
WON, LOST = "closedwon", "closedlost"
RENEWAL_OPEN, RENEWAL_WON, RENEWAL_LOST = "renewal_open", "renewal_won", "renewal_lost"
DEAL_CHANCE = 0.5
FAST_TRACK_RATE = 0.06
SECOND_DEAL_RATE = 0.08
RENEWAL_RATE = 0.5
SECOND_CONTACT_RATE = 0.2
_CURRENCY_WEIGHTS = {"USD": 0.80, "EUR": 0.12, "GBP": 0.08}


@dataclass(frozen=True)
class Deals:
    frame: pd.DataFrame  # one row per deal; person / second_person = -1 when none
    history: pd.DataFrame  # deal row, ts, stage (every stage the deal entered)
    lifecycle: pd.DataFrame  # person, ts, value: lifecycle changes the deals caused
    owners: pd.DataFrame  # person, ts, owner: the AE becomes the contact owner


def simulate_deals(
    people: pd.DataFrame,
    companies: pd.DataFrame,
    journey: Journey,
    clock: Clock,
    messiness: Messiness,
    seed: int,
    n_aes: int,
) -> Deals:
    rng = stream(seed, "deals")
    H = clock.horizon_ms
    n = len(people)
    normal = people["kind"].to_numpy() == "normal"
    has_deal = normal & ~np.isnan(journey.sql_at) & (rng.random(n) < DEAL_CHANCE)
    created = after_or_never(journey.sql_at, lognormal_ms(rng, 7 * MS_DAY, 0.8, n), H)
    fast = exact_pick(stream(seed, "fast_track"), has_deal, FAST_TRACK_RATE)
    quick = after_or_never(journey.sql_at, uniform_ms(rng, 1 * MS_MINUTE, 30 * MS_MINUTE, n), H)
    created = np.where(fast, quick, created)
    has_deal &= ~np.isnan(created)
    journey.sql_logged[fast & has_deal] = False

    persons = np.flatnonzero(has_deal)
    first = _new_deals(persons, created[persons], "first", clock, messiness, rng, n_aes)
    closed = first[~np.isnan(first["closed_at"])]
    again = closed[rng.random(len(closed)) < SECOND_DEAL_RATE]
    second = _new_deals(
        again["person"].to_numpy(),
        after_or_never(again["closed_at"].to_numpy(), uniform_ms(rng, 20 * MS_DAY, 120 * MS_DAY, len(again)), H),
        "second",
        clock,
        messiness,
        rng,
        n_aes,
    )
    won = first[first["won"]]
    renewing = won[rng.random(len(won)) < RENEWAL_RATE]
    renewals = _renewals(renewing, clock, rng)
    orphans = _orphans(len(first) + len(second) + len(renewals), clock, messiness, rng, n_aes)
    frame = pd.concat([first, second, renewals, orphans], ignore_index=True)
    frame = frame[~np.isnan(frame["created"].to_numpy())].reset_index(drop=True)
    frame["second_person"] = _second_contacts(frame, people, stream(seed, "deal_contacts"))
    frame["deal_source"] = _deal_sources(frame, people, rng)
    frame["dealname"] = _deal_names(frame, people, companies, stream(seed, "deal_names"))
    history = frame.pop("history_ts"), frame.pop("history_stage")
    frame["id"] = _deal_ids(frame["created"].to_numpy(), stream(seed, "deal_ids"))
    return Deals(frame, _history(*history), _lifecycle(frame, rng, H), _owner_changes(frame))


def _deal_ids(created: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ids grow with createdate, in their own range, with the gaps HubSpot ids have."""
    order = np.lexsort((np.arange(len(created)), created))
    ids = np.empty(len(created), dtype=np.int64)
    ids[order] = 40_000_001 + np.cumsum(rng.integers(1, 4, len(created))) - 1
    return ids


def _stage_path(created: np.ndarray, won: np.ndarray, lost: np.ndarray, rng: np.random.Generator, H: int):
    """Stages a new-business deal entered (not all of them), each some days after the last."""
    n = len(created)
    furthest = np.where(won, rng.integers(2, 5, n), rng.integers(0, 5, n))
    visited = (rng.random((n, len(OPEN_STAGES))) < 0.7) | (np.arange(len(OPEN_STAGES)) == furthest[:, None])
    visited &= np.arange(len(OPEN_STAGES)) <= furthest[:, None]
    visited[:, 0] = True
    times = np.full((n, len(OPEN_STAGES) + 1), NEVER)
    prev = created.copy()
    for j in range(len(OPEN_STAGES)):
        delay = np.zeros(n) if j == 0 else lognormal_ms(rng, 6 * MS_DAY, 0.7, n)
        t = np.where(visited[:, j], after_or_never(prev, delay, H), NEVER)
        times[:, j] = t
        prev = np.where(visited[:, j], t, prev)  # NaN once the horizon cut the path
    times[:, -1] = np.where(won | lost, after_or_never(prev, lognormal_ms(rng, 10 * MS_DAY, 0.7, n), H), NEVER)
    closing = np.where(won, WON, LOST)
    names = np.array(OPEN_STAGES + ("",), dtype=object)
    ts, stages = [], []
    for i in range(n):
        row = times[i]
        keep = ~np.isnan(row)
        labels = names[keep].copy()
        if keep[-1]:
            labels[-1] = closing[i]
        ts.append(row[keep].astype(np.int64))
        stages.append(labels)
    return ts, stages


def _pack(rows: dict, ts: list, stages: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    final = np.array([s[-1] if len(s) else "" for s in stages], dtype=object)
    frame["stage"] = final
    frame["closed_at"] = np.where(
        np.isin(final, (WON, LOST, RENEWAL_WON, RENEWAL_LOST)),
        [t[-1] if len(t) else np.nan for t in ts],
        np.nan,
    ).astype(np.float64)
    frame["won"] = np.isin(final, (WON, RENEWAL_WON))
    frame["lost"] = np.isin(final, (LOST, RENEWAL_LOST))
    frame["history_ts"] = ts
    frame["history_stage"] = stages
    return frame


def _amounts(n: int, messiness: Messiness, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    cents = np.round(24_000 * rng.lognormal(0.0, 0.55, n) * 100).astype(np.int64)
    names = [c for c in messiness.currencies if c in _CURRENCY_WEIGHTS] or ["USD"]
    weights = np.array([_CURRENCY_WEIGHTS[c] for c in names])
    currency = np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=weights / weights.sum())]
    return cents, currency


def _new_deals(
    persons: np.ndarray,
    created: np.ndarray,
    kind: str,
    clock: Clock,
    messiness: Messiness,
    rng: np.random.Generator,
    n_aes: int,
) -> pd.DataFrame:
    n = len(persons)
    u = rng.random(n)
    won, lost = u < 0.30, (u >= 0.30) & (u < 0.85)  # the rest are still open
    ts, stages = _stage_path(np.nan_to_num(created, nan=clock.horizon_ms + 1.0), won, lost, rng, clock.horizon_ms)
    cents, currency = _amounts(n, messiness, rng)
    return _pack(
        {
            "person": persons.astype(np.int64),
            "pipeline": "default",
            "created": created,
            "amount_cents": cents,
            "currency": currency,
            "dealtype": "newbusiness",
            "owner": rng.integers(0, n_aes, n),
            "kind": kind,
        },
        ts,
        stages,
    )


def _renewals(won: pd.DataFrame, clock: Clock, rng: np.random.Generator) -> pd.DataFrame:
    n = len(won)
    H = clock.horizon_ms
    created = after_or_never(won["closed_at"].to_numpy(), uniform_ms(rng, 60 * MS_DAY, 300 * MS_DAY, n), H)
    closes = after_or_never(created, uniform_ms(rng, 10 * MS_DAY, 60 * MS_DAY, n), H)
    outcome = np.where(rng.random(n) < 0.75, RENEWAL_WON, RENEWAL_LOST)
    ts, stages = [], []
    for c, e, o in zip(created, closes, outcome):
        if np.isnan(c):
            ts.append(np.zeros(0, np.int64)), stages.append(np.zeros(0, object))
        elif np.isnan(e):
            ts.append(np.array([c], np.int64)), stages.append(np.array([RENEWAL_OPEN], object))
        else:
            ts.append(np.array([c, e], np.int64)), stages.append(np.array([RENEWAL_OPEN, o], object))
    uplift = rng.uniform(0.9, 1.3, n)
    return _pack(
        {
            "person": won["person"].to_numpy(),
            "pipeline": "renewals",
            "created": created,
            "amount_cents": np.round(won["amount_cents"].to_numpy() * uplift).astype(np.int64),
            "currency": won["currency"].to_numpy(),
            "dealtype": "existingbusiness",
            "owner": won["owner"].to_numpy(),
            "kind": "renewal",
        },
        ts,
        stages,
    )


def _orphans(
    n_with_contact: int, clock: Clock, messiness: Messiness, rng: np.random.Generator, n_aes: int
) -> pd.DataFrame:
    """Deals nobody linked to a contact (imported, or created from a call with no record)."""
    rate = messiness.deals_without_contact_rate
    count = 0 if rate <= 0 else max(1, int(round(n_with_contact * rate / (1 - rate))))
    day = rng.integers(0, max(1, clock.n_days - 1), count)
    created = clock.day_start(day).astype(np.float64) + np.round(rng.uniform(13, 22, count) * MS_HOUR)
    created = np.minimum(created, clock.horizon_ms)
    deals = _new_deals(np.full(count, -1), created, "orphan", clock, messiness, rng, n_aes)
    return deals


def _second_contacts(frame: pd.DataFrame, people: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A colleague from the same company on some new-business deals (never the primary contact)."""
    company = people["company"].to_numpy()
    eligible_people = (company >= 0) & (people["kind"].to_numpy() == "normal")
    order = np.flatnonzero(eligible_people)
    order = order[np.argsort(company[order], kind="stable")]
    comp_sorted = company[order]
    person = frame["person"].to_numpy()
    n = len(frame)
    u = rng.random((n, 2))
    second = np.full(n, -1, dtype=np.int64)
    candidates = (person >= 0) & (frame["pipeline"].to_numpy() == "default") & (u[:, 0] < SECOND_CONTACT_RATE)
    idx = np.flatnonzero(candidates)
    comp = company[person[idx]]
    lo = np.searchsorted(comp_sorted, comp, side="left")
    hi = np.searchsorted(comp_sorted, comp, side="right")
    size = hi - lo
    pick = lo + np.floor(u[idx, 1] * np.maximum(size, 1)).astype(np.int64)
    pick = np.minimum(pick, np.maximum(hi - 1, lo))
    chosen = order[np.minimum(pick, len(order) - 1)] if len(order) else np.full(len(idx), -1)
    same = chosen == person[idx]
    chosen = np.where(same, order[np.where(pick + 1 < hi, pick + 1, lo)] if len(order) else -1, chosen)
    created = people["created"].to_numpy()
    ok = (size > 1) & (chosen != person[idx]) & (created[chosen] < frame["created"].to_numpy()[idx])
    second[idx[ok]] = chosen[ok]
    return second


def _deal_sources(frame: pd.DataFrame, people: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    person = frame["person"].to_numpy()
    channel = np.where(person >= 0, people["channel"].to_numpy()[np.maximum(person, 0)], "")
    u = rng.random((len(frame), 2))
    source = np.where(channel == "outbound", "outbound", "inbound").astype(object)
    orphan = person < 0
    source[orphan] = np.where(u[orphan, 1] < 0.45, "outbound", "inbound")
    source[u[:, 0] < 0.08] = "partner"  # a partner brought it in, whoever the contact is
    return source


def _deal_names(
    frame: pd.DataFrame, people: pd.DataFrame, companies: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """'<company> - New business' etc.; a deal without contact still names some company."""
    person = frame["person"].to_numpy()
    anyone = rng.integers(0, max(1, len(companies)), len(frame))
    company = np.where(person >= 0, people["company"].to_numpy()[np.maximum(person, 0)], anyone)
    names = companies["name"].to_numpy(dtype=object)
    year = np.datetime_as_string(frame["created"].to_numpy().astype(np.int64).astype("datetime64[ms]"), unit="Y")
    label = {"first": "New business", "second": "Expansion", "orphan": "New business"}
    out = []
    for c, kind, y in zip(company, frame["kind"].to_numpy(), year):
        who = names[c] if 0 <= c < len(names) else "Unknown company"
        out.append(f"{who} - Renewal {y}" if kind == "renewal" else f"{who} - {label[kind]}")
    return np.array(out, dtype=object)


def _history(ts: pd.Series, stages: pd.Series) -> pd.DataFrame:
    lengths = np.array([len(t) for t in ts], dtype=np.int64)
    return pd.DataFrame(
        {
            "deal": np.repeat(np.arange(len(ts)), lengths),
            "ts": np.concatenate(list(ts)) if len(ts) else np.zeros(0, np.int64),
            "stage": np.concatenate(list(stages)) if len(ts) else np.zeros(0, object),
        }
    )


def _lifecycle(frame: pd.DataFrame, rng: np.random.Generator, H: int) -> pd.DataFrame:
    """`opportunity` after the first new-business deal, `customer` after the first won one."""
    new = frame[(frame["pipeline"] == "default") & (frame["person"] >= 0)]
    delay = uniform_ms(rng, 1 * MS_SECOND, 120 * MS_SECOND, len(frame))
    first_deal = new.sort_values(["created"], kind="stable").drop_duplicates("person")
    opp = pd.DataFrame(
        {
            "person": first_deal["person"].to_numpy(),
            "ts": first_deal["created"].to_numpy() + delay[first_deal.index],
            "value": "opportunity",
        }
    )
    won = new[new["won"]].sort_values(["closed_at"], kind="stable").drop_duplicates("person")
    cust = pd.DataFrame(
        {"person": won["person"].to_numpy(), "ts": won["closed_at"].to_numpy() + delay[won.index], "value": "customer"}
    )
    events = pd.concat([opp, cust], ignore_index=True)
    return events[events["ts"] <= H].reset_index(drop=True)


def _owner_changes(frame: pd.DataFrame) -> pd.DataFrame:
    first = frame[(frame["kind"] == "first")]
    return pd.DataFrame(
        {"person": first["person"].to_numpy(), "ts": first["created"].to_numpy(), "owner": first["owner"].to_numpy()}
    )
