"""A split reading: the ladder model puts the mass at both ends and little where the median lands.

"How do I design a highly available payment system?" read ``simple 0.48 / medium 0.03 / complex
0.04 / frontier 0.45``: the median falls on ``medium``, a level the model gives 3%, and the
decision reported ``medium`` at confidence 0.00 with no word on why. :func:`split_at` finds such a
reading (the median level's own mass under :data:`NOTE_MAX`, at least :data:`SIDE_MIN` on each side
of it) and :func:`split_note` says so in the reasons; the choice and its (low) confidence stand.

Taking the safe side one step up was tried (the median level under 0.10): on the choosing sets it
fixed 7 requests and sent 6 a level further off (tier-1 requests to ``complex``), and on blind set N
it sent a tier-2 follow-up to ``frontier``: not better, and dearer. Pure functions of the probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NOTE_MAX", "SIDE_MIN", "split_at", "split_note"]

SIDE_MIN = 0.25
"""Least mass on each side of the median level for a split reading."""
NOTE_MAX = 0.20
"""Largest own mass of the median level for which a reading is said to be split in the reasons."""


def _median(p: Sequence[float]) -> int:
    acc = 0.0
    for i, q in enumerate(p):
        acc += q
        if acc >= 0.5:
            return i
    return len(p) - 1


def split_at(p: Sequence[float], own_max: float = NOTE_MAX) -> int:
    """The median level of a split reading ``p`` (probabilities of the levels, cheapest first), or -1."""
    m = _median(p)
    if m >= len(p) - 1 or p[m] >= own_max:
        return -1
    below, above = sum(p[:m]), sum(p[m + 1 :])
    return m if below >= SIDE_MIN and above >= SIDE_MIN else -1


def split_note(p: Sequence[float], m: int, names: Sequence[str]) -> str:
    """What the reasons say of a reading ``p`` split at median level ``m``: the choice stands."""
    ends = ", ".join(f"{names[i]} {q:.2f}" for i, q in enumerate(p) if i != m and q >= 0.1)
    return f"; levels split ({ends}; {names[m]}, where the median falls, {p[m]:.2f}): the middle kept, at low confidence"
