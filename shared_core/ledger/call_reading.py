"""How one record counts in its call: which call it belongs to (:func:`call_key`), whether it is an
attempt sent (:func:`is_sent`) or a judge's record (:func:`is_judge_record`), where a call ended
(:func:`final_record`) and its baseline (:func:`record_baseline`). The summary
(:mod:`.summary`), the variant comparison and the HTML report read calls through these, so they
agree; the counting rules are in :mod:`.summary`'s docstring."""

from __future__ import annotations

from collections.abc import Sequence

from .base import CallRecord
from .lapsed import is_lapsed
from .late_judge import is_late_judge

__all__ = ["call_key", "final_record", "is_judge_record", "is_sent", "record_baseline"]


def record_baseline(r: CallRecord) -> float:
    """What a record counts as baseline cost: an ``ok`` record's priced baseline; a lapsed
    hold's own cost (no saving nor loss claimed on calls nobody recorded); else 0."""
    if r.cost_usd is None:  # an answer of unknown cost saves nothing we can show
        return 0.0
    if is_lapsed(r):
        return r.cost_usd
    return (r.baseline_cost_usd or 0.0) if r.status == "ok" else 0.0


def call_key(r: CallRecord) -> str:
    """The call a record belongs to: the routed call a ``RunnableRouter`` route's model call or
    judge record names (``metadata["router_call_id"]``: each model call of a route has a call
    id of its own), else its own ``call_id``."""
    key = r.metadata.get("router_call_id") if r.metadata else None
    return key if isinstance(key, str) and key else r.call_id


def is_judge_record(r: CallRecord) -> bool:
    """Whether a record is what a judge cost deciding its call, not an attempt of it: a
    ``RunnableRouter`` judge's (``langchain_router.route_judge``: the decision's call id, named
    as the router call, with the judge's calls) or a shadow candidate's judge that answered late
    (:mod:`.late_judge`). Its cost is the call's; it is never where the call ended."""
    if is_late_judge(r):
        return True
    md = r.metadata
    return bool(md) and md.get("router_call_id") == r.call_id and bool(md.get("classifier_calls"))


def is_sent(r: CallRecord) -> bool:
    """Whether a record is an attempt sent to a provider (what ``attempts`` counts): not a
    refusal, a kept answer's marker, a lapsed hold, a record of a call stopped before any tier,
    nor a ``RunnableRouter`` judge's record."""
    from ..attempt_records import is_attempt  # (imports the ledger package: not at load)

    return is_attempt(r) and not is_lapsed(r) and not _before_any_tier(r) and not is_judge_record(r)


def final_record(attempts: Sequence[CallRecord]) -> CallRecord:
    """The record where a call ended, from its records sorted by ``(attempt, ts)``: its last
    answer, else its last tier called (the summary and the HTML report read a call the same
    way). A judge's record (:func:`is_judge_record`: a ``RunnableRouter`` judge's, a shadow's
    late one) is never it, though its cost is the call's."""
    # a RunnableRouter judge's record answered nothing: the call ended where its routes did
    attempts = [r for r in attempts if not is_judge_record(r)] or list(attempts)
    ok = [r for r in attempts if r.status == "ok"]
    if ok:
        return ok[-1]
    # a lapsed hold next to the call's own records (its worker came back and wrote them) is
    # not where the call ended
    attempts = [r for r in attempts if not is_lapsed(r)] or attempts
    # a tier refused mid-call (a fallback the budget refused) was never called: the call ended
    # on the last tier that was
    tried = [r for r in attempts if r.status != "refused"] or attempts
    return max(tried, key=lambda r: (r.attempt, r.ts))


def _before_any_tier(r: CallRecord) -> bool:
    """A record of a call refused or stopped before any tier was called: no tokens, no
    latency. Its ``cost_usd`` None means unknown (an LLM judge's call was in flight and may
    have been billed), as everywhere."""
    return r.status in ("refused", "abandoned") and not (
        r.input_tokens or r.output_tokens or r.latency_ms
    )
