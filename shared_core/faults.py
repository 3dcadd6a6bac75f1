"""Classify provider errors into a few kinds that decide fallback, by duck typing only.

No provider SDK is imported: :func:`classify_error` looks at HTTP status attributes
(``status_code``, ``status``, ``http_status``, ``response.status_code``), at the class
names in the exception's MRO (``RateLimitError``, ``APITimeoutError``, ``ReadTimeout``,
``APIConnectionError``, ``RemoteProtocolError``, ``InternalServerError``, ...), at
builtins (``TimeoutError``, ``ConnectionError``, ``json.JSONDecodeError``), at Azure /
OpenAI content-filter markers, at the provider's error ``type`` / ``code`` when no HTTP
error status says more (an error event in a stream whose headers said 200: OpenAI's
``server_error``, Anthropic's ``overloaded_error``, ``rate_limit_exceeded`` ...), and, when
the error itself says nothing, at its ``__cause__`` / ``__context__`` (wrappers such as
LangChain's or tenacity's).

=================  ==================================================================
kind               meaning
=================  ==================================================================
``rate_limit``     HTTP 429, quota / throttling errors
``timeout``        the provider did not answer in time (HTTP 408, client timeouts)
``connection``     the connection could not be made or broke (reset, cut stream)
``server``         HTTP 5xx, overloaded / unavailable
``content_filter`` the provider's safety system refused the prompt or the answer
``bad_response``   the provider answered with something unparsable (invalid JSON)
``context_length`` the prompt is past the model's context window (a 400 / 413 that says
                   so, LangChain's ``ContextOverflowError``): only a tier with a bigger
                   window is tried, and the tier is not put on cool-down
``other``          anything else: a bug or a bad request; never retried by default
=================  ==================================================================
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, get_args

from .config import ErrorKind
from .fault_types import provider_type

ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
"""Every kind :func:`classify_error` can return."""

DEFAULT_RETRYABLE: frozenset[ErrorKind] = frozenset(
    {"rate_limit", "timeout", "connection", "server", "content_filter", "bad_response", "context_length"}
)

# Class names, matched along the MRO (most derived first), so APITimeoutError (a subclass
# of APIConnectionError) is a timeout and not a connection error.
_NAMES: dict[str, ErrorKind] = {
    **dict.fromkeys(
        (
            "RateLimitError",
            "RateLimitExceeded",
            "TooManyRequests",
            "TooManyRequestsError",
            "ResourceExhausted",
            "ThrottlingException",
            "ThrottlingError",
            "QuotaExceededError",
        ),
        "rate_limit",
    ),
    **dict.fromkeys(
        (
            "APITimeoutError",
            "Timeout",
            "TimeoutError",
            "TimeoutException",
            "ReadTimeout",
            "ConnectTimeout",
            "WriteTimeout",
            "PoolTimeout",
            "ReadTimeoutError",
            "ConnectTimeoutError",
            "ServerTimeoutError",
            "DeadlineExceeded",
            "RequestTimeout",
            "CancelledByDeadline",
        ),
        "timeout",
    ),
    **dict.fromkeys(
        (
            "APIConnectionError",
            "ConnectError",
            "ConnectionError",
            "ConnectionResetError",
            "ConnectionAbortedError",
            "ConnectionRefusedError",
            "BrokenPipeError",
            "RemoteProtocolError",
            "LocalProtocolError",
            "ReadError",
            "WriteError",
            "NetworkError",
            "ProtocolError",
            "IncompleteRead",
            "ChunkedEncodingError",
            "ServerDisconnectedError",
            "ClientConnectionError",
            "ClientConnectorError",
            "ClientOSError",
            "ClientPayloadError",
            "StreamInterruptedError",
            "NewConnectionError",
            "MaxRetryError",
            "SSLError",
        ),
        "connection",
    ),
    **dict.fromkeys(
        (
            "InternalServerError",
            "ServiceUnavailable",
            "ServiceUnavailableError",
            "BadGateway",
            "GatewayTimeout",
            "OverloadedError",
            "ServerError",
            "InternalError",
            "APIServerError",
        ),
        "server",
    ),
    **dict.fromkeys(
        (
            "ContentFilterError",
            "ContentFilterFinishReasonError",
            "ContentPolicyViolationError",
            "ResponsibleAIPolicyViolation",
        ),
        "content_filter",
    ),
    **dict.fromkeys(
        (
            "JSONDecodeError",
            "BadResponseError",
            "APIResponseValidationError",
            "DecodingError",
            "OutputParserException",
            "ResponseValidationError",
            "LengthFinishReasonError",
            # pydantic's, raised by an inner model parsing its answer into a schema
            # (ChatOpenAI's json_schema structured output given invalid JSON)
            "ValidationError",
        ),
        "bad_response",
    ),
}
_CONTEXT_NAMES = ("ContextOverflowError", "ContextWindowExceededError", "ContextLengthExceededError")
_CONTEXT_MARKERS = (  # as providers word it (and LiteLLM's own mapping reads them)
    "context_length_exceeded",
    "maximum context length",  # OpenAI, vLLM
    "model's context length",
    "exceeds the context window",
    "exceeds the context length",
    "context window exceeded",
    "context window error",  # LiteLLM's Bedrock mapping
    "prompt is too long",  # Anthropic
    "input is too long",  # Bedrock
    "input too long",
    "prompt has too many tokens",
    "exceeds the maximum number of tokens",  # Gemini
    "exceed context limit",  # Anthropic: input length and `max_tokens` exceed context limit
    "longer than the maximum model length",  # vLLM
    "exceeds the available context size",  # llama.cpp's server
    "exceed_context_size_error",
    "exceed model maximum",
    "input tokens exceed the configured limit",
    "contextwindowexceedederror",
)
_FILTER_MARKERS = (
    "content_filter",
    "content management policy",
    "responsibleaipolicyviolation",
    "content_policy_violation",
)
_MAX_CHAIN = 8


def classify_error(exc: BaseException) -> ErrorKind:
    """The :data:`ErrorKind` of a provider exception (``"other"`` when unknown)."""
    for current in _chain(exc):
        kind = _classify_one(current)
        if kind != "other":
            return kind
    return "other"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then the errors it wraps (``__cause__``, else ``__context__``), at most
    :data:`_MAX_CHAIN` of them, a cycle visited once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_MID_ANSWER = frozenset({"RemoteProtocolError", "ReadError", "IncompleteRead", "ChunkedEncodingError", "ClientPayloadError"})


_BEFORE_ANSWER = frozenset({"APIConnectionError", "ConnectError", "ConnectTimeout", "ClientConnectorError"})


def read_mid_answer(exc: BaseException) -> bool:
    """Whether the connection broke while the answer was being read: a transport's read
    error, as it is or wrapped by a retry helper (the SDKs wrap errors of the request phase
    in their ``APIConnectionError``, which says the answer had not begun; one under way was
    billed)."""
    for current in _chain(exc):
        names = {cls.__name__ for cls in type(current).__mro__}
        if names & _BEFORE_ANSWER:
            return False
        if names & _MID_ANSWER:
            return True
    return False


def is_retryable_kind(kind: str, allowed: Iterable[str] | None = None) -> bool:
    """Whether errors of ``kind`` may fall back to another tier.

    ``allowed`` is the configured list (``FallbackConfig.on``); ``None`` means
    :data:`DEFAULT_RETRYABLE`. ``"other"`` is retried only when listed explicitly, and then
    covers ``context_length`` too (a 4xx it retried before that kind was told apart).
    """
    pool = DEFAULT_RETRYABLE if allowed is None else frozenset(allowed)
    return kind in pool or (kind == "context_length" and "other" in pool)


def status_code(exc: BaseException) -> int | None:
    """The HTTP status carried by ``exc`` (or its ``response``), if any."""
    for owner in (exc, getattr(exc, "response", None)):
        if owner is None:
            continue
        for attr in ("status_code", "status", "http_status"):
            code = _as_status(_safe_getattr(owner, attr))
            if code is not None:
                return code
    return _as_status(_safe_getattr(exc, "code"))


def retry_after_seconds(exc: BaseException) -> float | None:
    """How long the provider asked the caller to wait, in seconds, if it said so: the
    ``retry-after-ms`` header (OpenAI, Azure) or ``Retry-After`` (seconds, or an HTTP date)
    of the error's response, or of the error it wraps (``__cause__`` / ``__context__``).
    ``None`` for no header, or one that is not a finite, non-negative time."""
    for current in _chain(exc):
        got = _own_seconds(current)
        if got is not None:
            return got
    return None


def _own_seconds(exc: BaseException) -> float | None:
    """The wait the error's own response headers ask for (not those of what it wraps)."""
    headers = _safe_getattr(_safe_getattr(exc, "response"), "headers")
    return _header_seconds(headers) if headers is not None else None


def requested_pause(exc: BaseException) -> float | None:
    """How long the provider asked to stay away: the ``Retry-After`` of a 429 or a 503 (what
    HTTP gives the header to) or of a rate-limit error, found along the wrapped errors as
    :func:`classify_error` looks; ``None`` for any other error."""
    for current in _chain(exc):
        if status_code(current) in (429, 503) or _classify_one(current) == "rate_limit":
            return _own_seconds(current)
    return None


def _header_seconds(headers: Any) -> float | None:
    """The longer of ``retry-after-ms`` and ``Retry-After`` where both are readable."""
    try:
        ms = headers.get("retry-after-ms") or headers.get("Retry-After-Ms")
        value = headers.get("retry-after") or headers.get("Retry-After")
    except Exception:  # a headers object that does not behave like a mapping
        return None
    found = []
    if ms is not None and _NUMBER.fullmatch(str(ms).strip()):
        found.append(float(str(ms).strip()) / 1000.0)
    if value is not None:
        text = str(value).strip()
        secs = float(text) if _NUMBER.fullmatch(text) else _http_date_seconds(text)
        if secs is not None:
            found.append(secs)
    return max(found) if found else None


_NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,9})?")


def _http_date_seconds(text: str) -> float | None:
    """``Retry-After: Wed, 21 Oct 2026 07:28:00 GMT``: seconds from now (0 if past)."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _classify_one(exc: BaseException) -> ErrorKind:
    if _is_content_filter(exc):
        return "content_filter"
    if _is_context_overflow(exc):
        return "context_length"
    for cls in type(exc).__mro__:
        kind = _NAMES.get(cls.__name__)
        if kind is not None:
            return kind
    code = status_code(exc)
    if code is not None:
        if code == 429:
            return "rate_limit"
        if code == 408:
            return "timeout"
        if 500 <= code <= 599:
            return "server"
        if code >= 400:  # the caller's request at fault, whatever its body's type says
            return "other"
    return provider_type(exc)


def _is_context_overflow(exc: BaseException) -> bool:
    """A prompt past the model's window: LangChain's (or LiteLLM's) own class, or a 400 / 413
    whose code or message says so (an error of no HTTP status is no provider's answer: a
    template's own ``ValueError`` about a long prompt is not read as one)."""
    if any(cls.__name__ in _CONTEXT_NAMES for cls in type(exc).__mro__):
        return True
    if status_code(exc) not in (400, 413):
        return False
    code = _safe_getattr(exc, "code")
    if isinstance(code, str) and code.lower() == "context_length_exceeded":
        return True
    try:
        text = str(exc)[:4000].lower()
    except Exception:
        return False
    return any(marker in text for marker in _CONTEXT_MARKERS)


def _is_content_filter(exc: BaseException) -> bool:
    if _safe_getattr(exc, "finish_reason") == "content_filter":
        return True
    code = _safe_getattr(exc, "code")
    if isinstance(code, str) and code.lower() in _FILTER_MARKERS:
        return True
    body = _safe_getattr(exc, "body")
    if isinstance(body, Mapping) and _mentions_filter(repr(body)):
        return True
    try:
        text = str(exc)
    except Exception:
        return False
    return _mentions_filter(text)


def _mentions_filter(text: str) -> bool:
    low = text[:4000].lower()
    return any(marker in low for marker in _FILTER_MARKERS)


def _as_status(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        code = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return code if 100 <= code <= 599 else None


def _safe_getattr(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    try:
        return getattr(obj, name, None)
    except Exception:  # properties of half-built SDK errors can raise
        return None


class SimulatedRateLimitError(Exception):
    """A provider's 429 as :func:`classify_error` sees it (``tier-router simulate``'s
    faults; ``shared_core.testing.FakeRateLimitError`` in tests)."""

    status_code = 429
