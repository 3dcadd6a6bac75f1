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

from shared_core.adapters_common import check_tool_tiers as check_tools
from shared_core.config import RouterConfig
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
    """:func:`shared_core.adapters_common.check_tool_tiers` over models without ``bind_tools``."""
    cannot = {n: type(m).__name__ for n, m in tiers.items() if not can_bind_tools(m)}
    check_tools(cfg, cannot, NO_BIND_TOOLS, TOOL_MODEL)
