"""What a classifier's own LLM calls used, so the call they routed pays for them.

The LLM judge asks a model on every request it classifies. Its ``complete`` may return a
:class:`JudgeReply` (a ``str`` that also says which model answered and the tokens it used;
both adapters' judges do); the judge puts each such call in ``Classification.extra
["llm_calls"]``, a cascade gathers those of every stage it ran, and the router prices them
(:func:`priced`) into ``RouteDecision.classifier_calls``. The call's first ledger record adds
their cost to its ``cost_usd`` (``metadata["classifier_cost_usd"]`` / ``["classifier_calls"]``
say how much and on which model), so totals, budgets and the savings against the baseline
include what routing cost. A ``complete`` that returns plain text reports no usage: nothing
is invented for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ..pricing import Usage, estimate_tokens

if TYPE_CHECKING:
    from ..pricing import PriceTable
    from ..tier import Tier
    from .base import Classification

__all__ = [
    "JudgeReply", "asking", "calls_of", "done_asking", "judge_model_of", "llm_calls", "priced",
    "start_asking",
]

_ASKING: ContextVar[dict[str, Any] | None] = ContextVar("tier_router_judge_asking", default=None)


class JudgeReply(str):
    """A judge model's answer text that also carries the ``model`` that answered and its
    ``usage`` (``None``: not reported). Compares and parses as the plain text."""

    model: str | None
    usage: Usage | None

    def __new__(cls, text: str, *, model: str | None = None, usage: Usage | None = None) -> JudgeReply:
        obj = super().__new__(cls, text)
        obj.model = model
        obj.usage = usage
        return obj


def calls_of(out: Any) -> list[dict[str, Any]]:
    """The LLM call behind a judge's ``complete`` output, if it reported its usage."""
    if not isinstance(out, JudgeReply) or out.usage is None:
        return []
    u = out.usage
    return [{
        "model": out.model,
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "cached_input_tokens": u.cached_input_tokens,
    }]


def llm_calls(result: Classification) -> list[dict[str, Any]]:
    """The LLM calls a classification made (``extra["llm_calls"]``), unpriced."""
    calls = result.extra.get("llm_calls") if result.extra else None
    return list(calls) if calls else []


def priced(
    calls: Sequence[Mapping[str, Any]], prices: PriceTable, tiers: Sequence[Tier]
) -> tuple[dict[str, Any], ...]:
    """Each call with its ``cost_usd`` (``None``: a model the price table does not know); a
    judge model that is also a tier's is priced as that tier (its price overrides)."""
    out = []
    for call in calls:
        model = call.get("model")
        cost = None
        if isinstance(model, str) and model:
            tier = next((t for t in tiers if t.model == model), None)
            usage = Usage(
                int(call["input_tokens"]), int(call["output_tokens"]),
                int(call.get("cached_input_tokens") or 0),
            )
            try:
                cost = prices.cost(model, usage, tier=tier)
            except OverflowError:
                cost = None
            if cost is not None and not math.isfinite(cost):
                cost = None
        out.append({**call, "cost_usd": cost})
    return tuple(out)


def known_cost(calls: Sequence[Mapping[str, Any]]) -> float:
    """The summed known cost of priced calls."""
    return math.fsum(c["cost_usd"] for c in calls if c.get("cost_usd") is not None)


def judge_model_of(complete: Any) -> str | None:
    """The model a judge's ``complete`` asks, if it says so: a ``judge_model`` attribute (a
    string, or a function returning one) on the callable or on the object of a bound method.
    Both adapters' judges and ``ScriptedJudge`` carry one; a plain function does not."""
    for owner in (complete, getattr(complete, "__self__", None)):
        value = getattr(owner, "judge_model", None) if owner is not None else None
        if callable(value):
            try:
                value = value()
            except Exception:
                value = None
        if isinstance(value, str) and value:
            return value
    return None


def start_asking(complete: Any, prompt: str) -> None:
    """Note the judge call about to be made (its model and the prompt's estimated tokens), so
    that a caller who stops it mid-flight is charged what was sent (:func:`asking`)."""
    _ASKING.set({"complete": complete, "input_tokens": estimate_tokens(prompt)})


def done_asking() -> None:
    """The judge call came back (answer or error): nothing is in flight."""
    _ASKING.set(None)


def asking() -> list[dict[str, Any]]:
    """The judge call in flight when the caller stopped (cleared once read): as an
    ``llm_calls`` entry with the prompt's estimated tokens and nothing received, or ``[]``
    when none was, or its model is unknown (then its cost is unknown)."""
    ask = _ASKING.get()
    _ASKING.set(None)
    model = judge_model_of(ask["complete"]) if ask else None  # read now: a lazy judge is built
    if ask is None or model is None:
        return []
    return [{
        "model": model,
        "input_tokens": int(ask["input_tokens"]),
        "output_tokens": 0,
        "cached_input_tokens": 0,
        "estimated": True,
    }]
