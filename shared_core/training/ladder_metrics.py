"""How well a router places requests on the four-tier ladder (issue 11).

Rows carry a practitioner's tier 1..4 (1 simple: greetings, look-ups, conversions;
2 medium: summarise, extract, short emails; 3 complex: real code, debugging, analysis,
long-form; 4 frontier: research synthesis, proofs, large system design). A router's
choice is a tier index 0..3 on the bundled four-tier ladder, with a confidence.

:func:`ladder_report` gives the figures the issue asks for: the confusion matrix, exact
tier, within one tier, tier 1 at the cheapest tier, tiers 1-2 in the lower half, tiers
3-4 in the upper half, tier 4 at the top, the expected calibration error of the
confidence (10 equal-width bins, "is the chosen tier the labelled one"), and the share
of decisions made with confidence >= 0.8 together with their accuracy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CONFIDENT", "expected_calibration_error", "ladder_report", "read_ladder_rows", "request_of"]

CONFIDENT = 0.8
"""Confidence from which a decision counts as "confident"."""


def read_ladder_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a ladder file (``prompt`` or ``messages``, ``tier`` 1..4)."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def request_of(row: dict[str, Any]) -> list[dict[str, str]]:
    """The messages a router sees for a row (its ``messages``, else one user turn)."""
    msgs = row.get("messages")
    if msgs:
        return [{"role": str(m["role"]), "content": str(m["content"])} for m in msgs]
    return [{"role": "user", "content": str(row["prompt"])}]


def expected_calibration_error(
    conf: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray, bins: int = 10
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    c = np.asarray(conf, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    if len(c) == 0:
        return 0.0
    which = np.minimum((c * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            ece += m.mean() * abs(ok[m].mean() - c[m].mean())
    return float(ece)


def ladder_report(true_tier: Sequence[int], chosen: Sequence[int], conf: Sequence[float]) -> dict[str, Any]:
    """Figures for labelled tiers ``true_tier`` (1..4) and chosen tier indexes ``chosen`` (0..3)."""
    t = np.asarray(true_tier, dtype=int)
    p = np.asarray(chosen, dtype=int) + 1
    c = np.asarray(conf, dtype=np.float64)
    ok = t == p
    confusion = np.zeros((4, 4), dtype=int)
    for a, b in zip(t, p):
        confusion[a - 1, b - 1] += 1

    def share(mask: np.ndarray, hit: np.ndarray) -> float | None:
        return float(hit[mask].mean()) if mask.any() else None

    sure = c >= CONFIDENT
    return {
        "n": len(t),
        "confusion": confusion.tolist(),
        "exact": float(ok.mean()) if len(t) else 0.0,
        "within_one": float((np.abs(t - p) <= 1).mean()) if len(t) else 0.0,
        "tier1_cheapest": share(t == 1, p == 1),
        "tier12_lower_half": share(t <= 2, p <= 2),
        "tier34_upper_half": share(t >= 3, p >= 3),
        "tier4_top": share(t == 4, p == 4),
        "ece": expected_calibration_error(c, ok),
        "confident_share": float(sure.mean()) if len(t) else 0.0,
        "confident_accuracy": share(sure, ok),
        "mean_confidence": float(c.mean()) if len(t) else 0.0,
    }


TARGETS = {
    "exact": 0.80,
    "within_one": 0.97,
    "tier1_cheapest": 0.88,
    "tier12_lower_half": 0.95,
    "tier34_upper_half": 0.90,
    "tier4_top": 0.80,
}
"""Issue 11's floors (ECE must be at most 0.10; confident share >= 1/3 at >= 90% right)."""


def format_report(name: str, rep: dict[str, Any]) -> str:
    """A Markdown block: the figures beside the targets, then the confusion matrix."""

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.1f}%"

    lines = [f"{name} ({rep['n']} requests)", "", "| figure | value | target |", "|---|---|---|"]
    for key, label in (
        ("exact", "exact tier"),
        ("within_one", "within one tier"),
        ("tier1_cheapest", "tier 1 at the cheapest tier"),
        ("tier12_lower_half", "tiers 1–2 in the lower half"),
        ("tier34_upper_half", "tiers 3–4 in the upper half"),
        ("tier4_top", "tier 4 at the top"),
    ):
        lines.append(f"| {label} | {pct(rep[key])} | ≥ {pct(TARGETS[key])} |")
    lines.append(f"| expected calibration error | {rep['ece']:.3f} | ≤ 0.100 |")
    lines.append(
        f"| decided with confidence ≥ {CONFIDENT} | {pct(rep['confident_share'])} | ≥ 33.3% |"
    )
    lines.append(f"| … of which right | {pct(rep['confident_accuracy'])} | ≥ 90.0% |")
    lines += ["", "| labelled \\ chosen | 1 | 2 | 3 | 4 |", "|---|---|---|---|---|"]
    for i, row in enumerate(rep["confusion"]):
        lines.append(f"| {i + 1} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)
