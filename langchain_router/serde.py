"""Serialising a :class:`RoutedChatModel` with LangChain's ``dumpd`` / ``load``.

What is kept: the inner models (each serialises itself; API keys become references to
their environment variables, as LangChain does for every provider model), the config (its
path as given, or the validated config as a dict), a SQLite ledger's path, a serialisable
judge chat model or embeddings encoder, and the call defaults (``max_tokens``,
``temperature``, ``stop``, ``timeout``, ``max_retries``).

What cannot be kept makes the whole model "not implemented" (``load`` then refuses it with
LangChain's own error) instead of loading as a router that routes differently: a
``router=``, ``classifier=`` or ``prices=`` object, user ``checks``, a ledger object other
than the in-memory or SQLite ones, a judge or encoder that LangChain cannot serialise. An
in-memory ledger is runtime state, like a callback handler: the loaded model starts a new one.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from langchain_core.load.serializable import Serializable

from shared_core.ledger.memory import InMemoryLedger
from shared_core.ledger.sqlite import SQLiteLedger

_RUNTIME_ONLY = ("classifier", "prices")
_CALL_DEFAULTS = ("max_tokens", "temperature", "stop", "timeout", "max_retries")
_NOT_KEPT = object()


def constructor_kwargs(model: Any, *, tiers_given: bool, router_given: bool) -> dict[str, Any] | None:
    """The router's own constructor arguments for ``model``; ``None`` when one cannot be kept."""
    if router_given or model.checks or any(getattr(model, f) is not None for f in _RUNTIME_ONLY):
        return None
    kwargs: dict[str, Any] = {}
    if tiers_given:
        kwargs["tiers"] = dict(model.tiers)
    if model.config is not None:
        kwargs["config"] = _config_value(model)
    ledger = _ledger_value(model.ledger)
    if ledger is _NOT_KEPT:
        return None
    if ledger is not None:
        kwargs["ledger"] = ledger
    for name in ("judge", "encoder"):
        obj = getattr(model, name)
        if obj is None:
            continue
        if not (isinstance(obj, Serializable) and obj.is_lc_serializable()):
            return None
        kwargs[name] = obj
    for name in _CALL_DEFAULTS:
        value = getattr(model, name)
        if value is not None:
            kwargs[name] = value
    if model.allow_unordered:
        kwargs["allow_unordered"] = True
    return kwargs


def _config_value(model: Any) -> Any:
    """A path stays the path the caller gave; anything else is the validated config's dict."""
    if isinstance(model.config, (str, Path)):
        return str(model.config)
    return model.router.config.to_dict()


def _ledger_value(ledger: Any) -> Any:
    if ledger is None or isinstance(ledger, InMemoryLedger):
        return None
    if isinstance(ledger, (str, Path)):
        return str(ledger)
    if isinstance(ledger, SQLiteLedger) and ledger.path != ":memory:":
        return ledger.path
    return _NOT_KEPT


def allow_in_load_all() -> None:
    """Let ``load(..., allowed_objects="all")`` rebuild a :class:`RoutedChatModel`.

    LangChain's ``"all"`` admits only the integrations listed in its own mapping; a
    third-party class is admitted by naming it instead, which needs nothing from this
    function::

        load(data, valid_namespaces=["langchain_router"],
             allowed_objects=[RoutedChatModel, ChatOpenAI], secrets_from_env=True)

    Call this once when code you do not control loads with ``"all"``. It adds this one class
    to LangChain's mapping (and drops LangChain's cached allowlist so the entry is seen).
    """
    lc_load = importlib.import_module("langchain_core.load.load")
    lc_load.ALL_SERIALIZABLE_MAPPINGS[("langchain_router", "RoutedChatModel")] = (
        "langchain_router",
        "chat_model",
        "RoutedChatModel",
    )
    getattr(lc_load, "_default_class_paths_cache", {}).pop("all", None)
