"""Copies of :class:`~llamaindex_router.RoutedLLM`: shallow ones share the router, deep ones and
pickles are refused (they would come back without a router, or with a ledger of their own)."""

from __future__ import annotations

from typing import Any, NoReturn

from shared_core.errors import NotPicklableError

REBUILD = (
    "RoutedLLM.from_config(path) or RoutedLLM(tiers=..., config=..., ledger=<a SQLite or Postgres "
    "ledger path>) in each process (a file ledger is shared by every process that opens it); "
    "copy.copy() shares the router within one process"
)


class NoDeepCopies:
    """A mixin: ``pickle.dumps`` and ``copy.deepcopy`` raise :class:`NotPicklableError` (a
    ``TypeError``) at once, as ``RoutedChatModel``'s do (with a plain ``TypeError``), instead
    of a copy whose first call fails or whose costs are counted apart."""

    def __getstate__(self) -> NoReturn:
        raise NotPicklableError(type(self).__name__, REBUILD)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> NoReturn:
        raise NotPicklableError(type(self).__name__, REBUILD)
