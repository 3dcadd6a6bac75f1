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


def budget_value(key: str, value: Any) -> int | None:
    """``value`` as a token budget (``None``: not set), or :class:`InputError` before any
    provider is called: a budget the router cannot read is one it cannot reserve for."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"output budget {key}={value!r}: expected a positive whole number")
    n: int | None = None
    if isinstance(value, float):
        n = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        n = int(value) if value.strip().isdecimal() else None
    else:
        try:
            n = operator.index(value)  # int, numpy integers ...
        except TypeError:
            n = None
    if n is None or n <= 0:
        raise InputError(
            f"output budget {key}={value!r}: expected a positive whole number (an unbounded "
            "or non-numeric budget cannot be reserved for against a hard limit)"
        )
    return n


def read_output_budget(kwargs: Mapping[str, Any]) -> int | None:
    """The largest output budget ``kwargs`` carries under any spelling, nested mappings
    included (``None``: none). The largest, because which one a provider obeys when given
    several is the provider's business: the router budgets for the worst."""
    found: int | None = None
    for key in BUDGET_KEYS:
        if key in kwargs:
            n = budget_value(key, kwargs[key])
            if n is not None and (found is None or n > found):
                found = n
    for nest in NESTED_KEYS:
        inner = kwargs.get(nest)
        if isinstance(inner, Mapping):
            n = read_output_budget(inner)
            if n is not None and (found is None or n > found):
                found = n
    return found


def pop_output_budget(kwargs: dict[str, Any]) -> int | None:
    """:func:`read_output_budget`, then every top-level spelling is removed from ``kwargs``
    (the adapter sends the attempt's budget its own way; nested mappings stay, for
    :func:`set_budget` to rewrite per attempt). Raises before touching ``kwargs`` when a
    value is unreadable."""
    found = read_output_budget(kwargs)
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
