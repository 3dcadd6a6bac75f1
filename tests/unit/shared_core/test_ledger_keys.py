"""Two different keys (a user, a tag, a thread, a variant, a call id, a metadata key) never
become one in a ledger: SQLite and PostgreSQL store distinct keys as distinct text, spend them
apart, and read every key back as it was recorded.

PostgreSQL ``text`` cannot hold NUL, and the ledger sent NUL as U+FFFD: ``"eve\\x00x"`` and
``"eve\\ufffdx"`` shared one budget (each spent the other's money, a reservation of one held
the other's limit), their records were read back as one user, and a tag with a NUL and one
with U+FFFD were one tag. SQLite stores NUL as it is; it was right all along.

Now PostgreSQL writes NUL as the four characters ``\\x00``, and a backslash that would read as
such an escape (``\\x00`` or ``\\x5c`` after it) as ``\\x5c``; it reads both back. Any text
without a NUL and without a backslash right before ``x00`` / ``x5c`` is stored byte for byte,
as before: every key that ledgers already hold keeps its budget.

A lone surrogate (a user id from a JSON body) was escaped when the request was built, to the
text of its escape: ``"eve\\ud800"`` and ``"eve\\\\ud800"`` were one user, one budget. Keys now
keep it until a ledger stores them (:mod:`shared_core.ledger.key_text`): as the same
``\\udXXX`` text as before, and a backslash before such text (SQLite: ``\\ud5c``,
PostgreSQL: ``\\x5c``) escaped; the in-memory ledger keeps keys as given.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared_core.ledger import CallRecord, LimitCheck

# keys built mostly from the characters that meet in an escape (and the text of escapes),
# plus any other character: every code point, lone surrogates too
_TRICKY = st.sampled_from([
    "\x00", "\ufffd", "\\", "x", "0", "5", "c", "é", "\\x00", "\\x5c", "\ud800", "\udfff", "\udc80",
    "\\ud800", "\\udfff", "\\ud5c", "u", "d", "8", "f", "\ud83d\ude00",
])
_ANY = st.one_of(st.characters(exclude_categories=["Cs"]), st.characters(categories=["Cs"]))
KEYS = st.lists(st.one_of(_TRICKY, _ANY), min_size=1, max_size=6).map("".join)

PAIRS = [
    ("eve\x00x", "eve\ufffdx"),  # NUL vs U+FFFD (what PostgreSQL stored NUL as)
    ("eve\x00x", "eve\\x00x"),  # NUL vs the text of its escape
    ("eve\\\x00x", "eve\\x5cx00x"),  # a backslash, then NUL vs the text of the escapes
    ("eve\ud800", "eve\\ud800"),  # a lone surrogate vs the text of its escape
    ("eve\\\ud800", "eve\\ud5cud800"),  # a backslash, then a surrogate vs SQLite's escapes' text
    ("eve\\\ud800", "eve\\x5cud800"),  # ... vs PostgreSQL's
]
PAIR_IDS = ["nul-vs-fffd", "nul-vs-escape-text", "backslash-nul", "surrogate-vs-escape-text",
            "backslash-surrogate-sqlite", "backslash-surrogate-pg"]


def _sqlite(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    from shared_core.ledger import SQLiteLedger

    return SQLiteLedger(tmp_path / "k.sqlite")


def _postgres(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    from shared_core.ledger import PostgresLedger

    return PostgresLedger(request.getfixturevalue("pg_url"), spill_dir=tmp_path)


def _open(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    if backend == "memory":
        from shared_core.ledger import InMemoryLedger

        return InMemoryLedger()
    return (_sqlite if backend == "sqlite" else _postgres)(tmp_path, request)


def _stored_users(led: Any) -> list[str]:
    """The ``user`` column as the database holds it (the in-memory ledger: its records')."""
    if not hasattr(led, "path") and not hasattr(led, "url"):
        return [r.user for r in led._records]  # (in the order recorded, as the tables' ids)
    if hasattr(led, "path"):
        with sqlite3.connect(led.path) as conn:
            return [r[0] for r in conn.execute("SELECT user FROM calls ORDER BY id")]
    import psycopg

    with psycopg.connect(led.url) as conn:
        return [r[0] for r in conn.execute('SELECT "user" FROM tier_router_calls ORDER BY id')]


def _record(led: Any, i: int, key: str, cost: float, ts: float = 1.7e9) -> CallRecord:
    rec = CallRecord(call_id=f"c{i}:{key}", tier="t", model="m", cost_usd=cost, user=key,
                     tags=(key,), thread_id=key, variant=key, metadata={key: i, "v": key},
                     ts=ts, error=key)
    led.record(rec)
    return rec


def _fields(rec: CallRecord) -> tuple[Any, ...]:
    return (rec.call_id, rec.user, rec.tags, rec.thread_id, rec.variant, rec.metadata, rec.error)


BACKENDS = ["memory", "sqlite", "postgres"]


def _stored_form(backend: str, key: str) -> str:
    """The text a backend's database holds for ``key``."""
    from shared_core.ledger.key_text import pg_key, sqlite_key

    return {"memory": key, "sqlite": sqlite_key(key), "postgres": pg_key(key)}[backend]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_two_users_that_differ_in_a_nul_or_a_surrogate_have_two_budgets(
    backend: str, pair: tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    led = _open(backend, tmp_path, request)
    a, b = (_record(led, i, key, cost) for i, (key, cost) in enumerate(zip(pair, (0.25, 0.5))))
    assert led.flush() == 0
    assert led.spend(f"user:{a.user}", 0.0) == pytest.approx(0.25)
    assert led.spend(f"user:{b.user}", 0.0) == pytest.approx(0.5)
    assert led.spend(f"tag:{a.tags[0]}", 0.0) == pytest.approx(0.25)
    assert [r.call_id for r in led.records(tag=b.tags[0])] == [b.call_id]
    assert led.knows_call(a.call_id) and [r.call_id for r in led.records_of([a.call_id])] == [a.call_id]
    got = {r.call_id: r for r in led.records()}
    assert [_fields(got[r.call_id]) for r in (a, b)] == [_fields(a), _fields(b)]
    assert len(set(_stored_users(led))) == 2
    # a hold for one is not the other's: a's limit of $0.30 still has room for $0.05
    assert led.reserve("r", 0.05, [LimitCheck(f"user:{a.user}", 0.0, 0.30)], 60.0) is None
    assert led.reserved(f"user:{b.user}") == 0.0
    led.release("r")
    led.record_feedback(a.call_id, 1.0) if "\x00" not in a.call_id else None
    led.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_ordinary_keys_are_stored_byte_for_byte(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """What every ledger already holds keeps its budget: plain ids, non-Latin ids, U+FFFD,
    a Windows account with a backslash, the text of other escapes."""
    keys = ["alice", "Zoë", "用户-7", "eve\ufffdx", "CORP\\bob", "a\\\\b", "x\\u00e9", "\\",
            "\\uD800", "\\ud7ff", "\\ud8", "emoji 🙂", "C:\\x01"]
    led = _open(backend, tmp_path, request)
    for i, k in enumerate(keys):
        _record(led, i, k, 0.01)
    assert led.flush() == 0
    assert _stored_users(led) == keys
    assert {r.call_id: r.user for r in led.records()} == {f"c{i}:{k}": k for i, k in enumerate(keys)}
    led.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_distinct_keys_are_stored_distinct_and_read_back(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Property, over arbitrary Unicode text (NUL, U+FFFD, backslashes, the text of escapes):
    keys that differ are stored as text that differs, spend apart, are read back as they
    were recorded, and a key with no NUL is stored as SQLite stores it."""
    led = _open(backend, tmp_path, request)
    seen: list[int] = [0]
    days: list[float] = [1.7e9 - 1.7e9 % 86400]  # each example on a UTC day of its own

    @settings(max_examples=40 if backend == "postgres" else 100, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(KEYS, min_size=2, max_size=4, unique=True))
    def check(keys: list[str]) -> None:
        first = seen[0]
        days[0] += 86400.0
        day = days[0]
        recs = [_record(led, first + i, k, 0.01 * (i + 1), day + 60) for i, k in enumerate(keys)]
        seen[0] += len(keys)
        assert led.flush() == 0
        stored = _stored_users(led)[first:]
        assert len(set(stored)) == len(keys)
        for k, s in zip(keys, stored):
            assert s == _stored_form(backend, k)  # the key's one escape (memory: as given)
            if "\\" not in k and "\x00" not in k and s != k:  # changed: a surrogate, escaped
                assert backend != "memory" and s == k.encode("utf-8", "backslashreplace").decode()
        back = {r.call_id: r for r in led.records_of([r.call_id for r in recs])}
        for i, rec in enumerate(recs):
            assert _fields(back[rec.call_id]) == _fields(rec)
            assert led.spend(f"user:{rec.user}", day) == pytest.approx(0.01 * (i + 1))
            assert led.spend(f"tag:{rec.tags[0]}", day) == pytest.approx(0.01 * (i + 1))

    check()
    led.close()


@pytest.mark.parametrize("codec", ["sqlite", "postgres"])
def test_each_codec_is_injective_reads_back_and_keeps_what_ledgers_hold(codec: str) -> None:
    """Property: one stored text per key, read back as the key; the database can hold it
    (UTF-8, and no NUL on PostgreSQL); and a key with no backslash is stored as the ledger
    stored it before the keys were kept as given (the surrogate escaped as ``\\udXXX``, NUL
    on PostgreSQL as ``\\x00``): an existing ledger's users keep their budgets."""
    from shared_core.ledger.key_text import pg_key, pg_key_back, sqlite_key, sqlite_key_back
    from shared_core.storable import storable_text

    enc, dec = (sqlite_key, sqlite_key_back) if codec == "sqlite" else (pg_key, pg_key_back)

    @settings(max_examples=3000, deadline=None)
    @given(KEYS, KEYS)
    def check(a: str, b: str) -> None:
        ea, eb = enc(a), enc(b)
        ea.encode("utf-8")  # no lone surrogate left
        assert dec(ea) == a
        assert (ea == eb) == (a == b)
        if codec == "postgres":
            assert "\x00" not in ea
        if "\\" not in a:
            before = storable_text(a)
            assert ea == (before.replace("\x00", "\\x00") if codec == "postgres" else before)

    check()


def test_the_codecs_on_the_texts_that_meet_in_an_escape() -> None:
    from shared_core.ledger.key_text import pg_key, sqlite_key

    assert sqlite_key("eve\ud800") == pg_key("eve\ud800") == "eve\\ud800"  # as stored before
    assert sqlite_key("eve\\ud800") == "eve\\ud5cud800" and pg_key("eve\\ud800") == "eve\\x5cud800"
    assert sqlite_key("\\x5c") == "\\x5c" and pg_key("\\x5c") == "\\x5cx5c"  # each its own escapes
    assert sqlite_key("a\x00") == "a\x00" and pg_key("a\x00") == "a\\x00"
    for plain in ("alice", "Zoë", "CORP\\bob", "\\uD800", "\\ud7ff", "x\\u00e9", "C:\\x01"):
        assert sqlite_key(plain) == plain


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_lone_surrogate_and_the_text_of_its_escape_are_two_users(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The report's case: one user's id came from a JSON body with a lone surrogate, another's
    is the text of its escape. The request escaped the first to the second: one budget (the
    $0.04 hold below was refused against a $0.30 limit, each user's spend counted twice)."""
    from shared_core.request import Request

    eve = json.loads('"eve\\ud800"')
    other = "eve\\ud800"
    assert Request(text="hi", user=eve).user != Request(text="hi", user=other).user
    assert Request(text="hi", user=eve, tags=(eve,)).tags == (eve,)
    led = _open(backend, tmp_path, request)
    for i, (who, cost) in enumerate(((eve, 0.25), (other, 0.05), (other, 0.05))):
        led.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=cost, user=who, tags=(who,)))
    assert led.flush() == 0
    assert led.spend(f"user:{eve}", 0.0) == pytest.approx(0.25)
    assert led.spend(f"user:{other}", 0.0) == pytest.approx(0.10)
    assert led.spend(f"tag:{eve}", 0.0) == pytest.approx(0.25)
    assert [r.user for r in led.records()] == [eve, other, other]  # read back as given
    assert _stored_users(led) == [_stored_form(backend, k) for k in (eve, other, other)]
    # each user's hold fits their own limit (the other's spend does not count)
    assert led.reserve("r1", 0.04, [LimitCheck(f"user:{eve}", 0.0, 0.30)], 60.0) is None
    assert led.reserve("r2", 0.15, [LimitCheck(f"user:{other}", 0.0, 0.30)], 60.0) is None
    assert led.reserved(f"user:{eve}") == pytest.approx(0.04)
    led.release("r1")
    led.release("r2")
    assert led.flush() == 0
    led.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_variant_with_a_lone_surrogate_is_stored_like_a_user_id(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A variant name was not made storable (a user and a thread id were): one holding a lone
    surrogate failed every SQLite write after it (PostgreSQL escaped it)."""
    led = _open(backend, tmp_path, request)
    led.record(CallRecord(call_id="v", tier="t", model="m", cost_usd=0.1, variant="b\ud800"))
    led.record(CallRecord(call_id="after", tier="t", model="m", cost_usd=0.1))
    assert led.flush() == 0
    assert sorted((r.call_id, r.variant) for r in led.records()) == [("after", None), ("v", "b\\ud800")]
    led.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_tags_are_read_back_as_recorded_on_both_ledgers(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL deduplicated a record's tags (needed while ``a\\x00`` and ``a\\ufffd`` were
    one tag there); SQLite keeps them as recorded. Both now read back the record's tags; the
    spend counts once per tag all the same."""
    led = _open(backend, tmp_path, request)
    led.record(CallRecord(call_id="c", tier="t", model="m", cost_usd=0.5, tags=("b", "a", "b", "a\x00")))
    assert led.flush() == 0
    assert [r.tags for r in led.records()] == [("b", "a", "b", "a\x00")]
    assert led.spend("tag:b", 0.0) == pytest.approx(0.5)
    assert led.spend("global", 0.0) == pytest.approx(0.5)
    led.close()
