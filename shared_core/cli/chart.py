"""The cost chart of ``tier-router demo`` / ``simulate --plot`` (needs the ``plot`` extra).

Three panels: prompts per tier; routed cost beside the baseline's (the headline); and the
routed cost alone, per tier, on its own scale, because next to the baseline the routed bar is
a few percent high and its per-tier segments cannot be read.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from ._common import Projection

COLORS = ["#4caf50", "#2196f3", "#ff9800", "#e53935", "#8e24aa", "#00897b", "#6d4c41"]
NEEDS_PLOT = "the chart needs matplotlib: pip install 'tier-router[plot]'"


def can_chart() -> bool:
    """Whether matplotlib is installed (the ``plot`` extra)."""
    return importlib.util.find_spec("matplotlib") is not None


def chart_figure(proj: Projection, title: str = "Cost by tier vs baseline") -> Any:
    """The matplotlib figure (the caller closes it)."""
    try:
        import matplotlib
    except ImportError:
        raise InputError(NEEDS_PLOT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2, ax3) = plt.subplots(
        1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [1.2, 0.8, 1.1]}
    )
    colors = [COLORS[i % len(COLORS)] for i in range(len(proj.tiers))]
    counts = [proj.count.get(t, 0) for t in proj.tiers]
    labels = [f"{t}\n{proj.models[t]}" for t in proj.tiers]
    bars = ax1.bar(labels, counts, color=colors)
    ax1.bar_label(bars, labels=[f"{c} ({c / max(proj.total, 1):.0%})" for c in counts])
    ax1.set_title(f"Prompts per tier (n={proj.total})")
    ax1.set_ylabel("prompts")
    ax1.margins(y=0.15)

    bottom = 0.0
    for i, t in enumerate(proj.tiers):
        c = proj.cost.get(t, 0.0)
        ax2.bar(["routed"], [c], bottom=bottom, color=colors[i], label=t)
        bottom += c
    ax2.bar([f"baseline\n{proj.baseline_model}"], [proj.baseline_cost], color="#616161")
    ax2.text(0, proj.routed_cost, f"${proj.routed_cost:.4f}", ha="center", va="bottom")
    ax2.text(1, proj.baseline_cost, f"${proj.baseline_cost:.4f}", ha="center", va="bottom")
    pct = proj.savings_pct
    ax2.set_title("Projected cost (USD)" + (f": {pct:.0f}% saved" if pct is not None else ""))
    ax2.set_ylabel("USD")
    ax2.margins(y=0.12)

    costs = [proj.cost.get(t, 0.0) for t in proj.tiers]
    bars = ax3.bar(labels, costs, color=colors)
    share = [c / proj.routed_cost if proj.routed_cost else 0.0 for c in costs]
    ax3.bar_label(bars, labels=[f"${c:.4f} ({s:.0%})" for c, s in zip(costs, share)], fontsize=8)
    ax3.set_title(f"Routed cost by tier (own scale): ${proj.routed_cost:.4f}")
    ax3.set_ylabel("USD")
    ax3.margins(y=0.15)

    fig.suptitle(title)
    fig.text(
        0.01,
        0.01,
        f"input tokens = characters/4 (+ tier system prompt); output = "
        f"{proj.output_tokens} tokens per prompt, capped at the tier's max_tokens",
        fontsize=7,
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def chart_path(path: str | Path) -> Path:
    """Where a chart named ``path`` is written: a name without a suffix gets ``.png`` (as
    matplotlib adds it; the path printed is the file written), a folder or a format matplotlib
    cannot write is an :class:`InputError`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = Path(path)
    if out.is_dir():
        raise InputError(f"{str(out)!r} is a folder: give the chart a file name, e.g. {out / 'chart.png'}")
    if not out.suffix:
        out = out.with_suffix(".png")
    kinds = FigureCanvasAgg.get_supported_filetypes()
    if out.suffix[1:].lower() not in kinds:
        raise InputError(
            f"cannot write a chart as {out.suffix!r}: use .png (or one of {', '.join(sorted(kinds))})"
        )
    return out


def write_chart(
    proj: Projection, path: str | Path, title: str = "Cost by tier vs baseline"
) -> Path:
    """Write the chart (PNG unless the name says otherwise); a path that cannot be written is
    an :class:`InputError`."""
    out = chart_path(path)
    fig = chart_figure(proj, title)
    import matplotlib.pyplot as plt

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=110)
    except OSError as exc:
        raise InputError(
            f"cannot write the chart to {str(out)!r}: {exc.strerror or exc} "
            "(give --plot / --output a writable path)"
        ) from None
    finally:
        plt.close(fig)
    return out
