"""One place that turns what a user names as a ledger into a :class:`CostLedger`.

``None`` -> in memory; a ``postgresql://`` / ``postgres://`` URL -> :class:`PostgresLedger`
(the ``postgres`` extra); any other string or path -> a SQLite file (``sqlite:///x.db``
also works); a ledger object is used as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .base import CostLedger

PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: object) -> bool:
    """Whether ``target`` is a PostgreSQL connection URL."""
    return isinstance(target, str) and target.strip().lower().startswith(PG_SCHEMES)


def open_ledger(target: Any) -> CostLedger:
    """The ledger ``target`` names (see the module docstring)."""
    if target is None:
        from .memory import InMemoryLedger

        return InMemoryLedger()
    if isinstance(target, CostLedger):
        return target
    if is_postgres_url(target):
        from .postgres import PostgresLedger

        return PostgresLedger(str(target).strip())
    if isinstance(target, (str, Path)):
        from .sqlite import SQLiteLedger

        text = str(target)
        if text.startswith("sqlite:///"):
            text = text[len("sqlite:///") :]
        elif "://" in text:
            raise ConfigError(
                f"ledger {text!r}: unknown URL scheme; use a SQLite file path, sqlite:///path "
                "or postgresql://user@host/db",
                field="ledger", value=text.split("://", 1)[0] + "://...",
            )
        if not text.strip():  # e.g. ledger=os.environ.get("TIER_ROUTER_LEDGER", "")
            raise ConfigError(
                f"ledger {str(target)!r} names no file; pass a SQLite path, sqlite:///path, a "
                "postgresql:// URL, or None for an in-memory ledger",
                field="ledger", value=str(target),
            )
        return SQLiteLedger(text)
    raise ConfigError(
        f"ledger must be a CostLedger, a SQLite path or a postgresql:// URL, "
        f"got {type(target).__name__}",
        field="ledger", value=type(target).__name__,
    )
