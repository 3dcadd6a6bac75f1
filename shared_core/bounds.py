"""Bounds on the numbers a config or a provider gives, checked before any money is spent.

A config is refused when it is built if a number is not finite, absurdly large, or a
boolean where a count or an amount is meant (YAML reads ``yes`` / ``on`` / ``true`` as a
boolean, which pydantic would otherwise take as 1). Token counts a provider reports are
checked when the answer arrives: one outside the believable range is treated as missing
(the record is still written, its cost unknown) with a WARNING.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any, Union, get_args, get_origin

MAX_PRICE_PER_MTOK = 10_000.0
"""USD per 1M tokens; the dearest real models cost well under 1,000."""
MAX_SECONDS = 86_400.0
"""A timeout, deadline or cool-down longer than a day is a typo (and 1e12 s overflows timers)."""
MAX_PROVIDER_TOKENS = 100_000_000
"""No single call reads or writes more tokens than this; a larger count is a provider bug."""

_UNIONS = (Union, types.UnionType) if hasattr(types, "UnionType") else (Union,)


def _numeric(annotation: Any) -> bool:
    """Whether a field annotation is a number (int / float, optional) and not a bool."""
    if get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    args = get_args(annotation) if get_origin(annotation) in _UNIONS else (annotation,)
    return bool not in args and any(a in (int, float) for a in args)


def refuse_bool_number(model: type, field_name: str | None, value: Any) -> Any:
    """Pydantic ``mode="before"`` check: a bool given for a numeric field is an error."""
    if isinstance(value, bool) and field_name is not None:
        field = getattr(model, "model_fields", {}).get(field_name)
        if field is not None and _numeric(field.annotation):
            raise ValueError(
                f"must be a number, got the bool {value!r} (YAML reads yes/no/on/off/true/false "
                "as booleans); write the number itself"
            )
    return value


def check_price(name: str, value: Any) -> str | None:
    """Why ``value`` is not a usable price in USD per 1M tokens (``None`` when it is)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number (USD per 1M tokens), got {value!r}"
    try:
        number = float(value)
    except OverflowError:
        return f"must be at most {MAX_PRICE_PER_MTOK:g} USD per 1M tokens, got an integer that large"
    if not math.isfinite(number) or number < 0:
        return f"must be a finite number >= 0 (USD per 1M tokens), got {value!r}"
    if number > MAX_PRICE_PER_MTOK:
        return f"must be at most {MAX_PRICE_PER_MTOK:g} USD per 1M tokens, got {value!r}"
    return None


def token_count(value: Any) -> int | None:
    """A provider's token count when believable: an int in ``[0, MAX_PROVIDER_TOKENS]``
    (an absent count, ``None``, is 0). Anything else (negative, huge, a bool, a float, a
    string) gives ``None``: the caller treats the whole usage as missing."""
    if value is None:
        return 0
    if type(value) is int and 0 <= value <= MAX_PROVIDER_TOKENS:
        return value
    return None


def shown(value: Any, limit: int = 40) -> str:
    """A short repr for messages (a huge int is described, not printed: ``repr`` of an int
    past 4,300 digits raises)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"<an integer of {value.bit_length()} bits>"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
