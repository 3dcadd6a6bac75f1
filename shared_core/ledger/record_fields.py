"""The checks a :class:`~shared_core.ledger.base.CallRecord` runs on its fields: every value it
keeps is one a ledger can store (see :mod:`shared_core.storable`), since one record a ledger
cannot write would fail the batch it is written in."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..errors import InputError
from ..storable import MAX_COUNT, key_id, key_tags, storable_count, storable_id

if TYPE_CHECKING:
    from .base import CallRecord

STATUSES: tuple[str, ...] = ("ok", "failed", "rejected", "refused", "abandoned")
"""``abandoned``: the caller closed a stream before its end, or cancelled / interrupted the call
while the provider answered; the provider was paid anyway
(cost from the provider's usage when it came, else estimated from what was sent and received)."""


def unbilled(status: str, tokens: int, metadata: dict[str, object] | None) -> bool:
    """Whether a record whose ``cost_usd`` is ``None`` is one the provider did not bill, so
    its cost is a known ``0.0``: a ``failed`` attempt with no tokens (a 4xx, a 5xx, a request
    never sent) whose record pays for no LLM judge of unknown price (``metadata``'s
    ``classifier_cost_usd`` present and ``None``).

    The rule of every record (:class:`~shared_core.ledger.base.CallRecord` applies it, so the
    router's records, ``CostCallbackHandler``'s and rows read back from any ledger follow it):
    ``cost_usd`` ``None`` means an unknown price, and nothing else. Records written before it
    carried ``None`` for such failures; they read back as ``0.0``."""
    if status != "failed" or tokens:
        return False
    return not (metadata and "classifier_cost_usd" in metadata and metadata["classifier_cost_usd"] is None)


def check_record_fields(rec: CallRecord) -> None:
    """:class:`CallRecord`'s checks of every field but ``metadata``: the router's own records
    run only these when their metadata is already storable (see
    :func:`~shared_core.storable.is_flat_storable`). Spelled out: this runs for every attempt."""
    d = rec.__dict__
    if d["status"] not in STATUSES:
        raise InputError(f"CallRecord.status must be one of {STATUSES}, got {d['status']!r}")
    v = d["cost_usd"]
    if v is None:
        if unbilled(d["status"], d["input_tokens"] or d["output_tokens"] or d["cached_input_tokens"], d["metadata"]):
            d["cost_usd"] = 0.0  # not billed: a known zero (None is an unknown price)
            if d["baseline_cost_usd"] is None and d["baseline_model"] is not None:
                d["baseline_cost_usd"] = 0.0
    elif not (math.isfinite(v) and v >= 0):
        raise InputError(f"CallRecord.cost_usd must be finite and >= 0, or None, got {v!r}")
    v = d["baseline_cost_usd"]
    if v is not None and not (math.isfinite(v) and v >= 0):
        raise InputError(f"CallRecord.baseline_cost_usd must be finite and >= 0, or None, got {v!r}")
    ts = d["ts"]
    if not (isinstance(ts, (int, float)) and math.isfinite(ts)):
        # a NaN day is no day: the record could never be counted, and held the others back
        raise InputError(f"CallRecord.ts must be a finite Unix time, got {ts!r}")
    lat, conf = d["latency_ms"], d["confidence"]
    if lat != lat:  # NaN: SQLite stores it as NULL (read back None), PostgreSQL as NaN
        d["latency_ms"] = 0.0  # unknown, the default
    if conf is not None and conf != conf:
        d["confidence"] = None
    tags = d["tags"]
    if tags.__class__ is not tuple or tags:  # keys: lone surrogates kept (ledger.key_text)
        d["tags"] = key_tags(tags)
    # every text column storable: one the database cannot encode fails its whole batch
    k, tr, m = d["call_id"], d["tier"], d["model"]
    if k.__class__ is not str or tr.__class__ is not str or m.__class__ is not str or not (
        k.isascii() and tr.isascii() and m.isascii()
    ):
        for name in ("call_id", "tier", "model"):
            d[name] = storable_id(d[name])
    u, t, e, p, v = d["user"], d["thread_id"], d["error"], d["prompt"], d["variant"]
    if (u is not None and u.__class__ is not str) or (t is not None and t.__class__ is not str):
        d["user"], d["thread_id"] = key_id(u), key_id(t)  # keys: lone surrogates kept
    if (
        (e is not None and (e.__class__ is not str or not e.isascii()))
        or (p is not None and (p.__class__ is not str or not p.isascii()))
        or (v is not None and (v.__class__ is not str or not v.isascii()))
    ):
        for name in ("error", "prompt", "variant"):
            d[name] = storable_id(d[name])
    ek, bm, cl, ph = d["error_kind"], d["baseline_model"], d["classifier"], d["prompt_hash"]
    if (
        (ek is not None and (ek.__class__ is not str or not ek.isascii()))
        or (bm is not None and (bm.__class__ is not str or not bm.isascii()))
        or (cl is not None and (cl.__class__ is not str or not cl.isascii()))
        or (ph is not None and (ph.__class__ is not str or not ph.isascii()))
    ):
        for name in ("error_kind", "baseline_model", "classifier", "prompt_hash"):
            d[name] = storable_id(d[name])
    i, o, c, a = d["input_tokens"], d["output_tokens"], d["cached_input_tokens"], d["attempt"]
    if (
        i.__class__ is not int or o.__class__ is not int or c.__class__ is not int
        or a.__class__ is not int
        or not (0 <= i <= MAX_COUNT and 0 <= o <= MAX_COUNT and 0 <= c <= MAX_COUNT)
        or not 0 <= a <= MAX_COUNT
    ):
        for name in ("input_tokens", "output_tokens", "cached_input_tokens", "attempt"):
            d[name] = storable_count(d[name])
