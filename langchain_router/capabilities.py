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


_ANY_TIER = ("image_inputs", "pdf_inputs", "audio_inputs", "video_inputs", "tool_calling")
"""Requests the router sends only to a tier that can serve them: one such tier is enough."""
_EVERY_TIER = ("structured_output", "tool_choice", "text_inputs", "tool_call_streaming")
"""What any tier may be asked to do: every tier must say so."""


def routed_profile(tiers: Mapping[str, Any]) -> dict[str, Any] | None:
    """The routed model's LangChain ``profile`` from its tiers' (``None`` when none has one):
    input kinds and tool calling when some tier has them (the router sends such requests
    there), structured output and tool choice when every tier has them, and the smallest
    input and output windows (what every tier takes)."""
    profiles = [getattr(m, "profile", None) for m in tiers.values()]
    known = [p for p in profiles if isinstance(p, dict)]
    if not known:
        return None
    out: dict[str, Any] = {}
    for key in _ANY_TIER:
        if any(p.get(key) is True for p in known):
            out[key] = True
    for key in _EVERY_TIER:
        values = [p.get(key) if isinstance(p, dict) else None for p in profiles]
        if all(v is True for v in values):
            out[key] = True
        elif any(v is False for v in values) or len(known) < len(profiles):
            out[key] = False
    for key in ("max_input_tokens", "max_output_tokens"):
        sizes = [s for p in known if isinstance(s := p.get(key), int) and s > 0]
        if len(sizes) == len(profiles):
            out[key] = min(sizes)
    return out
