"""The usage a provider reported, carried by the error a client raised after it answered.

The OpenAI SDK's ``LengthFinishReasonError`` (an answer cut by ``max_tokens`` when a
``response_format`` or strict tools were given) holds the whole ``completion``, usage
included: the answer was generated and billed, and raising lost it for the ledger.
An HTTP 200 whose ``"choices"`` is empty carries a usage too: an adapter that sees no answer
puts it on its :class:`~shared_core.errors.BadResponseError` (``usage``), and a client that
indexed the empty list (``IndexError``) still holds the response in the frame that raised.
Duck-typed (no provider SDK is imported): ``exc.completion.usage`` with OpenAI's field names,
``exc.usage`` as a :class:`~shared_core.pricing.Usage`, or a local of the raising frame that
has ``choices`` and ``usage``, on the error or on the errors it was raised from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .faults import read_mid_answer
from .pricing import Usage, provider_usage
from .unanswered import request_sent

_MAX_CHAIN = 4



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
    :func:`~shared_core.faults.classify_error`): their input is estimated (a non-streamed
    one with nothing read is then recorded at its worst case: :func:`unanswered_usage`).
    Other failures (a refused connection, a 4xx, a 5xx) cost nothing (``0.0``). One rule for the router's records
    (:meth:`CallPlan.failed`) and ``CostCallbackHandler``'s."""
    if usage is None:  # an error that carries the answer (a cut structured answer)
        usage, text = usage_in_error(exc)
        received_text = text if received_text is None else received_text
    if usage is None and received_text is None and (
        after_first_token or kind == "bad_response"
        or (kind == "timeout" and request_sent(exc))  # a connect timeout sent nothing
        or (kind == "connection" and read_mid_answer(exc))
    ):
        received_text = ""
    return usage, received_text


def unanswered_usage(
    exc: BaseException, kind: str, *, usage: Usage | None, received_text: str | None,
    budget: int | None, streamed: bool, sent_tokens: int,
) -> Usage | None:
    """The worst case of a non-streamed request sent and never answered (a read timeout, a
    cancellation, a connection reset after it was written; :func:`~shared_core.unanswered.
    sent_unanswered`), or answered with a body that could not be read (``bad_response``: an
    HTTP 200 the provider generated, and billed, whose usage is lost with it): its input
    estimate and the whole output ``budget`` it was sent with, as the provider may bill it
    all; ``None`` when that is not the case (a usage or some text came back, it was a
    stream, no budget is known). After :func:`failure_usage`, with what it returned; one
    rule for the router's records and ``CostCallbackHandler``'s
    (:func:`~shared_core.unanswered.upper_bound_note` says so on the record)."""
    from .unanswered import sent_unanswered

    if usage is not None or received_text or budget is None or streamed:
        return None
    if kind == "bad_response" or sent_unanswered(exc, kind):
        return Usage(sent_tokens, budget)
    return None


def usage_in_error(exc: BaseException) -> tuple[Usage | None, str | None]:
    """The usage (``None`` when none, or not believable) and the answer's text (``None`` when
    none) of the completion ``exc`` carries, else ``(None, None)``."""
    seen = 0
    err: BaseException | None = exc
    while err is not None and seen < _MAX_CHAIN:
        completion = getattr(err, "completion", None)
        if completion is not None:
            return _usage(completion), _text(completion)
        carried = getattr(err, "usage", None)
        if isinstance(carried, Usage):
            return carried, None
        if isinstance(err, IndexError) and (empty := _empty_response(err)) is not None:
            return _usage(empty), None
        err = err.__cause__ or err.__context__
        seen += 1
    return None, None


def reported_usage(usage: Any, model: str = "unknown model") -> Usage | None:
    """A usage block with OpenAI's field names (an object or a mapping, e.g. LangChain's
    ``llm_output["token_usage"]``) as a :class:`Usage`; ``None`` when it has no counts, or
    counts that are not believable (:func:`~shared_core.pricing.provider_usage`)."""
    if usage is None:
        return None
    inp = _field(usage, "prompt_tokens")
    out = _field(usage, "completion_tokens")
    if inp is None and out is None:
        return None
    cached = _field(_field(usage, "prompt_tokens_details"), "cached_tokens")
    return provider_usage(inp, out, cached or 0, source=model)


def _usage(completion: Any) -> Usage | None:
    model = _field(completion, "model") or "unknown model"
    return reported_usage(_field(completion, "usage"), str(model))


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _empty_response(exc: IndexError) -> Any:
    """The response an ``IndexError`` was raised reading: a local of the frame that raised
    it whose ``choices`` is empty and that has a ``usage`` (``response.choices[0]``)."""
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    for value in list(tb.tb_frame.f_locals.values()):
        try:
            choices = _field(value, "choices")
            if isinstance(choices, (list, tuple)) and not choices and _field(value, "usage") is not None:
                return value
        except Exception:  # a local whose attributes raise: not the response
            continue
    return None


def _text(completion: Any) -> str | None:
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None
