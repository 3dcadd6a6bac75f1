"""The rows of one write transaction of a :class:`~shared_core.ledger.sqlite.SQLiteLedger`, and
what becomes of an item the database refuses.

A batch (everything queued when the transaction starts) is inserted under a savepoint. When it
fails for a reason of one of its items rather than of the file (a value SQLite cannot encode or
bind, a constraint), the savepoint is rolled back and the items are inserted one at a time in
the same transaction: the ones the database takes are committed, each one it refuses is set
aside (see :func:`~shared_core.ledger.spill.reject`), so one bad item neither holds back the
queue behind it nor is lost. A locked, full or broken file (``OperationalError``, any other
``DatabaseError``) fails the batch as before: it stays queued and is tried again.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import spill
from .base import CallRecord, Feedback, day_start, record_scopes
from .key_text import sqlite_key, sqlite_key_back
from .lapsed import LAPSED_ATTEMPT, LAPSED_KIND
from .sqlite_sql import _COUNT, _INSERT, GIVE_VARIANT, INSERT_FEEDBACK, _row_values, _tag_key

ITEM_ERRORS: tuple[type[BaseException], ...] = (
    UnicodeError,  # a lone surrogate in a text value
    OverflowError,  # an integer past 64 bits
    ValueError,
    TypeError,
    sqlite3.InterfaceError,  # a value of a type SQLite cannot bind (older Pythons)
    sqlite3.ProgrammingError,  # the same on newer ones
    sqlite3.IntegrityError,
    sqlite3.DataError,  # a string or blob too big
)
"""Failures of an item, not of the file: the batch is retried one item at a time."""

# the logger the ledger has always warned on (callers filter by its name)
logger = logging.getLogger("shared_core.ledger.sqlite")


def busy_file(exc: Exception) -> bool:
    """Another connection holds the file's lock (the writer waits for it, not the loop)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


@dataclass
class Rejected:
    """The items of a batch the database refused, each with why."""

    records: list[tuple[CallRecord, str]] = field(default_factory=list)
    releases: list[tuple[str, str]] = field(default_factory=list)
    feedback: list[tuple[Feedback, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records) + len(self.releases) + len(self.feedback)


def insert_batch(
    conn: sqlite3.Connection, records: list[CallRecord], releases: list[str], feedback: list[Feedback]
) -> Rejected | None:
    """Insert a batch inside the open transaction; ``None`` when every item went in, else what
    the database refused (every other item went in)."""
    conn.execute("SAVEPOINT batch")
    try:
        insert(conn, records, releases, feedback)
    except ITEM_ERRORS:
        conn.execute("ROLLBACK TO batch")  # raises when the connection itself failed
        rejected = Rejected()
        for rec in records:
            _one(conn, rejected.records, rec, [rec], [], [])
        for rid in releases:
            _one(conn, rejected.releases, rid, [], [rid], [])
        for fb in feedback:
            _one(conn, rejected.feedback, fb, [], [], [fb])
        conn.execute("RELEASE batch")
        return rejected
    conn.execute("RELEASE batch")
    return None


def _one(
    conn: sqlite3.Connection, refused: list[Any], item: object,
    records: list[CallRecord], releases: list[str], feedback: list[Feedback],
) -> None:
    """One item in a savepoint of its own; refused: rolled back and added to ``refused``."""
    conn.execute("SAVEPOINT one")
    try:
        insert(conn, records, releases, feedback)
    except ITEM_ERRORS as exc:
        conn.execute("ROLLBACK TO one")
        refused.append((item, f"{type(exc).__name__}: {exc}"))
    conn.execute("RELEASE one")


def insert(
    conn: sqlite3.Connection, records: list[CallRecord], releases: list[str], feedback: list[Feedback]
) -> None:
    """The rows of one write transaction: records (with their tags and day counters, and
    their variant given to the scores stored before them), the releases of their holds,
    feedback."""
    for rec in records:
        row = conn.execute(_INSERT, _row_values(rec)).lastrowid
        if rec.tags:
            conn.executemany(
                "INSERT INTO call_tags (call_row, tag, ts) VALUES (?, ?, ?)",
                [(row, _tag_key(t), rec.ts) for t in dict.fromkeys(rec.tags)],
            )
        if rec.cost_usd is not None:
            day = day_start(rec.ts)
            conn.executemany(_COUNT, [(sqlite_key(sc), day, rec.cost_usd) for sc in record_scopes(rec)])
    # scores another worker stored before these records (their calls' variant unknown then)
    named = list(dict.fromkeys(r.call_id for r in records if r.variant is not None))
    if named:
        conn.executemany(GIVE_VARIANT, [(c, c) for c in named])
    if releases:
        ids = [str(rid) for rid in releases]
        conn.executemany("DELETE FROM reservations WHERE id = ?", [(rid,) for rid in ids])
        _drop_lapsed(conn, ids)  # a lapse of these holds stood in for the records now in
    if feedback:
        conn.executemany(
            INSERT_FEEDBACK, [(f.call_id, f.score, f.source, f.ts, f.call_id) for f in feedback]
        )


_IDS_PER_READ = 500
"""Most ids one read of :func:`_drop_lapsed` binds (SQLite before 3.32 binds 999 at most)."""


def _drop_lapsed(conn: sqlite3.Connection, reservation_ids: list[str]) -> None:
    """Delete the ``lapsed_hold`` records of these released holds (their tags rows too) and
    take their cost back off the day counters, in the caller's transaction (see
    :mod:`.lapsed`): the call's records are in (queued before its release), so it counts once,
    at its real cost. One indexed read (``calls_call_id``) per batch when nothing lapsed."""
    for at in range(0, len(reservation_ids), _IDS_PER_READ):
        ids = reservation_ids[at:at + _IDS_PER_READ]
        rows = conn.execute(
            "SELECT id, call_id, cost_usd, ts, user, tags FROM calls "
            f"WHERE call_id IN ({', '.join('?' * len(ids))}) AND attempt >= ? AND error_kind = ?",
            (*ids, LAPSED_ATTEMPT, LAPSED_KIND),  # (call_id is stored as it is)
        ).fetchall()
        for row, rid, cost, ts, user, tags in rows:
            conn.execute("DELETE FROM call_tags WHERE call_row = ?", (row,))
            conn.execute("DELETE FROM calls WHERE id = ?", (row,))
            if cost is None:
                continue
            rec = CallRecord(
                call_id=rid, tier="-", model="-", user=None if user is None else sqlite_key_back(user),
                tags=tuple(sqlite_key_back(t) for t in json.loads(tags or "[]")),
            )
            conn.executemany(
                "UPDATE spend_days SET total = total - ? WHERE scope = ? AND day = ?",
                [(cost, sqlite_key(sc), day_start(ts)) for sc in record_scopes(rec)],
            )


def set_aside(path: str, rejected: Rejected) -> None:
    """Items the database refused (taken off the queue): kept in the rejected file, warned."""
    where = spill.reject(path, [
        *({"record": r.to_dict(), "error": why} for r, why in rejected.records),
        *({"release": rid, "error": why} for rid, why in rejected.releases),
        *({"feedback": [f.call_id, f.score, f.source, f.ts], "error": why} for f, why in rejected.feedback),
    ])
    ids = [r.call_id for r, _ in rejected.records] + [rid for rid, _ in rejected.releases]
    ids += [f.call_id for f, _ in rejected.feedback]
    why = (rejected.records or rejected.releases or rejected.feedback)[0][1]
    logger.warning(
        "cost ledger %s: %d item(s) the database refuses (%s; call ids %s) %s; the items "
        "queued after them are written",
        path, len(rejected), why, ", ".join(map(ascii, ids[:10])),
        f"set aside in {where}" if where else "could be kept nowhere (logged here)",
    )
