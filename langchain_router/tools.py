"""Tools and structured output through the router.

``bind_tools`` on the router stores the caller's ORIGINAL tool objects; at call time they
are bound to the chosen inner model with that model's own ``bind_tools`` (so provider
specific fields such as ``strict`` survive) and the resulting call kwargs are handed to
the inner model's ``_generate`` / ``_stream``. Structured output works the same way
through the inner model's own ``with_structured_output`` (its native mode: JSON schema
for OpenAI, tool calling elsewhere), and the parser of :mod:`.structured` reads whichever
shape came back as plain ``ChatOpenAI``'s parser would.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableBinding

from shared_core.errors import ConfigError, ToolsUnsupportedError

from .capabilities import NO_BIND_TOOLS, TOOL_MODEL, can_bind_tools
from .structured import (  # re-exported: the parser side of structured output lives there
    parse_structured,
    plain_response_format,
    structured_runnable,
    with_schema_check,
)

__all__ = [
    "STRUCTURED_KEY",
    "TOOLS_KEY",
    "BindingCache",
    "StructuredSpec",
    "parse_structured",
    "structured_runnable",
    "tool_choice_required",
    "with_schema_check",
]

TOOLS_KEY = "tools"
STRUCTURED_KEY = "router_structured_output"
_CACHE_SIZE = 256


@dataclass(frozen=True, eq=False)
class StructuredSpec:
    """What ``with_structured_output`` asked for; bound to the router, resolved per tier."""

    schema: Any
    method: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


def tool_choice_required(tool_choice: Any) -> bool:
    """Whether ``tool_choice`` demands a tool call (``required``, ``any``, a name, a dict)."""
    if tool_choice is None or tool_choice is False:
        return False
    if isinstance(tool_choice, str):
        return tool_choice not in ("auto", "none")
    return True


class BindingCache:
    """Per-tier call kwargs for bound tools / structured output, computed once per binding.

    Keys hold the bound objects themselves (identity), so an id is never reused while cached.
    """

    def __init__(self) -> None:
        self._data: OrderedDict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def tool_kwargs(
        self, tier: str, inner: BaseChatModel, tools: Sequence[Any], extra: dict[str, Any]
    ) -> dict[str, Any]:
        """Kwargs for ``inner._generate`` that carry ``tools`` in the inner model's format."""
        key = ("tools", tier, id(inner), id(tools), _freeze(extra))

        def build() -> dict[str, Any]:
            try:
                bound = inner.bind_tools(tools, **extra)
            except ToolsUnsupportedError:
                raise
            except NotImplementedError as exc:  # e.g. forced to a tier that cannot call tools
                why = (
                    NO_BIND_TOOLS
                    if not can_bind_tools(inner)
                    else f"its bind_tools raised NotImplementedError({str(exc)!r})"
                )
                raise ToolsUnsupportedError.for_tiers(
                    {tier: type(inner).__name__}, why, TOOL_MODEL
                ) from exc
            return _binding_kwargs(inner, bound)

        return self._get(key, tools, build)

    def structured_kwargs(
        self, tier: str, inner: BaseChatModel, spec: StructuredSpec
    ) -> dict[str, Any]:
        """Kwargs for ``inner._generate`` that ask for structured output in its native mode."""
        key = ("structured", tier, id(inner), id(spec))

        def build() -> dict[str, Any]:
            kw = dict(spec.kwargs)
            if spec.method is not None:
                kw["method"] = spec.method
            try:
                runnable = inner.with_structured_output(spec.schema, include_raw=True, **kw)
            except NotImplementedError as exc:  # LangChain's own message names no tier or model
                model = type(inner).__name__
                raise ToolsUnsupportedError(
                    f"tier {tier!r} ({model}) cannot give structured output: its "
                    f"with_structured_output raised NotImplementedError({str(exc)!r}). Give that "
                    "tier a chat model with structured output (such as ChatOpenAI), or route "
                    "structured calls to a tier that has one (invoke(..., model=<tier>))",
                    tiers={tier: model},
                ) from exc
            # a Pydantic response_format goes as its JSON schema: see .structured
            return plain_response_format(_binding_kwargs(inner, runnable))

        return self._get(key, spec, build)

    def _get(self, key: tuple[Any, ...], anchor: Any, build: Any) -> dict[str, Any]:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] is anchor:
                self._data.move_to_end(key)
                return hit[1]
        value = build()
        with self._lock:
            self._data[key] = (anchor, value)
            while len(self._data) > _CACHE_SIZE:
                self._data.popitem(last=False)
        return value


def _freeze(d: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in d.items()))


def _binding_kwargs(inner: BaseChatModel, runnable: Runnable[Any, Any]) -> dict[str, Any]:
    """The kwargs of the ``RunnableBinding`` over ``inner`` inside ``runnable``."""
    found = _find_binding(inner, runnable, depth=0)
    if found is None:
        raise ConfigError(
            f"cannot route tools/structured output to {type(inner).__name__}: its bind_tools / "
            "with_structured_output did not return a binding of the model itself; "
            "set supports_tools: false for this tier in the config",
            field="tiers",
            value=type(inner).__name__,
        )
    kw = dict(found.kwargs)
    kw.pop("ls_structured_output_format", None)
    kw.pop("structured_output_format", None)
    return kw


def _find_binding(inner: BaseChatModel, r: Any, depth: int) -> RunnableBinding[Any, Any] | None:
    if depth > 8 or r is None:
        return None
    if isinstance(r, RunnableBinding):
        if r.bound is inner:
            return r
        return _find_binding(inner, r.bound, depth + 1)
    children: list[Any] = []
    for attr in ("first", "last", "bound", "runnable"):
        c = getattr(r, attr, None)
        if isinstance(c, Runnable):
            children.append(c)
    children.extend(getattr(r, "middle", None) or [])
    steps = getattr(r, "steps__", None)
    if isinstance(steps, dict):
        children.extend(steps.values())
    for c in children:
        hit = _find_binding(inner, c, depth + 1)
        if hit is not None:
            return hit
    return None
