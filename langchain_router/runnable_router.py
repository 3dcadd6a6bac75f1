"""`RunnableRouter`: classify a chain's input with the core router, run one runnable per tier.

Built on LangChain's own dynamic routing: a ``RunnableLambda`` whose function returns the
chosen runnable, which LangChain then invokes / streams with the same input and config.
So ``invoke``, ``ainvoke``, ``batch``, ``abatch``, ``stream``, ``astream`` and
``astream_events`` all behave like the routes' own, and tracing shows the sub-run.

The decision is available three ways: ``on_decision(decision)``, a custom callback event
``"tier_router_decision"`` (``on_custom_event`` / ``astream_events``), and the sub-run's
metadata (``tier``, ``router_call_id``) under the run name ``route:<tier>``.

Hard budget limits: a route that is one priced chat-model call with a known output budget
has its worst-case cost reserved once decided and released when it is over (its records
in), and is refused when that passes ``per_request_cap_usd``. With a per-request cap, any
other route holds the cap while it runs and each model call inside it is admitted only if
its worst case fits in what the request has left (:mod:`.route_cap`); without one, such a
route is only checked before it runs (:mod:`.route_budget`).
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from langchain_core.callbacks.manager import adispatch_custom_event, dispatch_custom_event
from langchain_core.messages import BaseMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langchain_core.runnables.base import coerce_to_runnable

from shared_core.adapters_common import config_from_tiers, model_id
from shared_core.budget import request_scopes
from shared_core.config import RouterConfig
from shared_core.decision import RouteDecision
from shared_core.errors import BudgetExceededError, ConfigError, InputError
from shared_core.output_budget import hard_limited, read_choices, read_output_budget
from shared_core.route_hold import RouteHold
from shared_core.router import Router

from . import route_judge
from .callbacks import CostCallbackHandler
from .judge import judge_recorded_by, judge_unpaid
from .messages import to_core_messages
from .route_budget import Held, is_model_route, route_bounds
from .route_cap import RouteCapHandler
from .route_models import check_route_models, check_unreachable_routes
from .route_records import RouteRecorder

DECISION_EVENT = "tier_router_decision"
_DEFAULT_KEYS = ("messages", "input", "question", "query", "text")


class RunnableRouter(Runnable[Any, Any]):
    """Routes each input to one runnable (chain, agent, model) per tier.

    Args:
        routes: ``{tier name: runnable or callable}``, cheapest first.
        config: a ``RouterConfig`` / dict / path (its tier names must be the routes' names);
            ``None`` = the embedded default classifier over these tiers.
        router: a ready :class:`shared_core.Router` to share instead of ``config``.
        classifier: passed to the router built from ``config``.
        ledger: passed to the router built from ``config``.
        prices: passed to the router built from ``config``.
        input_key: for dict inputs, the key whose value is classified (default: the first
            of ``messages``, ``input``, ``question``, ``query``, ``text`` present).
        on_decision: called with each :class:`RouteDecision` before the route runs.
        record_routes: record the routes' model calls into the router's ledger (default):
            each call gets a cost handler of the router's, :attr:`recorder`, unless a handler
            recording into that ledger's store is in its callbacks; it records each model
            call no handler recording into that store also handles (one bound on a model,
            on one side of fallbacks, or set inside a function the route calls), so each
            call is one record (:mod:`.route_records`). ``False``: the caller's own handlers
            record them; a hard limit then holds only if they write to the router's ledger.
    """

    def __init__(
        self,
        routes: Mapping[str, Runnable[Any, Any] | Callable[..., Any]],
        *,
        config: RouterConfig | str | Path | Mapping[str, Any] | None = None,
        router: Router | None = None,
        classifier: Any = None,
        ledger: Any = None,
        prices: Any = None,
        input_key: str | None = None,
        on_decision: Callable[[RouteDecision], None] | None = None,
        record_routes: bool = True,
    ) -> None:
        if not isinstance(record_routes, bool):
            raise ConfigError("RunnableRouter's record_routes must be True or False",
                              field="record_routes", value=record_routes)
        self.routes: dict[str, Runnable[Any, Any]] = {
            n: coerce_to_runnable(r) for n, r in routes.items()
        }  # type: ignore[arg-type]
        ids = {n: model_id(r) for n, r in self.routes.items()}
        if router is not None:
            config_from_tiers(ids, router.config)
            self.router = router
        else:
            self.router = Router(
                # whole chains: no tier system prompt or budget to apply, so no ladder defaults
                config_from_tiers(ids, config, ladder_defaults=False),
                classifier=classifier,
                ledger=ledger,
                prices=prices,
                # its routes' model calls are admitted under the cap as they are made
                # (route_cap.RouteCapHandler): a route's tier needs no max_tokens
                _calls_bounded=True,
            )
        self.input_key = input_key
        self.on_decision = on_decision
        self._runs = route_bounds(self.routes, self.router)
        check_route_models(self.routes, self._runs, self.router)  # (a cap: before money is spent)
        check_unreachable_routes(self._runs, self.router)
        self._told: set[str] = set()  # routes warned that a call's keywords miss their model
        self.recorder: CostCallbackHandler | None = (
            RouteRecorder(router=self.router) if record_routes else None
        )
        """Records the routes' model calls when no handler on a call does (``None``: off)."""
        """Per tier: the runnable run for it, its output bound (``None``: not bounded, so a
        hard limit is checked, not held) and the tier its call is priced at when bounded
        (:class:`.route_budget.RouteRun`)."""
        self._dispatch: Runnable[Any, Any] = RunnableLambda(
            self._route, afunc=self._aroute, name="RunnableRouter"
        )

    # -- Runnable API: everything delegates to the dispatching RunnableLambda ---------------
    @property
    def InputType(self) -> Any:
        return Any

    @property
    def OutputType(self) -> Any:
        return Any

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self._dispatch.invoke(input, config, **kwargs)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return await self._dispatch.ainvoke(input, config, **kwargs)

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        yield from self._dispatch.stream(input, config, **kwargs)

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async for chunk in self._dispatch.astream(input, config, **kwargs):
            yield chunk

    def batch(self, inputs: list[Any], config: Any = None, **kwargs: Any) -> list[Any]:
        return self._dispatch.batch(inputs, config, **kwargs)

    async def abatch(self, inputs: list[Any], config: Any = None, **kwargs: Any) -> list[Any]:
        return await self._dispatch.abatch(inputs, config, **kwargs)

    # -- deciding ---------------------------------------------------------------------------
    def decide(self, input: Any, config: RunnableConfig | None = None) -> RouteDecision:
        """The decision for ``input`` without running a route. It is a real decision all the
        same: with ``sticky: true`` and a thread id the thread remembers its tier (a later light
        message in that thread stays at least there), and the feedback loop counts it; pass no
        thread id for a preview that leaves the thread alone."""
        return self.router.decide(self._messages(input), **_context(config))

    def _route(self, input: Any, config: RunnableConfig, **kwargs: Any) -> Runnable[Any, Any]:
        _within_recursion_limit(config)
        ctx = _context(config)
        messages = self._messages(input)
        out = self._call_budget(kwargs)
        self._check_budget(messages, ctx)
        with self._judge():
            decision = self.router.decide(messages, **ctx)
        if self.recorder is not None:
            route_judge.write(self.router, route_judge.judge_record(self.router, decision, messages, ctx))
        self._announce(decision)
        dispatch_custom_event(DECISION_EVENT, decision.to_dict(), config=config)
        hold = self._hold(decision, messages, ctx, out)
        hold.open()  # the route's most cost, held until its records are in (refused: raised)
        return _closed_on_error(hold, lambda: self._target(decision, hold, ctx, kwargs))

    async def _aroute(self, input: Any, config: RunnableConfig, **kwargs: Any) -> Runnable[Any, Any]:
        _within_recursion_limit(config)
        ctx = _context(config)
        messages = self._messages(input)
        out = self._call_budget(kwargs)
        await self._acheck_budget(messages, ctx)
        with self._judge():
            decision = await self.router.adecide(messages, **ctx)
        if self.recorder is not None:
            rec = route_judge.judge_record(self.router, decision, messages, ctx)
            await route_judge.awrite(self.router, rec)
        self._announce(decision)
        await adispatch_custom_event(DECISION_EVENT, decision.to_dict(), config=config)
        hold = self._hold(decision, messages, ctx, out)
        await hold.aopen()
        return _closed_on_error(hold, lambda: self._target(decision, hold, ctx, kwargs))

    def _judge(self) -> AbstractContextManager[None]:
        """Who records the judge's calls: this router (its recorder on: the answered ones by
        :mod:`.route_judge`, the judge's run marked the router's so no cost handler records
        it again; one that fails or is cancelled by the recorder, unless a handler on the call
        records into the same ledger), else a cost handler on the chain (left unmarked)."""
        return judge_recorded_by(self.recorder) if self.recorder is not None else judge_unpaid()

    def _call_budget(self, kwargs: dict[str, Any]) -> tuple[int | None, int | None]:
        """The output budget and the number of answers a call's own keywords ask for (they
        go to the route as they are; ``None``: not given): unreadable ones are an
        ``InputError`` before anything is decided or sent."""
        if not kwargs:
            return None, None
        return read_output_budget(kwargs, hard_limit=hard_limited(self.router)), read_choices(kwargs)

    def _hold(
        self, decision: RouteDecision, messages: list[dict[str, Any]], ctx: dict[str, Any],
        out: tuple[int | None, int | None] = (None, None),
    ) -> RouteHold:
        run = self._runs[decision.tier]
        bound = run.bound
        if bound is not None:  # the call's budget is sent beside the route's: hold the larger
            budget, answers = out  # the call's n replaces the model's
            bound = max(bound, budget or 0) * (answers or run.answers)
        needed = bound is not None or hard_limited(self.router)
        request = self.router.request(messages, **ctx) if needed else None
        return RouteHold(
            self.router, decision, request, bound, "langchain", priced_as=run.priced,
            holds_itself=run.holds_itself,
        )

    def _check_budget(self, messages: list[dict[str, Any]], ctx: dict[str, Any]) -> None:
        """Hard budgets apply to routed runnables too: refuse before the classifier (which
        may be a paid judge) or any route runs; the refused call is a ledger record. A route
        whose worst-case cost is bounded then has it reserved once decided (:meth:`_hold`);
        any other route has only this check (see :mod:`.route_budget`).

        (Spend comes from the ledger: the routes' model calls reach it through
        :attr:`recorder` or the caller's own ``CostCallbackHandler(router=...)``.)
        """
        guard = self.router.budget
        if guard is None:
            return
        try:
            guard.check(request_scopes(ctx["tags"], ctx["user"]))
        except BudgetExceededError as exc:
            self.router.record_refused(self.router.request(messages, **ctx), exc, "langchain")
            raise

    async def _acheck_budget(self, messages: list[dict[str, Any]], ctx: dict[str, Any]) -> None:
        """Async twin of :meth:`_check_budget`: the ledger is read and written off the loop."""
        guard = self.router.budget
        if guard is None:
            return
        try:
            await guard.acheck(request_scopes(ctx["tags"], ctx["user"]))
        except BudgetExceededError as exc:
            request = self.router.request(messages, **ctx)
            await asyncio.to_thread(self.router.record_refused, request, exc, "langchain")
            raise

    def _announce(self, decision: RouteDecision) -> None:
        if self.on_decision is not None:
            self.on_decision(decision)

    def _target(
        self, decision: RouteDecision, hold: RouteHold, ctx: dict[str, Any],
        kwargs: dict[str, Any] | None = None,
    ) -> Runnable[Any, Any]:
        metadata: dict[str, Any] = {
            "tier": decision.tier,
            "router_call_id": decision.call_id,
            "router_confidence": decision.confidence,
        }
        if decision.variant is not None:  # an A/B or shadow VariantRouter: for the routes' records
            metadata["router_variant"] = decision.variant
            if decision.shadow is not None:  # (run metadata keeps scalars only: JSON text)
                metadata["router_shadow"] = json.dumps(decision.shadow)
        if ctx["thread_id"] is not None:  # LangChain no longer copies `configurable` into metadata
            metadata["thread_id"] = ctx["thread_id"]
        if ctx["user"] is not None and "user_id" not in ctx["metadata"]:  # for the routes' records
            metadata["user_id"] = ctx["user"]
        route = self._runs[decision.tier].runnable.with_config(
            run_name=f"route:{decision.tier}", metadata=metadata
        )
        if kwargs:  # the call's own keywords (max_tokens, stop ...), as a chat model takes them
            self._warn_unsent(decision.tier, kwargs)
            route = route.bind(**kwargs)
        account = hold.spend()  # a route held at the per-request cap: its calls kept under it
        cap = RouteCapHandler(self.router, account) if account else None
        return Held(route, hold, cap, self.recorder)

    def _warn_unsent(self, tier: str, kwargs: dict[str, Any]) -> None:
        """A chain route hands a call's keywords to its first step only (LangChain's
        ``RunnableSequence``): its model never sees them. Say so once per route."""
        if tier in self._told or is_model_route(self._runs[tier].runnable):
            return
        self._told.add(tier)
        warnings.warn(
            f"RunnableRouter: route {tier!r} is not one chat model, so the call's keywords "
            f"{sorted(kwargs)} reach only its first step (a LangChain sequence passes them to "
            "no other), not the model inside it: bind them on the model instead "
            "(ChatOpenAI(...).bind(max_tokens=..., stop=...))",
            UserWarning, stacklevel=4,
        )

    def _messages(self, value: Any, depth: int = 0) -> list[dict[str, Any]]:
        if isinstance(value, str):
            return [{"role": "user", "content": value}]
        if isinstance(value, PromptValue):
            return to_core_messages(value.to_messages())
        if isinstance(value, BaseMessage):
            return to_core_messages([value])
        if isinstance(value, Mapping) and depth == 0:
            keys = (self.input_key,) if self.input_key else _DEFAULT_KEYS
            for key in keys:
                if key in value:
                    return self._messages(value[key], depth + 1)
            raise InputError(
                f"RunnableRouter: dict input has none of the keys {list(keys)} (got {sorted(value)[:10]}); "
                "pass input_key='<your key>' to say which value to classify"
            )
        if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
            try:
                return to_core_messages(convert_to_messages(value))  # type: ignore[arg-type]
            except (ValueError, TypeError, NotImplementedError) as exc:
                raise InputError(
                    f"RunnableRouter: cannot read messages from the input list: {exc}"
                ) from exc
        raise InputError(
            f"RunnableRouter: cannot classify input of type {type(value).__name__}; pass a string, "
            "messages, a prompt value, or a dict (with input_key)"
        )

    def __repr__(self) -> str:
        return f"RunnableRouter(routes={list(self.routes)}, router={self.router!r})"


def _within_recursion_limit(config: RunnableConfig) -> None:
    """LangChain runs no route returned past the call's ``recursion_limit`` (a deep nest of
    routers and chains): raise its error before anything is decided or held for it."""
    limit = config.get("recursion_limit", 25)
    if isinstance(limit, int) and limit <= 0:
        raise RecursionError(
            "RunnableRouter: recursion limit reached (the call's recursion_limit is used up): "
            "no route is decided or run"
        )


def _closed_on_error(hold: RouteHold, target: Callable[[], Runnable[Any, Any]]) -> Runnable[Any, Any]:
    """The runnable ``target`` builds, which lets ``hold`` go when it is over; if building it
    raises (the route's keyword warning under ``filterwarnings = error``, a failed ``bind``),
    the hold is let go here: nothing else would, and a live hold is renewed, not lapsed."""
    try:
        return target()
    except BaseException:
        hold.close()
        raise


def _context(config: RunnableConfig | None) -> dict[str, Any]:
    cfg = config or {}
    configurable = cfg.get("configurable") or {}
    md = dict(cfg.get("metadata") or {})
    thread = configurable.get("thread_id") or md.get("thread_id") or md.get("session_id")
    # the metadata's user wins; else LangGraph's config["configurable"]["user_id"]
    user = (
        md.get("user_id") or md.get("user")
        or configurable.get("user_id") or configurable.get("user")
    )
    return {
        "thread_id": str(thread) if thread is not None else None,
        "user": str(user) if user is not None else None,
        "tags": list(cfg.get("tags") or ()),
        "metadata": {
            k: v
            for k, v in md.items()
            if isinstance(v, (str, int, float, bool)) and not k.startswith("__")
        },
    }
