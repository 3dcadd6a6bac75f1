"""``RunnableRouter``'s build checks under ``budget.per_request_cap_usd``: the chat models
each route will call, found without running it.

Under a cap every model call inside a route is admitted only if its worst case is known and
fits (:class:`.route_cap.RouteCapHandler`); a call with no output budget is refused, every
time. A user who set ``max_tokens`` on the tiers (the README's advice) and routed chains had
every call refused: a tier's ``max_tokens`` is applied to a route that is the chat model
itself, never to a model inside a chain. So when the router is built, each route is walked
(bindings, sequences, parallel maps, fallbacks, retries, branches) for the chat models in
it, and a model that would be sent with no output budget (the handler's own test: the
invocation parameters it will be called with, read under every spelling by
:func:`~shared_core.output_budget.read_output_budget`) is a ``ConfigError`` naming the route
and the model. A model called from inside a function (an agent, a graph node) cannot be
found this way: it is refused at call time, as before.

A ``RoutedChatModel`` in a route caps its own calls, but under the route's cap: each is given
what the cap leaves (its ``RouteShare``), and an attempt on one of its tiers with no
``max_tokens`` has no known worst case unless the model or the call brings an output budget.
So such a model with no ``max_tokens`` of its own (nor a binding's) over such tiers is a
``ConfigError`` too, naming the route and the tiers (:func:`routed_unbounded`; a tier with
no known price likewise): every call routed there was refused, with no word at build.

:func:`check_unreachable_routes` is the other half: a route whose output worst case alone is
over the cap is refused every time, which is one WARNING (:mod:`shared_core.cap_bounds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableSequence
from langchain_core.runnables.base import RunnableBindingBase

from shared_core.adapters_common import model_id
from shared_core.cap_bounds import output_worst, warn_unreachable
from shared_core.errors import ConfigError, InputError
from shared_core.output_budget import read_output_budget
from shared_core.variants import VariantRouter

from .route_budget import _holds_itself, is_model_route

_INNER = ("mapper", "runnable", "default")
"""Fields of LangChain runnables that hold one runnable they call (RunnableAssign's map,
RunnableWithFallbacks' first choice, RunnableBranch's default)."""


def chat_models(node: Any, kwargs: dict[str, Any] | None = None) -> Iterator[tuple[BaseChatModel, dict[str, Any]]]:
    """Each chat model ``node`` calls that can be found without running it, with the
    keywords its bindings give it (outer ones win, as LangChain merges them)."""
    kwargs = kwargs or {}
    if isinstance(node, BaseChatModel):
        yield node, kwargs
    elif isinstance(node, RunnableBindingBase):  # .bind(), .with_config(), .with_retry() ...
        yield from chat_models(node.bound, {**node.kwargs, **kwargs})
    elif isinstance(node, RunnableSequence):  # a call's keywords reach its first step only
        for i, step in enumerate(node.steps):
            yield from chat_models(step, kwargs if i == 0 else {})
    else:
        for name in _INNER:
            inner = getattr(node, name, None)
            if isinstance(inner, Runnable):
                yield from chat_models(inner, kwargs)
        for many in ("steps__", "fallbacks", "branches"):
            values = getattr(node, many, None)
            if isinstance(values, dict):
                values = list(values.values())
            for item in values if isinstance(values, (list, tuple)) else ():
                inner = item[-1] if isinstance(item, tuple) else item  # a branch: (condition, runnable)
                if isinstance(inner, Runnable):
                    yield from chat_models(inner, kwargs)


def unbounded(model: BaseChatModel, kwargs: dict[str, Any]) -> bool:
    """Whether ``model`` would be sent with no output budget: the route's cap handler would
    find none in its invocation parameters (a routed chat model caps its own calls: see
    :func:`routed_unbounded`)."""
    try:
        params = model._get_invocation_params(stop=None, **kwargs)
    except Exception:  # a model that cannot say before it is called: left to the call
        return False
    if params.get("_type") == "tier-router":
        return False
    return read_output_budget(params) is None


def routed_unbounded(model: BaseChatModel, kwargs: dict[str, Any]) -> list[str]:
    """Why calls of ``model``, a ``RoutedChatModel`` in a route under a per-request cap, are
    refused on some of its tiers (of either variant, as ``check_calls_bounded`` reads a
    ``VariantRouter``): each tier with no ``max_tokens`` when neither the model nor its
    bindings set one (either bounds every call), each with no known price; empty for any
    other model, or a bounded one."""
    if not _holds_itself(model):
        return []
    try:
        own = model.max_tokens is not None or read_output_budget(kwargs) is not None  # type: ignore[attr-defined]
    except InputError:  # an unreadable binding: the call says so when it is made
        return []
    inner = model.router  # type: ignore[attr-defined]
    variants = list(zip(inner.names, inner.routers)) if isinstance(inner, VariantRouter) else [(None, inner)]
    out = []
    for variant, router in variants:
        of = f" (the {variant!r} variant's)" if variant is not None else ""
        for t in router.config.tiers:
            lacks = [] if own or t.max_tokens is not None else ["max_tokens"]
            if router.prices.price(t.model, tier=t) is None:
                lacks.append("known price")
            if lacks:
                out.append(f"tier {t.name!r} ({t.model}){of} has no {' and no '.join(lacks)}")
    return out


def check_route_models(routes: dict[str, Runnable[Any, Any]], runs: dict[str, Any], router: Any) -> None:
    """``ConfigError`` naming every route (as it is run: a model route given its tier's
    ``max_tokens``) that calls a chat model with no output budget, or a routed chat model
    over tiers with none (:func:`routed_unbounded`), under a per-request cap."""
    cap = router.config.budget.per_request_cap_usd
    if cap is None:
        return
    found = []
    routed: list[tuple[str, list[str]]] = []
    for name, run in runs.items():
        model_route = is_model_route(routes[name])
        for model, kwargs in chat_models(run.runnable):
            if unbounded(model, kwargs):
                found.append((name, model, model_route))
            elif lacks := routed_unbounded(model, kwargs):
                routed.append((name, lacks))
    if not (found or routed):
        return
    parts = "; ".join(
        [f"route {name!r} calls {model_id(m) or '?'!r} ({type(m).__name__}) with no output budget"
         for name, m, _ in found]
        + [f"route {name!r} calls a RoutedChatModel whose {', '.join(lacks)}" for name, lacks in routed]
    )
    fixes = []
    if any(direct for *_, direct in found):
        tiers = ", ".join(dict.fromkeys(repr(n) for n, _, direct in found if direct))
        cls = next(type(m).__name__ for _, m, direct in found if direct)
        fixes.append(f"set max_tokens on tier {tiers}, or on the model ({cls}(max_tokens=...))")
    if any(not direct for *_, direct in found):
        cls = next(type(m).__name__ for _, m, direct in found if not direct)
        fixes.append(
            f"set max_tokens on the model ({cls}(max_tokens=...)): a tier's max_tokens does "
            "not reach a model inside a chain"
        )
    said = " ".join(" ".join(lacks) for _, lacks in routed)
    if "max_tokens" in said:
        fixes.append(
            "set max_tokens on those tiers in the RoutedChatModel's config, or "
            "RoutedChatModel(max_tokens=...) to bound every call: a routed chat model in a "
            "route is kept under the route's cap"
        )
    if "known price" in said:
        fixes.append("set input_price and output_price on the RoutedChatModel's tiers with no known price")
    first = found[0][0] if found else routed[0][0]
    raise ConfigError(
        f"budget.per_request_cap_usd is ${cap:.6f}, but {parts}: the worst case of such a call "
        f"is unknown, so every one would be refused before it is sent ({'; '.join(fixes)})",
        field=f"routes.{first}",
        value=sorted({n for n, _, _ in found} | {n for n, _ in routed}),
    )


def check_unreachable_routes(runs: dict[str, Any], router: Any) -> None:
    """One WARNING naming each route whose one call's output worst case alone (its output
    budget at its model's output price) is over the per-request cap."""
    cap = router.config.budget.per_request_cap_usd
    if cap is None:
        return
    worst = [
        (name, w) for name, run in runs.items()
        if run.bound is not None and run.priced is not None
        and (w := output_worst(run.priced, router.prices, run.bound * run.answers)) is not None
    ]
    warn_unreachable(cap, worst, what="route")
