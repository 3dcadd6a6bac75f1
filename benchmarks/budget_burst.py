"""A burst of concurrent async calls against one hard budget on PostgreSQL: is the limit held?

    .venv/bin/python benchmarks/budget_burst.py [--calls 2000] [--limit 5] [--pool 4] [--wait 3]
    .venv/bin/python benchmarks/budget_burst.py --src ../before     # the code of another checkout

One process, one event loop, ``--calls`` tasks started at once, each ``adecide`` + ``aexecute``
of a fake provider that takes 50 ms and costs half its hold (the tier's 1,000 ``max_tokens`` at
$50 per million: a $0.05 hold, $0.025 spent). A throwaway PostgreSQL server is started the way
the tests do (``tests/pg_server.py``). Prints, for ``on_ledger_error`` open and closed, how many
calls were answered, refused for the budget, or refused because the ledger was busy, and the
spend against the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--limit", type=float, default=5.0)
    ap.add_argument("--pool", type=int, default=4, help="PostgresLedger pool_size (default 4)")
    ap.add_argument("--wait", type=float, default=3.0, help="connect_timeout_s: the pool's wait")
    ap.add_argument("--src", type=Path, default=ROOT, help="checkout whose shared_core to run")
    args = ap.parse_args(argv)
    sys.path[:0] = [str(args.src.resolve()), str(ROOT)]
    import shared_core
    from shared_core.ledger import PostgresLedger
    from tests import pg_server
    from tests.ledger_workers import budget_router

    server = pg_server.start(own=True)
    try:
        print(f"{args.calls} concurrent async calls, ${args.limit:g} day limit, pool {args.pool}, wait {args.wait:g}s;"
              f" shared_core from {Path(shared_core.__file__).parent.parent}")
        print("| on_ledger_error | answered | refused (budget) | refused (busy) | spent | within the limit |")
        print("|---|---|---|---|---|---|")
        for policy in ("open", "closed"):
            led = PostgresLedger(pg_server.fresh_database(server.url), pool_size=args.pool, connect_timeout_s=args.wait)
            router = budget_router(led, limit_usd=args.limit, on_ledger_error=policy)
            t = time.perf_counter()
            got = collections.Counter(asyncio.run(_burst(router, led, args.calls)))
            led.flush()
            spent = led.spend("global", 0)
            led.close()
            print(f"| {policy} | {got['answered']} | {got['refused']} | {got['busy']} | ${spent:.3f} "
                  f"({time.perf_counter() - t:.1f} s) | {'yes' if spent <= args.limit + 1e-9 else '**no**'} |")
    finally:
        pg_server.remove(server)
    return 0


async def _burst(router: Any, led: Any, calls: int) -> list[str]:
    from shared_core.dispatch import AttemptResult, aexecute
    from shared_core.errors import BudgetExceededError, BudgetUnavailableError
    from shared_core.pricing import Usage
    from shared_core.quality import Answer
    from tests.ledger_workers import MAX_TOKENS

    async def costly(attempt: object) -> AttemptResult:
        await asyncio.sleep(0.05)
        return AttemptResult(value="ok", usage=Usage(0, MAX_TOKENS // 2), answer=Answer("an answer " * 4))

    async def one(i: int) -> str:
        try:
            d = await router.adecide(f"question {i}")
            await aexecute(router.plan(d, router.request(f"question {i}")), costly)
            return "answered"
        except BudgetUnavailableError:
            return "busy"
        except BudgetExceededError:
            return "refused"

    out = await asyncio.gather(*(one(i) for i in range(calls)))
    await led.aclose()
    return list(out)


if __name__ == "__main__":
    sys.exit(main())
