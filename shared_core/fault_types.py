"""The kind a provider's own error ``type`` / ``code`` names (see :mod:`shared_core.faults`),
and the kinds a ledger record's ``error_kind`` takes (:data:`RECORD_KINDS`).

An HTTP status tells a 500 from a 429; an error a provider reports in a stream whose headers
already said 200 (OpenAI's ``data: {"error": {"type": "server_error"}}``, Anthropic's
``event: error`` with ``overloaded_error``) carries only its type or code, which name the
same faults. :func:`~shared_core.faults.classify_error` reads them when no HTTP error status
says more. Duck typing only: no provider SDK is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from .config import ErrorKind
from .errors import (
    BudgetExceededError,
    LedgerUnavailableError,
    RequestCostCapError,
    TierCoolingDownError,
)

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


REFUSAL_KINDS: tuple[str, ...] = ("budget", "cost_cap", "cooldown")
"""What refused a call or one of its moves (a ``refused`` record's ``error_kind``):
``budget`` a hard budget limit, or a budget that could not be checked (the ledger
unreachable or busy); ``cost_cap`` the per-request cap (``budget.per_request_cap_usd``);
``cooldown`` the tier was cooling down and fallback was off. Not fault kinds: ``fallback.on``
does not take them."""

RECORD_KINDS: frozenset[str] = frozenset(
    {*get_args(ErrorKind), "quality", "abandoned", "lapsed_hold", *REFUSAL_KINDS}
)
"""Every ``error_kind`` a record the router, ``CostCallbackHandler`` or a ledger writes carries
(else ``None``, an answer accepted): a provider fault (:data:`~shared_core.config.ErrorKind`) on
a ``failed`` record, ``quality`` on a ``rejected`` one, ``abandoned`` on an ``abandoned`` one,
one of :data:`REFUSAL_KINDS` on a ``refused`` one (``other``: a refusal of none of those), and
``lapsed_hold`` on the ``abandoned`` record a ledger writes for a budget hold that lapsed
unreleased, counted as spend (:mod:`shared_core.ledger.lapsed`)."""


def refusal_kind(exc: BaseException) -> str:
    """The :data:`REFUSAL_KINDS` entry for the error a call or a move was refused with
    (``other`` when none fits). Exception classes stay in the record's ``error`` text."""
    if isinstance(exc, RequestCostCapError):
        return "cost_cap"
    if isinstance(exc, (BudgetExceededError, LedgerUnavailableError)):
        return "budget"
    if isinstance(exc, TierCoolingDownError):
        return "cooldown"
    return "other"


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
