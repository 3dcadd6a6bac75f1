"""Worker processes for the shared-budget tests: real processes routing into one ledger.

Each function here runs in a child process (``multiprocessing`` spawn) or a thread, so it
imports what it needs and talks to the parent through a queue.
"""

from __future__ import annotations

import random
import time
from typing import Any

from shared_core import Router
from shared_core.dispatch import Attempt, AttemptResult, execute
from shared_core.errors import BudgetExceededError
from shared_core.ledger import CostLedger
from shared_core.pricing import Usage
from shared_core.quality import Answer
from shared_core.testing import FakeClassifier

# one tier: $50 per 1M output tokens, 1000 max -> a call reserves $0.05 and costs $0.02-0.05
PRICE_OUT = 50.0
MAX_TOKENS = 1000
RESERVATION = MAX_TOKENS * PRICE_OUT / 1e6


def budget_config(
    limit_usd: float = 1.0, alert_at: tuple[float, ...] = (), **budget: Any
) -> dict[str, Any]:
    limit = {"scope": "global", "period": "day", "limit_usd": limit_usd,
             "alert_at": list(alert_at)}
    return {
        "tiers": [{"name": "t", "model": "budget-model", "max_tokens": MAX_TOKENS,
                   "input_price": 0.0, "output_price": PRICE_OUT}],
        "budget": {"limits": [limit], **budget},
    }


def budget_router(
    ledger: CostLedger | str, limit_usd: float = 1.0, alert_at: tuple[float, ...] = (),
    **budget: Any,
) -> Router:
    return Router(budget_config(limit_usd, alert_at, **budget),
                  classifier=FakeClassifier(default="t"), ledger=ledger)


def priced_call(rng: random.Random, pause_s: float = 0.003):
    def call(attempt: Attempt) -> AttemptResult:
        time.sleep(rng.uniform(0, pause_s))
        n = rng.randint(400, MAX_TOKENS)
        return AttemptResult(value="ok", usage=Usage(0, n), answer=Answer("x" * 40))

    return call


def fire_at_budget(router: Router, calls: int, seed: int) -> tuple[int, int]:
    """``calls`` routed calls as fast as possible; (answered, refused)."""
    rng = random.Random(seed)
    call = priced_call(rng)
    answered = refused = 0
    for i in range(calls):
        text = f"worker {seed} question {i}"
        try:
            d = router.decide(text)
            execute(router.plan(d, router.request(text)), call)
            answered += 1
        except BudgetExceededError:
            refused += 1
    return answered, refused


def budget_process(target: str, calls: int, seed: int, start: Any, out: Any) -> None:
    router = budget_router(target)
    router.ledger  # noqa: B018 - open it before the start line
    start.wait()
    out.put(fire_at_budget(router, calls, seed))
    router.ledger.close()


def hang_after_reserving(target: str, ttl_s: float) -> None:
    """Reserve, then hang in the provider call until killed."""
    router = budget_router(target, reservation_ttl_s=ttl_s)

    def call(attempt: Attempt) -> AttemptResult:
        time.sleep(3600)
        raise AssertionError("unreachable")

    d = router.decide("hang")
    execute(router.plan(d, router.request("hang")), call)


def alert_process(target: str, calls: int, seed: int, start: Any, flushed: Any, out: Any) -> None:
    """Spend toward a limit with ``alert_at`` [0.5, 0.8]; report the alerts this worker fired."""
    router = budget_router(target, limit_usd=1.0, alert_at=(0.5, 0.8))
    fired: list[float] = []
    router.on_budget_alert(lambda alert: fired.append(alert.fraction))
    start.wait()
    fire_at_budget(router, calls, seed)
    router.ledger.flush()
    flushed.wait()  # every worker's records are in: a last look sees the final spend
    guard = router.budget
    assert guard is not None
    guard.check_alerts(["global"])
    guard.wait_alerts()
    out.put(fired)
    router.ledger.close()


def mixed_thread(router: Router, calls: int, seed: int) -> int:
    """Routed calls with answers, escalations and provider faults; attempts made."""
    from shared_core.testing import FakeServerError

    made = [0]
    lock = __import__("threading").Lock()

    def call(attempt: Attempt) -> AttemptResult:
        with lock:
            made[0] += 1
        roll = (seed * 7919 + attempt.number * 31 + len(attempt.tier.name)) % 100
        if attempt.tier.name == "cheap" and roll % 10 == 0:
            raise FakeServerError("simulated 500")
        text = "I'm sorry, but I can't help with that." if (
            attempt.tier.name == "cheap" and roll % 7 == 0) else "a fine answer " * 3
        return AttemptResult(value=text, usage=Usage(20, 12), answer=Answer(text))

    for i in range(calls):
        seed += 1
        text = f"mixed {seed} {i}"
        d = router.decide(text)
        execute(router.plan(d, router.request(text)), call)
    return made[0]


def mixed_process(target: str, threads: int, calls: int, seed: int, out: Any) -> None:
    import threading

    config = {
        "tiers": [
            {"name": "cheap", "model": "cheap-m", "max_tokens": 50, "input_price": 0.1,
             "output_price": 0.4},
            {"name": "mid", "model": "mid-m", "max_tokens": 50, "input_price": 1.0,
             "output_price": 4.0},
            {"name": "big", "model": "big-m", "max_tokens": 50, "input_price": 10.0,
             "output_price": 40.0},
        ],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1000.0}]},
    }
    router = Router(config, classifier=FakeClassifier(default="cheap"), ledger=target)
    counts: list[int] = []
    ts = [threading.Thread(target=lambda k=k: counts.append(
        mixed_thread(router, calls, seed * 100_000 + k * 10_000))) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    router.ledger.close()
    out.put(sum(counts))


def long_calls(target: CostLedger | str, calls: int, ttl_s: float, call_s: float, inside: Any,
               out: Any) -> None:
    """``calls`` concurrent calls (threads) that each take ``call_s`` in the provider, longer
    than the holds' TTL, under a limit that fits exactly them; ``inside`` is set once every
    call is in the provider (all holds taken). Puts (answered, refused)."""
    import threading

    router = budget_router(target, limit_usd=calls * RESERVATION, reservation_ttl_s=ttl_s)
    lock = threading.Lock()
    entered = [0]

    def call(attempt: Attempt) -> AttemptResult:
        with lock:
            entered[0] += 1
            if entered[0] == calls:
                inside.set()
        time.sleep(call_s)
        return AttemptResult(value="ok", usage=Usage(0, MAX_TOKENS), answer=Answer("x" * 40))

    done: list[int] = []

    def one(i: int) -> None:
        d = router.decide(f"long {i}")
        try:
            execute(router.plan(d, router.request(f"long {i}")), call)
            done.append(1)
        except BudgetExceededError:
            done.append(0)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((sum(done), len(done) - sum(done)))
    if not isinstance(target, CostLedger):
        router.ledger.close()



def one_call_then_wait(target: str, limit_usd: float, in_call: Any, locked: Any, out: Any,
                       go: Any) -> None:
    """One routed call on an event loop: once it is in the provider it sets ``in_call`` and
    waits for ``locked`` (the test makes the database slow to take writes), so that its record
    and the release of its hold end up queued. Puts what is queued, waits for ``go``, closes."""
    import asyncio

    from shared_core.dispatch import aexecute

    router = budget_router(target, limit_usd=limit_usd)
    router.ledger  # noqa: B018 - open it (its schema) first

    async def call(attempt: Attempt) -> AttemptResult:
        in_call.set()
        await asyncio.to_thread(locked.wait, 30)
        return AttemptResult(value="ok", usage=Usage(0, MAX_TOKENS), answer=Answer("x" * 40))

    asyncio.run(aexecute(router.plan(router.decide("queued"), router.request("queued")), call))
    out.put(router.ledger.pending)  # type: ignore[attr-defined]
    go.wait(30)
    router.ledger.close()
    out.put("closed")


def async_call_then_exit(target: str, call_s: float, opened: Any, stalled: Any, out: Any) -> None:
    """A program whose ``asyncio.run(main())`` routes one call: the ledger is opened while the
    database answers, then ``stalled`` (the test makes it stop answering) before the call.
    Puts ("returned", seconds in ``asyncio.run``, seconds from the provider's answer to its
    return, items queued), closes the ledger, puts "closed"."""
    import asyncio

    from shared_core.dispatch import aexecute

    router = budget_router(target)
    router.ledger  # noqa: B018 - open it (its schema) while the database answers
    opened.set()
    stalled.wait(30)

    answered = [0.0]

    async def call(attempt: Attempt) -> AttemptResult:
        await asyncio.sleep(call_s)  # the provider answers a while later
        answered[0] = time.monotonic()
        return AttemptResult(value="ok", usage=Usage(0, MAX_TOKENS), answer=Answer("x" * 40))

    async def main() -> None:
        d = await router.adecide("stalled")
        await aexecute(router.plan(d, router.request("stalled")), call)

    t0 = time.monotonic()
    asyncio.run(main())
    end = time.monotonic()
    out.put(("returned", end - t0, end - answered[0], router.ledger.pending))  # type: ignore[attr-defined]
    router.ledger.close(timeout_s=1)  # type: ignore[call-arg]
    out.put("closed")
