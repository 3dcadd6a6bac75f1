"""Per-call routing context: thread, user, tags, forced tier, and the query engine's question.

LlamaIndex engines and agents call ``llm.chat(messages)`` without any routing arguments, so
the routing context travels in context variables (thread- and task-local)::

    with route_context(thread_id="session-42", tags=["support"]):
        chat_engine.chat("hello")       # every routed call inside is tagged and sticky

A single call can also pass ``routing={"thread_id": ..., "tags": [...], "force": "strong"}``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from shared_core.errors import InputError


@dataclass(frozen=True)
class Routing:
    """What the router should know about a call besides its messages."""

    thread_id: str | None = None
    user: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    force: str | None = None
    question: str | None = None
    """The user's question when the prompt is a template around it (``query_str``)."""
    structured_output: bool = False

    def merged(self, other: Mapping[str, Any] | None) -> Routing:
        """This context updated by a per-call ``routing={...}`` dict."""
        if not other:
            return self
        if not isinstance(other, Mapping):
            raise InputError(
                f"routing= must be a dict, got {type(other).__name__}; allowed keys: {sorted(_KEYS)}"
            )
        unknown = set(other) - _KEYS
        if unknown:
            raise InputError(
                f"routing= has unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}"
            )
        upd = dict(other)
        if "tags" in upd:
            upd["tags"] = (*self.tags, *_as_tags(upd["tags"]))
        if "metadata" in upd:
            upd["metadata"] = {**self.metadata, **dict(upd["metadata"] or {})}
        return replace(self, **upd)


_KEYS = {"thread_id", "user", "tags", "metadata", "force"}
# Routing is frozen and never mutated in place (every change is a dataclasses.replace)
_EMPTY = Routing()
_CURRENT: contextvars.ContextVar[Routing] = contextvars.ContextVar(
    "tier_router_routing", default=_EMPTY
)


def current() -> Routing:
    """The routing context in effect."""
    return _CURRENT.get()


@contextmanager
def route_context(
    *,
    thread_id: str | None = None,
    user: str | None = None,
    tags: Iterable[str] = (),
    metadata: Mapping[str, Any] | None = None,
    force: str | None = None,
) -> Iterator[Routing]:
    """Route every call made inside the block with this thread / user / tags / forced tier."""
    base = _CURRENT.get()
    upd: dict[str, Any] = {"tags": tuple(tags)}
    if thread_id is not None:
        upd["thread_id"] = thread_id
    if user is not None:
        upd["user"] = user
    if metadata:
        upd["metadata"] = metadata
    if force is not None:
        upd["force"] = force
    token = _CURRENT.set(base.merged(upd))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


@contextmanager
def hint(prompt_args: Mapping[str, Any], *, structured: bool = False) -> Iterator[None]:
    """Within ``predict``-style calls: remember the template's ``query_str`` (the question)."""
    q = prompt_args.get("query_str")
    question = q if isinstance(q, str) and q.strip() else None
    if question is None and not structured:
        yield
        return
    token = _CURRENT.set(replace(_CURRENT.get(), question=question, structured_output=structured))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _as_tags(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str):
        return (tags,)
    return tuple(str(t) for t in tags or ())
