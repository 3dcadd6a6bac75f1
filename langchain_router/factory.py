"""Inner chat models from a config file's ``"provider:model"`` ids (``init_chat_model``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared_core.config import RouterConfig
from shared_core.errors import ConfigError

ROUTER_OPTIONS = ("ledger", "classifier", "prices", "router", "max_tokens", "judge", "encoder")


def tiers_from_config(
    path: str | Path, init_kwargs: dict[str, Any]
) -> tuple[dict[str, Any], RouterConfig, dict[str, Any]]:
    """``(tiers, config, router options)``: one chat model per tier of the config at ``path``.

    ``init_kwargs`` go to every ``init_chat_model`` call except the router's own options
    (``ledger``, ``classifier``, ``prices``, ``router``, ``max_tokens``, ``judge``, ``encoder``).
    """
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "RoutedChatModel.from_config needs the 'langchain' package "
            "(pip install 'langchain>=1'); or build the inner models yourself and pass tiers=",
            field="langchain",
            value=None,
        ) from exc
    init_kwargs = dict(init_kwargs)
    cfg = RouterConfig.from_file(path)
    own = {k: init_kwargs.pop(k) for k in ROUTER_OPTIONS if k in init_kwargs}
    tiers = {}
    for t in cfg.tiers:
        try:
            tiers[t.name] = init_chat_model(t.model, **init_kwargs)
        except Exception as exc:
            raise ConfigError(
                f"tier {t.name!r}: cannot build a chat model from model {t.model!r}: {exc}. "
                "Use 'provider:model' (e.g. 'openai:gpt-4o-mini') and install the provider package",
                field=f"tiers.{t.name}.model",
                value=t.model,
            ) from exc
    return tiers, cfg, own
