"""The cost ledger: one record per attempt, summaries, feedback and budgets' spend.

``InMemoryLedger`` for tests and short jobs; ``SQLiteLedger(path)`` is the embedded
persistent default (threads and processes may share one file).
"""

from .base import CallRecord, CostLedger, Feedback, RecordFilter, hash_prompt, new_salt
from .memory import InMemoryLedger
from .sqlite import SQLiteLedger
from .summary import LedgerSummary, summarize

__all__ = [
    "CallRecord",
    "CostLedger",
    "Feedback",
    "InMemoryLedger",
    "LedgerSummary",
    "RecordFilter",
    "SQLiteLedger",
    "hash_prompt",
    "new_salt",
    "summarize",
]
