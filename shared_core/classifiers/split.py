"""A split reading: the ladder model puts the mass at both ends and little where the median lands.

"How do I design a highly available payment system?" read ``simple 0.48 / medium 0.03 / complex
0.04 / frontier 0.45``: the median falls on ``medium``, a level the model gives 3%, and the
decision reported ``medium`` at confidence 0.00 with no word on why. The middle is the one answer
the model rules out. :func:`split_at` finds such a reading (the median level's own mass under
:data:`OWN_MAX`, at least :data:`SIDE_MIN` on each side of it); the classifier then takes the safe
side one step: the mass up to the median moves one level above it (``complex`` here), and the
reasons say the levels were split; the confidence is the calibrated mass the model gave that level
(low: the step is taken for safety, not because the model is sure). Pure functions of the probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NOTE_MAX", "OWN_MAX", "SIDE_MIN", "SplitReason", "split_at", "split_note", "split_reason", "step_up"]

OWN_MAX = 0.10
"""Largest own mass of the median level for a split reading."""
SIDE_MIN = 0.25
"""Least mass on each side of the median level for a split reading."""
NOTE_MAX = 0.20
"""Largest own mass of the median level for which a reading that is not stepped up (its median level
holds :data:`OWN_MAX` or more) is still said to be split in the reasons: the choice stands."""


def _median(p: Sequence[float]) -> int:
    acc = 0.0
    for i, q in enumerate(p):
        acc += q
        if acc >= 0.5:
            return i
    return len(p) - 1


def split_at(p: Sequence[float], own_max: float = OWN_MAX) -> int:
    """The median level of a split reading ``p`` (probabilities of the levels, cheapest first), or -1."""
    m = _median(p)
    if m >= len(p) - 1 or p[m] >= own_max:
        return -1
    below, above = sum(p[:m]), sum(p[m + 1 :])
    return m if below >= SIDE_MIN and above >= SIDE_MIN else -1


def step_up(p: Sequence[float], m: int) -> list[float]:
    """``p`` with the mass of levels ``0..m`` moved to level ``m + 1``."""
    out = [0.0] * len(p)
    out[m + 1] = sum(p[: m + 2])
    out[m + 2 :] = p[m + 2 :]
    return out


class SplitReason(str):
    """What the reasons say of a split reading, and the mass the model gave the level stepped to
    before the step (:attr:`mass`: the confidence is calibrated from it, not from the moved mass,
    which would claim a certainty the model never had)."""

    mass: float


def split_reason(p: Sequence[float], m: int, names: Sequence[str]) -> SplitReason:
    """What the reasons say of a split reading ``p`` (before the step) at median level ``m``."""
    ends = ", ".join(f"{names[i]} {q:.2f}" for i, q in enumerate(p) if i != m and q >= 0.1)
    out = SplitReason(
        f"; levels split ({ends}; {names[m]}, where the median falls, {p[m]:.2f}):"
        f" one step up from {names[m]}, to {names[m + 1]} (confidence: the model's own {p[m + 1]:.2f} for it)"
    )
    out.mass = float(p[m + 1])
    return out


def split_note(p: Sequence[float], m: int, names: Sequence[str]) -> str:
    """What the reasons say of a reading split at ``m`` that keeps its choice (the median level holds
    between :data:`OWN_MAX` and :data:`NOTE_MAX`)."""
    ends = ", ".join(f"{names[i]} {q:.2f}" for i, q in enumerate(p) if i != m and q >= 0.1)
    return f"; levels split ({ends}; {names[m]}, where the median falls, {p[m]:.2f}): the middle kept, at low confidence"
