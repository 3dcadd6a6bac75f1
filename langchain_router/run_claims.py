"""Which cost handlers saw a model run start, per ledger store: so ``RunnableRouter``'s own
recorder leaves a run to a handler that records it into the same store, and each call is
one record.

A route's model calls carry the router's recorder (inherited from the routed call); a
caller's ``CostCallbackHandler`` may be bound on some of its models only, on one side of a
``with_fallbacks``, or set where the router cannot see it (inside a function the route
calls). Whether it handles a run shows only per run: every handler of a run sees its start
before any sees its end, so when the recorder records, it asks whether a handler that
records into its store (``CostLedger.identity``) saw the same run start. Each handler
opens a run here at its start and closes it when it takes the run off its books; the entry
lives until the last of them has, so the answer does not depend on the order LangChain
calls the handlers in.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any
from uuid import UUID

_lock = threading.Lock()
_open: dict[tuple[Hashable, UUID], list[int]] = {}
"""Per (store, run): [handlers with the run open, handlers that saw it and record it themselves]."""


def store_of(ledger: Any) -> Hashable:
    """What ``ledger`` stores into (:attr:`~shared_core.ledger.CostLedger.identity`)."""
    identity = getattr(ledger, "identity", None)
    return identity if identity is not None else ("object", id(ledger))


def opened(store: Hashable, run_id: UUID, *, records: bool) -> None:
    """A handler for ``store`` saw ``run_id`` start (``records``: it records it itself)."""
    with _lock:
        entry = _open.setdefault((store, run_id), [0, 0])
        entry[0] += 1
        entry[1] += records


def claimed(store: Hashable, run_id: UUID) -> bool:
    """Whether a handler that records runs into ``store`` saw ``run_id`` start."""
    with _lock:
        entry = _open.get((store, run_id))
        return entry is not None and entry[1] > 0


def closed(store: Hashable, run_id: UUID) -> bool:
    """A handler that opened ``run_id`` is done with it: whether it was :func:`claimed`."""
    with _lock:
        entry = _open.get((store, run_id))
        if entry is None:
            return False
        entry[0] -= 1
        if entry[0] <= 0:
            del _open[(store, run_id)]
        return entry[1] > 0
