"""``RunnableRouter``'s per-request cap inside a route it cannot bound (a chain, an agent).

Such a route holds ``per_request_cap_usd`` against hard limits while it runs
(:class:`~shared_core.route_hold.RouteHold`), so what it spends must stay under the cap.
:class:`RouteCapHandler` sees every model call inside the route: it is put first among the
route's callbacks, and LangChain hands a run's callbacks to every runnable and model under
it. Before a call is sent (``on_chat_model_start`` / ``on_llm_start``) it prices the call's
worst case, as ``CostCallbackHandler(router=...)`` will price its record (the input estimated
from the messages, the output budget the model is sent under any spelling); the call is
admitted only if that fits in what the request has left
(:class:`~shared_core.route_hold.RouteSpend`), else it raises ``RequestCostCapError``, which
LangChain lets through (``raise_error``) before the request goes out, and the refusal is
recorded in the router's ledger. When a call ends, its cost as the cost handler records it
(the same code: provider usage, or tokens estimated from the text) is what the request spent.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.outputs import LLMResult
from langchain_core.runnables import RunnableConfig

from shared_core.attempt_records import error_text
from shared_core.fault_types import refusal_kind
from shared_core.output_budget import read_choices, read_output_budget
from shared_core.pricing import Usage
from shared_core.route_hold import RouteShare, RouteSpend
from shared_core.tier_models import pricing_tier

from .callbacks import CostCallbackHandler, run_model
from .context import run_handlers
from .judge import JUDGE_RUN

_PER_MESSAGE = 4
"""Tokens a message costs beyond its text (roles, separators), as the core's request
estimate counts them."""


class RouteCapHandler(CostCallbackHandler):
    """Keeps the model calls of one routed call under the per-request cap (see the module).
    Writes only refusals (to the router's ledger); the route's other records are the cost
    handlers' on the call's config (the caller's, else the router's own recorder)."""

    raise_error = True  # a refusal must stop the call before it is sent
    run_inline = True
    claims = False  # it writes refusals only: the cost handlers record the runs

    def __init__(self, router: Any, account: RouteSpend) -> None:
        super().__init__(router=router)
        self.account = account
        self.peers: tuple[CostCallbackHandler, ...] = ()
        """The cost handlers on the route's config: a call refused after one of them saw
        it start is dropped from it (:meth:`CostCallbackHandler.forget_run`)."""

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        texts = [m.text if hasattr(m, "text") else str(m) for batch in messages for m in batch]
        self._admit(run_id, kwargs, texts)
        super().on_chat_model_start(serialized, messages, run_id=run_id, **kwargs)

    def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID, **kwargs: Any
    ) -> None:
        self._admit(run_id, kwargs, prompts)
        super().on_llm_start(serialized, prompts, run_id=run_id, **kwargs)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            super().on_llm_end(response, run_id=run_id, **kwargs)
        finally:  # an answer CostCallbackHandler does not record: a routed chat model's own
            self.account.settle(run_id, _routed_cost(response))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            super().on_llm_error(error, run_id=run_id, **kwargs)
        finally:
            self.account.settle(run_id, None)

    def _admit(self, run_id: UUID, kwargs: dict[str, Any], texts: list[str]) -> None:
        params = kwargs.get("invocation_params") or {}
        model = run_model(kwargs) or "unknown"
        sent = sum(len(t) for t in texts) // 4 + _PER_MESSAGE * len(texts) + _schema_tokens(params)
        try:
            if params.get("_type") == "tier-router":  # reserves and caps its own calls
                self.account.admit(run_id, model, None, rest=True)
                return
            md = kwargs.get("metadata") or {}
            budget = read_output_budget(params, hard_limit=True)
            worst, unknown = None, "with no output budget (set max_tokens on that model)"
            if budget is not None:
                tier = pricing_tier(self._tiers, model, route=md.get("tier"))
                answers = read_choices(params) or 1  # n answers: each is billed
                worst = self.prices.cost(model, Usage(sent, budget * answers), tier=tier)
                unknown = "which has no known price (set input_price and output_price on its tier)"
            if md.get(JUDGE_RUN) and (share := self.account.share(None)) is not None:
                # a routed chat model's judge: that call pays for it (its record's cost) within
                # its share of the cap, so it is checked against the share, not counted again
                share.admit_judge(model, worst, unknown)
                return
            self.account.admit(run_id, model, worst, unknown=unknown)
        except Exception as exc:
            self._start(run_id, kwargs, sent)
            run = self._take(run_id)
            CostCallbackHandler._record(
                self, run_id, run, model, "refused", None, 0.0, None,
                note=error_text(exc), kind=refusal_kind(exc),
            )
            for peer in self.peers:
                peer.forget_run(run_id)
            raise

    def _record(
        self, run_id: UUID, run: dict[str, Any], model: str, status: str, usage: Usage | None,
        cost: float | None, base: float | None, *, note: str | None = None,
        kind: str | None = None,
    ) -> None:
        """A call over: what it cost counts against the cap (the caller's cost handlers
        record it)."""
        self.account.settle(run_id, cost)


def route_share(run_manager: Any) -> RouteShare | None:
    """What is left of the per-request cap of the ``RunnableRouter`` route a routed chat
    model's call is made in (``None``: it is in no capped route). :class:`RouteCapHandler`
    admitted the call with all the route had left; the call's plan keeps its attempts under
    that and settles what it recorded (:class:`~shared_core.route_hold.RouteShare`)."""
    if run_manager is not None:
        handlers, run_id = run_manager.handlers, run_manager.run_id
    else:  # LangChain's stream(): no run manager, and no run id
        handlers, run_id = run_handlers()
    for handler in handlers:
        if isinstance(handler, RouteCapHandler):
            return handler.account.share(run_id)
    return None


def _schema_tokens(params: dict[str, Any]) -> int:
    """The tokens of the tool schemas a call sends (billed as input, not in its messages)."""
    tools = [params[k] for k in ("tools", "functions") if params.get(k)]
    return len(json.dumps(tools, default=str)) // 4 if tools else 0


def _routed_cost(response: LLMResult) -> float | None:
    """What a ``RoutedChatModel`` answer cost (it records itself), else ``None``."""
    gens = [g for batch in response.generations for g in batch]
    msg = getattr(gens[0], "message", None) if gens else None
    meta = ((msg.response_metadata or {}) if msg is not None else {}).get("router") or {}
    cost = meta.get("total_cost_usd")
    return float(cost) if isinstance(cost, (int, float)) else None


def with_cap(config: RunnableConfig | None, handler: RouteCapHandler | None) -> RunnableConfig | None:
    """``config`` with ``handler`` first among its callbacks, inherited by every run under
    it. First, so that no other handler sees a call it refuses start; but LangChain keeps no
    order once it merges two callback managers (a set), so the config's cost handlers are
    also its :attr:`~RouteCapHandler.peers`."""
    if handler is None:
        return config
    callbacks = (config or {}).get("callbacks")
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        handler.peers = _cost_handlers(manager.handlers)
        manager.handlers.insert(0, handler)
        manager.inheritable_handlers.insert(0, handler)
        return {**(config or {}), "callbacks": manager}
    handler.peers = _cost_handlers(callbacks or ())
    return {**(config or {}), "callbacks": [handler, *(callbacks or ())]}


def _cost_handlers(handlers: Any) -> tuple[CostCallbackHandler, ...]:
    return tuple(h for h in handlers if isinstance(h, CostCallbackHandler))
