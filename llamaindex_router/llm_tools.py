"""Tool calling on :class:`~llamaindex_router.RoutedLLM`: build the request at the prepare step,
decide in ``chat`` / ``achat`` and let the chosen tier format the tools, parse tool calls with
the tier that answered (see :mod:`.tools`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

from shared_core.errors import ConfigError

from . import context
from .inner import InnerLLM
from .messages import core_request
from .responses import tier_of
from .tools import (
    PREPARED_KEY,
    PreparedTools,
    check_tool_tiers,
    tool_request_messages,
)

if TYPE_CHECKING:
    _Base = FunctionCallingLLM
else:
    _Base = object


class ToolCalling(_Base):
    """The ``FunctionCallingLLM`` hooks of :class:`~llamaindex_router.RoutedLLM` (a mixin; its
    overrides get LlamaIndex's spans where ``RoutedLLM`` is defined, as if written there)."""

    if TYPE_CHECKING:
        _router: Any
        _inners: dict[str, InnerLLM]

        def _routing(self, kwargs: dict[str, Any]) -> context.Routing: ...

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[Any],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Prepare a tool call: its request (the ``chat`` / ``achat`` that follows decides the
        tier and lets that tier format the tools).

        Only tiers whose LLM can call tools (``supports_tools``) are eligible. Raises
        :class:`~shared_core.errors.ToolsUnsupportedError` (a ``NotImplementedError``) before
        routing when no tier's LLM is a ``FunctionCallingLLM``, or when a shared router's config
        sends tools to a tier whose LLM is not.
        """
        if tools:
            check_tool_tiers(self._router.config, {n: i.llm for n, i in self._inners.items()})
        r = self._routing(kwargs)
        messages = tool_request_messages(user_msg, chat_history)
        request = core_request(self._router, messages, r, tools=bool(tools), required=tool_required)
        options = {
            "verbose": verbose,
            "allow_parallel_tool_calls": allow_parallel_tool_calls,
            "tool_required": tool_required,
            **kwargs,
        }
        prepared = PreparedTools(request, list(tools), user_msg, chat_history, options, force=r.force)
        # decided by the chat call that follows: ``achat`` awaits the classifier
        return {"messages": messages, PREPARED_KEY: prepared}

    def _tier_llm(self, response: Any) -> Any:
        name = tier_of(response)
        if name in self._inners:
            return self._inners[name].llm
        for inner in self._inners.values():  # not routed by us: the first tool-capable tier
            if isinstance(inner.llm, FunctionCallingLLM):
                return inner.llm
        raise ConfigError("no tier can call tools", field="tiers", value=list(self._inners))

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[Any],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        return self._tier_llm(response)._validate_chat_with_tools_response(  # type: ignore[no-any-return]
            response, tools, allow_parallel_tool_calls=allow_parallel_tool_calls, **kwargs
        )

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Parsed by the tier that produced ``response``."""
        return self._tier_llm(response).get_tool_calls_from_response(  # type: ignore[no-any-return]
            response, error_on_no_tool_call=error_on_no_tool_call, **kwargs
        )
