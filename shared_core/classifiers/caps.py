"""Requests the ladder places at most at ``medium`` whatever the model reads of them.

The mirror of :mod:`.lift`: three kinds of light asks in heavy words, each looked for only where it
moves the choice (the model's upper half holds the median level): a short ask what a quoted error
message means (:mod:`.error_meaning`), for one regex, cron line or spreadsheet formula
(:mod:`.one_liner`), or to put given text into JSON or CSV (:mod:`.extraction`). Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .error_meaning import ASK_MAX as ERROR_MAX
from .error_meaning import asks_what_an_error_means
from .extraction import ASK_MAX as EXTRACT_MAX
from .extraction import asks_to_extract
from .one_liner import ASK_MAX as ONE_LINE_MAX
from .one_liner import asks_for_a_one_liner

__all__ = ["REASONS", "cap", "why_capped"]

REASONS = {
    "error meaning": "; a short ask what a quoted error message means: at most medium",
    "one-liner": "; a short ask for one regex, cron line or spreadsheet formula: at most medium",
    "extraction": "; a short ask to put given text into JSON or CSV: at most medium",
}
"""What the classification's reasons add for each rule."""


def why_capped(p: Sequence[float], ask: str) -> str:
    """Which rule caps a request whose level probabilities are ``p`` (:data:`REASONS`' keys), or ``""``.

    ``ask``: what the model read (the last user message, read whole)."""
    if p[0] + p[1] >= 0.5:
        return ""  # the lower half holds the median already: capping moves no choice
    t = ask.strip()
    if len(t) > max(ERROR_MAX, ONE_LINE_MAX, EXTRACT_MAX):
        return ""  # longer than any of the three reads
    if asks_what_an_error_means(t):  # (each tests its own cheap signs first)
        return "error meaning"
    if asks_for_a_one_liner(t):
        return "one-liner"
    if asks_to_extract(t):
        return "extraction"
    return ""


def cap(p: Sequence[float]) -> list[float]:
    """``p`` with the mass of ``complex`` and ``frontier`` moved to ``medium``."""
    return [p[0], p[1] + p[2] + p[3], 0.0, 0.0]
