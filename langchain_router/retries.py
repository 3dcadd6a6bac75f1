"""Inner chat models' own retries, under the router's control.

The router's fallback is the retry. An inner client that retries by itself sends several
requests to a failing tier, with back-off, before the router may try the next one
(``ChatOpenAI``'s defaults: 3 requests). So:

* models the router builds (``RoutedChatModel.from_config``, or no ``tiers=``) get
  ``max_retries=0`` unless the caller passed ``max_retries`` to ``from_config``;
* a ``ChatOpenAI`` (or another ``langchain_openai`` model) passed in ``tiers=`` with the
  library's default retries is called through a copy with ``max_retries=0`` (the caller's
  object is left as it is; the copy shares its HTTP connection pool);
* a ``max_retries`` the caller set explicitly is a choice: kept, with one WARNING on the
  ``tier_router`` logger saying what it costs; so is any other model class whose retries
  the router cannot turn off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared_core import telemetry

# client attributes of langchain_openai's BaseChatOpenAI: root client -> the resource called
_OPENAI_CLIENTS = (("root_client", "client"), ("root_async_client", "async_client"))


def without_retries(tiers: Mapping[str, Any]) -> dict[str, Any]:
    """``tiers`` with each model's own retries off where the router may turn them off."""
    return {name: _one(name, model) for name, model in tiers.items()}


def _one(name: str, model: Any) -> Any:
    retries = _retries(model)
    if not retries:
        return model
    explicit = "max_retries" in getattr(model, "model_fields_set", ())
    off = None if explicit else _openai_without_retries(model)
    if off is None:
        telemetry.inner_retries(name, model, retries, turned_off=False)
        return model
    telemetry.inner_retries(name, model, retries, turned_off=True)
    return off


def _retries(model: Any) -> int:
    """How many times ``model`` retries a failed request by itself (0 when unknown)."""
    value = getattr(model, "max_retries", None)
    if value is None:  # ChatOpenAI: None = the openai SDK client's default (2)
        root = getattr(model, "root_client", None) or getattr(model, "root_async_client", None)
        value = getattr(root, "max_retries", None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _openai_without_retries(model: Any) -> Any:
    """A copy of a ``langchain_openai`` model whose clients do not retry (``None``: not one)."""
    try:
        from langchain_openai.chat_models.base import BaseChatOpenAI
    except ImportError:  # pragma: no cover - optional extra
        return None
    if not isinstance(model, BaseChatOpenAI):
        return None
    update: dict[str, Any] = {"max_retries": 0}
    for root_attr, resource_attr in _OPENAI_CLIENTS:
        root = getattr(model, root_attr, None)
        if root is None:
            continue
        if getattr(model, resource_attr, None) is not root.chat.completions:
            return None  # a client the caller wired by hand: leave it alone
        quiet = root.with_options(max_retries=0)  # shares the HTTP connection pool
        update[root_attr] = quiet
        update[resource_attr] = quiet.chat.completions
    return model.model_copy(update=update)
