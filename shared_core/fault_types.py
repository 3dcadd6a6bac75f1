"""The kind a provider's own error ``type`` / ``code`` names (see :mod:`shared_core.faults`).

An HTTP status tells a 500 from a 429; an error a provider reports in a stream whose headers
already said 200 (OpenAI's ``data: {"error": {"type": "server_error"}}``, Anthropic's
``event: error`` with ``overloaded_error``) carries only its type or code, which name the
same faults. :func:`~shared_core.faults.classify_error` reads them when no HTTP error status
says more. Duck typing only: no provider SDK is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import ErrorKind

# The error ``type`` / ``code`` providers put in an error body, for the faults an HTTP status
# would tell apart: what a stream's error event carries (its response said 200).
_TYPES: dict[str, ErrorKind] = {
    **dict.fromkeys(
        ("rate_limit_exceeded", "rate_limit_error", "rate_limit", "too_many_requests",
         "resource_exhausted", "throttling", "throttling_error", "throttlingexception"),
        "rate_limit",
    ),
    **dict.fromkeys(
        ("server_error", "internal_error", "internal_server_error", "internal", "api_error",
         "overloaded", "overloaded_error", "engine_overloaded", "service_unavailable",
         "service_unavailable_error", "unavailable", "bad_gateway", "gateway_timeout"),
        "server",
    ),
    **dict.fromkeys(("timeout", "request_timeout", "deadline_exceeded"), "timeout"),
}


def provider_type(exc: BaseException) -> ErrorKind:
    """The kind the provider's own error ``type`` / ``code`` names: on the error (the OpenAI
    SDK's ``APIError.type`` / ``.code``), in its ``body``, or in the body's ``error`` object
    (Anthropic's ``{"type": "error", "error": {"type": "overloaded_error"}}``, Google's
    ``status``); ``other`` when none is known."""
    owners: list[Any] = [exc]
    body = _safe_getattr(exc, "body")
    if isinstance(body, Mapping):
        owners.append(body)
        inner = body.get("error")
        if isinstance(inner, Mapping):
            owners.append(inner)
    for owner in owners:
        for key in ("type", "code", "status"):
            value = owner.get(key) if isinstance(owner, Mapping) else _safe_getattr(owner, key)
            if isinstance(value, str) and (kind := _TYPES.get(value.lower())) is not None:
                return kind
    return "other"


def _safe_getattr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:  # properties of half-built SDK errors can raise
        return None
