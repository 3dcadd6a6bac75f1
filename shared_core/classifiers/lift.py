"""Requests the ladder places at least at ``complex`` whatever the model reads of them.

Two rules, each looked for only where it moves the choice (the model's lower half holds the
median level): a short ask to debug the code, logs or tool calls of the earlier turns
(:mod:`.context_ask`) and a short competition problem (:mod:`.competition`). Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .competition import is_competition_problem
from .context_ask import debugs_earlier_work

__all__ = ["REASONS", "lift", "why_lifted"]

REASONS = {
    "earlier work": "; a short ask to debug the code, logs or tool calls of the earlier turns: at least complex",
    "problem": "; a short competition problem: at least complex",
}
"""What the classification's reasons add for each rule."""


def why_lifted(
    p: Sequence[float], ask: str, whole: str, ask_start: int, *, problems: bool = True, earlier: bool = True
) -> str:
    """Which rule lifts a request whose level probabilities are ``p`` (:data:`REASONS`' keys), or ``""``.

    ``ask``: what the model read (the last user message, or a pasted document's ask); ``whole``
    and ``ask_start``: the classified text and where its last user message begins."""
    if p[0] + p[1] < 0.5:
        return ""  # the upper half holds the median already: lifting moves no choice
    if problems and is_competition_problem(ask):
        return "problem"
    if earlier and ask is not whole and debugs_earlier_work(whole, ask_start):
        return "earlier work"
    return ""


def lift(p: Sequence[float]) -> list[float]:
    """``p`` with the mass of ``simple`` and ``medium`` moved to ``complex``."""
    return [0.0, 0.0, p[0] + p[1] + p[2], p[3]]
