"""``RunnableRouter`` records its routes' model calls: a cost handler of its own on each call.

The router reads what was spent from its ledger (its hard limits, its per-request cap), and
a route (a chain, an agent) calls its models through LangChain, which the router does not
see: only a ``CostCallbackHandler`` on the route's callbacks turns those calls into records.
When the caller passed none, nothing was recorded and a hard limit limited nothing. So each
routed call carries the router's own handler (:func:`with_recorder`, a
:class:`RouteRecorder`) unless a handler that records into the router's ledger's store
(:func:`same_store`) is already in the call's callbacks (passed, inherited from an
enclosing run, or configured by LangChain), which every run of the route inherits.

Otherwise the recorder decides per model run: it leaves a run to a handler of that run that
records into the same store (bound on the route, on a model inside it, on one side of a
``with_fallbacks``, or set inside a function or graph node the route calls) and records every
other run, so each model call is one record whoever bound what where (:mod:`.run_claims`).
Deciding for the whole route from the handlers bound somewhere in it lost the calls of its
other models. A ``RoutedChatModel`` inside a route records its own calls and every
``CostCallbackHandler`` leaves them to it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.runnables import RunnableConfig

from .callbacks import CostCallbackHandler


def _records_into(handler: Any, ledger: Any) -> bool:
    """A cost handler writing every call's record into ``ledger`` (a per-request cap's
    handler writes refusals only)."""
    from .route_cap import RouteCapHandler

    return (
        isinstance(handler, CostCallbackHandler) and not isinstance(handler, RouteCapHandler)
        and same_store(handler.ledger, ledger)
    )


def same_store(a: Any, b: Any) -> bool:
    """Whether ledgers ``a`` and ``b`` write to the same place: one object, or two on one
    SQLite file or PostgreSQL database (:attr:`~shared_core.ledger.CostLedger.identity`)."""
    if a is b:
        return True
    ident_a, ident_b = getattr(a, "identity", None), getattr(b, "identity", None)
    return ident_a is not None and ident_a == ident_b


def _handlers(callbacks: Any) -> list[Any]:
    """The handlers of a ``callbacks`` value: a manager, a list of handlers, or none."""
    if isinstance(callbacks, BaseCallbackManager):
        return list(callbacks.handlers)
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else []


class RouteRecorder(CostCallbackHandler):
    """``RunnableRouter``'s own cost handler: it records a route's model call unless a
    handler of the same run records it into the same store (:mod:`.run_claims`)."""

    defers = True


def with_recorder(
    config: RunnableConfig | None, recorder: CostCallbackHandler | None
) -> RunnableConfig | None:
    """``config`` with ``recorder`` among its (inherited) callbacks, unless a handler there
    already records into its ledger."""
    if recorder is None:
        return config
    callbacks = (config or {}).get("callbacks")
    if any(_records_into(h, recorder.ledger) for h in _handlers(callbacks)):
        return config
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        manager.add_handler(recorder, inherit=True)
        return {**(config or {}), "callbacks": manager}
    return {**(config or {}), "callbacks": [*(callbacks or ()), recorder]}
