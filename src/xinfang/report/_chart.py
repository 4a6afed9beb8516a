"""The burndown chart: an inline SVG with a scaled y-axis and labels that never collide.

Layout rules (held by the tests on the demo's data and on a two-point
campaign):

* the y-axis runs from 0 to a "nice" top (1, 2 or 5 times a power of ten
  above the largest count), with a tick, a grid line and a label at each step;
  tick labels sit left of the axis, outside the plot;
* every point has a dot; a count label only where it clears the label to its
  right (by its estimated width and :data:`_MIN_LABEL_GAP`; the latest point
  is always labelled);
* the first and last dates are always written under the x-axis (once when
  they are the same day); a date in between only where it clears its
  neighbours.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Sequence

__all__ = ["nice_ticks", "svg_burndown"]

_W: Final = 640
_H: Final = 240
_LEFT: Final = 56  # room for the tick labels
_RIGHT: Final = 24
_TOP: Final = 36  # room for the axis title above the highest count label
_BOTTOM: Final = 40
_INSET: Final = 22  # the first point's label (up to six digits) stays clear of the y-axis
_CHAR: Final = 7.0  # a generous width of one digit at the chart's font size
_MIN_LABEL_GAP: Final = 6.0  # clear space between two count labels
_MIN_DATE_GAP: Final = 72.0


def nice_ticks(top: int) -> list[int]:
    """Tick values from 0 to a nice number at or above ``top`` (at most 6 steps)."""
    top = max(top, 1)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    last = step * math.ceil(top / step)
    return list(range(0, last + 1, step))


def svg_burndown(burndown: Sequence[tuple[_dt.date, int]], title: str, axis_label: str = "") -> str:
    """The burndown as a self-contained SVG (empty text for an empty burndown)."""
    if not burndown:
        return ""
    ticks = nice_ticks(max(n for _, n in burndown))
    top = ticks[-1]
    first, last = burndown[0][0], burndown[-1][0]
    span = (last - first).days
    x0, x1 = _LEFT + _INSET, _W - _RIGHT - _INSET
    y0, y1 = _H - _BOTTOM, _TOP  # y of 0 and of ``top``

    def x_of(d: _dt.date) -> float:
        if span == 0:
            return (x0 + x1) / 2
        return x0 + (x1 - x0) * (d - first).days / span

    def y_of(n: float) -> float:
        return y0 - (y0 - y1) * n / top

    parts: list[str] = []
    for t in ticks:
        y = y_of(t)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{t}</text>'
        )
    parts.append(f'<line x1="{_LEFT}" y1="{y0}" x2="{_W - _RIGHT}" y2="{y0}" class="axis"/>')
    parts.append(f'<line x1="{_LEFT}" y1="{y1}" x2="{_LEFT}" y2="{y0}" class="axis"/>')
    if axis_label:
        parts.append(
            f'<text x="4" y="14" text-anchor="start" class="tick">{html.escape(axis_label)}</text>'
        )
    at = [(x_of(d), y_of(n)) for d, n in burndown]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in at)
    parts.append(f'<polyline points="{points}" class="line"/>')
    # Count labels, right to left: the latest point always, others where they clear.
    labelled: set[int] = set()
    right, right_half = math.inf, 0.0
    for i in range(len(at) - 1, -1, -1):
        half = _CHAR * len(str(burndown[i][1])) / 2
        if right - at[i][0] >= right_half + half + _MIN_LABEL_GAP:
            labelled.add(i)
            right, right_half = at[i][0], half
    for i, ((x, y), (_, n)) in enumerate(zip(at, burndown, strict=True)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
        if i in labelled:
            parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{n}</text>')
    parts.extend(_date_labels(burndown, at))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-label="{html.escape(title)}" class="chart">{"".join(parts)}</svg>'
    )


def _date_labels(
    burndown: Sequence[tuple[_dt.date, int]], at: Sequence[tuple[float, float]]
) -> list[str]:
    """The x-axis dates: first and last in full, others (MM-DD) where they clear both sides."""
    y = _H - _BOTTOM + 18
    first_x, last_x = at[0][0], at[-1][0]
    out = [
        (
            f'<text x="{first_x:.1f}" y="{y}" text-anchor="middle" class="date">'
            f"{burndown[0][0].isoformat()}</text>"
        )
    ]
    if len(burndown) == 1 or last_x - first_x < _MIN_DATE_GAP:
        if burndown[-1][0] != burndown[0][0] and len(burndown) > 1:
            # Too close to write both in full on one line: the last one goes below.
            out.append(
                f'<text x="{last_x:.1f}" y="{y + 14}" text-anchor="middle" class="date">'
                f"{burndown[-1][0].isoformat()}</text>"
            )
        return out
    out.append(
        f'<text x="{last_x:.1f}" y="{y}" text-anchor="middle" class="date">'
        f"{burndown[-1][0].isoformat()}</text>"
    )
    left = first_x
    for (d, _), (x, _y) in zip(burndown[1:-1], at[1:-1], strict=True):
        if x - left >= _MIN_DATE_GAP and last_x - x >= _MIN_DATE_GAP:
            out.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="middle" class="date">'
                f"{d.strftime('%m-%d')}</text>"
            )
            left = x
    return out
