"""The cost ledger: one record per attempt, summaries, feedback and budgets' spend.

``InMemoryLedger`` for tests and short jobs; ``SQLiteLedger(path)`` is the embedded
persistent default (threads and processes may share one file); ``PostgresLedger(url)``
(the ``postgres`` extra) is for many workers on many hosts. :func:`open_ledger` picks one
from a path or URL.
"""

from typing import Any

from .base import (
    CallRecord,
    CostLedger,
    Feedback,
    LimitCheck,
    RecordFilter,
    Refusal,
    hash_prompt,
    new_salt,
)
from .factory import is_postgres_url, open_ledger
from .memory import InMemoryLedger
from .sqlite import SQLiteLedger
from .summary import LedgerSummary, summarize


def __getattr__(name: str) -> Any:
    if name == "PostgresLedger":  # imported on use: psycopg is an optional extra
        from .postgres import PostgresLedger

        return PostgresLedger
    raise AttributeError(name)

__all__ = [
    "CallRecord",
    "CostLedger",
    "Feedback",
    "InMemoryLedger",
    "LedgerSummary",
    "LimitCheck",
    "PostgresLedger",
    "RecordFilter",
    "Refusal",
    "SQLiteLedger",
    "hash_prompt",
    "is_postgres_url",
    "new_salt",
    "open_ledger",
    "summarize",
]
