"""Charts for the digest: HTML bars (as data) and an inline SVG multi-line chart.

It owns turning small series into chart data and self-contained SVG markup (no
scripts, no fonts or images fetched).  Bars are plain data that the templates
draw as HTML (they read well on a phone and survive mail clients that drop
SVG); the line chart comes in a wide and a narrow drawing.  Every label is escaped here, because labels such as
entity names come from articles; the result is `Markup`, safe to insert into an
autoescaping template as is.  Charts scale with their container (viewBox,
width 100%) and carry a <title> and aria-label for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

from markupsafe import Markup

# Colour-blind-safe palette (Okabe-Ito), distinguishable in greyscale print by the markers.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("circle", "square", "diamond", "triangle", "cross", "circle", "square")

_H = 240  # drawing height in viewBox units; the width is the chart's own (640 wide, 360 narrow)
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 12, 14, 36
WIDE, NARROW = 640, 360


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    share: float  # of the longest bar, 0-100, for an HTML bar's width

    @property
    def text(self) -> str:
        return _num(self.value)


def bars(labels: Sequence[str], values: Sequence[float]) -> list[Bar]:
    """A bar chart as data, for HTML bars (a table row each): readable at any width and in
    mail clients that drop SVG.  The longest bar is 100."""
    top = max(values, default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in zip(labels, values)]


def line_chart(x_labels: Sequence[str], series: Sequence[Series], title: str, width: int = WIDE) -> Markup:
    """One line with markers per series over shared x labels, with a legend below.  Drawn
    `width` units wide: a phone shows the 360-wide one at about its own size, so its 11 px
    labels stay 11 px instead of shrinking with a wide drawing."""
    top = _nice_max(max((v for s in series for v in s.values), default=0))
    columns = 3 if width >= 600 else 2
    legend_rows = (len(series) + columns - 1) // columns
    height = _H + 18 * legend_rows
    step = (width - _LEFT - _RIGHT) / max(len(x_labels) - 1, 1)
    every = max(1, math.ceil(len(x_labels) * 34 / (width - _LEFT - _RIGHT)))  # labels >= 34 units apart
    parts = [_open(title, width, height), *_y_axis(top, width)]
    for i, label in enumerate(x_labels):
        if (len(x_labels) - 1 - i) % every == 0:  # the latest week always labelled
            parts.append(_x_label(_LEFT + i * step, label))
    for n, s in enumerate(series):
        colour, marker = PALETTE[n % len(PALETTE)], MARKERS[n % len(MARKERS)]
        points = [(_LEFT + i * step, _H - _BOTTOM - (_H - _TOP - _BOTTOM) * (v / top))
                  for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="line" points="{path}" stroke="{colour}" fill="none"/>')
        for (x, y), value, label in zip(points, s.values, x_labels):
            parts.append(_marker(marker, x, y, colour, f"{s.name}, {label}: {_num(value)}"))
        slot = (width - _LEFT) / columns
        lx, ly = _LEFT + (n % columns) * slot, _H + 4 + 18 * (n // columns)
        parts.append(_marker(marker, lx + 5, ly + 5, colour, s.name))
        limit = int((slot - 20) / 6.2)  # about 6.2 units per character at 11 px
        parts.append(f'<text class="legend" x="{lx + 14:.1f}" y="{ly + 9}">{_text(_shorten(s.name, limit))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str, width: int, height: int = _H) -> str:
    label = _text(title)
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>')


def _y_axis(top: float, width: int) -> list[str]:
    parts = []
    for i in range(5):
        value = top * i / 4
        y = _H - _BOTTOM - (_H - _TOP - _BOTTOM) * i / 4
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_num(value)}</text>')
    return parts


def _x_label(x: float, label: str) -> str:
    return f'<text class="tick" x="{x:.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle">{_text(label)}</text>'


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    tip_el = f"<title>{_text(tip)}</title>"
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{tip_el}</rect>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{tip_el}</polygon>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{tip_el}</polygon>'
    if shape == "cross":
        return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}'
                f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2">{tip_el}</path>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{tip_el}</circle>'


def _nice_max(value: float) -> float:
    """The axis top: 4 ticks of a round step (1, 2, 2.5 or 5 x 10^n), at least `value`."""
    wanted = max(value, 4.0) / 4
    magnitude = 10 ** math.floor(math.log10(wanted))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= wanted)
    return 4 * step


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: object) -> str:
    return escape(str(value), quote=True)
