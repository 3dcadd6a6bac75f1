"""Which records a read selects (:class:`RecordFilter`) and which budget scopes a record counts
toward (:func:`record_scopes`); re-exported by :mod:`shared_core.ledger.base`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import CallRecord


@dataclass(frozen=True)
class RecordFilter:
    """The filters of :meth:`CostLedger.records` (``None`` = any)."""

    since: float | None = None
    """Unix seconds, inclusive."""
    until: float | None = None
    """Unix seconds, exclusive."""
    tier: str | None = None
    tag: str | None = None
    status: str | None = None

    def matches(self, rec: CallRecord) -> bool:
        """Whether ``rec`` passes every filter (for ledgers that filter in Python)."""
        return (
            (self.since is None or rec.ts >= self.since)
            and (self.until is None or rec.ts < self.until)
            and (self.tier is None or rec.tier == self.tier)
            and (self.tag is None or self.tag in rec.tags)
            and (self.status is None or rec.status == self.status)
        )


def record_scopes(rec: CallRecord) -> list[str]:
    """The budget scopes a record's cost counts toward: ``global``, each tag, its user."""
    if not rec.tags:  # the usual record: no tags (a user, maybe)
        return ["global", f"user:{rec.user}"] if rec.user else ["global"]
    scopes = ["global", *(f"tag:{t}" for t in dict.fromkeys(rec.tags))]
    if rec.user:
        scopes.append(f"user:{rec.user}")
    return scopes
