"""Values every ledger can store: text that encodes as UTF-8, counts that fit a 64-bit column.

A user id taken from a JSON body can hold a lone surrogate (``json.loads('"eve\\ud800"')``), a
caller can pass a ``uuid.UUID`` as ``user`` or ``thread_id``, and a provider can report a token
count no column holds. Stored as they are, such a record fails to write, and because a ledger
writes what it holds in one transaction, every record after it waits behind it: for good, if
it is spilled at exit and read back by the next process. So :class:`~shared_core.request.Request`
and :class:`~shared_core.ledger.CallRecord` keep only storable values: lone surrogates written as
``\\udXXX`` escapes, other objects as their ``str()``, counts clamped to ``0 .. 2**63 - 1``.

Keys are the exception: a user id, a thread id and the tags (what budgets and reports tell
apart) keep their lone surrogates (:func:`key_id`, :func:`key_tags`), since the escape is no
one-to-one map: ``"eve\\ud800"`` escaped is the text ``"eve\\\\ud800"``, another user's id. Each
ledger stores them with an escape of its own that is (:mod:`shared_core.ledger.key_text`).

Plain ASCII strings, ``None`` and empty collections pass through at the cost of a type and an
``isascii`` check (the per-call path).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from math import isfinite
from typing import Any

__all__ = [
    "MAX_COUNT", "is_flat_storable", "key_id", "key_tags", "storable_count", "storable_id", "storable_meta",
    "storable_tags", "storable_text",
]

MAX_COUNT = (1 << 63) - 1
"""The largest integer a SQLite column and a PostgreSQL ``bigint`` column hold (64 bits)."""
_DEPTH = 20


def _str(value: Any) -> str:
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    try:
        return str(value)
    except Exception:  # a __str__ that fails: the type name still says what it was
        return f"<unprintable {type(value).__name__}>"


def key_id(value: Any) -> str | None:
    """A key (``user``, ``thread_id``) as text, lone surrogates kept (a ledger stores them
    one-to-one); ``None`` stays ``None``, another object is its ``str()``."""
    if value is None or value.__class__ is str:
        return value
    return _str(value)


def key_tags(tags: Iterable[Any]) -> tuple[str, ...]:
    """Tags as a tuple of strings, lone surrogates kept (a tuple of strings is returned as it is)."""
    if tags.__class__ is tuple and all(t.__class__ is str for t in tags):
        return tags  # type: ignore[return-value]
    return tuple(_str(t) for t in tags)


def storable_text(value: Any) -> str:
    """``value`` as a string that encodes as UTF-8 (lone surrogates escaped)."""
    s = _str(value)
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")
    return s


def storable_id(value: Any) -> str | None:
    """An identifier (``user``, ``thread_id``, ``variant``) as storable text; ``None`` stays ``None``."""
    if value is None or (value.__class__ is str and value.isascii()):
        return value
    return storable_text(value)


def storable_tags(tags: Iterable[Any]) -> tuple[str, ...]:
    """Tags as a tuple of storable strings (a tuple of ASCII strings is returned as it is)."""
    if tags.__class__ is tuple and all(t.__class__ is str and t.isascii() for t in tags):
        return tags  # type: ignore[return-value]
    return tuple(storable_text(t) for t in tags)


def storable_meta(meta: Mapping[Any, Any]) -> dict[str, Any]:
    """Metadata with storable keys and values: text escaped, numbers, booleans and ``None``
    kept, lists and mappings walked (20 levels deep, then their ``str()``), anything else as
    its ``str()``. A fresh dict."""
    return {storable_text(k): _value(v, 0) for k, v in meta.items()}


def is_flat_storable(meta: Mapping[Any, Any]) -> bool:
    """Whether :func:`storable_meta` would keep ``meta`` as it is: every key an ASCII string,
    every value an ASCII string, ``None``, a bool, an int or a finite float (no nesting). Then
    a plain copy of ``meta`` equals ``storable_meta(meta)``; the router's own records check
    their metadata this way (one loop, no call per item) instead of rebuilding it."""
    for k, v in meta.items():
        if k.__class__ is not str or not k.isascii():
            return False
        cls = v.__class__
        if cls is str:
            if not v.isascii():
                return False
        elif cls is float:
            if not isfinite(v):
                return False
        elif not (v is None or cls is bool or cls is int):
            return False
    return True


def storable_count(n: Any) -> int:
    """A token count clamped to ``0 .. MAX_COUNT`` (an infinite one to ``MAX_COUNT``; ``None``,
    NaN or anything that is no number to 0: unknown)."""
    try:
        n = int(n)
    except OverflowError:  # float("inf")
        return MAX_COUNT if n > 0 else 0
    except (TypeError, ValueError):
        return 0
    return n if 0 <= n <= MAX_COUNT else (0 if n < 0 else MAX_COUNT)


def _value(v: Any, depth: int) -> Any:
    cls = v.__class__
    if cls is str:
        return v if v.isascii() else storable_text(v)
    if v is None or cls is bool or cls is int:
        return v
    if cls is float:
        return v if math.isfinite(v) else str(v)  # NaN is no JSON (PostgreSQL refuses it)
    if depth < _DEPTH:
        if isinstance(v, Mapping):
            return {storable_text(k): _value(x, depth + 1) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [_value(x, depth + 1) for x in v]
    return storable_text(v)
