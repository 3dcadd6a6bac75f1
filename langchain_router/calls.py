"""One call of :class:`~langchain_router.RoutedChatModel`, from its arguments to its answer.

:class:`CallSteps` holds the steps every entry point shares: read the call's own keywords
(forced tier, ``max_tokens``, tools, structured output, thread), build the core request,
decide and plan; prepare the inner model of each attempt (system prompt, budget, tools);
put the ``router`` metadata on the answer. Nothing here decides: the core does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from shared_core.dispatch import Attempt, AttemptResult, CallPlan
from shared_core.error_usage import reported_usage
from shared_core.errors import BadResponseError
from shared_core.output_budget import (
    hard_limited,
    has_budget,
    pop_output_budget,
    read_choices,
    set_budget,
)
from shared_core.request import ensure_sendable
from shared_core.route_hold import RouteShare

from .capabilities import check_tool_tiers
from .context import (
    THREAD_KWARG,
    USER_KWARG,
    kept_meta,
    only_langchain_meta,
    run_context,
    scalar,
    tag_thread_id,
    thread_id_of,
)
from .handler_errors import HandlerWatch
from .inner import with_overrides
from .messages import (
    answer_of,
    apply_system_prompt,
    routed_tier_in_turn,
    to_core_messages,
    usage_of,
)
from .route_cap import route_share
from .structured import structured_failure
from .tools import STRUCTURED_KEY, StructuredSpec, tool_choice_required, with_schema_check
from .tracing import with_trace_info

_TOOL_EXTRA = ("tool_choice", "strict", "parallel_tool_calls", "response_format")
"""Keywords of the inner model's ``bind_tools`` (``ChatOpenAI`` makes tools strict for a
``response_format``); without tools, ``response_format`` goes to the inner call as it is."""


class _Call:
    """Everything one routed call needs between attempts."""

    __slots__ = (
        "caller_max",
        "choices",
        "from_invoke",
        "messages",
        "passthrough",
        "plan",
        "share",
        "stop",
        "structured",
        "tool_extra",
        "tools",
    )

    def __init__(
        self, messages: list[BaseMessage], stop: list[str] | None, caller_max: int | None
    ) -> None:
        self.caller_max = caller_max
        self.choices: int | None = None
        """Answers the call's own keywords ask for (``n``): passed on, and reserved for."""
        self.messages = messages
        self.passthrough: dict[str, Any] = _NO_KWARGS
        """The call's own keywords for the inner model (read only)."""
        self.tools: Sequence[Any] | None = None
        self.tool_extra: dict[str, Any] = _NO_KWARGS
        self.structured: StructuredSpec | None = None
        self.stop = stop
        self.share: RouteShare | None = None
        """What is left of the per-request cap of the ``RunnableRouter`` route the call is
        made in (:func:`~langchain_router.route_cap.route_share`)."""
        self.from_invoke = False
        """An ``invoke`` that LangChain streams (a streaming handler is attached): the
        whole-answer checks still apply, so the stream is held until they pass."""
        self.plan: CallPlan


_NO_KWARGS: dict[str, Any] = {}
"""The keywords of a call that has none (most calls): one shared dict, never written to
(``_prepare`` copies it, the tool bindings only read it)."""


class CallSteps:
    """The per-call steps of :class:`~langchain_router.RoutedChatModel` (a mixin: the fields
    it reads are the model's own)."""

    if TYPE_CHECKING:
        tiers: dict[str, Any]
        router: Any
        max_tokens: int | None
        temperature: float | None
        stop: list[str] | None

    def _begin(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: Any,
        kwargs: dict[str, Any],
    ) -> tuple[_Call, Any, str | None]:
        """The call's state, its core :class:`Request` and the forced tier (if any).

        ``kwargs`` is the call's own ``**kwargs`` dict (fresh per call): the router's keys
        are popped from it and the rest passes through to the inner model.
        """
        force = thread = user = None
        if kwargs:  # the router's own keys first; most calls have none at all
            # every spelling (max_completion_tokens, num_predict ...): the budget reserved for
            budget = pop_output_budget(kwargs, hard_limit=hard_limited(self.router))
            caller_max = _caller_max(budget, self.max_tokens)
            force = kwargs.pop("model", None)
            thread = kwargs.pop(THREAD_KWARG, None)
            user = kwargs.pop(USER_KWARG, None)
            call = _Call(messages, stop or self.stop or None, caller_max)
            call.choices = read_choices(kwargs)  # n: each answer is billed up to the budget
            call.tools = kwargs.pop("tools", None) or None
            if call.tools is not None:  # typed error before routing (a classifier may cost money)
                check_tool_tiers(self.router.config, self.tiers)
            call.structured = kwargs.pop(STRUCTURED_KEY, None)
            kwargs.pop("ls_structured_output_format", None)
            if kwargs:
                call.tool_extra = {
                    k: kwargs.pop(k) for k in _TOOL_EXTRA
                    if k in kwargs and (call.tools is not None or k != "response_format")
                }
                call.passthrough = kwargs
        else:
            call = _Call(messages, stop or self.stop or None, self.max_tokens)
        # read only here (extract copies what it keeps): no copies of the run's tags/metadata
        tags: Sequence[str]
        md: Mapping[str, Any]
        if run_manager is not None:
            tags, md = run_manager.tags, run_manager.metadata
        else:  # LangChain's stream() passes none: the call's own context says (budgets need it)
            tags, md, call.from_invoke = run_context(self)
        call.share = route_share(run_manager)
        if force is None:
            prev = routed_tier_in_turn(messages)
            if prev is not None and prev in _private(self, "_names"):
                force = prev  # an agent's tool loop stays on the tier that started the turn
        core = to_core_messages(messages)
        ensure_sendable(core)  # typed InputError before any provider call
        # only what differs from the request's defaults (most calls: nothing): ~1 µs less
        # than seven keywords passed on twice (request, then extract)
        kw: dict[str, Any] = {}
        if call.tools is not None:
            kw["has_tools"] = True
            kw["tool_choice_required"] = tool_choice_required(call.tool_extra.get("tool_choice"))
        if call.structured is not None:
            kw["structured_output"] = True
        if only_langchain_meta(md):  # most calls: no thread, user or metadata of the caller's in it
            if (thread_id := thread or (tag_thread_id(tags) if tags else None)) is not None:
                kw["thread_id"] = thread_id
            if user is not None:
                kw["user"] = user
        else:
            if (thread_id := thread or thread_id_of(md, tags)) is not None:
                kw["thread_id"] = thread_id
            # the metadata's user wins over configurable's (:data:`USER_KWARG`, a str already)
            if (user := scalar(md.get("user_id") or md.get("user")) or user) is not None:
                kw["user"] = user
            if meta := kept_meta(md):
                kw["metadata"] = meta
        if tags:
            kw["tags"] = tags
        request = self.router.request(core, **kw)
        return call, request, force if isinstance(force, str) else None

    def _start(
        self,
        messages: list[BaseMessage],
        stop: Any,
        run_manager: Any,
        kwargs: dict[str, Any],
        *,
        streaming: bool,
    ) -> _Call:
        call, request, force = self._begin(messages, stop, run_manager, kwargs)
        decision = self.router.decide_request(request, force=force, record_as="langchain")
        return self._planned(call, request, decision, streaming)

    async def _astart(
        self,
        messages: list[BaseMessage],
        stop: Any,
        run_manager: Any,
        kwargs: dict[str, Any],
        *,
        streaming: bool,
    ) -> _Call:
        call, request, force = self._begin(messages, stop, run_manager, kwargs)
        decision = await self.router.adecide_request(request, force=force, record_as="langchain")
        return self._planned(call, request, decision, streaming)

    def _planned(self, call: _Call, request: Any, decision: Any, streaming: bool) -> _Call:
        """The call with its plan: the part ``_start`` and ``_astart`` share."""
        call.plan = self.router.plan(
            decision,
            request,
            framework="langchain",
            caller_max_tokens=call.caller_max,
            choices=call.choices,
            tier_choices=_private(self, "_tier_choices"),
            streaming=streaming,
            route_share=call.share,
        )
        if call.structured is not None:  # a parse failure on every tier: an OutputParserException too
            call.plan.failure_type = structured_failure
        return call

    def _prepare(
        self, call: _Call, attempt: Attempt
    ) -> tuple[BaseChatModel, list[BaseMessage], dict[str, Any]]:
        """The inner model (with per-call overrides), its messages and its call kwargs."""
        tier = attempt.tier
        inner = self.tiers[tier.name]
        msgs = apply_system_prompt(call.messages, tier.system_prompt, tier.system_prompt_mode)
        kw = dict(call.passthrough)
        if attempt.max_tokens is not None and has_budget(kw):  # e.g. Ollama's options
            kw = set_budget(kw, attempt.max_tokens, top=False)
        if call.tools is not None:
            bindings = _private(self, "_bindings")
            kw.update(bindings.tool_kwargs(tier.name, inner, call.tools, call.tool_extra))
        if call.structured is not None:
            bindings = _private(self, "_bindings")
            kw.update(bindings.structured_kwargs(tier.name, inner, call.structured))
        inner, extra = with_overrides(inner, attempt.max_tokens, self.temperature)
        if extra:  # what the inner model has no field for (most have a budget field)
            kw.update(extra)
        return inner, msgs, kw

    def _answered(self, call: _Call, attempt: Attempt, result: ChatResult) -> AttemptResult:
        """An inner model's answer as the plan takes it (``_generate`` and ``_agenerate``)."""
        if not result.generations:  # the usage the answer reported is what it is billed
            out = result.llm_output or {}
            usage = reported_usage(out.get("token_usage"), str(out.get("model_name") or attempt.tier.model))
            raise BadResponseError.no_choices(attempt.tier.name, usage=usage)
        gen = result.generations[0]
        answer = answer_of(gen.message, gen.generation_info)
        if call.structured is not None:
            answer = with_schema_check(answer, gen.message, call.structured)
        return AttemptResult(value=result, usage=usage_of(gen.message), answer=answer)

    @staticmethod
    def _not_answered(attempt: Attempt, run: HandlerWatch | None, exc: Exception) -> None:
        """Called with the error an inner model's ``_generate`` / ``_agenerate`` raised:
        raises what ends the attempt instead, if anything (else the caller re-raises it).

        A callback handler's error ends the call as LangChain's own (:mod:`.handler_errors`,
        :class:`~shared_core.dispatch.StopCall`); an ``IndexError`` is the client indexing an
        empty ``choices``."""
        if run is not None and run.raised(exc):
            raise run.stop(exc) from exc
        if isinstance(exc, IndexError):
            raise BadResponseError.no_choices(attempt.tier.name, exc) from exc

    def _finish(self, result: ChatResult, plan: CallPlan) -> ChatResult:
        meta = plan.metadata()
        final = plan.final
        traced = _private(self, "_trace")[final.tier.name] if final is not None else None
        name = None
        for gen in result.generations:
            rm = gen.message.response_metadata
            name = str(
                rm.get("model_name")
                or (gen.generation_info or {}).get("model_name")
                or _answering_model(plan, meta)
            )
            rm["model_name"] = name
            rm["router"] = meta
            gen.generation_info = with_trace_info(gen.generation_info, traced)
        if name is None:
            name = _answering_model(plan, meta)
        # the inner model's fresh result: safe to update
        result.llm_output = {**(result.llm_output or {}), "model_name": name, "router": meta}
        return result


def _answering_model(plan: CallPlan, meta: dict[str, Any]) -> str:
    """The model that answered, without its ``provider:`` prefix (for ``model_name``)."""
    final = plan.final
    return final.tier.bare_model if final is not None else str(meta["model"])


def _private(model: Any, name: str) -> Any:
    """A pydantic private attribute of ``model``, read where pydantic keeps it. The per-call
    paths use this: ``model._name`` goes through pydantic's ``__getattr__``, which raises and
    catches an ``AttributeError`` on every read (~1.3 µs)."""
    return model.__pydantic_private__[name]


def _caller_max(value: Any, default: int | None) -> int | None:
    """The call's output budget (any spelling; wins over every tier's), else the model's own."""
    return default if value is None else int(value)
