"""Charts: inline SVG, one scale per chart, nothing loaded from outside the page."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from funnel.dashboard.cells import _compact, _e

# Width of the small charts drawn side by side (px): three fit a laptop's screen.
SMALL_CHART = 380
_PALETTE = ("#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777")


def _axis(value: float) -> tuple[float, float]:
    """(top, step) of a y axis reaching `value` in at most four round steps (1, 2, 2.5 or 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if raw <= s * magnitude)
    return step * math.ceil(value / step - 1e-9), step


@dataclass(frozen=True)
class _Plot:
    """The drawing area of one chart: categories on x, values from 0 to `top` on y."""

    categories: Sequence[str]
    top: float
    width: int
    height: int
    left: int = 44

    @property
    def bottom(self) -> float:
        return self.height - 18

    @property
    def slot(self) -> float:
        return (self.width - self.left - 4) / max(len(self.categories), 1)

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - 8) * value / self.top

    def frame(self, step: float, fmt: Callable[[float], str]) -> list[str]:
        """Gridlines with their labels, and as many x labels as fit (about 44 px each)."""
        parts = []
        for tick in range(round(self.top / step) + 1):
            y = self.y(tick * step)
            parts.append(f'<line x1="{self.left}" x2="{self.width - 4}" y1="{y:.1f}" y2="{y:.1f}" class="grid"></line>')
            parts.append(
                f'<text x="{self.left - 4}" y="{y + 3.5:.1f}" class="axis" text-anchor="end">{fmt(tick * step)}</text>'
            )
        every = max(1, math.ceil(44 / self.slot))
        for index, label in enumerate(self.categories):
            if index % every == 0:
                x = self.left + self.slot * (index + 0.5)
                parts.append(
                    f'<text x="{x:.1f}" y="{self.height - 4}" class="axis" text-anchor="middle">{_e(label)}</text>'
                )
        return parts


def _figure(plot: _Plot, parts: list[str], names: Sequence[str], label: str) -> str:
    """The SVG at its own size (shrunk, never stretched, by CSS), its legend and caption."""
    legend = ""
    if len(names) > 1:
        items = "".join(
            f'<span><i style="background:{_PALETTE[i % len(_PALETTE)]}"></i>{_e(n)}</span>' for i, n in enumerate(names)
        )
        legend = f'<p class="legend">{items}</p>'
    svg = (
        f'<svg width="{plot.width}" height="{plot.height}" viewBox="0 0 {plot.width} {plot.height}" role="img" '
        f'aria-label="{_e(label)}">{"".join(parts)}</svg>'
    )
    return f"<figure>{svg}{legend}<figcaption>{_e(label)}</figcaption></figure>"


Series = Sequence[tuple[str, Sequence[float | None]]]


def bar_chart(
    categories: Sequence[str],
    series: Series,
    *,
    label: str,
    stacked: bool = False,
    fmt: Callable[[float], str] = _compact,
    width: int = 720,
    height: int = 180,
) -> str:
    """Grouped (or stacked) vertical bars; hovering a bar shows its value."""
    totals = [
        sum(values[i] or 0 for _, values in series) if stacked else max((values[i] or 0) for _, values in series)
        for i in range(len(categories))
    ]
    top, step = _axis(max(totals, default=0))
    plot = _Plot(categories, top, width, height)
    parts = plot.frame(step, fmt)
    bar = plot.slot * 0.7 / (1 if stacked else len(series))
    for index, category in enumerate(categories):
        base = 0.0
        for position, (name, values) in enumerate(series):
            value = max(values[index] or 0, 0)  # a bar cannot show a negative amount: drawn empty
            x = plot.left + plot.slot * (index + 0.15) + (0 if stacked else bar * position)
            low, high = (base, base + value) if stacked else (0, value)
            parts.append(
                f'<rect x="{x:.1f}" y="{plot.y(high):.1f}" width="{bar:.1f}" height="{plot.y(low) - plot.y(high):.1f}" '
                f'fill="{_PALETTE[position % len(_PALETTE)]}">'
                f"<title>{_e(category)} · {_e(name)}: {fmt(value)}</title></rect>"
            )
            base = high if stacked else 0.0
    return _figure(plot, parts, [n for n, _ in series], label)


def line_chart(
    categories: Sequence[str],
    series: Series,
    *,
    label: str,
    fmt: Callable[[float], str] = _compact,
    width: int = 720,
    height: int = 180,
) -> str:
    """One line per series; a missing value is left out, not drawn as zero."""
    top, step = _axis(max((v for _, values in series for v in values if v is not None), default=0))
    plot = _Plot(categories, top, width, height)
    parts = plot.frame(step, fmt)
    for position, (name, values) in enumerate(series):
        color = _PALETTE[position % len(_PALETTE)]
        points = [
            (plot.left + plot.slot * (i + 0.5), plot.y(v), categories[i], v)
            for i, v in enumerate(values)
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"></polyline>')
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
            f"<title>{_e(c)} · {_e(name)}: {fmt(v)}</title></circle>"
            for x, y, c, v in points
        ]
    return _figure(plot, parts, [n for n, _ in series], label)
