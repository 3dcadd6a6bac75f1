"""What the feedback loop costs on the request path as the ledger grows.

With ``feedback.auto_adjust`` on, every tenth of a window of feedback the loop checks its
window. This times one decision + record + ``record_feedback`` (checks included), averaged
over 200 calls, on a SQLite ledger that already holds N old calls with feedback::

    python benchmarks/feedback_loop_scale.py            # N = 1,000 and 100,000

and the median time of one check of an A/B candidate's loop (window 20) whose variant got 5%
of those calls, with the feedback entries the check read (at 1,000 calls the candidate has 50
entries, fewer than the 80 a check reads at most when they are there)::

    python benchmarks/feedback_loop_scale.py 1000 10000 100000
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from shared_core import Router
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]


def per_call_ms(backlog: int, folder: Path) -> float:
    ledger = SQLiteLedger(folder / f"backlog{backlog}.sqlite")
    start = time.time() - 3600
    for i in range(backlog):
        ledger.record(CallRecord(call_id=f"old{i}", tier="cheap", model="gpt-4o-mini", ts=start + i / 1000))
        ledger.record_feedback(f"old{i}", 0.9)
    ledger.flush()
    router = Router(
        {"tiers": TIERS, "feedback": {"auto_adjust": True, "window": 200}},
        classifier=FakeClassifier(default="cheap"),
        ledger=ledger,
    )
    t = time.perf_counter()
    for _ in range(200):
        d = router.decide("hi")
        ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model))
        router.record_feedback(d.call_id, 1.0)
    ms = (time.perf_counter() - t) * 1000 / 200
    ledger.close()
    return ms


def ab_check_ms(backlog: int, folder: Path, share: float = 0.05, window: int = 20) -> tuple[float, int]:
    """The median time of one check of an A/B candidate's loop (its variant routed ``share``
    of the ``backlog`` calls, 7 in 8 of them answered well: the knob holds), and the feedback
    entries that check read."""
    ledger = SQLiteLedger(folder / f"ab{backlog}.sqlite")
    start = time.time() - 3600
    for i in range(backlog):
        variant = "candidate" if i % round(1 / share) == 0 else "control"
        ledger.record(CallRecord(call_id=f"old{i}", tier="cheap", model="gpt-4o-mini", ts=start + i / 1000,
                                 variant=variant))
        ledger.record_feedback(f"old{i}", 0.0 if (i // round(1 / share)) % 8 == 0 else 1.0)
    ledger.flush()
    routers = [
        Router(
            {"tiers": TIERS, "feedback": {"auto_adjust": True, "window": window, "key": key}},
            classifier=FakeClassifier(default="cheap"),
            ledger=ledger,
        )
        for key in ("control", "candidate")
    ]
    loop = VariantRouter(routers[0], routers[1], share=share).candidate.feedback_loop
    assert loop is not None
    read = ledger.recent_feedback
    seen: list[int] = []

    def counted(*a: object) -> list[object]:
        out = read(*a)  # type: ignore[arg-type]
        seen.append(len(out))
        return out  # type: ignore[return-value]

    ledger.recent_feedback = counted  # type: ignore[method-assign]
    times = []
    for _ in range(30):
        seen.clear()
        t = time.perf_counter()
        assert loop.check() is None  # holds: nothing written
        times.append((time.perf_counter() - t) * 1000)
    ledger.close()
    return statistics.median(times), sum(seen)


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        base = per_call_ms(sizes[0], Path(tmp))
        for n in sizes:
            ms = base if n == sizes[0] else per_call_ms(n, Path(tmp))
            print(f"{n:>8,} old calls: {ms:7.2f} ms per call + feedback ({ms / base:.1f}x the first)")
        base, _ = first = ab_check_ms(sizes[0], Path(tmp))
        for n in sizes:
            ms, rows = first if n == sizes[0] else ab_check_ms(n, Path(tmp))
            print(f"{n:>8,} old calls, A/B candidate at 5%: {ms:7.2f} ms per check, {rows} feedback entries "
                  f"read ({ms / base:.1f}x the first)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
