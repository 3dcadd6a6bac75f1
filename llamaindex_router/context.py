"""Per-call routing context: thread, user, tags, forced tier, and the query engine's question.

LlamaIndex engines and agents call ``llm.chat(messages)`` without any routing arguments, so
the routing context travels in context variables (thread- and task-local)::

    with route_context(thread_id="session-42", tags=["support"]):
        chat_engine.chat("hello")       # every routed call inside is tagged and sticky

A single call can also pass ``routing={"thread_id": ..., "tags": [...], "force": "strong"}``.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from shared_core.errors import InputError
from shared_core.step_context import aeach_step_in, each_step_in

from .templates import question_of

_T = TypeVar("_T")


@dataclass(frozen=True)
class Routing:
    """What the router should know about a call besides its messages."""

    thread_id: str | None = None
    user: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    force: str | None = None
    question: str | None = None
    """The user's question when the prompt is a template around it (``query_str``, ``question``)."""
    structured_output: bool = False
    output_cls: Any = None
    """The output class of a ``structured_predict``-style call: each answer is read as
    LlamaIndex's program will read it (see :mod:`.structured`)."""

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
def hint(prompt_args: Mapping[str, Any], *, output_cls: Any = None) -> Iterator[None]:
    """Within ``predict``-style calls: remember the template's question (its ``query_str``
    or ``question``, see :mod:`.templates`) and, for ``structured_predict``-style calls, the output class."""
    question = question_of(prompt_args)
    base = _CURRENT.get()
    if question is None and output_cls is None and base.output_cls is None:
        yield
        return
    token = _CURRENT.set(
        replace(
            base,
            question=question,
            structured_output=output_cls is not None,
            output_cls=output_cls,
        )
    )
    try:
        yield
    finally:
        _CURRENT.reset(token)


def hinted(gen: Iterator[_T], prompt_args: Mapping[str, Any], output_cls: Any) -> Iterator[_T]:
    """``gen`` (a lazy generator, e.g. ``stream_structured_predict``'s) with :func:`hint` in
    effect while each of its steps runs, and not in between (the caller's own calls)."""
    return each_step_in(gen, partial(hint, prompt_args, output_cls=output_cls))


def ahinted(
    gen: AsyncIterator[_T], prompt_args: Mapping[str, Any], output_cls: Any
) -> AsyncIterator[_T]:
    """Async twin of :func:`hinted`."""
    return aeach_step_in(gen, partial(hint, prompt_args, output_cls=output_cls))


def _as_tags(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str):
        return (tags,)
    return tuple(str(t) for t in tags or ())
