"""Building the router for a ``RoutedLLM``, the LlamaIndex metadata its tiers allow, and the spans of
the methods it takes from its mixins."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import LLMMetadata
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.dispatcher import DISPATCHER_SPAN_DECORATED_ATTR
from llama_index.core.llms import LLM
from llama_index.core.llms.function_calling import FunctionCallingLLM

from shared_core.adapters_common import check_shared_router, config_from_tiers, model_id
from shared_core.cap_bounds import check_calls_bounded
from shared_core.config import RouterConfig
from shared_core.output_budget import tier_budgets
from shared_core.router import Router
from shared_core.tier_defaults import (
    Capabilities,
    _caller_level,
    with_capabilities,
    without_tools,
)
from shared_core.tier_models import check_router_models
from shared_core.variants import VariantRouter

if TYPE_CHECKING:
    from .inner import InnerLLM

logger = logging.getLogger(__name__)


def _inner_metadata(llm: LLM) -> LLMMetadata | None:
    try:
        return llm.metadata
    except Exception as exc:  # e.g. OpenAI(model=<a name it does not know>)
        logger.debug("tier-router: metadata of %s unavailable: %s", type(llm).__name__, exc)
        return None


def metadata_capabilities(llm: LLM) -> Capabilities:
    """Function calling, context window and (when the metadata says) image input of ``llm``.

    LlamaIndex's placeholder window (``DEFAULT_CONTEXT_WINDOW``, 3900) counts as unknown.
    """
    md = _inner_metadata(llm)
    if md is None:
        return Capabilities()
    vision = getattr(md, "is_multimodal", None)
    return Capabilities(
        supports_tools=can_call_tools(llm),
        supports_vision=vision if isinstance(vision, bool) else None,
        context_window=_known_window(md.context_window),
    )


def _known_window(window: int | None) -> int | None:
    """A metadata context window, ``None`` when unknown (LlamaIndex's 3900 placeholder)."""
    if not isinstance(window, int) or window <= 0 or window == DEFAULT_CONTEXT_WINDOW:
        return None
    return window


def warn_tier_system_prompts(tiers: Mapping[str, LLM]) -> None:
    """One warning naming the tiers whose LLM has its own ``system_prompt``.

    LlamaIndex applies an LLM's ``system_prompt`` in that LLM's own ``predict`` / ``stream`` /
    ``structured_predict``; the router calls a tier's ``chat`` (as LlamaIndex's own chat paths
    do), where it never applies, and a second per-LLM prompt would fight the tier's configured
    one (``system_prompt_mode``). So it is not applied: say so, and where one does apply.
    """
    named = [n for n, llm in tiers.items() if getattr(llm, "system_prompt", None)]
    if named:
        warnings.warn(
            f"tier-router: the LLM of tier(s) {', '.join(map(repr, named))} has its own "
            "system_prompt, which RoutedLLM does not send (it calls the tier's chat): set it on "
            "RoutedLLM(system_prompt=...) (applied by predict & co., as for any LlamaIndex LLM) "
            "or as the tier's system_prompt in the config (applied to every call of that tier)",
            UserWarning,
            stacklevel=_caller_level(),
        )


def can_call_tools(llm: LLM) -> bool:
    """A tier can call tools when its LLM is a function-calling LLM that says it can."""
    if not isinstance(llm, FunctionCallingLLM):
        return False
    md = _inner_metadata(llm)
    return md is None or bool(md.is_function_calling_model)


def clip_to_inner(cfg: RouterConfig, tiers: Mapping[str, LLM]) -> RouterConfig:
    """The config with ``supports_tools`` off for tiers whose LLM cannot call tools."""
    return without_tools(cfg, [name for name, llm in tiers.items() if not can_call_tools(llm)])


def build_router(
    tiers: dict[str, LLM],
    config: Any,
    ledger: Any,
    *,
    router: Router | VariantRouter | None,
    classifier: Any,
    prices: Any,
    checks: Sequence[Any],
    embed_model: Any,
    judge_llm: Any,
    allow_unordered: bool = False,
    max_tokens: int | None = None,
) -> Router | VariantRouter:
    """The :class:`Router` a ``RoutedLLM`` runs on (a shared one is checked, not changed)."""
    names = {name: model_id(llm) for name, llm in tiers.items()}
    if router is not None:
        check_shared_router(names, router)  # a Router or a VariantRouter on these tiers
        check_router_models(names, router)
        check_calls_bounded(router, "RoutedLLM", max_tokens)
        return router
    from .inner import _BUDGET_FIELDS

    # a budget set on an inner LLM is its tier's (the ladder's default fills only the rest)
    cfg = config_from_tiers(names, config, model_budgets=tier_budgets(tiers, _BUDGET_FIELDS))
    cfg = clip_to_inner(with_capabilities(cfg, {n: metadata_capabilities(m) for n, m in tiers.items()}), tiers)
    if allow_unordered and not cfg.allow_unordered:
        cfg = cfg.model_copy(update={"allow_unordered": True})
    encoder = None
    if embed_model is not None:
        from .embeddings import as_encoder

        encoder = as_encoder(embed_model)
    from .judge import llm_judge

    # a judge classifier asks judge_llm, by default the cheapest tier's LLM (as in LangChain)
    judge = llm_judge(judge_llm if judge_llm is not None else tiers[cfg.tiers[0].name])
    check_calls_bounded(cfg, "RoutedLLM", max_tokens)
    built = Router(
        cfg,
        classifier=classifier,
        ledger=ledger,
        prices=prices,
        checks=checks,
        encoder=encoder,
        judge_complete=judge,
        # every call is sent with at most max_tokens (RoutedLLM's own): under a per-request
        # cap the tiers need no max_tokens of their own (without it, check_calls_bounded raised)
        _calls_bounded=max_tokens is not None,
    )
    check_router_models(names, built)
    return built


def tier_metadata(
    model: str, cfg: RouterConfig, inners: Mapping[str, InnerLLM], caller_max_tokens: int | None
) -> LLMMetadata:
    """Context window and output budget true for every tier (the minimum over them).

    A tier's window is its config value (set there or filled from its LLM's metadata at
    construction), else its LLM's metadata; LlamaIndex's placeholder (3900) counts as unknown.
    """
    windows: list[int] = []
    outputs: list[int] = []
    tools = False
    for t in cfg.tiers:
        llm = inners[t.name].llm
        md = _inner_metadata(llm)
        window = t.context_window or (_known_window(md.context_window) if md else None)
        if window:
            windows.append(window)  # a value in the config wins over the LLM's metadata
        out = (
            caller_max_tokens
            or t.max_tokens
            or (md.num_output if md and md.num_output > 0 else None)
        )
        if out:
            outputs.append(out)
        tools = tools or (t.supports_tools and can_call_tools(llm))
    kw: dict[str, Any] = {}
    if windows:
        kw["context_window"] = min(windows)
    return LLMMetadata(
        num_output=min(outputs) if outputs else -1,
        is_chat_model=True,
        is_function_calling_model=tools,
        model_name=model,
        **kw,
    )


def span_mixin_overrides(cls: type[LLM], mixins: tuple[type, ...]) -> None:
    """LlamaIndex wraps in a span every method a class defines that implements an abstract
    method or overrides a spanned one (``DispatcherSpanMixin``), but only the class's own
    methods: the overrides ``cls`` takes from its ``mixins`` get the same spans here, from the
    same dispatcher, as if they were written in its body."""
    bases = [b for b in cls.__mro__[1:] if b not in mixins]
    dispatcher = get_dispatcher(cls.__module__)
    for mixin in mixins:
        for name, method in vars(mixin).items():
            if not callable(method) or name in vars(cls):
                continue
            spanned = [
                getattr(b.__dict__.get(name), "__isabstractmethod__", False)
                or hasattr(b.__dict__.get(name), DISPATCHER_SPAN_DECORATED_ATTR)
                for b in bases
            ]
            if any(spanned):
                setattr(cls, name, dispatcher.span(method))
