"""How keys read on the page: the contract's display names and the month column heads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from funnel.contract.model import Contract
from funnel.dashboard.context import RunContext, _month_key


@dataclass(frozen=True)
class Labels:
    """Display names from the contract; a key the contract does not know shows as itself."""

    stages: dict[str, str]
    channels: dict[str, str]

    @classmethod
    def of(cls, contract: Contract) -> Labels:
        return cls({s.key: s.label for s in contract.stages}, {c.key: c.label for c in contract.channels})

    def stage_order(self, seen: Iterable[str]) -> list[str]:
        """The contract's stages in its order, then any other stage the marts hold."""
        seen = set(seen)
        return [*self.stages, *sorted(seen - set(self.stages))]

    def stage(self, key: str) -> str:
        return self.stages.get(key, key)

    def channel_order(self, seen: Iterable[str | None]) -> list[str | None]:
        """The channels present, in the contract's order, then any other (None last)."""
        known = list(self.channels)
        return sorted(set(seen), key=lambda c: (c is None, known.index(c) if c in known else len(known), c or ""))

    def channel(self, key: str | None) -> str:
        return "(none)" if key is None else self.channels.get(key, key)


def _month_heads(ctx: RunContext) -> list[str]:
    partial = ctx.run_day.replace(day=1) > ctx.last_full_month
    return [
        f"{_month_key(m)}{' <small>(to date)</small>' if partial and m == ctx.months[-1] else ''}" for m in ctx.months
    ]
