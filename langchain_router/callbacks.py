"""`CostCallbackHandler`: dollar cost and savings of ANY LangChain chat model, into the ledger.

Attach it to a plain ``ChatOpenAI`` (or any chat model, chain or agent) and every model
call becomes a :class:`~shared_core.ledger.CallRecord` in the same ledger the router
writes to: tokens from ``usage_metadata``, cost from the price table, and the cost of the
same tokens on the baseline model. Answers that already carry
``response_metadata["router"]`` (made by :class:`RoutedChatModel`) are skipped, and so are
a routed chat model's failed and stopped calls: the router recorded them, so nothing is
counted twice; so are the router's LLM-judge calls (the call
each one routed carries its cost).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from functools import partial
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGenerationChunk, GenerationChunk, LLMResult

from shared_core.attempt_records import error_text, estimated_note
from shared_core.error_usage import failure_usage, unanswered_usage
from shared_core.errors import BadResponseError
from shared_core.faults import classify_error
from shared_core.ledger import CallRecord, CostLedger
from shared_core.ledger.factory import open_ledger
from shared_core.pricing import PriceTable, Usage, estimated_usage
from shared_core.request import estimate_input_tokens
from shared_core.tier import Tier
from shared_core.tier_models import pricing_tier
from shared_core.unanswered import upper_bound_note
from shared_core.usage_belief import believed_usage

from . import run_fields
from .context import configurable_user, scalar
from .judge import JUDGE_RUN
from .messages import Received, answer_of, to_core_messages, usage_of
from .run_claims import claimed, closed, opened, store_of
from .run_fields import _asked_to_stream, _sent_budget, _usage_from_llm_output, run_model

_STOPPED = (asyncio.CancelledError, KeyboardInterrupt, GeneratorExit)
"""Errors that mean the caller stopped a call, not that the provider failed it."""
logger = logging.getLogger("tier_router")


class CostCallbackHandler(BaseCallbackHandler):
    """Records each chat-model call's cost and savings into a :class:`CostLedger`.

    Args:
        ledger: where records go: a ledger, a SQLite path or a ``postgresql://`` URL (default:
            a new in-memory ledger; share the router's ledger with
            ``CostCallbackHandler(router=routed.router)``).
        prices: the price table (default: the bundled one).
        baseline_model: savings are measured against this model (``None``: no baseline).
        router: take ledger, prices and baseline from a :class:`shared_core.Router`, and
            price each record as the router prices its own: at the config's tier prices
            (``input_price`` / ``output_price``) of the route's tier when the call is that
            tier's model (``RunnableRouter`` names the tier in the run's metadata), else of
            the config's tier of the call's model, else at the price table's.

    ``total_cost_usd`` and ``total_baseline_cost_usd`` sum what this handler recorded at a
    known price, and the answers of a :class:`RoutedChatModel` it saw at their router's
    totals (recorded by the router, not again here); ``unknown_cost_calls`` /
    ``unknown_baseline_calls`` count the calls left out of them (an unpriced model), so a
    total with unknown parts says so. ``calls`` counts both.
    """

    raise_error = False
    run_inline = True
    defers = False
    """Leaves a run to another handler of the run that records into the same store
    (``RunnableRouter``'s recorder: :mod:`.run_claims`)."""
    claims = True
    """Takes part in :mod:`.run_claims` (a per-request cap's handler records no runs)."""

    def __init__(
        self,
        ledger: CostLedger | str | os.PathLike[str] | None = None,
        *,
        prices: PriceTable | None = None,
        baseline_model: str | None = None,
        router: Any = None,
    ) -> None:
        self._tiers: tuple[Tier, ...] = ()
        if router is not None:
            self._tiers = tuple(router.config.tiers)
            ledger = router.ledger if ledger is None else ledger
            prices = prices or router.prices
            baseline_model = baseline_model or router.baseline_model
        # (a path or a URL as every other ``ledger=`` takes: a string kept as it was lost every record)
        self.ledger: CostLedger = open_ledger(ledger)
        self._store = store_of(self.ledger)
        self.prices = prices or PriceTable()
        self.baseline_model = baseline_model
        self._baseline_tier = pricing_tier(self._tiers, baseline_model)
        self.total_cost_usd = 0.0
        self.total_baseline_cost_usd = 0.0
        self.unknown_cost_calls = 0
        self.unknown_baseline_calls = 0
        self.calls = 0
        self._runs: dict[UUID, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # -- callbacks ----------------------------------------------------------------------
    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        # the input estimated as the router estimates a request's (what a failure is billed from)
        self._start(run_id, kwargs, sum(estimate_input_tokens(to_core_messages(b)) for b in messages if b))

    def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID, **kwargs: Any
    ) -> None:
        self._start(run_id, kwargs, sum(estimate_input_tokens(p) for p in prompts))

    def on_llm_new_token(
        self, token: Any, *, chunk: Any = None, run_id: UUID, **kwargs: Any
    ) -> None:
        """What the answer delivered so far: a call stopped before its end is recorded
        with the output tokens estimated from it (:meth:`_abandon`)."""
        run = self._runs.get(run_id)
        if run is not None:
            run["received"].add(token, chunk)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._take(run_id)
        if run.get("stopped"):
            return  # recorded abandoned already (its router saw it stopped); see stop_open_runs
        gens = [g for batch in response.generations for g in batch]
        msg = getattr(gens[0], "message", None) if gens else None
        if msg is not None and "router" in (msg.response_metadata or {}):
            self._count_routed(msg.response_metadata["router"])  # its router recorded it
            return
        if run.get("metadata", {}).get(JUDGE_RUN):
            return  # the router's judge: its call routed pays for it
        if not gens:  # no choices: the caller's invoke raises IndexError, the router's BadResponseError
            tier = str(run.get("metadata", {}).get("tier") or run.get("model") or "unknown")
            error = BadResponseError.no_choices(tier)
            self._failed(run_id, run, error, _usage_from_llm_output(response.llm_output))
            return
        run["streamed"] = isinstance(gens[0], (ChatGenerationChunk, GenerationChunk))
        usage = usage_of(msg) if msg is not None else None
        if usage is None:
            usage = _usage_from_llm_output(response.llm_output)
        model = None
        if msg is not None:
            model = (msg.response_metadata or {}).get("model_name")
        model = (
            model or (response.llm_output or {}).get("model_name") or run.get("model") or "unknown"
        )
        # billed all the same: a missing or impossible usage (0 tokens for a non-empty request
        # or answer) is estimated from the text sent and received, tool calls included, by the
        # router's own rule (shared_core.usage_belief)
        received = (
            answer_of(msg).received if msg is not None
            else "".join(getattr(g, "text", "") or "" for g in gens)
        )
        usage, note = believed_usage(usage, run.get("sent", 0), received, source=str(model))
        cost, base = self._costs(str(model), run, usage) if usage is not None else (None, None)
        self._record(run_id, run, str(model), "ok", usage, cost, base, note=note)

    def on_llm_error(
        self, error: BaseException, *, run_id: UUID, response: LLMResult | None = None,
        **kwargs: Any,
    ) -> None:
        run = self._take(run_id)
        if run.get("stopped") or run.get("routed"):
            return  # recorded already, or a RoutedChatModel's (it records its own failures)
        if isinstance(error, _STOPPED):  # a cancelled task, a closed stream: the request was sent
            self._abandon(run_id, run, error, response)
            return
        run["streamed"] = _asked_to_stream(error)
        self._failed(run_id, run, error)

    def _failed(
        self, run_id: UUID, run: dict[str, Any], error: BaseException, usage: Usage | None = None
    ) -> None:
        """A call the provider failed, recorded as the router records a failed attempt: the
        router's fault kind (:func:`~shared_core.faults.classify_error`), and the tokens the
        core's :func:`~shared_core.error_usage.failure_usage` bills it for (the provider's
        usage, else estimated from the text sent and what streamed in, when it may be billed)."""
        kind = classify_error(error)
        got: Received = run.get("received") or Received()
        came = got.tokens > 0
        usage, text = failure_usage(
            error, kind, after_first_token=bool(got.text), usage=usage or (got.usage() if came else None),
            received_text=got.text if came else None,
        )
        note: BaseException | str = error
        worst = unanswered_usage(
            error, kind, usage=usage, received_text=text, budget=run.get("budget"),
            streamed=bool(run.get("streamed")), sent_tokens=run.get("sent", 0),
        )
        if worst is not None:  # sent, nothing came back: the provider may bill it all
            usage, text = worst, None
            note = f"{error_text(error)}; {upper_bound_note(worst.output_tokens, kind)}"
        if usage is None and text is not None:
            usage, note = estimated_usage(run.get("sent", 0), text), estimated_note(error)
        model = str(run.get("model") or "unknown")
        cost, base = self._costs(model, run, usage) if usage is not None else (None, None)
        self._record(run_id, run, model, "failed", usage, cost, base, note=error_text(note), kind=kind)

    def stop_open_runs(self, call_id: str, error: BaseException) -> None:
        """Record the model calls still open under the routed call ``call_id`` as
        ``abandoned``: LangChain ends no run whose task is cancelled while its request is in
        flight (``RunnableRouter`` calls this before it lets the call's hold go)."""
        with self._lock:
            stopped = []
            for run_id, run in self._runs.items():
                if (
                    run["metadata"].get("router_call_id") == call_id
                    and not run.get("stopped") and not run.get("routed")
                ):
                    run["stopped"] = True  # still open: its end (or its task's) records nothing
                    stopped.append((run_id, run))
        for run_id, run in stopped:
            self._abandon(run_id, run, error, None)

    def forget_run(self, run_id: UUID) -> None:
        """Drop a run that will never end, unrecorded: a later handler refused the call
        before it was sent (``RunnableRouter``'s per-request cap, which records the refusal
        itself). LangChain runs handlers in no fixed order once it merges callback managers."""
        self._take(run_id)

    def _abandon(
        self, run_id: UUID, run: dict[str, Any], error: BaseException, response: LLMResult | None
    ) -> None:
        """A call its caller stopped after the request was sent: paid for all the same, so
        recorded ``abandoned`` with the provider's usage if it came, else estimated from the
        text sent and received: the response's, or the tokens that streamed in before the
        stop (as ``RoutedChatModel`` records the same situation)."""
        gens = [g for batch in (response.generations if response else ()) for g in batch]
        msg = getattr(gens[0], "message", None) if gens else None
        streamed: Received = run.get("received") or Received()
        usage = usage_of(msg) if msg is not None else None
        usage = usage or streamed.usage()
        note = f"caller stopped the call ({type(error).__name__}) before its end"
        received = "".join(getattr(g, "text", "") or "" for g in gens)
        budget = run.get("budget")
        if usage is None and not received and not streamed.tokens and budget is not None:
            # sent and nothing came back: the provider may finish and bill it (as the router
            # records the same: shared_core.call_stop)
            usage = Usage(run.get("sent", 0), budget)
            note += f"; {upper_bound_note(budget)}"
        elif usage is None:  # the answer's text as far as it came: the response's or the tokens'
            usage = estimated_usage(run.get("sent", 0), max(received, streamed.text, key=len))
            note += "; tokens estimated from the text sent and received"
        model = str(run.get("model") or "unknown")
        cost, base = self._costs(model, run, usage)
        self._record(run_id, run, model, "abandoned", usage, cost, base, note=note)

    def _costs(self, model: str, run: dict[str, Any], usage: Usage) -> tuple[float | None, float | None]:
        """The call's cost and baseline cost, priced as the router prices its own records:
        by the config tier :func:`~shared_core.tier_models.pricing_tier` finds (the route's,
        named in the run's metadata by ``RunnableRouter``, or the call's model's)."""
        md = run.get("metadata", {})
        route = md.get("tier") if md.get("router_call_id") else None
        tier = pricing_tier(self._tiers, run.get("model"), model, route=route) if self._tiers else None
        cost = self.prices.cost(model, usage, tier=tier)
        base = None
        if self.baseline_model:
            base = self.prices.cost(self.baseline_model, usage, tier=self._baseline_tier)
        return cost, base

    def _take(self, run_id: UUID) -> dict[str, Any]:
        """The run's state, no longer open (and no longer watched: see :meth:`_watch`)."""
        with self._lock:
            run = self._runs.pop(run_id, None) or {}
        if run and self.claims:
            run["claimed"] = closed(self._store, run_id)
        watch = run.get("watch")
        if watch is not None:
            task, callback = watch
            task.remove_done_callback(callback)
        return run

    def _watch(self, run_id: UUID) -> tuple[asyncio.Task[Any], Any] | None:
        """An async run's task: if it is cancelled with the run still open (while the request
        was in flight: LangChain then ends no run), the run is recorded ``abandoned`` then, by
        the task's done callback. A task that just ends leaves the run to its own end."""
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no running loop: a sync call (LangChain ends those itself)
            return None
        if task is None:
            return None
        callback = partial(self._task_done, run_id)
        task.add_done_callback(callback)
        return task, callback

    def _task_done(self, run_id: UUID, task: asyncio.Task[Any]) -> None:
        if not task.cancelled():
            # a stream's steps can run in several tasks (LangChain's ``astream`` of a routed
            # runnable starts it in one): the run goes on, and its end records it
            return
        run = self._take(run_id)
        if run and not run.get("stopped") and not run.get("routed"):
            error: BaseException = asyncio.CancelledError()
            try:
                self._abandon(run_id, run, error, None)
            except Exception:  # a done callback must not raise into the loop
                logger.exception("CostCallbackHandler: could not record an abandoned call")

    def _start(self, run_id: UUID, kwargs: dict[str, Any], sent: int = 0) -> None:
        md = kwargs.get("metadata") or {}
        model = run_model(kwargs)
        with self._lock:
            self._runs[run_id] = {
                "t0": time.perf_counter(),
                "sent": sent,
                "model": model,
                "tags": tuple(kwargs.get("tags") or ()),
                "metadata": {
                    k: v
                    for k, v in md.items()
                    if not k.startswith(("ls_", "__")) and isinstance(v, (str, int, float, bool))
                },
                "watch": self._watch(run_id),
                "received": Received(),
                "budget": _sent_budget(kwargs),
                # a RoutedChatModel: it records its own calls, however they end
                "routed": (kwargs.get("invocation_params") or {}).get("_type") == "tier-router",
                # the handler sees the run's metadata, not its config: configurable's user
                # comes from the enclosing run (an LCEL chain, a LangGraph node), if any
                "user": None if md.get("user_id") or md.get("user") else configurable_user(),
            }
        if self.claims:
            opened(self._store, run_id, records=not self.defers)

    def _record(
        self,
        run_id: UUID,
        run: dict[str, Any],
        model: str,
        status: str,
        usage: Usage | None,
        cost: float | None,
        base: float | None,
        *,
        note: str | None = None,
        kind: str | None = None,
    ) -> None:
        if self.defers and (run.get("claimed") or claimed(self._store, run_id)):
            return  # a handler that records into the same store has it (see run_claims)
        latency = (time.perf_counter() - run["t0"]) * 1000.0 if "t0" in run else 0.0
        md = run.get("metadata", {})
        thread = md.get("thread_id") or md.get("session_id")
        meta, variant = run_fields.routed_variant(md)
        rec = CallRecord(
            call_id=run_id.hex,
            tier=str(md.get("tier") or model),
            model=model,
            status=status,  # type: ignore[arg-type]
            error_kind=kind or ("abandoned" if status == "abandoned" else None),
            error=note,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            cached_input_tokens=usage.cached_input_tokens if usage else 0,
            cost_usd=cost,
            baseline_model=self.baseline_model,
            baseline_cost_usd=base,
            latency_ms=latency,
            classifier=None,
            tags=run.get("tags", ()),
            metadata=meta,
            thread_id=str(thread) if thread is not None else None,
            user=scalar(md.get("user_id") or md.get("user")) or run.get("user"),
            framework="langchain",
            streamed=bool(run.get("streamed")) or (run.get("received") or Received()).tokens > 0,
            variant=variant,
        )
        self.ledger.record(rec)
        with self._lock:
            self.calls += 1
            self.total_cost_usd += cost or 0.0
            self.total_baseline_cost_usd += base or 0.0
            if usage is not None:  # tokens used, at a price not known
                self.unknown_cost_calls += cost is None
                self.unknown_baseline_calls += base is None and self.baseline_model is not None

    def _count_routed(self, meta: Any) -> None:
        """A :class:`RoutedChatModel`'s answer (its router recorded it; not again here) counts
        in this handler's totals as its router counts it: ``total_cost_usd`` (every attempt
        and the judge) ``None`` is an unknown cost, as a model with no usage and no price
        makes it, not $0."""
        if not isinstance(meta, dict):
            return
        total, base = meta.get("total_cost_usd"), meta.get("baseline_cost_usd")
        with self._lock:
            self.calls += 1
            self.total_cost_usd += total or 0.0
            self.unknown_cost_calls += total is None
            self.total_baseline_cost_usd += base or 0.0
            self.unknown_baseline_calls += base is None and self.baseline_model is not None

    @property
    def savings_usd(self) -> float:
        """Baseline cost minus actual cost over the calls recorded here."""
        return self.total_baseline_cost_usd - self.total_cost_usd

