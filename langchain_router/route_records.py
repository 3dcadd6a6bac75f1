"""``RunnableRouter`` records its routes' model calls: a cost handler of its own on each call.

The router reads what was spent from its ledger (its hard limits, its per-request cap), and
a route (a chain, an agent) calls its models through LangChain, which the router does not
see: only a ``CostCallbackHandler`` on the route's callbacks turns those calls into records.
When the caller passed none, nothing was recorded and a hard limit limited nothing. So each
routed call carries the router's own handler (:func:`with_recorder`) unless a handler that
records into the router's ledger is already there: in the call's callbacks (passed,
inherited from an enclosing run, or configured by LangChain) or bound on the route itself
(:func:`records_itself`: ``.with_config(callbacks=...)``, a model's ``callbacks=``), so a
caller who passes one gets each record once. A ``RoutedChatModel`` inside a route records its
own calls and every ``CostCallbackHandler`` leaves them to it.

A handler the router cannot see (set inside a function, a tool or a graph node the route
calls) would record the same calls again: ``RunnableRouter(record_routes=False)`` leaves
recording to it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.runnables import Runnable, RunnableBinding, RunnableConfig

from .callbacks import CostCallbackHandler

_DEPTH = 32


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


def records_itself(route: Runnable[Any, Any], ledger: Any) -> bool:
    """Whether a handler recording into ``ledger`` is bound on ``route`` or on a runnable in
    it that LangChain exposes (bindings, sequences, parallels, fallbacks, models)."""
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(route, 0)]
    while todo:
        node, depth = todo.pop()
        if id(node) in seen or depth > _DEPTH:
            continue
        seen.add(id(node))
        own = getattr(node, "callbacks", None)  # a model's callbacks=
        if isinstance(node, RunnableBinding):
            own = (node.config or {}).get("callbacks")
        if any(_records_into(h, ledger) for h in _handlers(own)):
            return True
        for value in (vars(node) if hasattr(node, "__dict__") else {}).values():
            items = value.values() if isinstance(value, dict) else (
                value if isinstance(value, (list, tuple)) else (value,))
            todo.extend((v, depth + 1) for v in items if isinstance(v, Runnable))
    return False


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
