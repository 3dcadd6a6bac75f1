"""Many worker processes, one budget, real adapters: a probe of the hard limit's promise.

N worker processes (``multiprocessing`` spawn or fork), each running an asyncio loop (or
threads) of concurrent calls through ``RoutedChatModel`` (real ``ChatOpenAI``) or
``RoutedLLM`` (llama-index ``OpenAI``) against ``tests/fake_openai_server.py`` on 127.0.0.1,
into one ledger (a SQLite file or a throwaway PostgreSQL). The parent then compares what the
server served (and would bill) with what the ledger recorded, the spend with the limit, and
the holds left.

    PYTHONPATH=. .venv/bin/python benchmarks/workers_budget.py --scenario plain --ledger sqlite
    PYTHONPATH=. .venv/bin/python benchmarks/workers_budget.py --scenario all --ledger both

Scenarios: ``plain`` (contention near the limit), ``timeout`` (the provider finishes requests
the client gave up on after 0.6 s), ``kill`` (worker 0 SIGKILLed with requests under way; holds
expire after 3 s), ``rollover`` (a UTC day begins while workers run: their ``time.time`` starts
1 s before midnight), ``users`` (12 users, each limited to a twelfth of the global limit),
``cut`` (streams closed by the client after two chunks), ``chain`` (``RunnableRouter`` routes of
three model calls under ``per_request_cap_usd`` of 2.5 calls; ``WB_NO_HANDLER=1``: without the
``CostCallbackHandler``), ``long`` (calls of 2.5 TTLs, TTL 1 s or ``WB_LONG_TTL``).

Each scenario prints one dict: ``ledger_spend`` (the ledger's records), ``billed`` (the usage
the server reported for the requests it served, at the tier's prices), ``served`` /
``records_sent`` (requests the server received / records of calls that were sent),
``holds_left`` (live holds after the run), ``outcomes`` (what the callers got), ``wall_s`` (from
the start signal until every worker had ended; ``got``: until every worker had reported).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import signal
import time
from collections import Counter
from typing import Any

IN_PRICE, OUT_PRICE = 100.0, 100.0  # USD per 1M tokens: a call costs ~$0.007
MAX_TOKENS = 60
REPLY = "word " * 100  # cut by the server at max_tokens: each answer bills MAX_TOKENS tokens
USERS = 12
DAY = 86400.0


def config(scenario: str, target: str, limit: float, ttl_s: float = 600.0) -> dict[str, Any]:
    limits: list[dict[str, Any]] = [{"scope": "global", "period": "day", "limit_usd": limit}]
    if scenario == "users":
        limits = [{"scope": f"user:u{i}", "period": "day", "limit_usd": limit / USERS}
                  for i in range(USERS)] + limits
    budget: dict[str, Any] = {"limits": limits, "reservation_ttl_s": ttl_s}
    if scenario == "chain":
        budget["per_request_cap_usd"] = 2.5 * cost_of_call()
    return {
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": MAX_TOKENS,
                   "input_price": IN_PRICE, "output_price": OUT_PRICE}],
        "classifier": {"type": "rules"},
        "budget": budget,
        "ledger": {"url": target},
    }


def cost_of_call(prompt_tokens: int = 12) -> float:
    return (prompt_tokens * IN_PRICE + MAX_TOKENS * OUT_PRICE) / 1e6


# -- the worker ------------------------------------------------------------------------------
def worker(scenario: str, adapter: str, target: str, base_url: str, idx: int, conc: int,
           rounds: int, limit: float, ttl_s: float, shift: float, start: Any, out: Any) -> None:
    offset = [0.0]
    if shift:
        real = time.time
        time.time = lambda: real() + offset[0]  # type: ignore[assignment]
    cfg = config(scenario, target, limit, ttl_s)
    model = build(scenario, adapter, cfg, base_url)
    outcomes: Counter[str] = Counter()
    out.put(("ready", idx))
    start.wait()
    if shift:
        offset[0] = shift - real()
    t0 = time.monotonic()
    asyncio.run(run_loop(scenario, adapter, model, idx, conc, rounds, outcomes))
    wall = time.monotonic() - t0
    router = model.router
    router.ledger.close()
    out.put((idx, dict(outcomes), wall, time.monotonic() - t0))


def build(scenario: str, adapter: str, cfg: dict[str, Any], base_url: str) -> Any:
    import httpx

    timeout = 0.6 if scenario == "timeout" else 30.0
    if scenario == "chain":
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_core.runnables import RunnableLambda
        from langchain_openai import ChatOpenAI

        from langchain_router import RunnableRouter

        def chat() -> Any:
            m = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key="sk-test", max_retries=0,
                           max_tokens=MAX_TOKENS, http_async_client=httpx.AsyncClient(timeout=timeout))
            return ChatPromptTemplate.from_messages([("user", "{input}")]) | m | StrOutputParser()

        # three model calls a request under a cap of two and a half: the third is refused
        route = chat() | RunnableLambda(lambda s: {"input": s[:30]}) | chat() | RunnableLambda(
            lambda s: {"input": s[:30]}) | chat()
        return RunnableRouter({"cheap": route}, config=cfg)
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        inner = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key="sk-test", max_retries=0,
                           timeout=timeout, http_async_client=httpx.AsyncClient(timeout=timeout),
                           stream_usage=True)
        return RoutedChatModel(tiers={"cheap": inner}, config=cfg)
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    li = OpenAI(model="gpt-4o-mini", api_base=base_url, api_key="sk-test", max_retries=0, timeout=timeout)
    return RoutedLLM(tiers={"cheap": li}, config=cfg)


async def run_loop(scenario: str, adapter: str, model: Any, idx: int, conc: int, rounds: int,
                   outcomes: Counter[str]) -> None:
    rng = random.Random(idx)

    async def one(j: int) -> None:
        for r in range(rounds):
            prompt = f"worker {idx} call {j} round {r}: what is the capital of France?"
            if scenario == "timeout" and rng.random() < 0.3:
                prompt = "slow " + prompt
            user = f"u{rng.randrange(USERS)}"
            try:
                await call(scenario, adapter, model, prompt, user)
                outcomes["ok"] += 1
            except Exception as exc:
                outcomes[type(exc).__name__] += 1

    await asyncio.gather(*(one(j) for j in range(conc)))


async def call(scenario: str, adapter: str, model: Any, prompt: str, user: str) -> None:
    if scenario == "chain":
        from langchain_router import CostCallbackHandler

        handlers = [] if os.environ.get("WB_NO_HANDLER") else [CostCallbackHandler(router=model.router)]
        await model.ainvoke({"input": prompt}, config={"callbacks": handlers})
        return
    if adapter == "langchain":
        cfg = {"configurable": {"user_id": user}} if scenario == "users" else None
        if scenario == "cut":
            gen = model.astream(prompt, config=cfg)
            n = 0
            async for _ in gen:
                n += 1
                if n == 2:
                    break
            await gen.aclose()
            return
        await model.ainvoke(prompt, config=cfg)
        return
    from llama_index.core.base.llms.types import ChatMessage

    msgs = [ChatMessage(role="user", content=prompt)]
    kw = {"user": user} if scenario == "users" else {}
    if scenario == "cut":
        gen = await model.astream_chat(msgs, **kw)
        n = 0
        async for _ in gen:
            n += 1
            if n == 2:
                break
        await gen.aclose()
        return
    await model.achat(msgs, **kw)


# -- the parent ------------------------------------------------------------------------------
def run(scenario: str, ledger_kind: str, adapter: str, start_method: str, workers: int, conc: int,
        rounds: int, limit: float, pg_admin: str | None) -> dict[str, Any]:
    from tests import fake_openai_server
    from tests.fake_openai_server import FakeOpenAIServer

    fake_openai_server._QuietServer.request_queue_size = 256  # (5: a burst's connections were refused)

    if ledger_kind == "sqlite":
        import tempfile

        target = os.path.join(tempfile.mkdtemp(prefix="wb-"), "ledger.db")
    else:
        from tests.pg_server import fresh_database

        assert pg_admin
        target = fresh_database(pg_admin)
    ttl_s = {"kill": 3.0, "long": float(os.environ.get("WB_LONG_TTL", "1.0"))}.get(scenario, 600.0)
    shift = 0.0
    if scenario == "rollover":
        now = time.time()
        shift = now - now % DAY + DAY - 1.0  # workers start 1 s before midnight
    ctx = mp.get_context(start_method)
    with FakeOpenAIServer() as server:
        server.script(None, REPLY, chunk_delay=0.05 if scenario == "cut" else 0.0,
                      delay=0.05 if scenario in ("plain", "rollover", "users", "kill") else 0.0)
        if scenario == "timeout":
            server.script(None, REPLY, delay=1.2, match=lambda q: "slow" in q.last_user_text)
        if scenario == "kill":
            server.script(None, REPLY, delay=0.4)
        if scenario == "long":  # calls outlive their holds' TTL (1 s)
            server.script(None, REPLY, delay=2.5 * float(os.environ.get("WB_LONG_TTL", "1.0")))
        start, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=worker, args=(scenario, adapter, target, server.base_url, i, conc,
                                                  rounds, limit, ttl_s, shift, start, out))
                 for i in range(workers)]
        for p in procs:
            p.start()
        for _ in procs:
            assert out.get(timeout=120)[0] == "ready"  # imports done, model built
        t0 = time.monotonic()
        start.set()
        killed_at = None
        if scenario == "kill":
            while not any("worker 0 " in q.last_user_text for q in server.chat_requests):
                time.sleep(0.005)  # worker 0 has a request under way (answered after 0.4 s)
            time.sleep(0.1)
            os.kill(procs[0].pid, signal.SIGKILL)
            killed_at = time.monotonic()
        results = []
        for p in procs:
            if scenario == "kill" and p is procs[0]:
                continue
            results.append(out.get(timeout=300))
        got = time.monotonic() - t0
        for p in procs:
            p.join(60)
        joined = time.monotonic() - t0
        wall = time.monotonic() - t0
        time.sleep(1.5 if scenario == "timeout" else 0.1)  # the slow answers finish
        served = [q for q in server.chat_requests]
        billed = [q for q in served if q.usage]
    report = measure(scenario, target, ledger_kind, shift, served, billed, limit)
    if killed_at is not None:
        report["held_after_kill"] = held_now(target, shift)
        t_lapse = time.monotonic()
        while held_now(target, shift) > 1e-12 and time.monotonic() - t_lapse < 30:
            time.sleep(0.1)
        report["hold_lapsed_after_s"] = round(time.monotonic() - killed_at, 1)
        report["ttl_s"] = ttl_s
    outcomes: Counter[str] = Counter()
    for _, o, _w, _c in results:
        outcomes.update(o)
    report.update(scenario=scenario, ledger=ledger_kind, adapter=adapter, start=start_method,
                  workers=workers, conc=conc, rounds=rounds, outcomes=dict(outcomes), wall_s=round(wall, 2),
                  worker_walls=[round(w, 1) for _, _o, w, _c in results],
                  closed=[round(c, 1) for *_, c in results], got=round(got, 1), joined=round(joined, 1))
    return report


def open_ledger(target: str) -> Any:
    from shared_core.ledger import open_ledger as ol

    return ol(target)


def held_now(target: str, shift: float) -> float:
    led = open_ledger(target)
    try:
        return float(led.reserved("global"))
    finally:
        led.close()


def measure(scenario: str, target: str, kind: str, shift: float, served: list[Any], billed: list[Any],
            limit: float) -> dict[str, Any]:
    led = open_ledger(target)
    try:
        recs = led.records()
        reserved = led.reserved("global")
    finally:
        led.close()
    statuses = Counter(r.status for r in recs)
    odd = Counter(f"{r.status}:{r.error_kind}:{(r.error or '')[:120]}" for r in recs
                  if r.status not in ("ok", "refused"))
    sent = [r for r in recs if r.status != "refused"]
    billed_usd = sum(((q.usage or {}).get("prompt_tokens", 0) * IN_PRICE
                      + (q.usage or {}).get("completion_tokens", 0) * OUT_PRICE) / 1e6 for q in billed)
    cut = [q for q in served if q.client_gone]
    rep_cut = {"client_gone": len(cut), "chunks_sent": sum(q.chunks_sent for q in cut)} if cut else {}
    rep: dict[str, Any] = {**rep_cut,
        "limit": limit,
        "ledger_spend": round(sum(r.cost_usd or 0.0 for r in recs), 6),
        "billed": round(billed_usd, 6),
        "served": len(served),
        "records_sent": len(sent),
        "statuses": dict(statuses),
        "holds_left": round(reserved, 6),
        "odd": dict(odd),
    }
    by_id = Counter(r.call_id for r in sent if scenario != "chain")
    rep["calls_recorded_twice"] = sum(1 for v in by_id.values() if v > 1)
    if scenario == "rollover":
        days: dict[float, float] = {}
        for r in recs:
            d = r.ts - r.ts % DAY
            days[d] = days.get(d, 0.0) + (r.cost_usd or 0.0)
        rep["spend_by_day"] = [round(v, 6) for _, v in sorted(days.items())]
    if scenario == "users":
        users: dict[str, float] = {}
        for r in recs:
            users[r.user or "-"] = users.get(r.user or "-", 0.0) + (r.cost_usd or 0.0)
        rep["worst_user"] = round(max(users.values()), 6)
        rep["user_limit"] = round(limit / USERS, 6)
    if scenario == "chain":
        per: dict[str, float] = {}
        for r in recs:
            k = r.metadata.get("router_call_id") or r.call_id
            per[k] = per.get(k, 0.0) + (r.cost_usd or 0.0)
        rep["worst_request"] = round(max(per.values()), 6)
        rep["cap"] = round(2.5 * cost_of_call(), 6)
    return rep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="plain")
    ap.add_argument("--ledger", default="sqlite", choices=["sqlite", "pg", "both"])
    ap.add_argument("--adapter", default="langchain", choices=["langchain", "llamaindex"])
    ap.add_argument("--start", default="fork", choices=["fork", "spawn"])
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--conc", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=0.30)
    args = ap.parse_args()
    scenarios = ["plain", "timeout", "kill", "rollover", "users", "cut", "chain"] if args.scenario == "all" \
        else args.scenario.split(",")
    kinds = ["sqlite", "pg"] if args.ledger == "both" else [args.ledger]
    pg = None
    if "pg" in kinds:
        from tests import pg_server

        pg = pg_server.start()
    try:
        for kind in kinds:
            for sc in scenarios:
                rep = run(sc, kind, args.adapter, args.start, args.workers, args.conc, args.rounds,
                          args.limit, pg.url if pg else None)
                print(rep, flush=True)
    finally:
        if pg is not None:
            from tests import pg_server

            pg_server.remove(pg)


if __name__ == "__main__":
    main()
