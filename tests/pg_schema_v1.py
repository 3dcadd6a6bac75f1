"""The PostgreSQL ledger's schema as version 1 created it (frozen: the upgrade tests build an
"existing" database from it, the way a ledger of an earlier release left it)."""

from __future__ import annotations

from typing import Any

SCHEMA_V1 = [
    "CREATE TABLE IF NOT EXISTS tier_router_meta (key text PRIMARY KEY, value text NOT NULL)",
    'CREATE TABLE IF NOT EXISTS tier_router_calls (id bigserial PRIMARY KEY, "call_id" text NOT NULL, '
    '"attempt" integer NOT NULL, "ts" double precision NOT NULL, "tier" text, "model" text, '
    '"status" text, "error_kind" text, "error" text, "input_tokens" integer, '
    '"output_tokens" integer, "cached_input_tokens" integer, "cost_usd" double precision, '
    '"baseline_model" text, "baseline_cost_usd" double precision, "latency_ms" double precision, '
    '"escalated" boolean, "fallback" boolean, "classifier" text, "confidence" double precision, '
    '"prompt_hash" text, "prompt" text, "tags" text[] NOT NULL DEFAULT \'{}\', "metadata" text, '
    '"user" text, "thread_id" text, "framework" text, "streamed" boolean, "variant" text, '
    "UNIQUE (call_id, attempt))",
    "CREATE INDEX IF NOT EXISTS tier_router_calls_ts ON tier_router_calls (ts)",
    "CREATE TABLE IF NOT EXISTS tier_router_feedback (id bigserial PRIMARY KEY, call_id text NOT NULL, "
    "score double precision NOT NULL, source text NOT NULL, ts double precision NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tier_router_feedback_ts ON tier_router_feedback (ts)",
    "CREATE TABLE IF NOT EXISTS tier_router_spend (scope text NOT NULL, day double precision NOT NULL, "
    "total double precision NOT NULL, PRIMARY KEY (scope, day))",
    "CREATE TABLE IF NOT EXISTS tier_router_reservations (id text NOT NULL, scope text NOT NULL, "
    "amount double precision NOT NULL, expires double precision NOT NULL, PRIMARY KEY (id, scope))",
    "CREATE INDEX IF NOT EXISTS tier_router_reservations_scope ON tier_router_reservations (scope, expires)",
    "CREATE TABLE IF NOT EXISTS tier_router_alerts (scope text NOT NULL, period text NOT NULL, "
    "since double precision NOT NULL, fraction double precision NOT NULL, ts double precision NOT NULL, "
    "PRIMARY KEY (scope, period, since, fraction))",
    "CREATE TABLE IF NOT EXISTS tier_router_state (key text NOT NULL, version integer NOT NULL, "
    "value text NOT NULL, ts double precision NOT NULL, PRIMARY KEY (key, version))",
]

V1_COLUMNS = (
    "call_id", "attempt", "ts", "tier", "model", "status", "error_kind", "error",
    "input_tokens", "output_tokens", "cached_input_tokens", "cost_usd", "baseline_model",
    "baseline_cost_usd", "latency_ms", "escalated", "fallback", "classifier", "confidence",
    "prompt_hash", "prompt", "tags", "metadata", "user", "thread_id", "framework", "streamed",
    "variant",
)


def create_v1(url: str, salt: str = "0123456789abcdef0123456789abcdef") -> None:
    """An empty ledger database as version 1 left it: its tables, ``schema_version`` 1, a salt."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for stmt in SCHEMA_V1:
            conn.execute(stmt)
        conn.execute(
            "INSERT INTO tier_router_meta (key, value) VALUES ('schema_version', '1'), ('salt', %s)",
            (salt,),
        )


def insert_v1_call(conn: Any, **values: Any) -> None:
    """One ``tier_router_calls`` row as version 1 wrote it (its own values: no clamping here),
    and its cost into the day counters of its scopes."""
    row = {"attempt": 0, "status": "ok", "tier": "t", "model": "m", "tags": [], "metadata": "{}",
           "framework": "core", "escalated": False, "fallback": False, "streamed": False,
           "input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0, "latency_ms": 0.0}
    row.update(values)
    cols = [c for c in V1_COLUMNS if c in row]
    conn.execute(
        f"INSERT INTO tier_router_calls ({', '.join(chr(34) + c + chr(34) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})", [row[c] for c in cols],
    )
    cost = row.get("cost_usd")
    if cost is not None:
        day = row["ts"] - row["ts"] % 86400.0
        scopes = ["global", *(f"tag:{t}" for t in row["tags"])]
        if row.get("user"):
            scopes.append(f"user:{row['user']}")
        for s in scopes:
            conn.execute(
                "INSERT INTO tier_router_spend (scope, day, total) VALUES (%s, %s, %s) "
                "ON CONFLICT (scope, day) DO UPDATE SET total = tier_router_spend.total + EXCLUDED.total",
                (s, day, cost),
            )
