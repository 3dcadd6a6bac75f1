"""The usage a provider reported, carried by the error a client raised after it answered.

The OpenAI SDK's ``LengthFinishReasonError`` (an answer cut by ``max_tokens`` when a
``response_format`` or strict tools were given) holds the whole ``completion``, usage
included: the answer was generated and billed, and raising lost it for the ledger.
Duck-typed (no provider SDK is imported): ``exc.completion.usage`` with OpenAI's field names,
on the error or on the errors it was raised from.
"""

from __future__ import annotations

from typing import Any

from .faults import read_mid_answer
from .pricing import Usage, provider_usage

_MAX_CHAIN = 4

SENT_KINDS = frozenset({"timeout", "bad_response"})
"""Failures whose request reached the provider (so may be billed): their input is estimated."""


def failure_usage(
    exc: BaseException, kind: str, *, after_first_token: bool = False,
    usage: Usage | None = None, received_text: str | None = None,
) -> tuple[Usage | None, str | None]:
    """What a failed attempt is billed from: ``(usage, received_text)``, the provider's usage
    (``usage``, else the one ``exc`` carries) and, when there is none, the text to estimate
    the output from (``None``: nothing to bill; the record has no cost).

    A stream cut after its first token (``after_first_token``) was generated, and so billed;
    a timeout's request was sent, a ``bad_response`` was answered, and so was one whose
    answer broke off while it was read (``kind`` is ``exc``'s
    :func:`~shared_core.faults.classify_error`): their input is estimated. Other failures
    (a refused connection, a 4xx, a 5xx) cost nothing. One rule for the router's records
    (:meth:`CallPlan.failed`) and ``CostCallbackHandler``'s."""
    if usage is None:  # an error that carries the answer (a cut structured answer)
        usage, text = usage_in_error(exc)
        received_text = text if received_text is None else received_text
    if usage is None and received_text is None and (
        after_first_token or kind in SENT_KINDS or (kind == "connection" and read_mid_answer(exc))
    ):
        received_text = ""
    return usage, received_text


def usage_in_error(exc: BaseException) -> tuple[Usage | None, str | None]:
    """The usage (``None`` when none, or not believable) and the answer's text (``None`` when
    none) of the completion ``exc`` carries, else ``(None, None)``."""
    seen = 0
    err: BaseException | None = exc
    while err is not None and seen < _MAX_CHAIN:
        completion = getattr(err, "completion", None)
        if completion is not None:
            return _usage(completion), _text(completion)
        err = err.__cause__ or err.__context__
        seen += 1
    return None, None


def _usage(completion: Any) -> Usage | None:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return None
    inp = getattr(usage, "prompt_tokens", None)
    out = getattr(usage, "completion_tokens", None)
    if inp is None and out is None:
        return None
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    model = getattr(completion, "model", None) or "unknown model"
    return provider_usage(inp, out, cached or 0, source=str(model))


def _text(completion: Any) -> str | None:
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None
