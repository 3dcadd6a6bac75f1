"""How ``stats`` and the report show a total that has unknown parts.

A record of unknown cost (an unpriced model: a fake, a local model) is left out of
``cost_usd``, and an answer of unknown baseline out of ``baseline_cost_usd``: each sum is then
a known part only, and is shown as such ("$0.01200 + 3 unpriced record(s)"), or as "unknown"
when nothing of it is known (a bare "$0.00000" read as free). Savings over such totals are
shown only for what is priced, and are unknown when either side is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _part(known: float, unknown: int, what: str, usd: Callable[[float], str]) -> str:
    if not unknown:
        return usd(known)
    if known == 0:
        return f"unknown ({unknown:,} {what})"
    return f"{usd(known)} + {unknown:,} {what}"


def cost_text(s: Any, usd: Callable[[float], str]) -> str:
    """The spend of a :class:`~.summary.LedgerSummary`, saying what of it is unknown."""
    return _part(s.cost_usd, s.unknown_cost_records, "unpriced record(s)", usd)


def baseline_text(s: Any, usd: Callable[[float], str]) -> str:
    """The baseline cost, saying how many answers have an unknown baseline."""
    return _part(s.baseline_cost_usd, s.unknown_baseline_records, "answer(s) of unknown baseline", usd)


def savings_unknown(s: Any) -> bool:
    """Whether nothing can be said of savings: the spend or the baseline is wholly unknown."""
    return (s.unknown_cost_records > 0 and s.cost_usd == 0) or (
        s.unknown_baseline_records > 0 and s.baseline_cost_usd == 0
    )


def cells(g: Any, usd: Callable[[float], str]) -> tuple[str, str, str]:
    """A table row's cost, baseline and savings (a tier's, a model's, a day's ...), short:
    ``unknown`` when nothing of it is known, ``$X + N unpriced`` when part of it is."""
    cost = _part(g.cost_usd, g.unknown_cost_records, "unpriced", usd)
    base = _part(g.baseline_cost_usd, g.unknown_baseline_records, "unpriced", usd)
    if savings_unknown(g):
        saved = "unknown"
    elif g.unknown_cost_records or g.unknown_baseline_records:
        saved = f"{usd(g.savings_usd)} (priced only)"
    else:
        saved = usd(g.savings_usd)
    return _short(cost), _short(base), saved


def _short(text: str) -> str:
    """``unknown (2 unpriced)`` -> ``unknown``: a cell has no room for the count."""
    return "unknown" if text.startswith("unknown") else text
