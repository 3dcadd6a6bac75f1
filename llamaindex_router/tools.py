"""Tool calling through the router.

``FunctionCallingLLM.chat_with_tools`` first calls ``_prepare_chat_with_tools`` and then
``chat(**prepared)``. ``RoutedLLM``'s prepare step builds the request (tools bound, so only
tool-capable tiers are eligible) and hands it to ``chat`` inside a :class:`PreparedTools` under
the ``router_tools`` keyword; ``chat`` / ``achat`` decide the tier (``achat`` awaits an async
classifier instead of blocking the event loop in the synchronous prepare step) and let *that
tier's* LLM format the tools (each provider has its own schema). When the call falls back or
escalates to another tier, that tier formats the same tools again from the original
arguments. ``get_tool_calls_from_response`` is answered by the tier that produced the response
(``response.additional_kwargs["router"]["tier"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms.function_calling import FunctionCallingLLM

from shared_core.adapters_common import check_tool_tiers as check_tools
from shared_core.config import RouterConfig
from shared_core.errors import ToolsUnsupportedError
from shared_core.request import Request

PREPARED_KEY = "router_tools"
NOT_FUNCTION_CALLING = "it is not a FunctionCallingLLM, so it cannot format or call tools"
TOOL_LLM = "a function-calling LLM (a FunctionCallingLLM, such as llama-index's OpenAI)"


def check_tool_tiers(cfg: RouterConfig, llms: Mapping[str, Any]) -> None:
    """:func:`shared_core.adapters_common.check_tool_tiers` over non-``FunctionCallingLLM`` tiers."""
    cannot = {n: type(m).__name__ for n, m in llms.items() if not isinstance(m, FunctionCallingLLM)}
    check_tools(cfg, cannot, NOT_FUNCTION_CALLING, TOOL_LLM)


@dataclass
class PreparedTools:
    """A tool call prepared by ``_prepare_chat_with_tools``: its request, and what each tier
    formatted. It is decided when the call runs, so that ``achat_with_tools`` awaits an async
    classifier (an LLM judge) instead of blocking the event loop in LlamaIndex's synchronous
    prepare step."""

    request: Request
    tools: Sequence[Any]
    user_msg: str | ChatMessage | None
    chat_history: list[ChatMessage] | None
    options: dict[str, Any]
    """verbose, allow_parallel_tool_calls, tool_required and the caller's extra kwargs."""
    formatted: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Tier name -> that tier's ``_prepare_chat_with_tools`` result."""
    force: str | None = None
    """The tier or model the prepare step's ``routing`` forced."""

    def for_tier(self, name: str, llm: Any) -> dict[str, Any]:
        """``chat`` keyword arguments (``messages``, ``tools``, ``tool_choice`` ...) for one tier."""
        kw = self.formatted.get(name)
        if kw is None:
            kw = format_tools(name, llm, self.tools, self.user_msg, self.chat_history, self.options)
            self.formatted[name] = kw
        return dict(kw)


def format_tools(
    name: str,
    llm: Any,
    tools: Sequence[Any],
    user_msg: str | ChatMessage | None,
    chat_history: list[ChatMessage] | None,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Let a tier's own LLM turn tools into its provider's request arguments."""
    if not isinstance(llm, FunctionCallingLLM):  # e.g. forced to a tier that cannot call tools
        raise ToolsUnsupportedError.for_tiers({name: type(llm).__name__}, NOT_FUNCTION_CALLING, TOOL_LLM)
    history = list(chat_history) if chat_history is not None else None
    return llm._prepare_chat_with_tools_compat(
        tools, user_msg=user_msg, chat_history=history, **options
    )


def tool_request_messages(
    user_msg: str | ChatMessage | None, chat_history: list[ChatMessage] | None
) -> list[ChatMessage]:
    """The conversation a tool call is about (history plus the new user message)."""
    msgs = list(chat_history or [])
    if isinstance(user_msg, str):
        msgs.append(ChatMessage(role="user", content=user_msg))
    elif user_msg is not None:
        msgs.append(user_msg)
    return msgs
