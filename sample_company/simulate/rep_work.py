"""What a rep does with one person they work (an *episode*), as engagement rows.

An episode is (person, rec, owner, start, stop, kind): the rep owns the person from `start` and
works them until `stop` (the next step of the journey, or giving up). In it:

- a sequence may send its emails automatically, the first minutes after `start`;
- the rep tries to reach the person: calls and one-to-one emails, the first one within hours
  most of the time, within days otherwise, never for some MQLs nobody picked up;
- what follows: a note after a connected call, a follow-up task after a missed one, the lead's
  replies to emails, now and then the lead calling in.

Outcomes are kept in the contract's words (lower snake case: a call's disposition label, an
email's status, a meeting's outcome, a task's status); exports/hubspot_engagements.py writes
them as HubSpot does. All rows are floats in ms like the rest of the simulation; NaN = none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clock import MS_DAY, MS_HOUR, MS_MINUTE, MS_SECOND, Clock
from .streams import lognormal_ms, uniform_ms

COLUMNS = (
    "type",  # call | email | meeting | note | task
    "activity",  # what the rep was doing (titles and the truth file say it)
    "person",
    "rec",  # contact record row it is associated with (-1: none)
    "owner",  # owner row (-1: no owner)
    "ts",  # hs_timestamp (a task's due date, a meeting's start)
    "created",  # hs_createdate
    "modified",  # hs_lastmodifieddate (NaN: = created)
    "direction",  # outbound | inbound (calls, emails)
    "outcome",
    "sequence_id",  # the sequence that sent an email (None: one-to-one)
    "duration",  # a call's or meeting's length
    "task_type",
)

NEVER_WORKED = 0.05  # routed MQLs nobody follows up (a rep on leave, a lost notification)
# Dispositions of an outbound attempt: three of them reach someone (count), three do not.
CALL_OUTCOMES = {
    "connected": 0.22,
    "left_voicemail": 0.25,
    "left_live_message": 0.08,
    "no_answer": 0.30,
    "busy": 0.08,
    "wrong_number": 0.07,
}
SEQUENCES = {"mql": "7100101", "outbound": "7100103"}  # inbound nurture, outbound prospecting
_SEQUENCE_DAYS = (0, 3, 7)  # a sequence's steps, after its first email minutes after enrolment
_ENROLLED = {"mql": 0.75, "outbound": 0.60}
_CALL_SHARE = 0.65


def rows(n: int, **columns) -> pd.DataFrame:
    """An engagement frame of n rows: given columns (scalars broadcast), the rest empty."""
    frame = pd.DataFrame(index=np.arange(n))
    for name in COLUMNS:
        value = columns.get(name)
        if value is None:
            value = np.nan if name in ("ts", "created", "modified", "duration") else None
        if name in ("person", "rec", "owner"):
            frame[name] = np.broadcast_to(np.asarray(-1 if value is None else value, dtype=np.int64), (n,))
        elif name in ("ts", "created", "modified", "duration"):
            frame[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
        else:
            frame[name] = np.broadcast_to(np.asarray(value, dtype=object), (n,))
    return frame


def draw(weights: dict[str, float], u: np.ndarray) -> np.ndarray:
    keys = np.asarray(list(weights), dtype=object)
    cumulative = np.cumsum(list(weights.values()))
    return keys[np.minimum(np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(keys) - 1)]


def _of(episodes: pd.DataFrame, idx: np.ndarray) -> dict:
    return {c: episodes[c].to_numpy()[idx] for c in ("person", "rec", "owner")}


def sequence_emails(episodes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Emails a sequence sent in the rep's name: automatic, so never a touch under the demo
    contract, and the first one lands minutes after routing, before any human could act."""
    n = len(episodes)
    kind = episodes["kind"].to_numpy()
    enrolled = rng.random(n) < pd.Series(kind).map(_ENROLLED).to_numpy(np.float64)
    first = uniform_ms(rng, 2 * MS_MINUTE, 15 * MS_MINUTE, n)
    jitter = uniform_ms(rng, 0, 2 * MS_HOUR, n * len(_SEQUENCE_DAYS)).reshape(n, -1)
    offsets = first[:, None] + np.array(_SEQUENCE_DAYS) * MS_DAY + jitter * (np.array(_SEQUENCE_DAYS) > 0)
    ts = episodes["start"].to_numpy()[:, None] + offsets
    keep = enrolled[:, None] & (ts < episodes["stop"].to_numpy()[:, None])
    idx = np.nonzero(keep)[0]
    return rows(
        len(idx),
        type="email",
        activity="sequence_email",
        **_of(episodes, idx),
        ts=ts[keep],
        created=ts[keep],
        direction="outbound",
        outcome="sent",
        sequence_id=pd.Series(kind[idx]).map(SEQUENCES).to_numpy(dtype=object),
    )


def local_midnight(ms: np.ndarray, clock: Clock) -> np.ndarray:
    """The local midnight starting each instant's day; past the clock's table, whole days on from
    its last midnight (a meeting booked beyond the as-of day needs no exact DST)."""
    at = np.searchsorted(clock.midnights, ms, side="right") - 1
    base = clock.midnights[np.clip(at, 0, len(clock.midnights) - 1)].astype(np.float64)
    return base + np.floor((ms - base) / MS_DAY) * MS_DAY


def working_hours(ms: np.ndarray, clock: Clock, rng: np.random.Generator) -> np.ndarray:
    """Reps call and write between 07:00 and 21:00 in the reporting timezone (the team covers the
    country's time zones): work due at night waits for the next morning."""
    midnight = local_midnight(ms, clock)
    hour = (ms - midnight) / MS_HOUR
    morning = uniform_ms(rng, 7 * MS_HOUR, 8.5 * MS_HOUR, len(ms))
    return np.where(hour < 7, midnight + morning, np.where(hour >= 21, midnight + MS_DAY + morning, ms))


def _segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row i of `counts` repeated counts[i] times: (episode of each row, position within it)."""
    idx = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return idx, np.arange(len(idx)) - starts[idx]


def _running_sums(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Cumulative sums of `values` that restart where `pos` (position within an episode) is 0;
    whole milliseconds, so the float sums stay exact."""
    total = np.cumsum(values)
    first = pos == 0
    return total - (total - values)[first][np.cumsum(first) - 1]


def attempts(episodes: pd.DataFrame, clock: Clock, rng: np.random.Generator) -> pd.DataFrame:
    """The rep's calls and one-to-one emails: the first after a delay (mostly hours, a long
    tail over days; outbound prospects within a day or so), then every day or two until the
    episode stops. Calls that reach nobody do not count, so the first touch that counts is
    often a later attempt."""
    n = len(episodes)
    kind = episodes["kind"].to_numpy()
    u = rng.random((n, 2))
    worked = (kind == "outbound") | (u[:, 0] >= NEVER_WORKED)
    count = np.minimum(rng.geometric(0.4, n), 6) * worked
    first = np.where(u[:, 1] < 0.75, lognormal_ms(rng, 1.5 * MS_HOUR, 1.0, n), lognormal_ms(rng, 36 * MS_HOUR, 0.6, n))
    first = np.where(kind == "outbound", lognormal_ms(rng, 20 * MS_HOUR, 0.8, n), first)
    idx, pos = _segments(count)
    gaps = np.where(pos == 0, first[idx], lognormal_ms(rng, 1.5 * MS_DAY, 0.6, len(idx)))
    ts = working_hours(episodes["start"].to_numpy()[idx] + _running_sums(gaps, pos), clock, rng)
    is_call = rng.random(len(idx)) < _CALL_SHARE
    outcome = np.where(is_call, draw(CALL_OUTCOMES, rng.random(len(idx))), "sent")
    duration = np.where(outcome == "connected", lognormal_ms(rng, 6 * MS_MINUTE, 0.7, len(idx)), 0.0)
    logged = np.where(is_call, duration + uniform_ms(rng, 5 * MS_SECOND, 3 * MS_MINUTE, len(idx)), 0.0)
    keep = ts < episodes["stop"].to_numpy()[idx]
    idx = idx[keep]
    return rows(
        len(idx),
        type=np.where(is_call, "call", "email")[keep],
        activity=np.where(pos == 0, "first_attempt", "follow_up")[keep],
        **_of(episodes, idx),
        ts=ts[keep],
        created=(ts + logged)[keep],
        direction="outbound",
        outcome=outcome[keep],
        duration=np.where(is_call, duration, np.nan)[keep],
    )


def follow_ups(
    episodes: pd.DataFrame, tried: pd.DataFrame, sent: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """What follows the attempts: notes after connected calls, tasks after missed ones, the
    lead's replies to emails (theirs, so never a touch), and leads calling in themselves."""
    call = (tried["type"] == "call").to_numpy()
    outcome = tried["outcome"].to_numpy()
    ts = tried["ts"].to_numpy()
    n = len(tried)
    after_call = ts + np.nan_to_num(tried["duration"].to_numpy())
    note = call & (outcome == "connected") & (rng.random(n) < 0.4)
    note_at = after_call + uniform_ms(rng, MS_MINUTE, 10 * MS_MINUTE, n)
    missed = call & np.isin(outcome, ("no_answer", "busy", "left_voicemail")) & (rng.random(n) < 0.3)
    task_at = after_call + uniform_ms(rng, MS_MINUTE, 5 * MS_MINUTE, n)
    due = ts + uniform_ms(rng, 1 * MS_DAY, 3 * MS_DAY, n)
    done_at = due - uniform_ms(rng, 0, 20 * MS_HOUR, n)
    # HubSpot's hs_task_type values; TODO is its type for a plain to-do.
    task_type = draw({"CALL": 0.6, "EMAIL": 0.25, "TODO": 0.15}, rng.random(n))
    done = rng.random(n) < 0.75

    emails = pd.concat([tried[~call], sent], ignore_index=True)
    m = len(emails)
    chance = np.where(emails["sequence_id"].isna().to_numpy(), 0.2, 0.05)
    replied = rng.random(m) < chance
    reply_at = emails["ts"].to_numpy() + lognormal_ms(rng, 4 * MS_HOUR, 1.0, m)
    reply_logged = reply_at + uniform_ms(rng, MS_SECOND, 2 * MS_MINUTE, m)

    e = len(episodes)
    calls_in = (episodes["kind"].to_numpy() == "mql") & (rng.random(e) < 0.04)
    call_in_at = episodes["start"].to_numpy() + lognormal_ms(rng, 6 * MS_HOUR, 1.2, e)
    calls_in &= call_in_at < episodes["stop"].to_numpy()
    call_in_length = lognormal_ms(rng, 5 * MS_MINUTE, 0.6, e)

    def of(frame: pd.DataFrame, mask: np.ndarray) -> dict:
        return {c: frame[c].to_numpy()[mask] for c in ("person", "rec", "owner")}

    return pd.concat(
        [
            rows(
                int(note.sum()),
                type="note",
                activity="call_note",
                **of(tried, note),
                ts=note_at[note],
                created=note_at[note],
            ),
            rows(
                int(missed.sum()),
                type="task",
                activity="follow_up_task",
                **of(tried, missed),
                ts=due[missed],
                created=task_at[missed],
                # A task is done by its due date or still open; done_at can fall after the as-of
                # instant, and then it is still open at the as-of instant (engagements.py).
                modified=np.where(done, np.fmax(done_at, task_at), np.nan)[missed],
                outcome=np.where(done, "completed", "not_started")[missed],
                task_type=task_type[missed],
            ),
            rows(
                int(replied.sum()),
                type="email",
                activity="lead_reply",
                **of(emails, replied),
                ts=reply_at[replied],
                created=reply_logged[replied],
                direction="inbound",
            ),
            rows(
                int(calls_in.sum()),
                type="call",
                activity="lead_called_in",
                **of(episodes, calls_in),
                ts=call_in_at[calls_in],
                created=(call_in_at + call_in_length)[calls_in],
                direction="inbound",
                outcome="connected",
                duration=call_in_length[calls_in],
            ),
        ],
        ignore_index=True,
    )
