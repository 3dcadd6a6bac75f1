"""Building a RoutedChatModel's core router from its arguments (kept apart from the model)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from shared_core.adapters_common import check_shared_router, config_from_tiers, model_id
from shared_core.adapters_common import reject_typos as check_typos
from shared_core.cap_bounds import check_calls_bounded
from shared_core.errors import ConfigError
from shared_core.output_budget import tier_budgets
from shared_core.router import Router
from shared_core.tier_defaults import with_capabilities, without_tools
from shared_core.tier_models import check_router_models
from shared_core.variants import VariantRouter

from .capabilities import can_bind_tools, profile_capabilities
from .inner import _BUDGET_FIELDS
from .judge import lazy_judge_pair


def build_router(model: Any) -> Router | VariantRouter:
    """The core router for ``model`` (a RoutedChatModel): its own ``router=`` after checking
    that the tier names match, or one built from ``config`` over the inner models' ids."""
    for name, inner in model.tiers.items():
        if not isinstance(inner, BaseChatModel):
            raise ConfigError(
                f"tiers[{name!r}] must be a LangChain chat model (BaseChatModel), "
                f"got {type(inner).__name__}",
                field=f"tiers.{name}",
                value=type(inner).__name__,
            )
    ids = {n: model_id(m) for n, m in model.tiers.items()}
    if model.router is not None:
        check_shared_router(ids, model.router)  # a Router or a VariantRouter on these tiers
        check_router_models(ids, model.router)
        check_calls_bounded(model.router, "RoutedChatModel", model.max_tokens)
        if model.checks:
            raise ConfigError(
                "checks= and router= together: give the checks to the Router "
                "(Router(config, checks=[...])), which runs them",
                field="checks",
                value=len(model.checks),
            )
        return model.router
    else:
        # a budget set on an inner model is its tier's (the ladder's default fills only the rest)
        cfg = config_from_tiers(ids, model.config, model_budgets=tier_budgets(model.tiers, _BUDGET_FIELDS))
        cfg = with_capabilities(cfg, {n: profile_capabilities(m) for n, m in model.tiers.items()})
        # a model with no bind_tools can never take tools: tool calls skip its tier
        cfg = without_tools(cfg, [n for n, m in model.tiers.items() if not can_bind_tools(m)])
        if model.allow_unordered and not cfg.allow_unordered:
            cfg = cfg.model_copy(update={"allow_unordered": True})
        if model.timeout is not None and (
            model.config is None or cfg.fallback.attempt_timeout_s is None
        ):
            # ChatOpenAI(timeout=...) habits carry over: a per-attempt timeout, then fallback
            cfg = cfg.model_copy(deep=True)
            cfg.fallback.attempt_timeout_s = float(model.timeout)
        check_calls_bounded(cfg, "RoutedChatModel", model.max_tokens)
        router = Router(
            cfg,
            classifier=model.classifier,
            ledger=model.ledger,
            prices=model.prices,
            judge_complete=lazy_judge_pair(lambda: model.judge or next(iter(model.tiers.values()))),
            encoder=_encoder(model.encoder),
            checks=model.checks,
            # every call is sent with at most model.max_tokens: under a per-request cap the
            # tiers need no max_tokens of their own (without it, check_calls_bounded raised)
            _calls_bounded=model.max_tokens is not None,
        )
        check_router_models(ids, router)
        return router


def _encoder(encoder: Any) -> Any:
    from langchain_core.embeddings import Embeddings

    if isinstance(encoder, Embeddings):
        from .embeddings import LangChainEncoder

        return LangChainEncoder(encoder)
    return encoder


def reject_typos(cls: Any, data: dict[str, Any]) -> None:
    """A misspelt argument of ours (``confg=``) is an error, not silently ignored.

    Other unknown arguments (``api_key=`` ...) are accepted for drop-in compatibility with
    provider chat models and ignored: set them on the inner models.
    """
    check_typos(cls.__name__, data, cls.model_fields)
