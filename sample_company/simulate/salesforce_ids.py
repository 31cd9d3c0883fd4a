"""Salesforce record ids: 18 characters, the object's key prefix, in creation order.

An id is prefix (3) + instance (2) + a base-62 counter (10) + a 3-character case checksum, as
Salesforce's own. The counter's alphabet is in ASCII order, so a larger counter is a larger
string: ids minted in creation order sort in creation order, both in Python and in SQL.
"""

from __future__ import annotations

import numpy as np

from .streams import stream

KEY_PREFIX = {
    "Lead": "00Q",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "User": "005",
    "OpportunityContactRole": "00K",
    "LeadHistory": "017",
    "OpportunityHistory": "008",
    "OpportunityStage": "01J",
    "Task": "00T",
    "Event": "00U",
}
QUERY_LOCATOR_PREFIX = "01g"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_INSTANCE = "8d"
_WIDTH = 10


def _base62(number: int) -> str:
    digits = []
    for _ in range(_WIDTH):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits))


def _checksum(id15: str) -> str:
    """Salesforce's suffix: per block of 5 characters, which of them are upper-case letters."""
    out = []
    for block in (id15[0:5], id15[5:10], id15[10:15]):
        flags = sum(1 << i for i, c in enumerate(block) if "A" <= c <= "Z")
        out.append(_CHECKSUM[flags])
    return "".join(out)


def mint(sobject: str, n: int, seed: int) -> np.ndarray:
    """n ids of `sobject`, increasing: give them to records sorted by creation."""
    rng = stream(seed, f"salesforce_ids_{sobject}")
    start = int(rng.integers(62**4, 62**5))
    counters = start + np.cumsum(rng.integers(1, 4, n))
    prefix = KEY_PREFIX[sobject] + _INSTANCE
    ids = [prefix + _base62(int(c)) for c in counters.tolist()]
    return np.array([i + _checksum(i) for i in ids], dtype=object)


def query_locator(sobject: str, seed: int) -> str:
    """The cursor a query's next batches are fetched with (`nextRecordsUrl`)."""
    rng = stream(seed, f"salesforce_query_locator_{sobject}")
    id15 = QUERY_LOCATOR_PREFIX + _INSTANCE + _base62(int(rng.integers(62**6, 62**7)))
    return id15 + _checksum(id15)
