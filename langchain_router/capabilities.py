"""What a LangChain chat model says it can do, from its ``profile`` (langchain-core 1.x).

``profile`` is a dict such as ``{"image_inputs": True, "tool_calling": True,
"max_input_tokens": 128000, ...}``; provider packages fill it from their model data.
A model without one (or a key it lacks) says nothing, and the router falls back to what
the bundled ladder knows for the same model id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel

from shared_core.config import RouterConfig
from shared_core.errors import ToolsUnsupportedError
from shared_core.tier_defaults import Capabilities

NO_BIND_TOOLS = (
    "its class has no bind_tools of its own (LangChain's BaseChatModel.bind_tools "
    "raises NotImplementedError)"
)
TOOL_MODEL = "a tool-calling chat model (one with bind_tools, such as ChatOpenAI)"


def profile_capabilities(model: Any) -> Capabilities:
    """Tool calling, image input and input window from ``model.profile`` (``None`` = not said)."""
    try:
        profile = getattr(model, "profile", None)
    except Exception:  # a half-built model may raise from the property
        return Capabilities()
    if not isinstance(profile, dict):
        return Capabilities()
    tools = profile.get("tool_calling")
    vision = profile.get("image_inputs")
    window = profile.get("max_input_tokens")
    return Capabilities(
        supports_tools=tools if isinstance(tools, bool) else None,
        supports_vision=vision if isinstance(vision, bool) else None,
        context_window=window if isinstance(window, int) and window > 0 else None,
    )


def can_bind_tools(model: Any) -> bool:
    """Whether ``model`` has a ``bind_tools`` of its own (``BaseChatModel``'s only raises)."""
    return type(model).bind_tools is not BaseChatModel.bind_tools


def check_tool_tiers(cfg: RouterConfig, tiers: Mapping[str, Any]) -> None:
    """Raise :class:`ToolsUnsupportedError` when tools bound to the router cannot be routed:
    no tier's model can call tools, or the config lets tool calls reach a tier whose model
    cannot (a shared ``router=`` keeps its own config; built ones have those tiers off)."""
    cannot = {
        t.name: type(tiers[t.name]).__name__
        for t in cfg.tiers
        if not can_bind_tools(tiers[t.name])
    }
    if not cannot:
        return
    if len(cannot) == len(cfg.tiers):
        raise ToolsUnsupportedError.no_tier(cannot, NO_BIND_TOOLS, TOOL_MODEL)
    open_to_tools = {t.name for t in cfg.tiers if t.supports_tools}
    wrong = {name: model for name, model in cannot.items() if name in open_to_tools}
    if wrong:
        raise ToolsUnsupportedError.for_tiers(wrong, NO_BIND_TOOLS, TOOL_MODEL)
