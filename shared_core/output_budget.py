"""A call's output-token budget, whatever the provider integration calls it.

A budget the router does not see is a budget it cannot reserve for: a caller's
``max_completion_tokens=4000`` on a tier budgeted at 64 tokens would be billed for 4000
while the hard limit held 64. So every spelling the LangChain / LlamaIndex integrations
take is read, and the request an adapter sends carries one budget only (the attempt's).

Spellings (:data:`BUDGET_KEYS`): ``max_tokens`` (OpenAI chat completions, Anthropic,
Bedrock, Mistral, Groq ...), ``max_completion_tokens`` (OpenAI's current name, and the
alias of ``ChatOpenAI.max_tokens``), ``max_output_tokens`` (OpenAI Responses API, Google
Gemini / Vertex), ``max_new_tokens`` (Hugging Face, llama.cpp), ``max_tokens_to_sample``
(Anthropic's legacy name) and ``num_predict`` (Ollama). Some integrations take them inside
a nested mapping (:data:`NESTED_KEYS`: Ollama's ``options``, Gemini's
``generation_config``); those are read too.

Framework-free: the adapters call these on their own keyword dicts.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from .errors import InputError

BUDGET_KEYS = (
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "max_new_tokens",
    "max_tokens_to_sample",
    "num_predict",
)
"""Every name of an output-token budget the supported integrations send."""

NESTED_KEYS = ("options", "generation_config")
"""Keyword mappings that carry a budget of their own (Ollama ``options``, Gemini
``generation_config``)."""


def budget_value(key: str, value: Any, *, hard_limit: bool = False) -> int | None:
    """``value`` as a token budget (``None``: not set), or :class:`InputError` before any
    provider is called: a budget the router cannot read is one it cannot reserve for.
    ``hard_limit``: the router has a hard budget limit (the message says why it matters)."""
    if value is None:
        return None
    n: int | None = None
    if isinstance(value, bool):
        n = None
    elif isinstance(value, float):
        n = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        n = int(value) if value.strip().isdecimal() else None
    else:
        try:
            n = operator.index(value)  # int, numpy integers ...
        except TypeError:
            n = None
    if n is None or n <= 0:
        raise InputError(_invalid(key, value, hard_limit))
    return n


def _invalid(key: str, value: Any, hard_limit: bool) -> str:
    """What is wrong with an output budget, and what to pass instead."""
    what = " (a bool is not a number of tokens)" if isinstance(value, bool) else ""
    why = "every call is budgeted for"
    if hard_limit:
        why += ", and a hard budget limit is set: an unbounded budget cannot be reserved for"
    return (
        f"output budget {key}={value!r}: expected a positive whole number of tokens{what}; "
        "leave it out or pass None to use the tier's max_tokens. -1 or 0 for \"unlimited\" is "
        f"not accepted because {why}"
    )


def hard_limited(router: Any) -> bool:
    """Whether ``router`` (a :class:`~shared_core.Router` or a variant router) has a hard
    budget limit: a limit per period or a per-request cap (what an invalid budget's message
    names)."""
    budget = router.config.budget
    return bool(budget.limits) or budget.per_request_cap_usd is not None


def read_output_budget(kwargs: Mapping[str, Any], *, hard_limit: bool = False) -> int | None:
    """The largest output budget ``kwargs`` carries under any spelling, nested mappings
    included (``None``: none). The largest, because which one a provider obeys when given
    several is the provider's business: the router budgets for the worst. ``hard_limit``:
    see :func:`budget_value`."""
    found: int | None = None
    for key in BUDGET_KEYS:
        if key in kwargs:
            n = budget_value(key, kwargs[key], hard_limit=hard_limit)
            if n is not None and (found is None or n > found):
                found = n
    for nest in NESTED_KEYS:
        inner = kwargs.get(nest)
        if isinstance(inner, Mapping):
            n = read_output_budget(inner, hard_limit=hard_limit)
            if n is not None and (found is None or n > found):
                found = n
    return found


def pop_output_budget(kwargs: dict[str, Any], *, hard_limit: bool = False) -> int | None:
    """:func:`read_output_budget`, then every top-level spelling is removed from ``kwargs``
    (the adapter sends the attempt's budget its own way; nested mappings stay, for
    :func:`set_budget` to rewrite per attempt). Raises before touching ``kwargs`` when a
    value is unreadable."""
    found = read_output_budget(kwargs, hard_limit=hard_limit)
    for key in BUDGET_KEYS:
        kwargs.pop(key, None)
    return found


def set_budget(mapping: Mapping[str, Any], budget: int, *, top: bool) -> dict[str, Any]:
    """A copy of ``mapping`` that carries ``budget`` wherever it carried one: each nested
    mapping's spellings are set to ``budget`` (an Ollama ``options`` mapping replaces the
    model's own settings, so dropping its ``num_predict`` would leave the output unbounded);
    top-level spellings are set too when ``top``, else dropped (the model's own field
    carries the budget then)."""
    out: dict[str, Any] = {}
    for k, v in mapping.items():
        if k in BUDGET_KEYS:
            if top:
                out[k] = budget
        elif k in NESTED_KEYS and isinstance(v, Mapping) and has_budget(v):
            out[k] = set_budget(v, budget, top=True)
        else:
            out[k] = v
    return out


def has_budget(mapping: Mapping[str, Any] | None) -> bool:
    """Whether ``mapping`` carries a budget under any spelling (nested mappings too)."""
    if not mapping:
        return False
    if any(k in mapping for k in BUDGET_KEYS):
        return True
    return any(isinstance(mapping.get(n), Mapping) and has_budget(mapping[n]) for n in NESTED_KEYS)
