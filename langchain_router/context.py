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

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import var_child_runnable_config

THREAD_KWARG = "router_thread_id"
"""Call kwarg carrying the conversation id (set from ``config["configurable"]["thread_id"]``)."""
_THREAD_KEYS = ("thread_id", "session_id", "conversation_id")
_THREAD_TAGS = ("thread:", "session:")


def thread_kwargs(config: RunnableConfig | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus :data:`THREAD_KWARG` from the call's (or the enclosing run's) config."""
    # The enclosing run's config is read straight from LangChain's context variable: the
    # same "configurable" that ``ensure_config()`` would copy, without building a whole
    # config dict on every call.
    configurable = (
        (config or {}).get("configurable")
        or (var_child_runnable_config.get() or {}).get("configurable")
    )
    if not configurable:
        return kwargs
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


_DROPPED_META = ("ls_", "__", "checkpoint_")


def kept_meta(md: Mapping[str, Any]) -> dict[str, Any]:
    """The run metadata that goes to the request (and the ledger): plain values only, not
    LangSmith's ``ls_*``, private ``__*`` or LangGraph's ``checkpoint_*`` keys."""
    return {
        k: v
        for k, v in md.items()
        if not k.startswith(_DROPPED_META) and isinstance(v, (str, int, float, bool))
    }
