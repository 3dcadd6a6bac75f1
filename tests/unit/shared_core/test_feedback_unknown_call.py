"""Feedback for a call the ledger has never seen is refused with ``UnknownCallError``.

A score stored under a wrong id (a LangChain run id, the ``cached_call_id`` of a cache hit,
a typo) was accepted silently: calibration and the feedback loop never matched it to a call.
The check reads the ledger, so a call another worker wrote to the shared ledger is known.
"""

from __future__ import annotations

import logging

import pytest

from shared_core import Router
from shared_core.errors import InputError, LedgerUnavailableError, UnknownCallError
from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]


def _router(ledger, label="cheap", **cfg):
    return Router({"tiers": TIERS, **cfg}, classifier=FakeClassifier(default=label), ledger=ledger)


def _call(router) -> str:
    d = router.decide("hi")
    router.ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=0.001))
    return d.call_id


def test_feedback_for_an_unknown_call_is_refused_and_not_stored():
    router = _router(InMemoryLedger())
    known = _call(router)
    with pytest.raises(UnknownCallError, match="no call 'run-123'") as info:
        router.record_feedback("run-123", 1.0)
    assert isinstance(info.value, InputError)  # an InputError handler still catches it
    assert info.value.call_id == "run-123"
    router.record_feedback(known, 0.5)
    assert [(f.call_id, f.score) for f in router.ledger.feedback()] == [(known, 0.5)]


async def test_the_async_twin_refuses_it_too():
    router = _router(InMemoryLedger())
    with pytest.raises(UnknownCallError, match="no call 'nope'"):
        await router.arecord_feedback("nope", 0.0)
    assert router.ledger.feedback() == []


def test_a_bad_score_is_still_reported_first():
    router = _router(InMemoryLedger())
    with pytest.raises(InputError, match="score must be a number in"):
        router.record_feedback("nope", 2.0)


def test_a_decision_whose_call_was_never_recorded_is_unknown():
    """``decide`` alone writes nothing: there is no call to attach a score to."""
    router = _router(InMemoryLedger())
    d = router.decide("hi")
    with pytest.raises(UnknownCallError):
        router.record_feedback(d.call_id, 1.0)


async def test_the_variant_router_refuses_it_once_and_no_loop_counts_it():
    ledger = InMemoryLedger()
    control = _router(ledger, feedback={"auto_adjust": True, "key": "a"})
    candidate = _router(ledger, "strong", feedback={"auto_adjust": True, "key": "b"})
    ab = VariantRouter(control, candidate, share=0.5)
    with pytest.raises(UnknownCallError):
        ab.record_feedback("nope", 1.0)
    with pytest.raises(UnknownCallError):
        await ab.arecord_feedback("nope", 1.0)
    assert ledger.feedback() == []
    assert candidate.feedback_loop is not None and candidate.feedback_loop._events == 0


def test_a_call_written_by_another_worker_is_known(tmp_path):
    """Two processes' ledgers on one file: the check reads the file, not this process."""
    db = tmp_path / "shared.sqlite"
    writer = SQLiteLedger(db)
    writer.record(CallRecord(call_id="from-worker-a", tier="cheap", model="gpt-4o-mini"))
    writer.flush()
    reader = _router(SQLiteLedger(db))
    reader.record_feedback("from-worker-a", 1.0)
    with pytest.raises(UnknownCallError):
        reader.record_feedback("from-worker-b", 1.0)
    assert [f.call_id for f in SQLiteLedger(db).feedback()] == ["from-worker-a"]


def test_a_record_another_worker_is_still_writing_is_waited_for(tmp_path):
    """The worker that answered may write the call's record a moment after the user saw the
    answer (PostgreSQL records go through a writer thread): a short wait, then it is known."""
    import threading

    db = tmp_path / "shared.sqlite"
    writer = SQLiteLedger(db)
    reader = _router(SQLiteLedger(db))
    late = threading.Timer(
        0.1, writer.record, [CallRecord(call_id="late", tier="cheap", model="gpt-4o-mini")]
    )
    late.start()
    reader.record_feedback("late", 1.0)
    late.join()
    assert [f.call_id for f in reader.ledger.feedback()] == ["late"]


def test_a_buffered_record_of_this_process_is_known(tmp_path):
    """A record still in the SQLite buffer (the file was locked) counts as written."""
    ledger = SQLiteLedger(tmp_path / "l.sqlite")
    router = _router(ledger)
    ledger._retry_at = float("inf")  # as after a failed write: records wait in memory
    call_id = _call(router)
    assert ledger.pending == 1
    router.record_feedback(call_id, 1.0)
    assert [f.call_id for f in ledger.feedback()] == [call_id]


class _Unreadable(InMemoryLedger):
    def knows_call(self, call_id: str) -> bool:
        raise LedgerUnavailableError("cost ledger: server unreachable (retrying)")


def test_an_unreadable_ledger_stores_the_score_unchecked_with_a_warning(caplog):
    """A shared ledger that cannot be read now must not lose a user's score."""
    caplog.set_level(logging.WARNING, logger="tier_router")
    router = _router(_Unreadable())
    router.record_feedback("maybe", 1.0)
    assert [f.call_id for f in router.ledger.feedback()] == ["maybe"]
    assert "could not check that call 'maybe' exists" in caplog.text


def test_postgres_knows_a_call_another_worker_wrote(pg_url):
    from shared_core.ledger import PostgresLedger

    worker_a, worker_b = PostgresLedger(pg_url), PostgresLedger(pg_url)
    try:
        worker_a.record(CallRecord(call_id="pg-a", tier="cheap", model="gpt-4o-mini"))
        assert worker_a.flush() == 0
        router = _router(worker_b)
        router.record_feedback("pg-a", 0.75)
        with pytest.raises(UnknownCallError):
            router.record_feedback("pg-missing", 0.75)
        assert worker_b.flush() == 0  # worker B's writer thread has written the score
        assert [(f.call_id, f.score) for f in worker_a.feedback()] == [("pg-a", 0.75)]
    finally:
        worker_a.close()
        worker_b.close()


def test_postgres_unreachable_stores_the_score_queued(pg_url, caplog):
    """While the server is treated as down (after a failed write), the score is queued."""
    import time

    from shared_core.ledger import PostgresLedger

    caplog.set_level(logging.WARNING, logger="tier_router")
    ledger = PostgresLedger(pg_url)
    try:
        router = _router(ledger)
        ledger._down_until = time.monotonic() + 60.0  # as after a failed write
        router.record_feedback("while-down", 1.0)
        assert "could not check that call 'while-down' exists" in caplog.text
        ledger._down_until = 0.0
        assert ledger.flush() == 0
        assert [f.call_id for f in ledger.feedback()] == ["while-down"]
    finally:
        ledger.close()


def test_an_unknown_call_id_is_shown_in_the_error():
    """The router's own call ids (32 hex digits) matched the secret pattern: the message read
    "the ledger has no call '***'"."""
    from shared_core.errors import UnknownCallError

    cid = "0123456789abcdef0123456789abcdef"
    assert cid in str(UnknownCallError(cid))
    assert "sk-proj-abcdefghijklmnop" not in str(UnknownCallError("sk-proj-abcdefghijklmnop"))


def test_numpy_scores_are_numbers():
    """``np.float32(0.5)`` and ``np.int64(1)`` were refused as "not a number"."""
    import numpy as np

    from shared_core.ledger.base import validate_feedback

    for score in (np.float32(0.5), np.int64(1), np.float64(0.25)):
        validate_feedback("c", score, "user")
    for bad in (np.float32("nan"), np.bool_(True), True, "0.5", 1.5):
        with pytest.raises(InputError):
            validate_feedback("c", bad, "user")


@pytest.mark.parametrize("bad", ['abc\ud800', "abc\x00def"], ids=["lone-surrogate", "nul"])
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_call_id_no_call_can_have_is_unknown_not_a_crash(bad: str, kind: str, tmp_path) -> None:
    """A call id from a JSON request body can hold a lone surrogate (``"abc\\ud800"``) or a
    NUL: no call ever has one, but the ledger read raised ``UnicodeEncodeError`` (a web
    handler catching ``InputError`` answered 500). It is an unknown call, refused at once."""
    ledger = InMemoryLedger() if kind == "memory" else SQLiteLedger(str(tmp_path / "f.db"))
    router = _router(ledger)
    _call(router)
    with pytest.raises(UnknownCallError):
        router.record_feedback(bad, 1.0)
    assert ledger.feedback() == []
