"""Whether a failed attempt's request reached the provider, and what a request that was
sent and never answered is recorded at.

A request lost on the client side after it was sent (a client read timeout, a caller's
cancellation, a connection reset after the request was written) is usually finished and
billed by the provider, and the client never learns what it cost. A non-streamed one is
recorded at its worst case, what the call's budget hold reserved for it: the request's
estimated input plus the whole output budget it was sent with (:func:`upper_bound_note`
says so on the record). A stream is not: a provider stops generating when the client
leaves a stream, so a stream counts what it received.

A request never sent costs nothing: the connection was never made (refused, DNS, a connect
timeout, no free connection in the pool) or the request was never written in full. That is
read from the transport's own errors, by class name along the wrapped errors (the SDKs
raise them ``from`` httpx's), so no provider SDK is imported.
"""

from __future__ import annotations

from collections.abc import Iterator

from .faults import status_code

NOT_SENT = frozenset({
    # httpx / httpcore: no connection (refused, DNS, connect timeout), none free in the pool,
    # or the request not written in full (a provider does not act on half a body)
    "ConnectError", "ConnectTimeout", "PoolTimeout", "WriteError", "WriteTimeout",
    # aiohttp, urllib3 / requests, the standard library
    "ClientConnectorError", "NewConnectionError", "ConnectTimeoutError",
    "ConnectionRefusedError", "gaierror",
})
"""Transport errors that say the request never reached the provider (class names)."""

UNANSWERED_KINDS = frozenset({"timeout", "connection"})
"""Fault kinds of an attempt that may have been sent and lost without an answer."""

_MAX_CHAIN = 8


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def request_sent(exc: BaseException) -> bool:
    """Whether the request of an attempt that failed with ``exc`` may have reached the
    provider: ``False`` only when the transport says it was never sent (:data:`NOT_SENT`)."""
    for current in _chain(exc):
        if any(cls.__name__ in NOT_SENT for cls in type(current).__mro__):
            return False
    return True


def sent_unanswered(exc: BaseException, kind: str) -> bool:
    """Whether ``exc`` (of fault ``kind``) lost a request the provider received, with no
    answer at all: a timeout or a broken connection with no HTTP status anywhere (a 408 or a
    gateway's 504 is the provider's answer) whose request was sent (:func:`request_sent`)."""
    if kind not in UNANSWERED_KINDS:
        return False
    if any(status_code(current) is not None for current in _chain(exc)):
        return False
    return request_sent(exc)


UPPER_BOUND = "tokens are an upper bound"
"""What every note of a record kept at its worst case says (:func:`is_upper_bound` reads it)."""


def upper_bound_note(output_tokens: int, kind: str | None = None) -> str:
    """The note on a record of a request sent and never answered (see the module), or, for
    ``kind`` ``bad_response``, answered with a body that could not be read."""
    what = (
        "answered with a body that could not be read" if kind == "bad_response"
        else "sent and not answered"
    )
    return (
        f"{what}: {UPPER_BOUND} (the request's estimated input and its whole output budget "
        f"of {output_tokens} tokens), as the provider may finish and bill it"
    )


def is_upper_bound(error: str | None) -> bool:
    """Whether a record's ``error`` note says its tokens (and cost) are an upper bound."""
    return error is not None and UPPER_BOUND in error
