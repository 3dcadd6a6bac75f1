"""What a LangChain chat model says it can do, from its ``profile`` (langchain-core 1.x).

``profile`` is a dict such as ``{"image_inputs": True, "tool_calling": True,
"max_input_tokens": 128000, ...}``; provider packages fill it from their model data.
A model without one (or a key it lacks) says nothing, and the router falls back to what
the bundled ladder knows for the same model id.
"""

from __future__ import annotations

from typing import Any

from shared_core.tier_defaults import Capabilities


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
