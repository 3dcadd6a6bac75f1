"""Requests the ladder moves whatever the model reads of them.

Rules that lift a request (each looked for only where there is mass in the lower half to move,
:data:`LIFT_FROM`; a competition problem only where the lower half holds the median): a short ask to debug the code, logs or tool calls of the earlier turns
(:mod:`.context_ask`) and a short competition problem (:mod:`.competition`) go at least to
``complex``; a short ask to design a large software system (:mod:`.system_design`: "How would you
design a distributed cache?") has the lower half's mass moved to ``frontier``. One rule caps: a
haiku, a limerick or a slogan (:mod:`.short_forms`) goes at most to ``medium``. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .competition import is_competition_problem
from .context_ask import debugs_earlier_work
from .short_forms import is_short_form
from .system_design import designs_a_system

__all__ = ["LIFT_FROM", "REASONS", "lift", "why_lifted"]

LIFT_FROM = 0.05
"""Least mass of ``simple`` and ``medium`` for a lifting rule to be looked for: below it there is
nothing to move (the rule would change neither the choice nor the confidence)."""

REASONS = {
    "earlier work": "; a short ask to debug the code, logs or tool calls of the earlier turns: at least complex",
    "problem": "; a short competition problem: at least complex",
    "system design": "; a short ask to design a large software system: the lower levels' mass moved to frontier",
    "short form": "; a haiku, a short poem or a slogan: at most medium",
}
"""What the classification's reasons add for each rule."""


def why_lifted(
    p: Sequence[float],
    ask: str,
    whole: str,
    ask_start: int,
    *,
    problems: bool = True,
    earlier: bool = True,
    designs: bool = True,
    forms: bool = True,
) -> str:
    """Which rule moves a request whose level probabilities are ``p`` (:data:`REASONS`' keys), or ``""``.

    ``ask``: what the model read (the last user message, or a pasted document's ask); ``whole``
    and ``ask_start``: the classified text and where its last user message begins."""
    if p[2] + p[3] > 0.5 and forms and is_short_form(ask):
        return "short form"
    low = p[0] + p[1]
    if low < LIFT_FROM:
        return ""  # nothing in the lower half to move
    if problems and low >= 0.5 and is_competition_problem(ask):
        return "problem"  # (only where it moves the choice: the test costs ~25 µs on a long line)
    if designs and designs_a_system(ask):
        return "system design"
    if earlier and ask is not whole and debugs_earlier_work(whole, ask_start):
        return "earlier work"
    return ""


def lift(p: Sequence[float], why: str = "earlier work") -> list[float]:
    """``p`` moved as the rule ``why`` says: the mass of ``simple`` and ``medium`` to ``complex``
    (to ``frontier`` for a system design), or that of ``complex`` and ``frontier`` to ``medium``
    for a short form."""
    if why == "short form":
        return [p[0], p[1] + p[2] + p[3], 0.0, 0.0]
    if why == "system design":
        return [0.0, 0.0, p[2], p[0] + p[1] + p[3]]
    return [0.0, 0.0, p[0] + p[1] + p[2], p[3]]
