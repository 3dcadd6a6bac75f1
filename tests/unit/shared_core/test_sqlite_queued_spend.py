"""A budget check of a SQLite ledger counts its queued records from running totals, not by
walking the queue: with the file locked for a while, every check walked every queued record
(35 ms at 10,000, 0.6 s at 300,000: on every call, while the backlog grew).

The totals must say what the walk said, whatever happens to the queue: records queued, written
in batches, set aside, spilled, claimed back from a spill file, a fork's fresh queue."""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shared_core.ledger import CallRecord, SQLiteLedger, sqlite_batch, sqlite_writer
from shared_core.ledger.counters import counts_toward, pending_spend
from shared_core.ledger.queued_spend import QueuedRecords
from shared_core.ledger.sqlite_sql import _spend_sql

DAY = 1.7e9 - 1.7e9 % 86400
SCOPES = ["global", "user:a", "user:b", "tag:x", "tag:y", "tag:a"]
SINCES = [0.0, DAY, DAY + 1.0, DAY + 43200.0, DAY + 86400.0, DAY + 86400.0 + 0.5, DAY + 3 * 86400.0]

COSTS = st.one_of(
    st.none(), st.just(0.0), st.floats(0.0, 5.0), st.sampled_from([0.1, 0.2, 0.3, 1e-300, 5e-324, 1e300])
)
TIMES = st.one_of(
    st.sampled_from([DAY - 0.5, DAY, DAY + 1.0, DAY + 43200.0, DAY + 86399.75, DAY + 86400.0,
                     DAY + 86400.0 + 0.5, DAY + 2 * 86400.0]),
    st.floats(DAY - 86400.0, DAY + 3 * 86400.0),
)
RECORDS = st.builds(
    lambda i, cost, ts, user, tags: CallRecord(
        call_id=f"c{i}", tier="t", model="m", cost_usd=cost, ts=ts, user=user, tags=tuple(tags)
    ),
    st.integers(0, 10**9), COSTS, TIMES, st.sampled_from([None, "", "a", "b"]),
    st.lists(st.sampled_from(["x", "y", "a", ""]), max_size=3),
)


def _walk(records: list[CallRecord], scope: str, since: float) -> float:
    """What the walk of the queue says, rounded once (as the totals are)."""
    return math.fsum(r.cost_usd for r in records if counts_toward(r, scope, since))  # type: ignore[misc]


def _agrees(queue: QueuedRecords) -> None:
    records = list(queue)
    for scope in SCOPES:
        for since in SINCES:
            got = queue.spend(scope, since)
            assert got == _walk(records, scope, since), (scope, since)
            # and what the ledger computed before, up to its rounding at every step
            assert got == pytest.approx(pending_spend(records, scope, since), rel=1e-12, abs=1e-300)
    if not queue:
        assert queue.scopes() == 0  # nothing kept for records no longer queued


class QueueMachine(RuleBasedStateMachine):
    """The queue as the ledger changes it: queued at the end, written or set aside from the
    front, spilled (cleared), claimed back (extended), replaced in a forked child; checked
    between any two of them."""

    def __init__(self) -> None:
        super().__init__()
        self.queue = QueuedRecords()

    @rule(rec=RECORDS, n=st.integers(1, 3))
    def queue(self, rec: CallRecord, n: int) -> None:
        for _ in range(n):
            self.queue.append(rec)

    @rule(recs=st.lists(RECORDS, max_size=5))
    def claim_spilled(self, recs: list[CallRecord]) -> None:
        self.queue.extend(recs)

    @rule(n=st.integers(0, 6))
    def commit_or_reject_first(self, n: int) -> None:
        del self.queue[:n]

    @rule()
    def spill(self) -> None:
        self.queue.clear()

    @rule()
    def fork(self) -> None:
        self.queue = QueuedRecords(self.queue)  # (the child's queue: a copy, then its own)

    @rule(i=st.integers(0, 5), rec=RECORDS, how=st.sampled_from(["del", "insert", "pop", "+="]))
    def anything_else(self, i: int, rec: CallRecord, how: str) -> None:  # not what the ledger does
        if how == "insert":
            self.queue.insert(i, rec)
        elif how == "+=":
            self.queue += [rec]
        elif self.queue:
            if how == "del":
                del self.queue[i % len(self.queue)]
            else:
                self.queue.pop(i % len(self.queue))

    @rule()
    def check(self) -> None:  # not after every step: records also leave before a check counts them
        _agrees(self.queue)

    def teardown(self) -> None:
        _agrees(self.queue)


TestQueueMachine = QueueMachine.TestCase
TestQueueMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


class LedgerMachine(RuleBasedStateMachine):
    """The same through a SQLite ledger: records buffered behind a back-off, written in batches
    of 3, a record the database refuses set aside, the queue spilled at close and claimed
    back by a ledger opened next, a forked child's fresh queue."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    @initialize()
    def open(self) -> None:
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.path = f"{self.dir.name}/q.db"
        self.led = SQLiteLedger(self.path)
        self._hold()

    def _hold(self) -> None:
        self.led._retry_at = time.monotonic() + 3600.0  # backing off: record() only queues

    @rule(rec=RECORDS, bad=st.booleans())
    def record(self, rec: CallRecord, bad: bool) -> None:
        self.n += 1
        d = rec.to_dict() | {"call_id": f"{'bad' if bad else 'ok'}{self.n}"}
        self.led.record(CallRecord(**d))

    @rule()
    def write_a_batch(self) -> None:
        with self.led._writing:
            self.led._write_batch(patient=True)
        self._hold()

    @rule()
    def close_and_reopen(self) -> None:
        with self.led._writing, self.led._lock:
            self.led._spill_locked()  # what close() does when the file stays locked
        self.led.close()
        self.led = SQLiteLedger(self.path)  # claims the spill file, then writes it
        self._hold()

    @rule()
    def fork(self) -> None:
        self.led._after_fork()  # what a forked child's copy does first
        self._hold()

    @invariant()
    def spend_is_the_rows_plus_the_walk(self) -> None:
        led = getattr(self, "led", None)
        if led is None:
            return
        queued = list(led._pending)
        conn = led._live_connection()
        for scope in SCOPES:
            for since in SINCES:
                rows = _spend_sql(conn, scope, since)
                assert led._pending.spend(scope, since) == _walk(queued, scope, since)
                assert led.spend(scope, since) == pytest.approx(
                    rows + pending_spend(queued, scope, since), rel=1e-12, abs=1e-300
                )
        if not queued:
            assert led._pending.scopes() == 0

    def teardown(self) -> None:
        if hasattr(self, "led"):
            self.led._retry_at = 0.0
            self.led.close()
            self.dir.cleanup()


@pytest.fixture
def _small_batches_and_a_refused_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writer, "BATCH_MAX", 3)
    insert = sqlite_batch.insert

    def refusing(conn: Any, records: list[CallRecord], *rest: Any) -> None:
        if any(r.call_id.startswith("bad") for r in records):
            raise ValueError("refused")  # an item error: the record is set aside
        insert(conn, records, *rest)

    monkeypatch.setattr(sqlite_batch, "insert", refusing)


@pytest.mark.filterwarnings("ignore")
def test_the_ledger_spends_its_queue_as_the_walk_did(
    _small_batches_and_a_refused_record: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings_ = settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(LedgerMachine, settings=settings_)


def _check_s(led: SQLiteLedger, reps: int = 30) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        led.spend("user:u1", DAY)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def test_a_budget_check_does_not_grow_with_the_queued_backlog(tmp_path: Any) -> None:
    """Side by side: a check with 50 records queued and with 50,000 (the file locked: a
    backlog). The walk made the second ~500 times slower; now it reads the same few totals."""
    small, big = SQLiteLedger(tmp_path / "s.db"), SQLiteLedger(tmp_path / "b.db")
    for led, n in ((small, 50), (big, 50_000)):
        led._retry_at = time.monotonic() + 3600.0  # backing off: the records stay queued
        for i in range(n):
            led.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.001,
                                  ts=DAY + 60, user=f"u{i % 100}", tags=("feature:a",)))
    assert big.pending == 50_000 and big.spend("user:u1", DAY) == pytest.approx(0.5)
    _check_s(small, 5), _check_s(big, 5)  # warm
    ratio = _check_s(big) / _check_s(small)
    assert ratio < 10, f"a check with 50,000 queued took {ratio:.0f}x one with 50"
    for led in (small, big):
        led._retry_at = 0.0
        led.close()


def test_a_budget_check_does_not_wait_for_a_batch_being_inserted(tmp_path: Any, monkeypatch: Any) -> None:
    """The writer inserted a batch holding the ledger's lock, so every budget check (and every
    enqueue of an event loop) waited for the whole insert, not only for its commit. A check
    made while a batch is being inserted now answers at once, and counts each record once:
    the batch's records are still queued, not yet in the rows it reads."""
    import threading

    led = SQLiteLedger(tmp_path / "w.db")
    led._retry_at = time.monotonic() + 3600.0
    for i in range(10):
        led.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.25, ts=DAY + 60))
    seen: list[float] = []
    readers: list[threading.Thread] = []
    insert = sqlite_batch.insert

    def slow_insert(conn: Any, records: list[CallRecord], *rest: Any) -> None:
        insert(conn, records, *rest)
        reader = threading.Thread(target=lambda: seen.append(led.spend("global", DAY)))
        readers.append(reader)
        reader.start()
        reader.join(timeout=3.0)  # with the insert under the lock: it waits for the commit
        seen.append(-1.0 if reader.is_alive() else 0.0)

    monkeypatch.setattr(sqlite_batch, "insert", slow_insert)
    led._retry_at = 0.0
    assert led.flush() == 0
    for reader in readers:
        reader.join()
    assert seen[:2] == [pytest.approx(2.5), 0.0], f"the check waited for the insert: {seen}"
    assert led.spend("global", DAY) == pytest.approx(2.5)
    led.close()
