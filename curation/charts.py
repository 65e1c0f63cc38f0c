"""Draw small SVG charts on the server: no JavaScript, no CDN, readable by screen readers.

Pure: plain numbers in, an SVG string out. Every piece of text is escaped, so labels
that come from the database (mechanism names, values) cannot inject markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Room for the axes' labels around the plot, in SVG user units.
_LEFT, _RIGHT, _TOP, _BOTTOM = 34, 8, 10, 24
# The narrowest room one x label needs ("2024" at font size 10) before labels are thinned.
_LABEL_ROOM = 30


@dataclass(frozen=True)
class Bar:
    """One bar: its axis label, its value and the tooltip a pointer or reader gets."""

    label: str
    value: int
    tooltip: str = ""


def nice_ceiling(value: float) -> int:
    """Return the smallest 1, 2 or 5 times a power of ten that is at least ``value`` (>= 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def axis_ticks(top: int) -> list[int]:
    """Return the y ticks for an axis from 0 to ``top`` (a :func:`nice_ceiling` value)."""
    if top <= 5:
        return list(range(top + 1))
    parts = next(n for n in (4, 5, 2) if top % n == 0)
    return list(range(0, top + 1, top // parts))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    y_max: int | None = None,
    width: int = 360,
    height: int = 180,
) -> str:
    """Return an accessible SVG bar chart.

    ``chart_id`` prefixes the ids that tie the ``<title>`` and ``<desc>`` to the image
    (``aria-labelledby``), so several charts can share a page. ``y_max`` shares one scale
    between charts drawn side by side; it defaults to the largest bar. X labels are thinned
    so they never overlap; every bar keeps its own ``<title>`` tooltip.
    """
    top = nice_ceiling(max([y_max or 0, *(bar.value for bar in bars)]))
    plot_width = width - _LEFT - _RIGHT
    plot_height = height - _TOP - _BOTTOM
    base = _TOP + plot_height
    ident = escape(chart_id, quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" focusable="false">',
        f'<title id="{ident}-title">{escape(title, quote=False)}</title>',
        f'<desc id="{ident}-desc">{escape(description, quote=False)}</desc>',
    ]
    for tick in axis_ticks(top):
        y = base - plot_height * tick / top
        parts.append(
            f'<line class="chart-gridline" x1="{_LEFT}" x2="{width - _RIGHT}" '
            f'y1="{_number(y)}" y2="{_number(y)}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{_LEFT - 4}" y="{_number(y + 3.5)}" '
            f'text-anchor="end">{tick}</text>'
        )
    if bars:
        slot = plot_width / len(bars)
        bar_width = max(slot * 0.72, 1.0)
        every = max(1, math.ceil(_LABEL_ROOM / slot))
        for index, bar in enumerate(bars):
            x = _LEFT + slot * index + (slot - bar_width) / 2
            bar_height = plot_height * bar.value / top
            tooltip = escape(bar.tooltip or f"{bar.label}: {bar.value}", quote=False)
            parts.append(
                f'<rect class="chart-bar" x="{_number(x)}" y="{_number(base - bar_height)}" '
                f'width="{_number(bar_width)}" height="{_number(bar_height)}">'
                f"<title>{tooltip}</title></rect>"
            )
            # Count from the last bar, so the axis always shows where it ends.
            if (len(bars) - 1 - index) % every == 0:
                parts.append(
                    f'<text class="chart-label" x="{_number(x + bar_width / 2)}" '
                    f'y="{base + 14}" text-anchor="middle">{escape(bar.label, quote=False)}</text>'
                )
    parts.append(
        f'<line class="chart-axis" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{base}" y2="{base}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
