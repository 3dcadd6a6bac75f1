"""Which tokens an attempt's record carries: the provider's usage when it is believable,
else tokens estimated from the text sent and received.

One rule for both adapters, calls and streams (:meth:`AttemptRecords._record
<shared_core.attempt_records.AttemptRecords._record>` applies it to every answer):

* no usage reported (or counts no call can have: :func:`~shared_core.pricing.provider_usage`)
  -> both sides estimated, noted :data:`ESTIMATED`;
* a usage impossible for what was sent and received -> that side estimated, the other kept,
  noted "not believable". Impossible: 0 input tokens for a request that sent text, 0 output
  tokens for an answer that has text or a tool call. Some OpenAI-compatible servers and
  proxies report ``{"prompt_tokens": 0, "completion_tokens": 0}`` (or nulls, which LangChain
  reads as 0) for answers they bill: taken at its word, every such answer was free and a hard
  budget never tripped.

Estimates are :func:`~shared_core.pricing.estimate_tokens` (characters / 4 for ASCII).
"""

from __future__ import annotations

import logging

from .pricing import Usage, estimate_tokens, estimated_usage

logger = logging.getLogger("shared_core.dispatch")

ESTIMATED = "the provider reported no usage; tokens estimated from the text sent and received"
"""The note on a record whose tokens were estimated because the provider reported none."""

NOT_BELIEVABLE = "the provider's usage is not believable"
"""How the note on a record whose reported usage was not believed begins."""

ESTIMATE_MARK = "estimated from the text"
"""What every note of a record whose tokens (some or all) were estimated says: no usage, a
usage not believed, a call stopped before its usage came (:func:`is_estimated`)."""


def is_estimated(error: str | None) -> bool:
    """Whether a record's ``error`` note says its tokens (and so its cost) are estimated."""
    return error is not None and ESTIMATE_MARK in error

_warned: set[str] = set()


def believed_usage(
    reported: Usage | None, sent_tokens: int, received_text: str, *, source: str = "unknown model"
) -> tuple[Usage, str | None]:
    """The usage to record for an attempt and the note that says why it is not the reported
    one (``None``: the reported usage, believed).

    ``sent_tokens``: the request's estimated input tokens; ``received_text``: the answer's
    text, tool calls' names and arguments included (what output tokens are estimated from).
    ``source`` (the model) is named in the one WARNING per model a not-believable usage logs.
    """
    if reported is None:
        return estimated_usage(sent_tokens, received_text), ESTIMATED
    no_input = reported.input_tokens == 0 and sent_tokens > 0
    no_output = reported.output_tokens == 0 and bool(received_text)
    if not (no_input or no_output):
        return reported, None
    why = []
    if no_input:
        why.append("0 input tokens for a non-empty request")
    if no_output:
        why.append("0 output tokens for a non-empty answer")
    side = "tokens" if no_input and no_output else "input tokens" if no_input else "output tokens"
    text = "sent and received" if no_input and no_output else "sent" if no_input else "received"
    inp = max(0, int(sent_tokens)) if no_input else reported.input_tokens
    out = estimate_tokens(received_text) if no_output else reported.output_tokens
    usage = Usage(inp, out, min(reported.cached_input_tokens, inp))
    if source not in _warned:
        _warned.add(source)
        logger.warning(
            "provider usage for %r is not believable (%s): that side is estimated from the "
            "text (said once per model)", source, ", ".join(why),
        )
    return usage, f"{NOT_BELIEVABLE} ({', '.join(why)}); {side} estimated from the text {text}"
