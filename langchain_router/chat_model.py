"""`RoutedChatModel`: a LangChain chat model that routes each call to one inner model per tier.

Swap ``ChatOpenAI(...)`` for ``RoutedChatModel(tiers={...})`` in a chain or agent and nothing
else changes. Each call: convert the messages, ask the core router for a tier, apply the
tier's system prompt and token budget, call the inner model's own ``_generate`` /
``_agenerate`` / ``_stream`` / ``_astream`` (never its public ``invoke``, which would open a
second callback run and double count), and let the core plan handle fallback,
escalation and the ledger.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import (
    Runnable,
    RunnableConfig,
)
from pydantic import ConfigDict, Field, PrivateAttr

from shared_core.adapters_common import as_config
from shared_core.dispatch import Attempt, AttemptResult, aexecute, execute
from shared_core.errors import ConfigError
from shared_core.no_copies import NoDeepCopies
from shared_core.output_budget import tier_choices
from shared_core.pricing import estimate_tokens

from .cache import cache_fingerprint, mark_cached, served_from_cache
from .calls import CallSteps, _private
from .capabilities import check_tool_tiers, routed_profile
from .construction import build_router, reject_typos
from .context import (
    THREAD_KWARG,
    USER_KWARG,
    astream_in_run,
    reset_run,
    stream_in_run,
    thread_kwargs,
    with_run,
)
from .factory import config_for_tierless, inner_models
from .handler_errors import watch
from .inner import inner_agenerate, inner_generate
from .retries import without_retries
from .serde import constructor_kwargs
from .stream_calls import StreamCalls
from .tools import (
    STRUCTURED_KEY,
    BindingCache,
    StructuredSpec,
    structured_runnable,
)
from .tracing import trace_info

_BUILT_FROM = frozenset({
    "tiers", "config", "ledger", "router", "classifier", "prices", "judge", "encoder", "checks",
    "allow_unordered", "timeout", "max_retries",
})
"""Fields the router and the inner models' copies are built from (see ``model_copy``)."""


class RoutedChatModel(NoDeepCopies, CallSteps, StreamCalls, BaseChatModel):
    """A chat model over one inner chat model per tier, cheapest first.

    Example::

        routed = RoutedChatModel(tiers={"cheap": ChatOpenAI(model="gpt-4o-mini"),
                                        "strong": ChatOpenAI(model="gpt-4o")})
        chain = prompt | routed | StrOutputParser()

    Per-call options (``invoke(..., model=...)`` or ``bind(...)``): ``model`` forces a tier
    name or model id; ``max_tokens`` overrides every tier's budget. The answering tier is in
    ``response_metadata["router"]`` (tier, model, confidence, classifier, escalated,
    fallbacks_tried, cost_usd, total_cost_usd, baseline_cost_usd, call_id ...).

    Not supported: the inner models' own caches, rate limiters and callback handlers are
    bypassed (the router calls their private ``_generate``); put a rate limiter and handlers
    on the router instead (its handlers see each routed call).

    The per-call steps are :class:`~langchain_router.calls.CallSteps`, the streamed calls
    :class:`~langchain_router.stream_calls.StreamCalls`.
    """

    rebuild_hint: ClassVar[str] = (
        "RoutedChatModel(tiers=..., config=..., ledger=<a SQLite or Postgres ledger path>) in each "
        "process (a file ledger is shared by every process that opens it)"
    )

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    tiers: dict[str, Any] = Field(default_factory=dict, exclude=True)
    """One inner chat model per tier name, cheapest first (any provider). Not given: built
    with ``init_chat_model`` from the config's ``"provider:model"`` ids (``config=``, else the
    file named by ``$TIER_ROUTER_CONFIG``)."""
    config: Any = Field(default=None, exclude=True)
    """A ``RouterConfig``, a dict or a path; ``None`` = embedded default over these tiers."""
    ledger: Any = Field(default=None, exclude=True)
    """A ``CostLedger`` or a SQLite path; ``None`` = in-memory (``routed.router.ledger``)."""
    router: Any = Field(default=None, exclude=True)
    """The core :class:`shared_core.Router` (config, classifier, ledger, prices). Pass one to
    share it between models (its config must name these tiers); built from ``config`` otherwise."""
    classifier: Any = Field(default=None, exclude=True)
    """Overrides the classifier built from the config (e.g. ``FakeClassifier`` in tests)."""
    prices: Any = Field(default=None, exclude=True)
    """A ``PriceTable`` (default: the bundled price data plus tier overrides)."""
    judge: Any = Field(default=None, exclude=True)
    """Chat model asked by a ``judge`` classifier (default: the cheapest tier's model)."""
    encoder: Any = Field(default=None, exclude=True)
    """Encoder of an ``embedding`` classifier: any LangChain ``Embeddings`` or core ``Encoder``."""
    checks: list[Any] = Field(default_factory=list, exclude=True)
    """Your own escalation checks: ``check(answer_text) -> bool`` (``False`` retries one tier
    up), run after the config's checks."""
    allow_unordered: bool = False
    """Accept tiers whose known prices fall along the ladder (otherwise an error here); the
    same as ``allow_unordered: true`` in the config."""
    max_tokens: int | None = None
    """Caller's output budget for every tier; ``None`` = each tier's own ``max_tokens``."""
    temperature: float | None = None
    """Applied to inner models that have a ``temperature`` field; ``None`` leaves them alone."""
    stop: list[str] | None = None
    """Default stop sequences (a call's ``stop`` wins)."""
    timeout: float | None = None
    """Per-attempt timeout in seconds (``fallback.attempt_timeout_s`` when the config sets
    none): an attempt that takes longer falls back to the next tier."""
    max_retries: int | None = None
    """Accepted for drop-in compatibility and ignored: the router's fallback is the retry, and
    the inner models' own retries are turned off where the router may (:mod:`.retries`)."""

    _bindings: BindingCache = PrivateAttr(default_factory=BindingCache)
    _names: frozenset[str] = PrivateAttr()
    _ls_name: str = PrivateAttr(default="tier-router")
    _trace: dict[str, dict[str, str] | None] = PrivateAttr(default_factory=dict)
    _given: frozenset[str] = PrivateAttr(default=frozenset())
    _tier_models: dict[str, str] = PrivateAttr(default_factory=dict)
    _cache_key: str = PrivateAttr(default="")
    _tier_choices: dict[str, int] = PrivateAttr(default_factory=dict)  # tiers asking for n answers

    def __init__(self, **data: Any) -> None:
        reject_typos(type(self), data)
        super().__init__(**data)
        self._given = frozenset(k for k in ("tiers", "router") if data.get(k) is not None)
        self._build_router()  # here, not in model_post_init: pydantic would wrap ConfigError

    def model_copy(self, *, update: Any = None, deep: bool = False) -> Any:  # type: ignore[override]
        """A copy; per-call defaults (``max_tokens``, ``temperature``, ``stop``, callbacks...)
        may change, but not what the router was built from: a copy with other ``tiers`` called
        the new models while recording the old ones' names and prices. Build a new
        ``RoutedChatModel`` for that."""
        built = sorted(_BUILT_FROM.intersection(update or ()))
        if built:
            raise ConfigError(
                f"model_copy cannot change {', '.join(built)}: the router was built from them; "
                "build a new RoutedChatModel(...) instead",
                field=built[0], value=None,
            )
        return super().model_copy(update=update, deep=deep)

    def _build_router(self) -> None:
        if "tiers" not in self._given:
            self.config = config_for_tierless(self.config)
            self.tiers = inner_models(as_config(self.config), {})
        self.router = build_router(self)
        self.tiers = without_retries(self.tiers)  # fallback is the retry (see .retries)
        self._names = frozenset(self.tiers)
        self._tier_choices = tier_choices(self.tiers)  # ChatOpenAI(n=4): reserved 4 x max_tokens
        self._trace = {name: trace_info(inner, name) for name, inner in self.tiers.items()}
        self._ls_name = "tier-router:" + "|".join(self.router.config.tier_names)
        self._tier_models = {t.name: t.model for t in self.router.config.tiers}
        self._cache_key = cache_fingerprint(self.router, self.tiers)
        if self.profile is None:  # (create_agent, SummarizationMiddleware read it)
            self.profile = routed_profile(self.tiers)  # type: ignore[assignment]

    # -- construction from a config file ------------------------------------------------
    @classmethod
    def from_config(cls, path: str | Path, **init_kwargs: Any) -> RoutedChatModel:
        """Build the inner models from the config's ``"provider:model"`` ids.

        Uses ``langchain.chat_models.init_chat_model``; ``init_kwargs`` (``base_url``,
        ``api_key``, ``temperature`` ...) go to every inner model. Router options
        (``ledger``, ``classifier``, ``prices``, ``max_tokens``) go to the router.
        """
        from .factory import tiers_from_config

        tiers, cfg, own = tiers_from_config(path, init_kwargs)
        return cls(tiers=tiers, config=cfg, **own)

    # -- serialisation (dumpd / load) -----------------------------------------------------
    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_router"]

    def to_json(self) -> Any:
        """LangChain's constructor form; "not implemented" when a part cannot be kept
        (see :mod:`langchain_router.serde`)."""
        own = constructor_kwargs(
            self, tiers_given="tiers" in self._given, router_given="router" in self._given
        )
        out = super().to_json()
        if own is None or out.get("type") != "constructor":
            return self.to_json_not_implemented()
        out["kwargs"].update(own)  # type: ignore[typeddict-item]
        return out

    # -- LangChain plumbing --------------------------------------------------------------
    @property
    def _llm_type(self) -> str:
        return "tier-router"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        # read by LangChain on every call (invocation params): built once, copied out
        return {"tiers": dict(_private(self, "_tier_models"))}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        forced = kwargs.get("model")
        name = forced if isinstance(forced, str) else _private(self, "_ls_name")
        params = LangSmithParams(
            ls_provider="tier_router", ls_model_name=name, ls_model_type="chat"
        )
        mt = kwargs.get("max_tokens", self.max_tokens)
        if isinstance(mt, int):
            params["ls_max_tokens"] = mt
        temp = kwargs.get("temperature", self.temperature)
        if isinstance(temp, (int, float)):
            params["ls_temperature"] = float(temp)
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; the original objects are bound to the chosen inner model per call.

        Only tiers whose model can call tools (``supports_tools``) are routed tool calls.
        Raises :class:`~shared_core.errors.ToolsUnsupportedError` (a ``NotImplementedError``)
        here, before any call, when no tier's model has a ``bind_tools`` of its own, or when
        a shared router's config sends tools to a tier whose model has none.
        """
        check_tool_tiers(self.router.config, self.tiers)
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=list(tools), **kwargs)

    def with_structured_output(  # type: ignore[override]
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[LanguageModelInput, Any]:
        """Structured output in the chosen inner model's native mode.

        ``method`` (``json_schema`` / ``function_calling`` / ``json_mode``) is passed to the
        inner model's own ``with_structured_output``; by default each inner model uses its own
        default. A Pydantic schema gives an instance, other schemas a dict.
        """
        if schema is None:
            raise ConfigError("with_structured_output needs a schema", field="schema", value=None)
        method = kwargs.pop("method", None)
        spec = StructuredSpec(schema=schema, method=method, kwargs=kwargs)
        llm = self.bind(
            **{STRUCTURED_KEY: spec},
            ls_structured_output_format={
                "kwargs": {"method": method or "native"},
                "schema": schema,
            },
        )
        return structured_runnable(llm, schema, include_raw=include_raw, method=method)

    # -- public entry points: carry config["configurable"]'s thread_id and user_id to the call --
    def invoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:  # type: ignore[override]
        return super().invoke(input, config, **thread_kwargs(config, kwargs))

    async def ainvoke(  # type: ignore[override]
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:
        return await super().ainvoke(input, config, **thread_kwargs(config, kwargs))

    def stream(  # type: ignore[override]
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[AIMessageChunk]:
        # LangChain's stream() calls _stream without its run manager: the call's tags and
        # metadata (users, budget scopes) reach it through the run context instead
        return stream_in_run(super().stream(input, config, **thread_kwargs(config, kwargs)), config)

    def astream(  # type: ignore[override]
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        return astream_in_run(super().astream(input, config, **thread_kwargs(config, kwargs)), config)

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text``: ``custom_get_token_ids`` when set, else the router's own
        estimate (characters / 4 for ASCII text, a token per CJK character), which needs no
        tokenizer download (LangChain's default loads GPT-2's from the Hugging Face hub through
        ``transformers``)."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return estimate_tokens(text)

    # -- LangChain's cache: a hit calls no model, so it costs 0 ---------------------------------
    def _generate_with_cache(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        token = with_run("run", run_manager)  # its streaming branch passes _stream no run manager
        try:
            result = super()._generate_with_cache(messages, stop, run_manager, **kwargs)
        finally:
            reset_run(token)
        return served_from_cache(self.router, result, run_manager, kwargs)

    async def _agenerate_with_cache(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        token = with_run("run", run_manager)
        try:
            result = await super()._agenerate_with_cache(messages, stop, run_manager, **kwargs)
        finally:
            reset_run(token)
        return served_from_cache(self.router, result, run_manager, kwargs)

    def _get_llm_string(self, stop: list[str] | None = None, **kwargs: Any) -> str:
        # the conversation id and the user are the router's own bookkeeping, not parameters of
        # the answer: the same prompt in another conversation (or for another user) hits
        # LangChain's cache, as with a plain model
        kwargs.pop(THREAD_KWARG, None)
        kwargs.pop(USER_KWARG, None)
        # + the tiers' models and the config: without them a model LangChain cannot serialise
        # (checks=, classifier=, router= objects) was keyed by its class name alone
        return super()._get_llm_string(stop=stop, **kwargs) + _private(self, "_cache_key")

    def _convert_cached_generations(self, cache_val: list[Any]) -> list[ChatGeneration]:
        return mark_cached(super()._convert_cached_generations(cache_val))

    # -- the four native entry points --------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._start(messages, stop, run_manager, kwargs, streaming=False)

        def attempt_call(attempt: Attempt) -> AttemptResult:
            inner, msgs, kw = self._prepare(call, attempt)
            run = watch(run_manager)  # sees a callback handler's error end the answer
            try:
                result = inner_generate(inner, msgs, call.stop, run, kw)
            except Exception as exc:
                self._not_answered(attempt, run, exc)
                raise
            return self._answered(call, attempt, result)

        out = execute(call.plan, attempt_call)
        return self._finish(out.value, call.plan)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = await self._astart(messages, stop, run_manager, kwargs, streaming=False)

        async def attempt_call(attempt: Attempt) -> AttemptResult:
            inner, msgs, kw = self._prepare(call, attempt)
            run = watch(run_manager)
            try:
                result = await inner_agenerate(inner, msgs, call.stop, run, kw)
            except Exception as exc:
                self._not_answered(attempt, run, exc)
                raise
            return self._answered(call, attempt, result)

        out = await aexecute(call.plan, attempt_call)
        return self._finish(out.value, call.plan)


# LangChain reads the signature of ``_generate`` / ``_agenerate`` on every call (does it take a
# run_manager?): ~15 µs of ``inspect`` per call for a signature that never changes. Kept here.
for _entry in (RoutedChatModel._generate, RoutedChatModel._agenerate):
    _entry.__signature__ = inspect.signature(_entry)  # type: ignore[union-attr]
