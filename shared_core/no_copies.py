"""Routed models refuse pickles and deep copies: a copy would come back without its router, or
with a ledger of its own that counts costs and budgets apart. Shallow copies share the router.

Both adapters' models use :class:`NoDeepCopies` (``RoutedChatModel``, ``RoutedLLM``), each with
its own :attr:`~NoDeepCopies.rebuild_hint`.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from .errors import NotPicklableError


class NoDeepCopies:
    """A mixin: ``pickle.dumps`` and ``copy.deepcopy`` raise :class:`NotPicklableError` (a
    ``TypeError``) at once, instead of a copy whose first call fails or whose costs are
    counted apart."""

    rebuild_hint: ClassVar[str] = "build it again in each process, on a shared SQLite or Postgres ledger"

    def __getstate__(self) -> NoReturn:
        raise NotPicklableError(type(self).__name__, self.rebuild_hint)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> NoReturn:
        raise NotPicklableError(type(self).__name__, self.rebuild_hint)
