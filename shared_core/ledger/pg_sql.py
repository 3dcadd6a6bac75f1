"""The SQL of :class:`PostgresLedger`, shared by its sync and async paths (psycopg 3).

Tables are prefixed ``tier_router_``; ``"user"`` is quoted (a reserved word). The schema
is created and versioned under a transaction-level advisory lock, so any number of
processes may open a fresh database at once.
"""

from __future__ import annotations

import json
from typing import Any

from .base import CallRecord, day_start, parse_scope, record_scopes
from .key_text import pg_key, pg_key_back
from .lapsed import LAPSED_ATTEMPT, LAPSED_KIND, lapsed_records

SCHEMA_VERSION = 5
"""1: the first schema; 2: every integer column ``bigint`` (the token counts, the attempt
number, a shared value's version: were 32-bit ``integer``); 3: text
that reads as an escape of :func:`pg_text` (``\\x00``, ``\\x5c``) stored escaped; 4: each
feedback entry with its call's variant; 5: so is one written before its call's record."""
SCHEMA_LOCK = 0x7469_6572_5F72  # pg_advisory_xact_lock key while creating or migrating
BUDGET_LOCK = 0x7469_6572_5F62  # held while a reservation is checked and written

COLUMNS = (
    "call_id", "attempt", "ts", "tier", "model", "status", "error_kind", "error",
    "input_tokens", "output_tokens", "cached_input_tokens", "cost_usd", "baseline_model",
    "baseline_cost_usd", "latency_ms", "escalated", "fallback", "classifier", "confidence",
    "prompt_hash", "prompt", "tags", "metadata", "user", "thread_id", "framework", "streamed",
    "variant",
)
_TYPES = {
    "attempt": "bigint NOT NULL", "call_id": "text NOT NULL", "ts": "double precision NOT NULL",
    "input_tokens": "bigint", "output_tokens": "bigint", "cached_input_tokens": "bigint",
    "cost_usd": "double precision", "baseline_cost_usd": "double precision",
    "latency_ms": "double precision", "confidence": "double precision",
    "escalated": "boolean", "fallback": "boolean", "streamed": "boolean",
    "tags": "text[] NOT NULL DEFAULT '{}'",
}

INT_COLUMNS = ("attempt", "input_tokens", "output_tokens", "cached_input_tokens")
"""``bigint``: every number a record holds (:data:`~shared_core.storable.MAX_COUNT`) fits."""


def q(col: str) -> str:
    return f'"{col}"'


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS tier_router_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tier_router_calls (id bigserial PRIMARY KEY, "
    + ", ".join(f"{q(c)} {_TYPES.get(c, 'text')}" for c in COLUMNS)
    + ", UNIQUE (call_id, attempt))",
    "CREATE INDEX IF NOT EXISTS tier_router_calls_ts ON tier_router_calls (ts)",
    "CREATE TABLE IF NOT EXISTS tier_router_feedback (id bigserial PRIMARY KEY, "
    "call_id text NOT NULL, score double precision NOT NULL, source text NOT NULL, "
    "ts double precision NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tier_router_feedback_ts ON tier_router_feedback (ts)",
    "ALTER TABLE tier_router_feedback ADD COLUMN IF NOT EXISTS variant text",
    "CREATE INDEX IF NOT EXISTS tier_router_feedback_variant_ts "
    "ON tier_router_feedback (variant, ts, id)",
    "CREATE INDEX IF NOT EXISTS tier_router_feedback_call_id ON tier_router_feedback (call_id)",
    "CREATE TABLE IF NOT EXISTS tier_router_spend (scope text NOT NULL, "
    "day double precision NOT NULL, total double precision NOT NULL, PRIMARY KEY (scope, day))",
    "CREATE TABLE IF NOT EXISTS tier_router_reservations (id text NOT NULL, scope text NOT NULL, "
    "amount double precision NOT NULL, expires double precision NOT NULL, PRIMARY KEY (id, scope))",
    "CREATE INDEX IF NOT EXISTS tier_router_reservations_scope "
    "ON tier_router_reservations (scope, expires)",
    "CREATE TABLE IF NOT EXISTS tier_router_alerts (scope text NOT NULL, period text NOT NULL, "
    "since double precision NOT NULL, fraction double precision NOT NULL, "
    "ts double precision NOT NULL, PRIMARY KEY (scope, period, since, fraction))",
    "CREATE TABLE IF NOT EXISTS tier_router_state (key text NOT NULL, version bigint NOT NULL, "
    "value text NOT NULL, ts double precision NOT NULL, PRIMARY KEY (key, version))",
]
# compare-and-set: version n+1 only on top of version n (a gap or a taken version writes nothing)
PUT_STATE = (
    "INSERT INTO tier_router_state (key, version, value, ts) SELECT %(k)s, %(v)s::bigint + 1, %(val)s, %(ts)s "
    "WHERE %(v)s = 0 OR EXISTS (SELECT 1 FROM tier_router_state WHERE key = %(k)s AND version = %(v)s) "
    "ON CONFLICT DO NOTHING"
)

# one statement per record: the row, and its cost into the day counters only if the row is
# new (a retried batch after a lost COMMIT acknowledgement adds nothing twice)
INSERT_RECORD = (
    "WITH ins AS (INSERT INTO tier_router_calls ("
    + ", ".join(q(c) for c in COLUMNS)
    + ") VALUES ("
    + ", ".join(["%s"] * len(COLUMNS))
    + ") ON CONFLICT (call_id, attempt) DO NOTHING RETURNING cost_usd) "
    "INSERT INTO tier_router_spend (scope, day, total) "
    "SELECT s, %s, ins.cost_usd FROM ins, unnest(%s::text[]) AS s "
    "WHERE ins.cost_usd IS NOT NULL "
    "ON CONFLICT (scope, day) DO UPDATE SET total = tier_router_spend.total + EXCLUDED.total"
)
KNOWS_CALL = "SELECT 1 FROM tier_router_calls WHERE call_id = %s LIMIT 1"
STORED_KEYS = "SELECT call_id, attempt FROM tier_router_calls WHERE call_id = ANY(%s)"
# an entry takes its call's variant from the call's record, written before it (same batch or earlier)
INSERT_FEEDBACK = (
    "INSERT INTO tier_router_feedback (call_id, score, source, ts, variant) VALUES (%s, %s, %s, %s, "
    "(SELECT variant FROM tier_router_calls WHERE call_id = %s LIMIT 1))"
)
# ... or, written after them (another worker's record, queued while the score was written),
# the record gives it to them: a score never stays without its call's variant
GIVE_VARIANT = (
    "UPDATE tier_router_feedback SET variant = (SELECT variant FROM tier_router_calls "
    "WHERE call_id = %s LIMIT 1) WHERE call_id = %s AND variant IS NULL"
)
CALL_LOCK_SPACE = 0x7472_6676
"""The first key of the transaction-level advisory locks on call ids (two-key locks: apart
from :data:`SCHEMA_LOCK` and :data:`BUDGET_LOCK`)."""
CALL_LOCK_BUCKETS = 64
"""Call ids share this many locks (a hash of the id picks one): a transaction takes at most
this many, whatever its size. One lock per call id had a 1,000-item batch of a VariantRouter
take 1,000: PostgreSQL's shared lock table holds ``max_locks_per_transaction`` (64 by default)
times ``max_connections`` locks, so 16 such writers at once on the defaults failed with ``out of
shared memory`` (the ledger marked down; other sessions of the database failing too). Two
writers whose calls share a bucket wait for each other, which costs little: every record of a
batch adds to the ``global`` spend row, so writers of records wait for each other already."""
# taken first, in one order, by a transaction writing scores or records with a variant: a
# score and its call's record written at once by two workers (READ COMMITTED: neither sees
# the other's uncommitted row) would each miss the other; the second now waits for the first
LOCK_CALLS = (
    f"SELECT pg_advisory_xact_lock({CALL_LOCK_SPACE}, k) FROM "
    f"(SELECT DISTINCT hashtext(c) & {CALL_LOCK_BUCKETS - 1} AS k FROM unnest(%s::text[]) AS c "
    "ORDER BY k) AS s"
)
RELEASE = "DELETE FROM tier_router_reservations WHERE id = ANY(%s)"
LOCK_TABLES = (
    "LOCK TABLE tier_router_calls, tier_router_feedback, tier_router_spend, "
    "tier_router_reservations IN ROW EXCLUSIVE MODE"
)
"""The writer's table locks, taken in :data:`SCHEMA`'s order before it releases holds (it then
writes hold rows before the calls table), and a reservation's before :data:`EXPIRE` (it then
writes the lapses into the calls table): ROW EXCLUSIVE, as their writes take, so writers and
reservations do not wait for each other here; a worker creating or upgrading the schema does."""
DROP_LAPSED = (
    "DELETE FROM tier_router_calls WHERE call_id = ANY(%s) AND attempt >= %s AND error_kind = %s "
    'RETURNING cost_usd, ts, "user", tags'
)
UNSPEND = "UPDATE tier_router_spend SET total = total - %s WHERE scope = %s AND day = %s"
DB_NOW = "extract(epoch from clock_timestamp())"
"""Reservations expire by the *server's* clock: each host's ``time.time()`` would let the host
whose clock runs fastest delete every other host's live holds (skew >= the TTL)."""
EXPIRE = (
    f"DELETE FROM tier_router_reservations WHERE expires <= {DB_NOW} "
    "RETURNING id, scope, amount, expires"
)
"""The holds that lapsed, deleted and returned: the caller writes each as spend in the same
transaction (:func:`lapsed_params`, :mod:`.lapsed`)."""
HELD = (
    "SELECT l.scope, "
    "COALESCE((SELECT SUM(total) FROM tier_router_spend d "
    "WHERE d.scope = l.scope AND d.day >= l.since), 0), "
    "COALESCE((SELECT SUM(amount) FROM tier_router_reservations r "
    "WHERE r.scope = l.scope AND NOT r.id = ANY(%s)), 0) "
    "FROM unnest(%s::text[], %s::float8[]) WITH ORDINALITY AS l(scope, since, n) ORDER BY l.n"
)
"""Spend and holds per limit. Every hold row counts, a lapsed one too: it is spend once the next
reservation expires it (:data:`EXPIRE`), so it is money gone either way. (Filtering on
``expires > DB_NOW`` here let a hold that lapsed between a reservation's :data:`EXPIRE` and this
read, a later ``clock_timestamp()``, count nowhere: measured, $0.3034 billed against $0.30.)"""
HOLD = (
    "INSERT INTO tier_router_reservations (id, scope, amount, expires) "
    f"SELECT %s, s, %s, {DB_NOW} + %s FROM unnest(%s::text[]) AS s "
    "ON CONFLICT (id, scope) DO UPDATE SET "
    "amount = tier_router_reservations.amount + EXCLUDED.amount, expires = EXCLUDED.expires"
)
RENEW = f"UPDATE tier_router_reservations SET expires = {DB_NOW} + %s WHERE id = ANY(%s)"
"""A hold of this process that expired while it was paused but is still here (no reservation
has made it spend yet) is renewed too: its call is live. One that :data:`EXPIRE` took is gone
(row locks order the two), and stays spend."""
RESERVED = (
    "SELECT COALESCE(SUM(amount), 0) FROM tier_router_reservations "
    f"WHERE scope = %s AND expires > {DB_NOW} AND NOT id = ANY(%s)"
)
DAYS_SPEND = "SELECT COALESCE(SUM(total), 0) FROM tier_router_spend WHERE scope = %s AND day >= %s"
CLAIM_ALERT = (
    "INSERT INTO tier_router_alerts (scope, period, since, fraction, ts) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


def lapsed_params(rows: list[Any], released: list[str]) -> tuple[list[CallRecord], list[tuple[Any, ...]]]:
    """The records the holds :data:`EXPIRE` returned become (a hold whose release this process
    has queued is not one: its records are queued before it), and their :data:`INSERT_RECORD`
    parameters."""
    gone = set(released)
    recs = lapsed_records(
        (text_from_pg(rid), text_from_pg(scope), amount, expires)
        for rid, scope, amount, expires in rows
        if text_from_pg(rid) not in gone
    )
    return recs, [record_params(rec) for rec in recs]


def drop_lapsed(cur: Any, reservation_ids: list[str]) -> None:
    """Delete the ``lapsed_hold`` records of these holds and take their cost back off the day
    counters, in the caller's transaction: the holds are being released, their calls' records
    are in (queued before the releases: written in the same transaction or earlier; the writer
    takes this back before it writes them, hold rows before spend rows), so each call is counted
    once, at its real cost. An index probe of ``(call_id, attempt)`` when nothing lapsed. Run after
    :data:`RELEASE` in the same transaction: a reservation's :data:`EXPIRE` that took a row
    first has committed its lapsed record by then, and this statement's snapshot sees it."""
    cur.execute(DROP_LAPSED, (pg_text(reservation_ids), LAPSED_ATTEMPT, LAPSED_KIND))
    undo = []
    for cost, ts, user, tags in cur.fetchall():
        if cost is None:
            continue
        rec = CallRecord(
            call_id="-", tier="-", model="-", user=text_from_pg(user),
            tags=tuple(text_from_pg(t) for t in tags or ()),
        )
        day = day_start(float(ts))
        undo += [(float(cost), pg_text(sc), day) for sc in dict.fromkeys(record_scopes(rec))]
    if undo:
        cur.executemany(UNSPEND, undo)


def partial_day_sql(kind: str) -> str:
    """Spend in ``[since, end of its day)`` for a scope kind (a since that is not midnight)."""
    where = "ts >= %s AND ts < %s AND cost_usd IS NOT NULL"
    if kind == "user":
        where += ' AND "user" = %s'
    elif kind == "tag":
        where += " AND %s = ANY(tags)"
    return f"SELECT COALESCE(SUM(cost_usd), 0) FROM tier_router_calls WHERE {where}"


def pg_text(value: Any) -> Any:
    """``value`` as PostgreSQL can store it, the one way every text parameter of the ledger is
    sent (once: the result is not to be sent through it again), and :func:`text_from_pg` reads
    back: :func:`~shared_core.ledger.key_text.pg_key` (lone surrogates as ``\\udXXX``, NUL,
    which PostgreSQL ``text`` cannot hold, as ``\\x00``, a backslash that would read as such an
    escape as ``\\x5c``). One text per text, and any other text as it is (what the ledger
    stored before): distinct user ids, tags or call ids stay distinct, and a record's scopes, a
    limit's scope and a feedback ``call_id`` meet. A list is walked, other values kept."""
    if value.__class__ is str:
        return value if value.isascii() and "\\" not in value and "\x00" not in value else pg_key(value)
    if value.__class__ is list:
        return [pg_text(v) for v in value]
    return value


def text_from_pg(value: Any) -> Any:
    """A text as :func:`pg_text` sent it (the inverse: NUL, lone surrogates and backslashes
    back); ``None`` and other values as they are."""
    if value.__class__ is str and "\\" in value:
        return pg_key_back(value)
    return value


def pg_params(params: Any) -> Any:
    """Query parameters (a sequence, or a mapping of named ones) with :func:`pg_text` applied."""
    if isinstance(params, dict):
        return {k: pg_text(v) for k, v in params.items()}
    return tuple(pg_text(v) for v in params)


def record_params(rec: CallRecord) -> tuple[Any, ...]:
    out: list[Any] = []
    for c in COLUMNS:
        v = getattr(rec, c)
        if c == "tags":
            v = list(v)
        elif c == "metadata":
            v = json.dumps(v, ensure_ascii=False, default=str)
        out.append(pg_text(v))
    # one spend row per scope: a scope named twice would make the upsert fail the record
    return (*out, day_start(rec.ts), pg_text(list(dict.fromkeys(record_scopes(rec)))))


def from_row(row: dict[str, Any]) -> CallRecord:
    d = {c: text_from_pg(row[c]) for c in COLUMNS}
    d["tags"] = tuple(text_from_pg(t) for t in d["tags"] or ())
    d["metadata"] = json.loads(d["metadata"] or "{}")
    for c in ("escalated", "fallback", "streamed"):
        d[c] = bool(d[c])
    return CallRecord(**d)


# the feedback loop's read: the newest entries first (LIMIT NULL: all of them)
RECENT_FEEDBACK = (
    "SELECT call_id, score, source, ts FROM tier_router_feedback WHERE ts >= %s "
    "ORDER BY ts DESC, id DESC LIMIT %s"
)
# one A/B variant's (its call's variant, copied when the entry is written): feedback_variant_ts
RECENT_FEEDBACK_IN_VARIANT = (
    "SELECT call_id, score, source, ts FROM tier_router_feedback WHERE variant = %s AND ts >= %s "
    "ORDER BY ts DESC, id DESC LIMIT %s"
)


def spend_query(scope: str, since: float) -> tuple[str, tuple[Any, ...]]:
    kind, value = parse_scope(scope)
    first = day_start(since)
    if since == first:
        return DAYS_SPEND, (scope, first)
    part = partial_day_sql(kind)
    params: tuple[Any, ...] = (since, first + 86400.0) + (() if kind == "global" else (value,))
    text = f"({DAYS_SPEND.replace('day >= %s', 'day > %s')}) UNION ALL ({part})"
    return text, (scope, first, *params)
