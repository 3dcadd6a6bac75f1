"""Where a LangChain call's conversation, user, tags and metadata come from.

The thread id (for stickiness and the ledger) is read from, in order: the call kwarg
:data:`THREAD_KWARG` (set by ``RoutedChatModel.invoke`` & co. from
``config["configurable"]["thread_id"]``), the run metadata (``thread_id``, ``session_id``,
``conversation_id``; LangGraph puts ``thread_id`` there), or a ``thread:<id>`` /
``session:<id>`` tag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig, ensure_config

THREAD_KWARG = "router_thread_id"
"""Call kwarg carrying the conversation id (set from ``config["configurable"]["thread_id"]``)."""
_THREAD_KEYS = ("thread_id", "session_id", "conversation_id")
_THREAD_TAGS = ("thread:", "session:")


def thread_kwargs(config: RunnableConfig | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    configurable = (config or {}).get("configurable") or ensure_config().get("configurable") or {}
    for key in _THREAD_KEYS:
        value = configurable.get(key)
        if value is not None and THREAD_KWARG not in kwargs:
            return {**kwargs, THREAD_KWARG: str(value)}
    return kwargs


def thread_id_of(md: Mapping[str, Any], tags: Sequence[str]) -> str | None:
    for key in _THREAD_KEYS:
        v = md.get(key)
        if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v):
            return str(v)
    for t in tags:
        for prefix in _THREAD_TAGS:
            if t.startswith(prefix) and len(t) > len(prefix):
                return t[len(prefix) :]
    return None


def scalar(v: Any) -> str | None:
    return str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else None


def keep_meta(key: str, value: Any) -> bool:
    return not key.startswith(("ls_", "__", "checkpoint_")) and isinstance(
        value, (str, int, float, bool)
    )
