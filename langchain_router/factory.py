"""Inner chat models from a config file's ``"provider:model"`` ids (``init_chat_model``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared_core.adapters_common import config_for_tierless as tierless
from shared_core.config import RouterConfig
from shared_core.errors import ConfigError

ROUTER_OPTIONS = (
    "ledger", "classifier", "prices", "router", "max_tokens", "judge", "encoder", "checks"
)


def tiers_from_config(
    path: str | Path, init_kwargs: dict[str, Any]
) -> tuple[dict[str, Any], RouterConfig, dict[str, Any]]:
    """``(tiers, config, router options)``: one chat model per tier of the config at ``path``.

    ``init_kwargs`` go to every ``init_chat_model`` call except the router's own options
    (``ledger``, ``classifier``, ``prices``, ``router``, ``max_tokens``, ``judge``, ``encoder``).
    """
    init_kwargs = dict(init_kwargs)
    cfg = RouterConfig.from_file(path)
    own = {k: init_kwargs.pop(k) for k in ROUTER_OPTIONS if k in init_kwargs}
    return inner_models(cfg, init_kwargs), cfg, own


def config_for_tierless(config: Any) -> Any:
    """The config a model built without ``tiers=`` reads: its own, else ``$TIER_ROUTER_CONFIG``.

    Raises:
        ConfigError: neither is set.
    """
    return tierless(config, adapter="RoutedChatModel", inner="chat_model")


def inner_models(cfg: RouterConfig, init_kwargs: dict[str, Any]) -> dict[str, Any]:
    """One ``init_chat_model(tier.model, **init_kwargs)`` per tier of ``cfg``, cheapest first.

    ``max_retries=0`` unless ``init_kwargs`` sets it: the router's fallback is the retry."""
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "building inner models from a config needs the 'langchain' package "
            "(pip install 'langchain>=1'); or build the inner models yourself and pass tiers=",
            field="langchain",
            value=None,
        ) from exc
    tiers = {}
    for t in cfg.tiers:
        try:
            tiers[t.name] = _without_retries(init_chat_model, t.model, init_kwargs)
        except Exception as exc:
            raise ConfigError(
                f"tier {t.name!r}: cannot build a chat model from model {t.model!r}: {exc}. "
                "Use 'provider:model' (e.g. 'openai:gpt-4o-mini') and install the provider package",
                field=f"tiers.{t.name}.model",
                value=t.model,
            ) from exc
    return tiers


def _without_retries(init_chat_model: Any, model: str, init_kwargs: dict[str, Any]) -> Any:
    """``init_chat_model`` with ``max_retries=0`` unless the caller chose a value (a provider
    class without that field is built as asked)."""
    if "max_retries" in init_kwargs:
        return init_chat_model(model, **init_kwargs)
    try:
        return init_chat_model(model, max_retries=0, **init_kwargs)
    except Exception:
        return init_chat_model(model, **init_kwargs)
