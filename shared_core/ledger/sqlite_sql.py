"""The SQL of :class:`~shared_core.ledger.sqlite.SQLiteLedger`: schema, migration, rows, spend.

The tables (calls, their tags, feedback, the shared state log, per-scope day counters,
reservations, alert claims), the upgrade of an older file, how a :class:`CallRecord` is
stored and read back, and the spend and reservation sums budgets ask for.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..storable import storable_text
from .base import CallRecord, day_start, parse_scope
from .key_text import sqlite_key, sqlite_key_back

_COLUMNS = (
    "call_id",
    "attempt",
    "ts",
    "tier",
    "model",
    "status",
    "error_kind",
    "error",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cost_usd",
    "baseline_model",
    "baseline_cost_usd",
    "latency_ms",
    "escalated",
    "fallback",
    "classifier",
    "confidence",
    "prompt_hash",
    "prompt",
    "tags",
    "metadata",
    "user",
    "thread_id",
    "framework",
    "streamed",
    "variant",
)
_BOOL_COLUMNS = ("escalated", "fallback", "streamed")
_KEY_COLUMNS = ("user", "thread_id")
"""Keys a record keeps as given (:mod:`~shared_core.ledger.key_text` stores them); its other
text is made storable when it is built (:mod:`shared_core.storable`)."""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    {
    ", ".join(
        c
        + (
            " REAL"
            if c in ("ts", "cost_usd", "baseline_cost_usd", "latency_ms", "confidence")
            else ""
        )
        for c in _COLUMNS
    )
}
);
CREATE INDEX IF NOT EXISTS calls_ts ON calls (ts);
CREATE INDEX IF NOT EXISTS calls_user_ts ON calls (user, ts);
CREATE INDEX IF NOT EXISTS calls_call_id ON calls (call_id);
CREATE TABLE IF NOT EXISTS call_tags (
    call_row INTEGER NOT NULL REFERENCES calls (id), tag TEXT NOT NULL, ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS call_tags_tag_ts ON call_tags (tag, ts);
CREATE INDEX IF NOT EXISTS call_tags_row ON call_tags (call_row, tag);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL, score REAL NOT NULL, source TEXT NOT NULL, ts REAL NOT NULL,
    variant TEXT
);
CREATE INDEX IF NOT EXISTS feedback_ts ON feedback (ts);
CREATE INDEX IF NOT EXISTS feedback_call_id ON feedback (call_id);
CREATE TABLE IF NOT EXISTS state_log (
    key TEXT NOT NULL, version INTEGER NOT NULL, value TEXT NOT NULL, ts REAL NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE TABLE IF NOT EXISTS spend_days (
    scope TEXT NOT NULL, day REAL NOT NULL, total REAL NOT NULL, PRIMARY KEY (scope, day)
);
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT NOT NULL, scope TEXT NOT NULL, amount REAL NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (id, scope)
);
CREATE INDEX IF NOT EXISTS reservations_scope ON reservations (scope, expires);
CREATE TABLE IF NOT EXISTS alerts (
    scope TEXT NOT NULL, period TEXT NOT NULL, since REAL NOT NULL, fraction REAL NOT NULL,
    ts REAL NOT NULL, PRIMARY KEY (scope, period, since, fraction)
);
"""
SCHEMA_VERSION = 4
# the feedback loop's reads: the newest entries (LIMIT -1: all), the records of some calls
RECENT_FEEDBACK = (
    "SELECT call_id, score, source, ts FROM feedback WHERE ts >= ? ORDER BY ts DESC, id DESC LIMIT ?"
)
# one A/B variant's (its call's variant, copied when the entry is written): feedback_variant_ts
RECENT_FEEDBACK_IN_VARIANT = (
    "SELECT call_id, score, source, ts FROM feedback WHERE variant = ? AND ts >= ? "
    "ORDER BY ts DESC, id DESC LIMIT ?"
)
FEEDBACK_VARIANT_INDEX = "CREATE INDEX IF NOT EXISTS feedback_variant_ts ON feedback (variant, ts)"
# an entry takes its call's variant from the call's record, written before it (same batch or earlier)
INSERT_FEEDBACK = (
    "INSERT INTO feedback (call_id, score, source, ts, variant) VALUES "
    "(?, ?, ?, ?, (SELECT variant FROM calls WHERE call_id = ? LIMIT 1))"
)
# ... or, written after them (another worker's record, queued while the score was written),
# the record gives it to them (feedback_call_id): a score never stays without its call's variant
GIVE_VARIANT = (
    "UPDATE feedback SET variant = (SELECT variant FROM calls WHERE call_id = ? LIMIT 1) "
    "WHERE call_id = ? AND variant IS NULL"
)


KNOWS_CALL = "SELECT 1 FROM calls WHERE call_id = ? LIMIT 1"


def records_of_sql(n: int) -> str:
    return f"SELECT * FROM calls WHERE call_id IN ({', '.join('?' * n)}) ORDER BY ts, id"


# version 1 files (calls, tags, feedback only) get their day counters from their rows
_DAY = "CAST(ts / 86400 AS INTEGER) * 86400.0"
_BACKFILL = f"""
DELETE FROM spend_days;
INSERT INTO spend_days (scope, day, total)
    SELECT 'global', {_DAY}, TOTAL(cost_usd) FROM calls WHERE cost_usd IS NOT NULL GROUP BY 2;
INSERT INTO spend_days (scope, day, total)
    SELECT 'user:' || user, {_DAY}, TOTAL(cost_usd) FROM calls
    WHERE cost_usd IS NOT NULL AND user IS NOT NULL AND user != '' GROUP BY 1, 2;
INSERT INTO spend_days (scope, day, total)
    SELECT 'tag:' || json_extract(t.tag, '$'), CAST(c.ts / 86400 AS INTEGER) * 86400.0,
           TOTAL(c.cost_usd)
    FROM call_tags t JOIN calls c ON c.id = t.call_row
    WHERE c.cost_usd IS NOT NULL GROUP BY 1, 2;
"""
_BACKFILL_FEEDBACK_VARIANT = (
    "UPDATE feedback SET variant = (SELECT c.variant FROM calls c WHERE c.call_id = feedback.call_id "
    "LIMIT 1) WHERE variant IS NULL"
)
_COUNT = (
    "INSERT INTO spend_days (scope, day, total) VALUES (?, ?, ?) "
    "ON CONFLICT (scope, day) DO UPDATE SET total = total + excluded.total"
)
_INSERT = f"INSERT INTO calls ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _row_values(rec: CallRecord) -> tuple[Any, ...]:
    out: list[Any] = []
    for c in _COLUMNS:
        v = getattr(rec, c)
        if c == "tags":  # keys: each stored as the user column is (JSON would join a surrogate pair)
            v = json.dumps([sqlite_key(t) for t in v], ensure_ascii=False)
        elif c == "metadata":
            v = storable_text(json.dumps(v, ensure_ascii=False, default=str))
        elif c in _BOOL_COLUMNS:
            v = int(bool(v))
        elif c in _KEY_COLUMNS:
            v = sqlite_key(v)
        out.append(v)
    return tuple(out)


def _tag_key(tag: str) -> str:
    # JSON-escaped, so NUL and control characters compare exactly in SQL; a lone surrogate first
    # as the key escape (JSON alone writes "\ud800\udfff" and U+103FF alike)
    return json.dumps(sqlite_key(tag))


def _from_row(row: sqlite3.Row) -> CallRecord:
    keys = row.keys()
    # a file read as it is (read-only) may predate a column: the record's default stands in
    d = {c: row[c] for c in _COLUMNS} if len(keys) >= len(_COLUMNS) else {c: row[c] for c in _COLUMNS if c in keys}
    d["tags"] = tuple(map(sqlite_key_back, json.loads(d["tags"] or "[]")))
    for c in _KEY_COLUMNS:
        d[c] = sqlite_key_back(d.get(c))
    d["metadata"] = json.loads(d["metadata"] or "{}")
    for c in _BOOL_COLUMNS:
        d[c] = bool(d[c])
    return CallRecord(**d)


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring an older file to :data:`SCHEMA_VERSION` (once, under the write lock)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None and int(row[0]) >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = 0 if row is None else int(row[0])
        if version < 2:
            for stmt in _BACKFILL.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
        # 3: feedback written before it had its call's variant; 4: a score written before its
        # call's record, which had none to copy (a record now gives its variant to them)
        if version < 4:
            conn.execute(_BACKFILL_FEEDBACK_VARIANT)
        if version < SCHEMA_VERSION:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _spend_sql(conn: sqlite3.Connection, scope: str, since: float) -> float:
    kind, value = parse_scope(scope)
    first = day_start(since)
    scope = sqlite_key(scope)
    if since == first:
        row = conn.execute(
            "SELECT TOTAL(total) FROM spend_days WHERE scope = ? AND day >= ?", (scope, first)
        ).fetchone()
        return float(row[0])
    row = conn.execute(
        "SELECT TOTAL(total) FROM spend_days WHERE scope = ? AND day > ?", (scope, first)
    ).fetchone()
    where = "ts >= ? AND ts < ?"
    params: list[Any] = [since, first + 86400.0]
    if kind == "user":
        where, params = where + " AND user = ?", [*params, sqlite_key(value)]
    elif kind == "tag":
        where += " AND id IN (SELECT call_row FROM call_tags WHERE tag = ?)"
        params.append(_tag_key(value or ""))
    part = conn.execute(f"SELECT TOTAL(cost_usd) FROM calls WHERE {where}", params).fetchone()
    return float(row[0]) + float(part[0])


def _reserved_sql(conn: sqlite3.Connection, scope: str, now: float) -> float:
    row = conn.execute(
        "SELECT TOTAL(amount) FROM reservations WHERE scope = ? AND expires > ?", (sqlite_key(scope), now)
    ).fetchone()
    return float(row[0])
