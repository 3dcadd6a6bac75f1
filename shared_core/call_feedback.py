"""Checking the ``call_id`` of a feedback score against the ledger before it is stored.

A score for a call the ledger has never seen (a LangChain run id, the ``cached_call_id`` of a
cache hit, a typo) would never be matched to a call: :func:`check_call` refuses it with
:class:`~shared_core.errors.UnknownCallError`. The check reads the ledger (another worker's
calls in a shared SQLite file or PostgreSQL database count), and waits a moment before
refusing, since the worker that answered may still be writing the call's record (PostgreSQL
records are written by a background thread). A ledger that cannot be read at that moment
does not cost the user's score: it is stored unchecked, with a WARNING.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from .errors import LedgerUnavailableError, UnknownCallError

if TYPE_CHECKING:
    from .ledger import CostLedger

logger = logging.getLogger("tier_router")

WAITS_S = (0.05, 0.15, 0.3)
"""Pauses before each re-read of an unknown call id (0.5 s in all, only for unknown ids)."""


def check_call(ledger: CostLedger, call_id: str) -> None:
    """Return when ``ledger`` knows ``call_id`` (or cannot be read); else raise
    :class:`UnknownCallError` (an id no call can have, a NUL or a lone surrogate, is refused
    before: :func:`~shared_core.ledger.base.validate_feedback`)."""
    for wait in (*WAITS_S, None):
        try:
            if ledger.knows_call(call_id):
                return
        except LedgerUnavailableError as exc:
            logger.warning(
                "record_feedback: could not check that call %r exists (%s); the score is "
                "stored unchecked", call_id, exc,
            )
            return
        if wait is None:
            raise UnknownCallError(call_id)
        time.sleep(wait)
