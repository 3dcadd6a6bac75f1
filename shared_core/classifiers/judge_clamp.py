"""The judge's clamp: another classifier's estimate bounds how far the judge's label may move.

See :mod:`.judge` for why the band is centred on the lower of the clamp's estimates (whole
text, and text without its instruction-like segments).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..request import Request
from .base import Classification
from .injection import strip_instructions

Ref = list[Classification] | BaseException | None
"""The clamp's estimates (whole text, then without instruction-like segments), or its error."""


def clamp_views(request: Request, labels: Sequence[str]) -> list[Request]:
    """The request as the clamp sees it: whole, and without instruction-like segments
    (when that differs). The clamp is centred on the lower of the two estimates, so text
    appended or prepended to command the router cannot widen its band."""
    stripped = strip_instructions(request.text, labels)
    if stripped == request.text.strip():
        return [request]
    # the stripped text is a new text: the old ask offset no longer points into it
    return [request, dataclasses.replace(request, text=stripped, ask_start=0)]


def apply_clamp(
    idx: int,
    refs: Ref,
    labels: Sequence[str],
    *,
    ordinal: bool,
    max_shift: int,
    reasons: list[str],
) -> int:
    """``idx`` moved into the band ``refs`` allow (a reason is added when it moves)."""
    if refs is None:
        return idx
    if isinstance(refs, BaseException):
        reasons.append(f"clamp classifier failed ({type(refs).__name__}); judge label not bounded")
        return idx
    ref = refs[-1]  # task labels: ranked on the text without instruction-like segments
    ref_scores = [float(ref.scores.get(lab, 0.0)) for lab in labels]
    if not ref.scores:
        return idx
    if ordinal:
        centers = [
            median_index([float(r.scores.get(lab, 0.0)) for lab in labels])
            for r in refs
            if r.scores
        ]
        center = min(centers)
        if len(set(centers)) > 1:
            reasons.append(
                f"clamp centred on {labels[center]!r}, its estimate without the "
                f"instruction-like text ({labels[max(centers)]!r} with it)"
            )
        lo, hi = (
            max(0, center - max_shift),
            min(len(labels) - 1, center + max_shift),
        )
        new = min(hi, max(lo, idx))
        band = f"{labels[lo]!r}..{labels[hi]!r}"
    else:
        order = sorted(range(len(ref_scores)), key=lambda i: -ref_scores[i])
        allowed = order[: max_shift + 1]
        new = idx if idx in allowed else order[0]
        band = ", ".join(repr(labels[i]) for i in allowed)
    if new != idx:
        reasons.append(
            f"clamped {labels[idx]!r} -> {labels[new]!r}: {ref.classifier} allows {band}"
        )
    return new


def median_index(scores: Sequence[float]) -> int:
    """The first tier whose score reaches 0.5 (the last when none does)."""
    for i, s in enumerate(scores):
        if s >= 0.5:
            return i
    return len(scores) - 1
