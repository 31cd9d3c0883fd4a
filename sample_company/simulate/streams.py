"""Random streams: one generator per concern, so turning a knob cannot shift unrelated draws."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, concern: str) -> np.random.Generator:
    """A generator fixed by (seed, concern name); crc32 keeps the name-to-number map stable."""
    return np.random.default_rng([seed, zlib.crc32(concern.encode())])


def exact_pick(rng: np.random.Generator, eligible: np.ndarray, rate: float, base: int | None = None) -> np.ndarray:
    """Boolean mask choosing round(rate * base) of the eligible rows (at least one if rate > 0).

    `base` defaults to the number of eligible rows; pass the population the rate is a share of
    when only some of it can carry the case. An exact count instead of a coin per row: small
    samples then always show every kind of mess, and a larger rate picks a superset.
    """
    idx = np.flatnonzero(eligible)
    chosen = np.zeros(len(eligible), dtype=bool)
    if rate <= 0 or len(idx) == 0:
        return chosen
    base = len(idx) if base is None else base
    count = min(len(idx), max(1, int(round(rate * base))))
    order = rng.permutation(len(eligible))  # full-length draw: same stream use whatever is eligible
    ranked = order[np.isin(order, idx)]
    chosen[ranked[:count]] = True
    return chosen


def uniform_ms(rng: np.random.Generator, low_ms: float, high_ms: float, size: int) -> np.ndarray:
    return np.round(rng.uniform(low_ms, high_ms, size))


def lognormal_ms(rng: np.random.Generator, median_ms: float, sigma: float, size: int) -> np.ndarray:
    return np.round(median_ms * rng.lognormal(0.0, sigma, size))
