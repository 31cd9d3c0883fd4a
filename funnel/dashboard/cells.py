"""Text and table cells: escaping, number formats, and the data attributes every number carries."""

from __future__ import annotations

import html
from collections.abc import Iterable


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _count(value: float | None) -> str:
    return "" if value is None else f"{float(value):,.0f}"


def _number(value: float | None) -> str:
    """Whole numbers as they are, others to one decimal (an allowed delta of 4.48 reads ±4.5)."""
    if value is None:
        return ""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return "0" if float(value) == 0 else ("+" if float(value) > 0 else "") + _number(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{float(value):,.1f} h"


def _compact(value: float) -> str:
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _attrs(metric: str, value: object, **keys: object) -> str:
    """data-metric, its keys (data-stage, data-month, …) and the exact value (data-value)."""
    parts = [f'data-metric="{_e(metric)}"']
    parts += [f'data-{name.replace("_", "-")}="{_e(key)}"' for name, key in keys.items()]
    if value is not None:
        number = float(value)
        parts.append(f'data-value="{int(number) if number.is_integer() else number!r}"')
    return " ".join(parts)


def _td(text: str, metric: str, value: object, css: str = "n", title: str = "", **keys: object) -> str:
    tip = f' title="{_e(title)}"' if title else ""
    return f'<td class="{css}" {_attrs(metric, value, **keys)}{tip}>{_e(text)}</td>'


def _table(head: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(rows)
    return f'<table class="{css}"><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>'
