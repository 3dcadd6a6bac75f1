"""Text as the report's HTML writes it."""

from __future__ import annotations

from html import escape as _escape

from ..storable import storable_text


def escape(text: str) -> str:
    """HTML-escaped text that encodes as UTF-8: a user id or a tag keeps its lone surrogates
    (see :mod:`shared_core.ledger.key_text`); the page shows them as ``\\udXXX``."""
    return _escape(storable_text(text))
