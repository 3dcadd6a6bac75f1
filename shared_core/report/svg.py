"""Charts drawn as inline SVG on the server: the report needs no script and no network.

Each function returns one ``<svg>`` element with ``data-chart="<name>"`` and one
``data-mark`` attribute on every drawn mark (a line, an area, a bar), so a test can check
from the DOM that every chart is there and drawn. Hovering a mark shows its ``<title>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .html_text import escape

Fmt = Callable[[float], str]

W, H = 720, 260
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 12, 40


@dataclass(frozen=True)
class Series:
    """A named list of values with its colour."""

    name: str
    values: Sequence[float]
    color: str


def nice_ticks(top: float, n: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (e.g. 0, 0.05, 0.1, 0.15)."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def _svg(name: str, body: list[str], label: str, width: int = W, height: int = H) -> str:
    return (
        f'<svg data-chart="{escape(name)}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "start", cls: str = "tick") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(s)}</text>'


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float) -> list[str]:
    """At most ~8 labels along the x axis, evenly spaced, ending on the last one."""
    if not labels:
        return []
    n = len(labels)
    every = max(1, math.ceil(n / 8))
    keep = list(range(n - 1, -1, -every))  # counted back from the last label
    return [_text(xs[i], y, labels[i], "middle") for i in sorted(keep)]


def _y_axis(ticks: list[float], y_of: Callable[[float], float], fmt: Fmt, width: int) -> list[str]:
    out = []
    for t in ticks:
        y = y_of(t)
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{width - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(_text(PAD_L - 8, y + 4, fmt(t), "end"))
    return out


def line_chart(
    name: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Fmt,
    *,
    fill_between: tuple[int, int] | None = None,
    fill_color: str = "#16a34a",
    fill_name: str = "savings",
    label: str = "",
    width: int = W,
) -> str:
    """Lines over shared x labels; ``fill_between=(i, j)`` shades series j above series i."""
    n = len(labels)
    top = max((v for s in series for v in s.values), default=0.0)
    ticks = nice_ticks(top)
    ymax = ticks[-1]
    plot_w, plot_h = width - PAD_L - PAD_R, H - PAD_T - PAD_B
    xs = [PAD_L + (plot_w * i / (n - 1) if n > 1 else plot_w / 2) for i in range(n)]

    def y_of(v: float) -> float:
        return PAD_T + plot_h * (1 - v / ymax)

    body = _y_axis(ticks, y_of, fmt, width)
    if fill_between and n:
        lo, hi = series[fill_between[0]], series[fill_between[1]]
        upper = [f"{xs[i]:.1f},{y_of(hi.values[i]):.1f}" for i in range(n)]
        lower = [f"{xs[i]:.1f},{y_of(lo.values[i]):.1f}" for i in reversed(range(n))]
        gap = hi.values[-1] - lo.values[-1]
        body.append(
            f'<polygon data-mark="area" fill="{fill_color}" fill-opacity="0.18" '
            f'points="{" ".join(upper + lower)}"><title>{escape(fill_name)}: {escape(fmt(gap))}'
            "</title></polygon>"
        )
    for s in series:
        pts = " ".join(f"{xs[i]:.1f},{y_of(v):.1f}" for i, v in enumerate(s.values))
        if n == 1:  # a single point still shows
            body.append(
                f'<circle data-mark="line" cx="{xs[0]:.1f}" cy="{y_of(s.values[0]):.1f}" r="4" '
                f'fill="{s.color}"><title>{escape(s.name)}: {escape(fmt(s.values[0]))}</title></circle>'
            )
            continue
        body.append(
            f'<polyline data-mark="line" fill="none" stroke="{s.color}" stroke-width="2.5" '
            f'stroke-linejoin="round" points="{pts}"><title>{escape(s.name)}: '
            f"{escape(fmt(s.values[-1]))}</title></polyline>"
        )
        body.append(
            f'<circle cx="{xs[-1]:.1f}" cy="{y_of(s.values[-1]):.1f}" r="3.5" fill="{s.color}"/>'
        )
    body += _x_labels(labels, xs, H - PAD_B + 18)
    return _svg(name, body, label or name, width=width)


def stacked_columns(
    name: str,
    labels: Sequence[str],
    stacks: Sequence[Series],
    *,
    label: str = "",
) -> str:
    """100% stacked columns: each column shows the share of each series in that x slot."""
    n = len(labels)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    slot = plot_w / max(n, 1)
    bar_w = max(2.0, min(48.0, slot * 0.78))
    body = _y_axis([0, 0.25, 0.5, 0.75, 1.0], lambda v: PAD_T + plot_h * (1 - v), _pct0, W)
    xs = [PAD_L + slot * (i + 0.5) for i in range(n)]
    for i in range(n):
        total = sum(s.values[i] for s in stacks)
        if total <= 0:
            continue
        y: float = PAD_T + plot_h
        for s in stacks:
            v = s.values[i]
            if v <= 0:
                continue
            h = plot_h * v / total
            y -= h
            body.append(
                f'<rect data-mark="bar" x="{xs[i] - bar_w / 2:.1f}" y="{y:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{s.color}"><title>'
                f"{escape(labels[i])}: {escape(s.name)} {v:g} of {total:g} calls "
                f"({v / total:.0%})</title></rect>"
            )
    body += _x_labels(labels, xs, H - PAD_B + 18)
    return _svg(name, body, label or name)


@dataclass(frozen=True)
class BarRow:
    """One row of a horizontal bar chart: a label and one or more bars."""

    label: str
    values: Sequence[float]
    note: str = ""


def hbars(
    name: str,
    rows: Sequence[BarRow],
    colors: Sequence[str],
    names: Sequence[str],
    fmt: Fmt,
    *,
    vmax: float | None = None,
    label: str = "",
    width: int = W,
) -> str:
    """Horizontal bars, one group per row, one bar per value (e.g. cost and baseline)."""
    k = max((len(r.values) for r in rows), default=1)
    bar_h, gap = 14, 10
    row_h = k * bar_h + gap
    left = 150
    right = 90
    height = PAD_T + row_h * max(len(rows), 1) + 8
    top = vmax if vmax is not None else max((v for r in rows for v in r.values), default=0.0)
    top = top or 1.0
    plot_w = width - left - right
    body = []
    for i, r in enumerate(rows):
        y0 = PAD_T + i * row_h
        shown = r.label if len(r.label) <= 22 else r.label[:21] + "…"
        body.append(
            f'<text x="{left - 8}" y="{y0 + k * bar_h / 2 + 4:.1f}" text-anchor="end" '
            f'class="rowlabel"><title>{escape(r.label)}</title>{escape(shown)}</text>'
        )
        for j, v in enumerate(r.values):
            w = max(1.5, plot_w * min(v, top) / top) if v > 0 else 0.0
            y = y0 + j * bar_h
            if w:
                body.append(
                    f'<rect data-mark="bar" x="{left}" y="{y:.1f}" width="{w:.1f}" '
                    f'height="{bar_h - 2}" rx="2" fill="{colors[j % len(colors)]}"><title>'
                    f"{escape(r.label)}: {escape(names[j % len(names)])} {escape(fmt(v))}"
                    f"{escape(' ' + r.note) if r.note else ''}</title></rect>"
                )
            body.append(_text(left + w + 6, y + bar_h - 4, fmt(v), "start", "value"))
    return _svg(name, body, label or name, width=width, height=height)


def _pct0(v: float) -> str:
    return f"{v:.0%}"
