"""Where a LangChain call's conversation, user, tags and metadata come from.

The thread id (for stickiness and the ledger) is read from, in order: the call kwarg
:data:`THREAD_KWARG` (set by ``RoutedChatModel.invoke`` & co. from
``config["configurable"]["thread_id"]``), the run metadata (``thread_id``, ``session_id``,
``conversation_id``; LangGraph puts ``thread_id`` there), or a ``thread:<id>`` /
``session:<id>`` tag.

The user (for ``user:<id>`` budgets and the ledger) is the run metadata's ``user_id`` or
``user``, else ``config["configurable"]["user_id"]`` or ``["user"]`` (LangGraph's convention),
carried as the call kwarg :data:`USER_KWARG`: the metadata wins when both are given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ensure_config, var_child_runnable_config

from shared_core.step_context import aeach_step_in, each_step_in

T = TypeVar("T")

THREAD_KWARG = "router_thread_id"
"""Call kwarg carrying the conversation id (set from ``config["configurable"]["thread_id"]``)."""
USER_KWARG = "router_user_id"
"""Call kwarg carrying the user (set from ``config["configurable"]["user_id"]`` or ``["user"]``)."""
_THREAD_KEYS = ("thread_id", "session_id", "conversation_id")
_THREAD_TAGS = ("thread:", "session:")


def thread_kwargs(config: RunnableConfig | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus :data:`THREAD_KWARG` and :data:`USER_KWARG` from the call's (or the
    enclosing run's) ``configurable``; ``kwargs`` itself when it has neither."""
    # The enclosing run's config is read straight from LangChain's context variable: the
    # same "configurable" that ``ensure_config()`` would copy, without building a whole
    # config dict on every call.
    configurable = (
        (config or {}).get("configurable")
        or (var_child_runnable_config.get() or {}).get("configurable")
    )
    if not configurable:
        return kwargs
    thread = None
    for key in _THREAD_KEYS:
        thread = configurable.get(key)
        if thread is not None:
            break
    if thread is not None and THREAD_KWARG in kwargs:  # the caller's own kwargs win
        thread = None
    user = configurable.get("user_id") or configurable.get("user")
    if user and USER_KWARG not in kwargs and (type(user) is str or (user := scalar(user)) is not None):
        if thread is None:
            return {**kwargs, USER_KWARG: user}
        return {**kwargs, THREAD_KWARG: str(thread), USER_KWARG: user}  # one copy for both
    if thread is None:
        return kwargs
    return {**kwargs, THREAD_KWARG: str(thread)}


def configurable_user() -> str | None:
    """``configurable["user_id"]`` (or ``["user"]``) of the enclosing run, from LangChain's
    context variable (set by a chain or a LangGraph node around the call; a model invoked on
    its own with a config does not set it)."""
    configurable = (var_child_runnable_config.get() or {}).get("configurable")
    if not configurable:
        return None
    return scalar(configurable.get("user_id") or configurable.get("user"))


def user_of(md: Mapping[str, Any], kwargs: Mapping[str, Any]) -> str | None:
    """The call's user: the run metadata's ``user_id`` / ``user``, else :data:`USER_KWARG`
    (from ``configurable``)."""
    return scalar(md.get("user_id") or md.get("user")) or scalar(kwargs.get(USER_KWARG))


_RUN: ContextVar[tuple[str, Any] | None] = ContextVar("tier_router_lc_run", default=None)
"""Where the call's tags and metadata are when LangChain calls ``_stream`` / ``_astream``
without a run manager (its ``stream()``, and the streaming branch of ``invoke`` under a
streaming handler such as ``astream_events``): ``("config", config)`` set by
``RoutedChatModel.stream`` / ``astream``, or ``("run", run_manager)`` set by its
``_generate_with_cache`` (an ``invoke``, whose whole-answer checks still apply)."""


def run_context(model: Any) -> tuple[Sequence[str], Mapping[str, Any], bool]:
    """``(tags, metadata, from_invoke)`` of the call under way when no run manager was passed."""
    got = _RUN.get()
    if got is None:
        return (), {}, False
    kind, value = got
    if kind == "run":
        return value.tags if value is not None else (), value.metadata if value is not None else {}, True
    cfg = ensure_config(value)  # as LangChain's stream() builds its run: the call's and the enclosing run's
    tags = [*(cfg.get("tags") or ()), *(model.tags or ())]
    md = {**(cfg.get("metadata") or {}), **(model.metadata or {})}
    return tags, md, False


def run_handlers() -> tuple[Sequence[Any], Any]:
    """``(handlers, run_id)`` of the call under way when no run manager was passed (the
    run id is ``None`` under LangChain's ``stream()``, which makes the run itself)."""
    got = _RUN.get()
    if got is None:
        return (), None
    kind, value = got
    if kind == "run":
        return (value.handlers, value.run_id) if value is not None else ((), None)
    # what ensure_config would give, without building a config: the call's, else the run's
    callbacks = (value or {}).get("callbacks") or (var_child_runnable_config.get() or {}).get("callbacks")
    if callbacks is None:
        return (), None
    return (callbacks if isinstance(callbacks, list) else getattr(callbacks, "handlers", ())), None


def with_run(kind: str, value: Any) -> Any:
    """Set the call's run context (:data:`_RUN`); pass the result to ``_RUN.reset``."""
    return _RUN.set((kind, value))


def reset_run(token: Any) -> None:
    _RUN.reset(token)


@contextmanager
def _in_run(config: RunnableConfig | None) -> Iterator[None]:
    token = _RUN.set(("config", config))
    try:
        yield
    finally:
        _RUN.reset(token)


def stream_in_run(gen: Iterator[T], config: RunnableConfig | None) -> Iterator[T]:
    """``gen``'s items, each step run with ``config`` as the call's run context."""
    return each_step_in(gen, partial(_in_run, config))


def astream_in_run(agen: AsyncIterator[T], config: RunnableConfig | None) -> AsyncIterator[T]:
    """Async twin of :func:`stream_in_run`."""
    return aeach_step_in(agen, partial(_in_run, config))


def thread_id_of(md: Mapping[str, Any], tags: Sequence[str]) -> str | None:
    for key in _THREAD_KEYS:
        v = md.get(key)
        if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v):
            return str(v)
    return tag_thread_id(tags)


def tag_thread_id(tags: Sequence[str]) -> str | None:
    """The thread a ``thread:<id>`` / ``session:<id>`` tag names, if any."""
    for t in tags:
        for prefix in _THREAD_TAGS:
            if t.startswith(prefix) and len(t) > len(prefix):
                return t[len(prefix) :]
    return None


def scalar(v: Any) -> str | None:
    return str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else None


_DROPPED_META = ("ls_", "__", "checkpoint_")
_SCALARS = (str, int, float, bool)
_LANGCHAIN_META = frozenset({
    "ls_provider", "ls_model_name", "ls_model_type", "ls_integration", "ls_max_tokens",
    "ls_temperature", "ls_stop", "lc_versions",
})
"""The keys LangChain itself puts on every chat model run's metadata (``lc_versions``, a
dict of package versions, and the model's ``ls_*`` parameters)."""


def only_langchain_meta(md: Mapping[str, Any]) -> bool:
    """Whether the run metadata holds nothing but LangChain's own keys (most calls): then it
    names no thread and no user, and :func:`kept_meta` keeps nothing of it. Only a quick
    check: ``False`` says nothing (other keys go the long way)."""
    return _LANGCHAIN_META.issuperset(md) and not isinstance(md.get("lc_versions"), _SCALARS)


def kept_meta(md: Mapping[str, Any]) -> dict[str, Any]:
    """The run metadata that goes to the request (and the ledger): plain values only, not
    LangSmith's ``ls_*``, private ``__*`` or LangGraph's ``checkpoint_*`` keys."""
    return {
        k: v
        for k, v in md.items()
        if not k.startswith(_DROPPED_META) and isinstance(v, _SCALARS)
    }
