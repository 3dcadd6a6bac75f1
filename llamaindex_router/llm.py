"""`RoutedLLM`: a LlamaIndex function-calling LLM over one inner LLM per tier.

Pass it wherever LlamaIndex takes ``llm=`` (or set ``Settings.llm``)::

    llm = RoutedLLM(tiers={"cheap": OpenAI(model="gpt-4o-mini"), "strong": OpenAI(model="gpt-4o")})
    index.as_query_engine(llm=llm).query("What is the capital of France?")

Each call is classified, sent to the chosen tier with that tier's system prompt and token
budget (applied once), and recorded in the router's ledger. The decision and cost are on
every response: ``response.additional_kwargs["router"]`` (and ``raw["router"]`` when
``raw`` is a dict); ``llm.last_route`` holds the latest one (per process, for convenience).

What is classified: the last user turn plus a little history (the core's extraction). When a
query engine or synthesizer calls ``predict`` / ``structured_predict`` with a template that
has a ``query_str`` or ``question`` variable (every LlamaIndex QA, refine, summarise and
condense template does), only that question is classified, not the retrieved context or the
chat history around it; the whole prompt still
counts for context-window eligibility. A templated prompt that reaches ``chat`` directly is
recognised by its ``Query: ... Answer:`` tail or as one of LlamaIndex's question templates
(:mod:`.templates`). Per-call routing options travel in
:func:`llamaindex_router.route_context` or a ``routing={...}`` keyword.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypedDict

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms import LLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from typing_extensions import Unpack

from shared_core.adapters_common import as_config, config_for_tierless, reject_typos
from shared_core.dispatch import aexecute, execute
from shared_core.errors import ConfigError
from shared_core.no_copies import NoDeepCopies
from shared_core.output_budget import hard_limited, read_choices, read_output_budget, tier_choices

from . import calls, context
from .factory import inner_llms, tiers_from_config
from .inner import InnerLLM
from .llm_templates import TemplatedPrompts
from .llm_tools import ToolCalling
from .messages import core_request
from .responses import annotate
from .retries import without_retries
from .tools import PREPARED_KEY, PreparedTools
from .wiring import build_router, span_mixin_overrides, tier_metadata, warn_tier_system_prompts


class _How(TypedDict, total=False):
    """How a call runs, not how it is routed (``prompt``: set for completion calls)."""

    streaming: bool
    prompt: str | None
    formatted: bool


_Routed = tuple[PreparedTools | None, Any, Any]
_OWN_ARGS = (
    "tiers", "config", "ledger", "router", "classifier", "prices", "checks", "embed_model",
    "judge_llm", "allow_unordered",
)
"""RoutedLLM's own constructor arguments (a near miss of one is refused, not ignored)."""


class RoutedLLM(NoDeepCopies, TemplatedPrompts, ToolCalling, FunctionCallingLLM):
    """A LlamaIndex ``FunctionCallingLLM`` that routes each call to the cheapest adequate tier.

    Args:
        tiers: ``{tier name: LlamaIndex LLM}``, cheapest first. Not given: built from the
            config's ``"provider:model"`` ids (``config=``, else the file named by
            ``$TIER_ROUTER_CONFIG``; see :meth:`from_config`), as ``RoutedChatModel`` does.
        config: a :class:`~shared_core.RouterConfig`, a dict or a YAML/TOML path; ``None``
            builds one from the tiers (embedded default classifier).
        ledger: a :class:`~shared_core.CostLedger`, a SQLite path, or ``None`` (in memory).
        router: an existing :class:`~shared_core.Router` to share (e.g. with the LangChain
            adapter: same decisions, same ledger); its tier names must match ``tiers``.
        classifier: passed to the :class:`~shared_core.Router`.
        prices: passed to the :class:`~shared_core.Router`.
        checks: passed to the :class:`~shared_core.Router`.
        embed_model: a LlamaIndex ``BaseEmbedding`` (or any encoder) for ``embedding``
            classifiers.
        judge_llm: a LlamaIndex LLM for ``judge`` classifiers (default: the cheapest tier's).
        allow_unordered: accept tiers whose known prices fall along the ladder (otherwise a
            :class:`~shared_core.ConfigError` here); as ``allow_unordered: true`` in the config.
    """

    rebuild_hint: ClassVar[str] = (
        "RoutedLLM.from_config(path) or RoutedLLM(tiers=..., config=..., ledger=<a SQLite or Postgres "
        "ledger path>) in each process (a file ledger is shared by every process that opens it); "
        "copy.copy() shares the router within one process"
    )

    model: str = Field(default="tier-router", description="Model name reported in metadata.")
    max_tokens: int | None = Field(
        default=None,
        gt=0,
        description="Caller's output budget; when set it overrides every tier's.",
    )
    routing: dict[str, Any] = Field(
        default_factory=dict,
        description="Default routing options for every call: thread_id, user, tags, metadata, force.",
    )

    _router: Any = PrivateAttr()
    _inners: dict[str, InnerLLM] = PrivateAttr()
    _tier_choices: dict[str, int] = PrivateAttr(default_factory=dict)  # tiers asking for n answers
    _metadata: tuple[int | None, LLMMetadata] | None = PrivateAttr(default=None)
    _last: dict[str, Any] | None = PrivateAttr(default=None)

    def __init__(
        self,
        tiers: Mapping[str, LLM] | None = None,
        config: Any = None,
        ledger: Any = None,
        *,
        router: Any = None,
        classifier: Any = None,
        prices: Any = None,
        checks: Sequence[Any] = (),
        embed_model: Any = None,
        judge_llm: Any = None,
        allow_unordered: bool = False,
        **kwargs: Any,
    ) -> None:
        # a misspelt argument of ours would pass to LLM's pydantic init and be ignored
        reject_typos(type(self).__name__, kwargs, [*_OWN_ARGS, *type(self).model_fields])
        super().__init__(**kwargs)
        if tiers is None:  # as RoutedChatModel: the config's "provider:model" ids
            config = config_for_tierless(config, adapter="RoutedLLM", inner="llm")
            tiers = inner_llms(as_config(config), {})
        if not isinstance(tiers, Mapping) or not tiers:
            raise ConfigError(
                "tiers must be a non-empty dict {tier name: LlamaIndex LLM}, cheapest first",
                field="tiers",
                value=type(tiers).__name__,
            )
        for name, llm in tiers.items():
            if not isinstance(llm, LLM):
                raise ConfigError(
                    f"tiers[{name!r}] must be a LlamaIndex LLM, got {type(llm).__name__}",
                    field=f"tiers.{name}",
                    value=type(llm).__name__,
                )
        context.Routing().merged(self.routing)  # validates the keys
        warn_tier_system_prompts(tiers)
        # fallback is the retry: the inner LLMs' own retries are off where the router may
        # (the default judge, the cheapest tier, is called through the same copy)
        own = {name: without_retries(name, llm) for name, llm in tiers.items()}
        choices = tier_choices(own)  # additional_kwargs={"n": 4}: reserved 4 x max_tokens
        self._router = build_router(
            own,
            config,
            ledger,
            router=router,
            classifier=classifier,
            prices=prices,
            checks=checks,
            embed_model=embed_model,
            judge_llm=judge_llm,
            allow_unordered=allow_unordered,
            max_tokens=self.max_tokens,
        )
        self._inners = {name: InnerLLM(llm) for name, llm in own.items()}
        self._tier_choices = choices

    @classmethod
    def from_config(cls, path: str | Path, **kwargs: Any) -> RoutedLLM:
        """Build the inner LLMs from the config's ``"provider:model"`` ids.

        ``openai:gpt-4o-mini`` is ``llama_index.llms.openai.OpenAI(model="gpt-4o-mini")``
        (see :mod:`llamaindex_router.factory` for the providers). ``kwargs`` (``api_base``,
        ``api_key``, ``temperature`` ...) go to every inner LLM, except RoutedLLM's own
        (``ledger``, ``router``, ``classifier``, ``prices``, ``checks``, ``embed_model``,
        ``judge_llm``, ``allow_unordered``, ``max_tokens``, ``routing``, ``system_prompt``,
        ``callback_manager``).
        """
        tiers, cfg, own = tiers_from_config(path, kwargs)
        return cls(tiers=tiers, config=cfg, **own)

    @classmethod
    def class_name(cls) -> str:
        return "RoutedLLM"

    # -- public extras -----------------------------------------------------------
    @property
    def router(self) -> Any:
        """The :class:`~shared_core.Router` (config, ledger, prices, classifier)."""
        return self._router

    @property
    def tiers(self) -> dict[str, LLM]:
        """The inner LLMs by tier name, cheapest first."""
        return {name: inner.llm for name, inner in self._inners.items()}

    @property
    def last_route(self) -> dict[str, Any] | None:
        """Router metadata of the latest finished call (prefer the response's own copy)."""
        return self._last

    @property
    def metadata(self) -> LLMMetadata:
        """Limits true for every tier that may be chosen (the minimum over them)."""
        cached = self._metadata
        if cached is None or cached[0] != self.max_tokens:
            md = tier_metadata(self.model, self._router.config, self._inners, self.max_tokens)
            cached = self._metadata = (self.max_tokens, md)
        return cached[1]

    # -- deciding ---------------------------------------------------------------
    def _routing(self, kwargs: dict[str, Any]) -> context.Routing:
        r = context.current().merged(self.routing)
        return r.merged(kwargs.pop("routing", None))

    def _intake(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[PreparedTools | None, Any, str | None, context.Routing]:
        """Pop the per-call options from ``kwargs``: (tools prepared earlier, request, force,
        routing context)."""
        # a typed error before the classifier (may be paid) runs
        read_output_budget(kwargs, hard_limit=hard_limited(self._router))
        read_choices(kwargs)  # n: each answer is billed up to the budget
        prepared: PreparedTools | None = kwargs.pop(PREPARED_KEY, None)
        r = self._routing(kwargs)
        if prepared is not None:
            return prepared, prepared.request, prepared.force or r.force, r
        request = core_request(self._router, messages, r, tools=False, required=False)
        return None, request, r.force, r

    def _call(
        self, messages: Sequence[ChatMessage], kwargs: Any, routed: _Routed, how: _How,
        r: context.Routing,
    ) -> calls.RoutedCall:
        """The call's plan and input; ``routed``: (tools prepared earlier, request, decision)."""
        prepared, request, decision = routed
        plan = self._router.plan(
            decision,
            request,
            framework="llamaindex",
            caller_max_tokens=read_output_budget(kwargs) or self.max_tokens,
            choices=read_choices(kwargs),
            tier_choices=self._tier_choices,
            streaming=how.get("streaming", False),
        )
        prompt, formatted = how.get("prompt"), how.get("formatted", False)
        return calls.RoutedCall(
            plan, self._inners, messages, prompt, formatted, kwargs, prepared, self._remember,
            output_cls=r.output_cls,
        )

    def _begin(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], **how: Unpack[_How]
    ) -> calls.RoutedCall:
        """A decided routed call."""
        prepared, request, force, r = self._intake(messages, kwargs)
        decision = self._router.decide_request(request, force=force, record_as="llamaindex")
        return self._call(messages, kwargs, self._tools_for(prepared, request, decision), how, r)

    async def _abegin(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], **how: Unpack[_How]
    ) -> calls.RoutedCall:
        """Async twin of :meth:`_begin` (the classifier may be async)."""
        prepared, request, force, r = self._intake(messages, kwargs)
        decision = await self._router.adecide_request(request, force=force, record_as="llamaindex")
        return self._call(messages, kwargs, self._tools_for(prepared, request, decision), how, r)

    def _tools_for(self, prepared: PreparedTools | None, request: Any, decision: Any) -> _Routed:
        """A prepared tool call, decided: the chosen tier formats the tools now (a tier that
        cannot call tools fails here, before any provider is called)."""
        if prepared is not None:
            prepared.for_tier(decision.tier, self._inners[decision.tier].llm)
        return prepared, request, decision

    def _remember(self, meta: dict[str, Any]) -> None:
        self._last = meta

    def _done(self, call: calls.RoutedCall, response: Any) -> Any:
        return annotate(response, call.finished())

    @property
    def _buffer(self) -> bool:
        return bool(self._router.config.escalation.buffer_streams)

    # -- chat -------------------------------------------------------------------
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        call = self._begin(messages, kwargs)
        return self._done(call, execute(call.plan, call.invoke).value)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        call = await self._abegin(messages, kwargs)
        return self._done(call, (await aexecute(call.plan, call.ainvoke)).value)

    @llm_chat_callback()
    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        call = self._begin(messages, kwargs, streaming=True)
        return calls.stream(call, self._buffer)  # type: ignore[return-value]

    @llm_chat_callback()
    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        call = await self._abegin(messages, kwargs, streaming=True)
        return calls.astream(call, self._buffer)  # type: ignore[return-value]

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        token = calls.OPENED.set(None)
        try:
            outer = self._stream_chat(messages, **kwargs)
            return calls.closing(outer, calls.OPENED.get())  # type: ignore[arg-type]
        finally:
            calls.OPENED.reset(token)

    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        token = calls.OPENED.set(None)
        try:
            outer = await self._astream_chat(messages, **kwargs)
            return calls.aclosing(outer, calls.OPENED.get())  # type: ignore[arg-type]
        finally:
            calls.OPENED.reset(token)

    # -- completion ---------------------------------------------------------------
    def _as_messages(self, prompt: str, formatted: bool) -> tuple[list[ChatMessage], str]:
        if not formatted:
            prompt = self.completion_to_prompt(prompt)  # type: ignore[misc]
        return [ChatMessage(role="user", content=prompt)], prompt

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        msgs, prompt = self._as_messages(prompt, formatted)
        call = self._begin(msgs, kwargs, prompt=prompt, formatted=formatted)
        return self._done(call, execute(call.plan, call.invoke).value)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        msgs, prompt = self._as_messages(prompt, formatted)
        call = await self._abegin(msgs, kwargs, prompt=prompt, formatted=formatted)
        return self._done(call, (await aexecute(call.plan, call.ainvoke)).value)

    @llm_completion_callback()
    def _stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        msgs, prompt = self._as_messages(prompt, formatted)
        call = self._begin(msgs, kwargs, streaming=True, prompt=prompt, formatted=formatted)
        return calls.stream(call, self._buffer)  # type: ignore[return-value]

    @llm_completion_callback()
    async def _astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        msgs, prompt = self._as_messages(prompt, formatted)
        call = await self._abegin(msgs, kwargs, streaming=True, prompt=prompt, formatted=formatted)
        return calls.astream(call, self._buffer)  # type: ignore[return-value]

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        token = calls.OPENED.set(None)
        try:
            outer = self._stream_complete(prompt, formatted, **kwargs)
            return calls.closing(outer, calls.OPENED.get())  # type: ignore[arg-type]
        finally:
            calls.OPENED.reset(token)

    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        token = calls.OPENED.set(None)
        try:
            outer = await self._astream_complete(prompt, formatted, **kwargs)
            return calls.aclosing(outer, calls.OPENED.get())  # type: ignore[arg-type]
        finally:
            calls.OPENED.reset(token)


span_mixin_overrides(RoutedLLM, (TemplatedPrompts, ToolCalling))
