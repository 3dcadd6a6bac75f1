"""A budget hold that lapses becomes spend: the record a ledger writes in its place.

A live process renews the holds of its calls under way every third of the TTL
(:mod:`shared_core.hold_keeper`) and releases each when its records are in, so a hold that
reaches its expiry belongs to a worker that died (SIGKILL, the OOM killer, a lost host) or
that could not reach the ledger for two thirds of the TTL. Such a worker may have sent
requests the provider bills and never recorded them: dropping the hold would let that money
be spent again, past a hard limit. So a shared ledger (SQLite, PostgreSQL), where it deletes
expired holds, writes in the same step one record per lapsed hold: ``status="abandoned"``, ``error_kind="lapsed_hold"``,
``cost_usd`` the held amount (the worst case of what its calls may be billed: an upper bound),
its user and tags those the hold's scopes name, so global, per-user and per-tag spend all count
it. Its ``call_id`` is the reservation's, the call's own id.

Only the scopes a hold was taken in (those with a hard limit) are known: a user or tag with no
limit of its own is not on the record. A worker alive but cut off from the ledger for two thirds
of the TTL (paused, or its renewals failing) later writes its real records, then the release of
its hold, queued after them. Every release drops, in the transaction that writes it, the lapsed
records of its hold and their spend (:func:`~.pg_sql.drop_lapsed`; SQLite:
``sqlite_batch._drop_lapsed``), whichever process or ledger object made the hold spend: such a
call counts once, at its real cost (it counted twice, lapse and records, until the release is
written: an over-count, never an under-count). So does a release a worker spilled with its
records (it closed with the database down), replayed by the next ledger.

The in-memory ledger drops a lapsed hold instead: it dies with its process, so its holds belong
to a living worker (this process paused past the TTL, or the parent of a forked child's copy)
that records the call's real cost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .base import CallRecord, parse_scope

logger = logging.getLogger("tier_router")

LAPSED_KIND = "lapsed_hold"
"""The ``error_kind`` of the record a lapsed hold becomes."""
LAPSED_TIER = "(lapsed hold)"
"""Its ``tier`` and ``model``: a hold does not say which tier its call was on."""
LAPSED_ATTEMPT = 1 << 40
"""The least ``attempt`` of such a record: past any real attempt number, so its ``(call_id,
attempt)`` is its own. Each lapse adds the hold's expiry in milliseconds (:func:`lapsed_attempt`):
a call whose hold lapses twice (its worker cut off, back, extending the call, then killed) has
two records, where PostgreSQL's ``ON CONFLICT (call_id, attempt) DO NOTHING`` dropped the second's
spend."""


def lapsed_attempt(expires: float) -> int:
    """The ``attempt`` of the record a hold expiring at ``expires`` becomes."""
    return LAPSED_ATTEMPT + max(0, int(expires * 1000))


def lapsed_note(amount: float) -> str:
    return (
        f"budget hold of ${amount:.6g} lapsed: its worker stopped renewing it (killed, or cut off "
        "from the ledger) with calls it may have sent unrecorded; kept as spend at the held amount, "
        "an upper bound of what the provider may bill (taken back if the worker was alive and "
        "releases the hold once its records are in)"
    )


def lapsed_records(rows: Iterable[tuple[str, str, float, float]]) -> list[CallRecord]:
    """One record per lapsed hold from its rows ``(reservation id, scope, amount, expires)``.

    A hold's rows (one per scope) normally hold one amount; the largest is kept. The record's
    time is the hold's expiry (the latest of its rows)."""
    holds: dict[str, tuple[list[str], float, float]] = {}
    for rid, scope, amount, expires in rows:
        scopes, top, at = holds.get(rid, ([], 0.0, 0.0))
        scopes.append(scope)
        holds[rid] = (scopes, max(top, float(amount)), max(at, float(expires)))
    out = []
    for rid, (scopes, amount, at) in holds.items():
        if amount <= 0.0:
            continue  # nothing was held: nothing at risk
        user: str | None = None
        tags: list[str] = []
        for scope in scopes:
            kind, value = parse_scope(scope)
            if kind == "user":
                user = value
            elif kind == "tag" and value is not None:
                tags.append(value)
        out.append(CallRecord(
            call_id=rid, tier=LAPSED_TIER, model=LAPSED_TIER, attempt=lapsed_attempt(at), ts=at,
            status="abandoned", error_kind=LAPSED_KIND, error=lapsed_note(amount), cost_usd=amount,
            tags=tuple(tags), user=user, metadata={"lapsed_hold": True},
        ))
    return out


def warn_lapsed(records: list[CallRecord], where: object) -> None:
    """One WARNING per batch of holds turned into spend."""
    if records:
        total = sum(r.cost_usd or 0.0 for r in records)
        logger.warning(
            "cost ledger %s: %d budget hold(s) lapsed unreleased (a worker killed or cut off from "
            "the ledger); $%.6g counted as spend", where, len(records), total,
        )


def is_lapsed(rec: CallRecord) -> bool:
    return rec.error_kind == LAPSED_KIND
