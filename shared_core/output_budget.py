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

A request may also ask for several answers, each billed up to the budget: the worst case
of ``n`` answers is its input once and ``n`` x its output budget. :func:`read_choices` reads
every spelling of that count (:data:`CHOICE_KEYS`) from a call's keywords, and
:func:`model_choices` from a model's own fields and extra keywords.

Framework-free: the adapters call these on their own keyword dicts.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Collection, Mapping
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


CHOICE_KEYS = ("n", "candidate_count", "num_generations", "best_of")
"""Every name of how many answers one request generates: ``n`` (OpenAI chat and legacy
completions; the ``n`` field of LangChain's OpenAI, Gemini, Groq ... models), ``candidate_count``
(Gemini's own, in its ``generation_config``), ``num_generations`` (Cohere's generate API),
``best_of`` (OpenAI's legacy completions, vLLM: ``best_of`` answers generated and billed, the
best ``n`` returned)."""

EXTRA_KWARGS = ("model_kwargs", "additional_kwargs")
"""A model's own mapping of extra request keywords (LangChain's ``model_kwargs``, LlamaIndex's
``additional_kwargs``): what it sends with every request."""


def choices_value(key: str, value: Any) -> int | None:
    """``value`` as a number of answers per request (``None``: not set), or
    :class:`InputError` before any provider is called: a count the router cannot read is
    one it cannot reserve for."""
    if value is None:
        return None
    n: int | None = None
    if isinstance(value, float):
        n = int(value) if value.is_integer() else None
    elif not isinstance(value, (bool, str)):
        try:
            n = operator.index(value)
        except TypeError:
            n = None
    if n is None or n <= 0:
        what = " (a bool is not a number)" if isinstance(value, bool) else ""
        raise InputError(
            f"{key}={value!r}: expected a positive whole number of answers per request{what}; "
            "leave it out or pass None for one answer. Each answer is billed up to the output "
            "budget, so the router reserves for that many"
        )
    return n


def read_choices(kwargs: Mapping[str, Any]) -> int | None:
    """The most answers ``kwargs`` asks one request for under any spelling, nested mappings
    included (``None``: none given); an unreadable count raises :class:`InputError`."""
    found: int | None = None
    for key in CHOICE_KEYS:
        if key in kwargs:
            n = choices_value(key, kwargs[key])
            if n is not None and (found is None or n > found):
                found = n
    for nest in NESTED_KEYS:
        inner = kwargs.get(nest)
        if isinstance(inner, Mapping) and (n := read_choices(inner)) is not None:
            found = n if found is None else max(found, n)
    return found


def model_choices(model: Any) -> int | None:
    """How many answers ``model`` asks each request for by itself (``None``: not said): a
    field under a :data:`CHOICE_KEYS` name (``ChatOpenAI(n=4)``), or one in its extra keywords
    (:data:`EXTRA_KWARGS`). Raises :class:`InputError` for an unreadable count."""
    found: int | None = None
    fields = getattr(type(model), "model_fields", None) or {}
    for key in CHOICE_KEYS:
        if key in fields and (n := choices_value(key, getattr(model, key, None))) is not None:
            found = n if found is None else max(found, n)
    for attr in EXTRA_KWARGS:
        extra = getattr(model, attr, None)
        if isinstance(extra, Mapping) and (n := read_choices(extra)) is not None:
            found = n if found is None else max(found, n)
    return found


def tier_choices(models: Mapping[str, Any]) -> dict[str, int]:
    """Each tier's own count of answers per request, where it is more than one (most tiers:
    none), from its model (:func:`model_choices`); the message of an unreadable one names
    the tier."""
    out: dict[str, int] = {}
    for name, model in models.items():
        try:
            n = model_choices(model)
        except InputError as exc:
            raise InputError(f"tier {name!r}: {exc}") from None
        if n is not None and n > 1:
            out[name] = n
    return out


class ModelDefault(int):
    """A budget a model's class filled in by itself (``ChatAnthropic``'s before-validator sets
    ``max_tokens`` to 64,000 for a Sonnet 4.x model when none is given): what the model sends,
    but not the user's word, so a bundled-ladder tier's own ``max_tokens`` wins over it
    (:func:`~shared_core.tier_defaults.ladder_tiers`)."""


def model_budget(model: Any, fields: Collection[str]) -> int | None:
    """The output budget ``model`` sends by itself (``None``: none): the largest of its budget
    ``fields`` that were set when it was built and of any budget in its extra keywords
    (:data:`EXTRA_KWARGS`). A field default that is not in pydantic's ``model_fields_set``
    (LlamaIndex Anthropic's 512) counts as unset. One its class's own validators set (in
    ``model_fields_set`` too) comes back as :class:`ModelDefault` (see :func:`_self_filled`).
    A value that is no budget (Ollama's ``num_predict=-1``, "unlimited") counts as none: the
    model keeps it, the router cannot reserve for it."""
    found: int | None = None
    own = False  # whether ``found`` is the user's
    given = getattr(model, "model_fields_set", None)
    known = getattr(type(model), "model_fields", None) or {}
    values: list[tuple[str, Any]] = [
        (key, getattr(model, key, None))
        for key in fields
        if key in known and (given is None or key in given)
    ]
    for attr in EXTRA_KWARGS:
        extra = getattr(model, attr, None)
        if isinstance(extra, Mapping) and has_budget(extra):
            values.append((attr, extra))
    filled = _self_filled(model, [k for k, _ in values if k in known])
    for key, value in values:
        try:
            n = read_output_budget(value) if isinstance(value, Mapping) else budget_value(key, value)
        except InputError:
            n = None
        if n is None:
            continue
        users = key not in filled
        if found is None or n > found or (n == found and users):
            found, own = n, users
    if found is None or own:
        return found
    return ModelDefault(found)


def _self_filled(model: Any, keys: Collection[str]) -> set[str]:
    """Which budget fields ``keys`` of ``model`` its class's own validators give the same value
    without the user's budget: ``model_fields_set`` cannot tell a value the user passed from
    one a ``model_validator`` filled in, so the class is validated again from the fields that
    were set, every budget field left out, and a field that comes back equal is the class's.
    A user who passed exactly the class's default reads as the class's (the ladder's budget
    then applies, which the config's ``max_tokens`` overrides). When the class cannot be
    validated again, a value at or above the model's ``profile`` maximum output counts as the
    class's (no user asks for more than the model can give)."""
    keys = [k for k in keys if k not in EXTRA_KWARGS]
    if not keys or not getattr(type(model), "__pydantic_decorators__", None):
        return set()
    validators = type(model).__pydantic_decorators__.model_validators
    if not validators:
        return set()  # nothing but the user fills a field
    given: Collection[str] = getattr(model, "model_fields_set", None) or ()
    skip = set(BUDGET_KEYS) | set(keys)
    data = {k: getattr(model, k) for k in given if k not in skip}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fresh = type(model).model_validate(data)
    except Exception:  # any failure: fall back on the profile
        return _at_profile_max(model, keys)
    return {k for k in keys if getattr(fresh, k, None) == getattr(model, k, None)}


def _at_profile_max(model: Any, keys: Collection[str]) -> set[str]:
    """The ``keys`` whose value is at or above ``model``'s profile maximum output, if known."""
    profile = getattr(model, "profile", None)
    most = profile.get("max_output_tokens") if isinstance(profile, Mapping) else None
    if not isinstance(most, int) or isinstance(most, bool) or most <= 0:
        return set()
    out = set()
    for k in keys:
        value = getattr(model, k, None)
        if isinstance(value, int) and not isinstance(value, bool) and value >= most:
            out.add(k)
    return out


def tier_budgets(models: Mapping[str, Any], fields: Collection[str]) -> dict[str, int]:
    """Each tier's own output budget where its model has one (:func:`model_budget`)."""
    return {name: n for name, model in models.items() if (n := model_budget(model, fields)) is not None}
