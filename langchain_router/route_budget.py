"""What ``RunnableRouter`` can hold against a hard limit for each route.

A route is any runnable; the most it can cost is known only when it is one chat-model call
whose output budget is known: a chat model, or a ``RunnableBinding`` of one (``.bind(...)``,
``.with_config(...)``, ``.bind_tools(...)``), with a price for its tier's model. Its output
budget is the largest it may be sent: the binding's keywords (any spelling, see
:mod:`shared_core.output_budget`), the model's own budget field or ``model_kwargs``; a model
that has none gets its tier's ``max_tokens`` set (what is reserved for is then what is sent).
Anything else (a chain, an agent, a retried or fallback runnable) is not bounded: with a
``per_request_cap_usd`` it is held at the cap, its calls kept under it (:mod:`.route_cap`);
without one the router checks the limit before it runs, and warns once at build time that it
cannot hold (:class:`UnboundedRouteWarning`, naming the condition that failed and what fits
that case). The price held is the one the route's record will carry: its own model's
(:func:`~shared_core.tier_models.route_pricing`), which need not be its tier's.

:class:`Held` runs the chosen route and lets the hold go when the route is over, however
it ends; a route stopped half-way (a cancelled task, a closed stream) first has its open
model calls recorded ``abandoned`` by the cost handlers on its config.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import (
    Runnable,
    RunnableBinding,
    RunnableConfig,
    RunnableWithFallbacks,
)
from langchain_core.runnables.retry import RunnableRetry

from shared_core.adapters_common import model_id
from shared_core.budget import estimate_cost
from shared_core.output_budget import hard_limited, has_budget, model_choices, read_output_budget
from shared_core.route_hold import RouteHold
from shared_core.tier import Tier
from shared_core.tier_defaults import _caller_level
from shared_core.tier_models import route_pricing, same_model

from .callbacks import _STOPPED, CostCallbackHandler
from .inner import _override_fields, with_overrides
from .route_cap import RouteCapHandler, with_cap
from .route_records import with_recorder


def _core(route: Runnable[Any, Any]) -> tuple[list[RunnableBinding[Any, Any]], Any]:
    """The bindings around ``route`` (outermost first) and what they bind."""
    bindings: list[RunnableBinding[Any, Any]] = []
    node: Any = route
    while isinstance(node, RunnableBinding):  # (a RunnableRetry, several calls, is none)
        bindings.append(node)
        node = node.bound
    return bindings, node


def bounded_route(
    route: Runnable[Any, Any], tier: Any, *, hard_limit: bool = False
) -> tuple[Runnable[Any, Any], int | None]:
    """The runnable to run for ``tier`` and the most output tokens it may write (``None``:
    not bounded). Raises ``InputError`` for a binding whose budget cannot be read
    (``hard_limit``: the router has one, which its message names)."""
    bindings, node = _core(route)
    if not isinstance(node, BaseChatModel) or _holds_itself(node):
        return route, None
    budgets = [
        n for b in bindings if (n := read_output_budget(b.kwargs, hard_limit=hard_limit)) is not None
    ]
    field, _ = _override_fields(type(node))
    own = getattr(node, field, None) if field else None
    if own is not None:
        budgets.append(int(own))
    extra = getattr(node, "model_kwargs", None)
    if (
        isinstance(extra, dict) and has_budget(extra)
        and (n := read_output_budget(extra, hard_limit=hard_limit))
    ):
        budgets.append(n)
    if budgets:
        return route, max(budgets)
    if tier.max_tokens is None:
        return route, None
    model, kw = with_overrides(node, tier.max_tokens, None)
    applied: Runnable[Any, Any] = model.bind(**kw) if kw else model
    for binding in reversed(bindings):
        applied = binding.model_copy(update={"bound": applied})
    return applied, tier.max_tokens


def is_model_route(route: Runnable[Any, Any]) -> bool:
    """Whether ``route`` is one chat model (or bindings of one): a call's own keywords reach
    it; in a chain they reach only the first step (LangChain's ``RunnableSequence``)."""
    return isinstance(_core(route)[1], BaseChatModel)


class UnboundedRouteWarning(UserWarning):
    """A ``RunnableRouter`` route whose worst-case cost cannot be held against a hard budget
    limit (it is checked before it runs, nothing is reserved): the message says why and what
    fits that case. Filter it like any warning category."""


class RouteRun(NamedTuple):
    """What ``RunnableRouter`` runs for a tier, and what it can hold for it."""

    runnable: Runnable[Any, Any]
    """The route as it is run (a chat model given its tier's ``max_tokens`` if it had none)."""
    bound: int | None
    """The most output tokens its one call may write (``None``: not bounded)."""
    priced: Tier | None
    """The tier its call is recorded at (:func:`~shared_core.tier_models.route_pricing`:
    the route's own model, at the prices its record will carry); ``None``: not bounded."""
    holds_itself: bool = False
    """A routed chat model: it reserves for, and caps, its own calls."""
    answers: int = 1
    """The answers its model is set to write (``n``; a call's own ``n`` replaces it)."""


def route_bounds(routes: dict[str, Runnable[Any, Any]], router: Any) -> dict[str, RouteRun]:
    """:func:`bounded_route` for every route; with a hard limit configured, an
    :class:`UnboundedRouteWarning` for each route the router cannot hold a reservation for."""
    out = {}
    hard_limit = hard_limited(router)
    tiers = router.config.tiers
    for tier in tiers:
        route = routes[tier.name]
        runnable, bound = bounded_route(route, tier, hard_limit=hard_limit)
        node = _core(route)[1]
        priced: Tier | None = None
        if bound is not None:
            priced = route_pricing(tiers, tier, _sent_model(route, node))
            if estimate_cost(priced.model_copy(update={"max_tokens": bound}), 0, router.prices) is None:
                bound = None
        own = _holds_itself(node)
        out[tier.name] = RouteRun(
            runnable, bound, priced if bound is not None else None, own, model_choices(node) or 1
        )
        capped = router.config.budget.per_request_cap_usd is not None  # held at the cap
        if bound is None and router.budget is not None and router.budget.limits and not (own or capped):
            warnings.warn(
                _unbounded(tier, node, priced), UnboundedRouteWarning, stacklevel=_caller_level()
            )
    return out


def _sent_model(route: Runnable[Any, Any], node: Any) -> str | None:
    """The model id a chat-model route sends: a binding's ``model=`` (the outermost wins),
    else the model's own."""
    bindings, _ = _core(route)
    bound = next((b.kwargs["model"] for b in bindings if isinstance(b.kwargs.get("model"), str)), None)
    return bound or model_id(node)


_CAP_HOLDS = " (the route is then held at the cap, each of its model calls admitted if it fits)"


def _unbounded(tier: Any, node: Any, unpriced: Tier | None) -> str:
    """Why route ``tier`` cannot be held, and what to do about it (:class:`UnboundedRouteWarning`)."""
    name = tier.name
    if isinstance(node, (RunnableRetry, RunnableWithFallbacks)):
        why = f"is a {type(node).__name__}, which may make several model calls"
        fix = (
            "To have it held, route the chat model itself and give it its own retries "
            "(max_retries=...) instead of .with_retry() / .with_fallbacks(), or set "
            f"budget.per_request_cap_usd{_CAP_HOLDS}; otherwise this route is check-only"
        )
    elif not isinstance(node, BaseChatModel):
        why = f"is a {type(node).__name__}, not one chat-model call"
        fix = (
            "To have it held, make the route the chat model itself (or a .bind() / "
            ".bind_tools() of one) and keep prompts and parsers outside the router "
            "(prompt | RunnableRouter({...}) | parser), or set budget.per_request_cap_usd"
            f"{_CAP_HOLDS}; otherwise this route is check-only"
        )
    elif unpriced is not None:
        why = f"calls model {unpriced.model!r}, which has no known price"
        fix = (
            f"Set input_price and output_price on tier {name!r} to have it held"
            if same_model(unpriced.model, tier.model)
            else f"Route tier {name!r}'s model ({tier.model!r}), or price {unpriced.model!r}, "
            "to have it held"
        )
    else:
        why = (
            "is a chat model with no output budget (its tier sets no max_tokens and the "
            "model none of its own)"
        )
        fix = (
            f"Set max_tokens on tier {name!r} (or .bind(max_tokens=...) the route) to have it held"
        )
    return (
        f"RunnableRouter: route {name!r} {why}, so its worst-case cost is unknown: hard budget "
        "limits are checked before it runs but nothing is reserved, and concurrent calls may "
        f"pass a limit. {fix}."
    )


def _holds_itself(model: Any) -> bool:
    """A ``RoutedChatModel`` reserves for its own calls (and its budget is per call)."""
    from .chat_model import RoutedChatModel

    return isinstance(model, RoutedChatModel)


class Held(Runnable[Any, Any]):
    """The chosen route, with its budget hold let go when the route is over, its model calls
    recorded by ``recorder`` when no handler on the call records them into its ledger
    (:mod:`.route_records`), and kept under the per-request cap by ``cap`` when the route is
    held at the cap."""

    def __init__(
        self, bound: Runnable[Any, Any], hold: RouteHold, cap: RouteCapHandler | None = None,
        recorder: CostCallbackHandler | None = None,
    ) -> None:
        self.bound = bound
        self.hold = hold
        self.cap = cap
        self.recorder = recorder

    @property
    def InputType(self) -> Any:
        return self.bound.InputType

    @property
    def OutputType(self) -> Any:
        return self.bound.OutputType

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        try:  # the recorder added first: the cap sees it among its peers
            config = with_recorder(config, self.recorder)
            return self.bound.invoke(input, with_cap(config, self.cap), **kwargs)
        except _STOPPED as exc:
            self._stopped(config, exc)
            raise
        finally:
            self.hold.close()

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        try:  # the recorder added first: the cap sees it among its peers
            config = with_recorder(config, self.recorder)
            return await self.bound.ainvoke(input, with_cap(config, self.cap), **kwargs)
        except _STOPPED as exc:
            self._stopped(config, exc)
            raise
        finally:
            self.hold.close()

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        try:  # the recorder added first: the cap sees it among its peers
            config = with_recorder(config, self.recorder)
            yield from self.bound.stream(input, with_cap(config, self.cap), **kwargs)
        except _STOPPED as exc:
            self._stopped(config, exc)
            raise
        finally:
            self.hold.close()

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        try:  # the recorder added first: the cap sees it among its peers
            config = with_recorder(config, self.recorder)
            async for chunk in self.bound.astream(input, with_cap(config, self.cap), **kwargs):
                yield chunk
        except _STOPPED as exc:
            self._stopped(config, exc)
            raise
        finally:
            self.hold.close()

    def _stopped(self, config: RunnableConfig | None, exc: BaseException) -> None:
        """Before the hold goes: model calls of this route still open (LangChain ends none
        when a task is cancelled mid-call) are recorded by the cost handlers on the config."""
        stop_open_runs(config, self.hold.decision.call_id, exc)


def stop_open_runs(config: RunnableConfig | None, call_id: str, exc: BaseException) -> None:
    """Have every ``CostCallbackHandler`` on ``config`` record the model calls still open
    under the routed call ``call_id`` (``abandoned``: their requests were sent)."""
    callbacks = (config or {}).get("callbacks")
    handlers = callbacks.handlers if isinstance(callbacks, BaseCallbackManager) else callbacks
    for handler in handlers or ():
        if isinstance(handler, CostCallbackHandler):
            handler.stop_open_runs(call_id, exc)
