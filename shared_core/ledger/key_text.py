"""How a ledger stores a key (a user id, a tag, a thread id, a budget scope) its database cannot
hold as it is, so that two keys never become one.

A user id from a JSON body can hold a lone surrogate (``json.loads('"eve\\ud800"')``), which
no UTF-8 text column holds, and PostgreSQL ``text`` holds no NUL. The ledgers used to escape a
lone surrogate when the :class:`~shared_core.request.Request` was built, as the text ``\\ud800``
(six characters), so ``"eve\\ud800"`` (a surrogate) and ``"eve\\\\ud800"`` (a backslash, then
``ud800``) were one user with one budget. Keys now stay as given until a ledger stores them, and
each database has an escape that is one-to-one:

* SQLite: a lone surrogate is written ``\\udXXX`` (four lowercase hex digits, as before), and a
  backslash that would read as such an escape (``ud`` then ``8``-``f`` and two hex digits) or
  as the backslash's own escape (``ud5c``) is written ``\\ud5c``. NUL is stored as it is.
* PostgreSQL: the same surrogate escape; NUL is written ``\\x00``; a backslash that would read
  as one of these (``x00``, ``x5c``, ``ud8``..``udf`` and two hex digits) is written ``\\x5c``.

Both escape the backslashes first, on the text as given, then the characters, so every
backslash that starts an escape in the stored text was written by the escape: the stored text
reads back as one text only (a hypothesis property over arbitrary text checks it). A key with
no lone surrogate, no NUL (PostgreSQL) and no backslash right before such escape text is stored
byte for byte as before, and a key with a lone surrogate is stored as it was (the same
``\\udXXX`` text): no budget of an existing ledger starts again, but for a key that is the
literal text of an escape (it used to share its spend with the surrogate's).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["pg_key", "pg_key_back", "sqlite_key", "sqlite_key_back"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_TEXT = r"ud[89a-f][0-9a-f]{2}"

_SQLITE_LOOKS = re.compile(rf"\\(?={_SURROGATE_TEXT}|ud5c)")
_SQLITE_ESCAPE = re.compile(rf"\\(?:{_SURROGATE_TEXT}|ud5c)")
_PG_LOOKS = re.compile(rf"\\(?=x00|x5c|{_SURROGATE_TEXT})")
_PG_ESCAPE = re.compile(rf"\\(?:x00|x5c|{_SURROGATE_TEXT})")


def _surrogate(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def sqlite_key(value: Any) -> Any:
    """A text as a SQLite ledger stores it (see the module); ``None`` and other values as
    they are. An ASCII text without a backslash is returned at once (the per-call path)."""
    if value.__class__ is not str or (value.isascii() and "\\" not in value):
        return value
    if "\\" in value:
        value = _SQLITE_LOOKS.sub(r"\\ud5c", value)
    if not value.isascii() and _has_surrogate(value):
        value = _SURROGATE.sub(_surrogate, value)
    return value


def _sqlite_back(m: re.Match[str]) -> str:
    s = m.group()
    return "\\" if s == "\\ud5c" else chr(int(s[2:], 16))


def sqlite_key_back(value: Any) -> Any:
    """A text as :func:`sqlite_key` stored it, as it was given (the inverse)."""
    if value.__class__ is str and "\\" in value:
        return _SQLITE_ESCAPE.sub(_sqlite_back, value)
    return value


def pg_key(value: str) -> str:
    """A text as the PostgreSQL ledger stores it (see the module)."""
    if "\\" in value:
        value = _PG_LOOKS.sub(r"\\x5c", value)
    if "\x00" in value:
        value = value.replace("\x00", "\\x00")
    if not value.isascii() and _has_surrogate(value):
        value = _SURROGATE.sub(_surrogate, value)
    return value


def _pg_back(m: re.Match[str]) -> str:
    s = m.group()
    if s == "\\x00":
        return "\x00"
    return "\\" if s == "\\x5c" else chr(int(s[2:], 16))


def pg_key_back(value: str) -> str:
    """A text as :func:`pg_key` stored it, as it was given (the inverse)."""
    return _PG_ESCAPE.sub(_pg_back, value) if "\\" in value else value
