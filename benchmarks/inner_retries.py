"""Requests a failing tier receives, and time to an answer, with and without the router's
control of retries (issue 14, item 7).

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients, built with the libraries' defaults,
call the loopback test server, where the cheap model always answers HTTP 500:

* **inner client alone** (what stacked retries cost before the router may fall back): the
  client is called directly until it raises; requests it sent and the time it took;
* **routed** (``RoutedChatModel`` / ``RoutedLLM`` over the same kind of clients, cheap tier
  first): requests the failing tier received and the time until the strong tier answered.

    .venv/bin/python benchmarks/inner_retries.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
MSGS = [ChatMessage(role="user", content="hello")]


def _measure(server: FakeOpenAIServer, fn: Callable[[], Any]) -> tuple[int, float]:
    server.reset()
    server.fail(model=CHEAP, status=500, times=None)
    t0 = time.perf_counter()
    try:
        fn()
    except Exception:  # the inner client alone raises once its retries are spent
        pass
    return server.models.count(CHEAP), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # tenacity's and the router's retry lines: counted, not shown
    fake = FakeClassifier(default="cheap", labels=["cheap", "strong"])
    with FakeOpenAIServer() as server:
        def lc(model: str) -> ChatOpenAI:
            return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test")

        def li(model: str) -> OpenAI:
            return OpenAI(model=model, api_base=server.base_url, api_key="sk-test")

        routed_lc = RoutedChatModel(tiers={"cheap": lc(CHEAP), "strong": lc(STRONG)}, classifier=fake)
        routed_li = RoutedLLM(tiers={"cheap": li(CHEAP), "strong": li(STRONG)}, classifier=fake)
        cases: dict[str, Callable[[], Any]] = {
            "ChatOpenAI alone": lambda: lc(CHEAP).invoke("hello"),
            "RoutedChatModel": lambda: routed_lc.invoke("hello"),
            "llama-index OpenAI alone": lambda: li(CHEAP).chat(MSGS),
            "RoutedLLM": lambda: routed_li.chat(MSGS),
        }
        print(f"cheap tier answers HTTP 500; median of {args.repeat} runs")
        print(f"{'':26s} {'requests to it':>15s} {'seconds':>9s}")
        for name, fn in cases.items():
            runs = [_measure(server, fn) for _ in range(args.repeat)]
            requests = statistics.median(r for r, _ in runs)
            seconds = statistics.median(s for _, s in runs)
            print(f"{name:26s} {requests:>15.0f} {seconds:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
