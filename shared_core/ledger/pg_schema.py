"""Creating and upgrading the PostgreSQL ledger's tables (:func:`create_schema`): read-only on a
current schema, the DDL under :data:`~.pg_sql.SCHEMA_LOCK` otherwise. The statements themselves are
in :mod:`.pg_sql`."""

from __future__ import annotations

from typing import Any

from .base import new_salt
from .pg_sql import INT_COLUMNS, SCHEMA, SCHEMA_LOCK, SCHEMA_VERSION, q

__all__ = ["create_schema"]


def create_schema(conn: Any) -> str:
    """Create or upgrade the tables under an advisory lock; the stored salt.

    A database whose schema is current (every start but the first, and the first after an
    upgrade) is only read: the version and the salt, which locks no table but the meta table
    (ACCESS SHARE). The DDL holds SHARE locks on the calls and the reservations tables and an
    ACCESS EXCLUSIVE lock on the feedback table to its commit: run at every worker's start, it
    stopped every writer and reservation of the fleet meanwhile, and deadlocked a reservation
    that expired a lapsed hold (hold rows, then the calls table) as it ran.

    A database an earlier version created (``schema_version`` below :data:`SCHEMA_VERSION`)
    is upgraded in the same transaction, rows kept; one of a later version is left as it is.
    """
    salt = _current_salt(conn)
    if salt is None:
        with conn.transaction():
            # workers starting together queue here while one creates the tables: no lock or
            # statement timeout
            conn.execute("SET LOCAL lock_timeout = 0")
            conn.execute("SET LOCAL statement_timeout = 0")  # (an upgrade rewrites big tables)
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            salt = _current_salt(conn) or _create(conn)  # another worker may have been first
    return salt


def _current_salt(conn: Any) -> str | None:
    """The stored salt if the stored schema is current (or later), else ``None`` (no tables
    yet, or an older schema): read without DDL and without a lock on the ledger's tables."""
    if conn.execute("SELECT to_regclass('tier_router_meta')").fetchone()[0] is None:
        return None
    meta = dict(conn.execute(
        "SELECT key, value FROM tier_router_meta WHERE key IN ('schema_version', 'salt')"
    ).fetchall())
    if "salt" not in meta or int(meta.get("schema_version", 0)) < SCHEMA_VERSION:
        return None
    return str(meta["salt"])


def _create(conn: Any) -> str:
    """Create the tables, or upgrade them (in the caller's transaction, under the schema
    lock); the stored salt."""
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.execute(
        "INSERT INTO tier_router_meta (key, value) VALUES ('schema_version', %s), "
        "('salt', %s) ON CONFLICT (key) DO NOTHING",
        (str(SCHEMA_VERSION), new_salt()),
    )
    row = conn.execute("SELECT value FROM tier_router_meta WHERE key = 'schema_version'").fetchone()
    if int(row[0]) < SCHEMA_VERSION:
        _upgrade(conn, int(row[0]))
    row = conn.execute("SELECT value FROM tier_router_meta WHERE key = 'salt'").fetchone()
    return str(row[0])


def _upgrade(conn: Any, version: int) -> None:
    """Bring a database of ``version`` to :data:`SCHEMA_VERSION` (in the caller's transaction,
    under the schema lock: one worker upgrades, the others then find it done)."""
    if version < 2:
        # 32-bit token counts were clamped to 2**31 - 1, a larger attempt number or state
        # version refused; bigint holds every number a record holds. Rewrites the tables (an
        # ACCESS EXCLUSIVE lock for as long as that takes).
        conn.execute(
            "ALTER TABLE tier_router_calls "
            + ", ".join(f"ALTER COLUMN {q(c)} TYPE bigint" for c in INT_COLUMNS)
        )
        conn.execute("ALTER TABLE tier_router_state ALTER COLUMN version TYPE bigint")
    if version < 3:
        # NUL was sent as U+FFFD (left so: it cannot be told from a real U+FFFD now); text that
        # reads as an escape of pg_text was stored as it is, and would read back as NUL
        for table in _TABLES:
            _escape_stored_text(conn, table)
    if version < 5:  # 4: feedback written before it had its call's variant; 5: a score
        # written before its call's record, which had none to copy (a record now gives its own)
        conn.execute(
            "UPDATE tier_router_feedback f SET variant = (SELECT c.variant FROM tier_router_calls c "
            "WHERE c.call_id = f.call_id LIMIT 1) WHERE f.variant IS NULL"
        )
    conn.execute(
        "UPDATE tier_router_meta SET value = %s WHERE key = 'schema_version'",
        (str(SCHEMA_VERSION),),
    )


_TABLES = (
    "tier_router_calls", "tier_router_feedback", "tier_router_spend", "tier_router_reservations",
    "tier_router_alerts", "tier_router_state",
)


def _escape_stored_text(conn: Any, table: str) -> None:
    """Escape, as :func:`pg_text` does, the backslashes in ``table``'s text (and text array)
    columns that :func:`text_from_pg` would read as an escape. The rows concerned are moved
    out and written back escaped, so that no unique key meets a row not yet escaped."""
    cols = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    text = [str(c) for c, t in cols if t == "text"]
    arrays = [str(c) for c, t in cols if t == "ARRAY"]
    # what schema 3 began to escape (a lone surrogate's escape text was stored before, as now)
    p = {"p": r"\\(?=x00|x5c)", "r": "\\\\x5c"}  # the replacement: a backslash, x5c
    where = " OR ".join(
        [f"{q(c)} ~ %(p)s" for c in text] + [f"array_to_string({q(c)}, ' ') ~ %(p)s" for c in arrays]
    )
    conn.execute(f"CREATE TEMP TABLE tier_router_moved (LIKE {table}) ON COMMIT DROP")
    moved = conn.execute(f"INSERT INTO tier_router_moved SELECT * FROM {table} WHERE {where}", p)
    if moved.rowcount:
        conn.execute(f"DELETE FROM {table} WHERE {where}", p)
        exprs = [
            f"regexp_replace({q(c)}, %(p)s, %(r)s, 'g')" if c in text
            else f"ARRAY(SELECT regexp_replace(x, %(p)s, %(r)s, 'g') FROM unnest({q(c)}) "
            "WITH ORDINALITY AS u(x, n) ORDER BY n)" if c in arrays
            else q(c)
            for c, _ in cols
        ]
        conn.execute(f"INSERT INTO {table} SELECT {', '.join(exprs)} FROM tier_router_moved", p)
    conn.execute("DROP TABLE tier_router_moved")
