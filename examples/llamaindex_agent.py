"""A LlamaIndex FunctionAgent on RoutedLLM: tool calls work unchanged, each turn is routed.

Offline by default: it starts the loopback OpenAI-compatible test server (no real LLM, no
network) and scripts it to call the tools. With ``--live`` it calls the real OpenAI API
(needs ``OPENAI_API_KEY``)::

    python examples/llamaindex_agent.py            # offline
    python examples/llamaindex_agent.py --live     # real gpt-4o-mini / gpt-4o

What to notice: only tool-capable tiers are eligible when tools are bound; the chosen
tier formats the tools and parses its own tool calls; ``route_context`` gives the
conversation a thread id, so with ``sticky: true`` a conversation that needed the strong
tier stays there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _offline.py, also when loaded by path
from _offline import fake_openai, llamaindex_kwargs
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI

from llamaindex_router import RoutedLLM, route_context
from shared_core import RouterConfig

CONFIG = {
    "tiers": [
        {
            "name": "cheap",
            "model": "gpt-4o-mini",
            "max_tokens": 512,
            "system_prompt": "Use the tools for any arithmetic. Be brief.",
        },
        {
            "name": "strong",
            "model": "gpt-4o",
            "max_tokens": 2048,
            "system_prompt": "Plan the steps, use the tools for arithmetic, and check the result.",
        },
    ],
    "classifier": {"type": "rules"},  # "embedded" (the trained default) is the usual choice
    "sticky": True,
}

TASKS = [
    "What is 12 + 30?",
    "Prove step by step that (3 + 4) * 6 equals 42, deriving each intermediate result with the tools.",
]


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def after_tool(req: Any) -> bool:
    return bool(req.messages) and req.messages[-1].get("role") == "tool"


def script_offline(server: Any) -> None:
    """Script the loopback server: the answers and tool calls the two tasks need."""
    # task 1 on the cheap tier: one tool call, then an answer
    server.script(
        "gpt-4o-mini", tool_calls=[{"name": "add", "arguments": {"a": 12, "b": 30}}], times=1
    )
    server.script("gpt-4o-mini", "12 + 30 = 42.", match=after_tool)
    # task 2 on the strong tier: two tool calls in sequence, then an answer
    # (the most recently added matching rule wins; a rule with times=1 is then used up)
    server.script("gpt-4o", "3 + 4 = 7 and 7 * 6 = 42, so (3 + 4) * 6 = 42.", match=after_tool)
    server.script(
        "gpt-4o",
        tool_calls=[{"name": "multiply", "arguments": {"a": 7, "b": 6}}],
        times=1,
        match=after_tool,
    )
    server.script("gpt-4o", tool_calls=[{"name": "add", "arguments": {"a": 3, "b": 4}}], times=1)


async def run(live: bool) -> None:
    with fake_openai(live) as server:
        if server is not None:
            script_offline(server)
        endpoint = llamaindex_kwargs(server)
        llm = RoutedLLM(
            tiers={
                "cheap": OpenAI(model="gpt-4o-mini", **endpoint),
                "strong": OpenAI(model="gpt-4o", **endpoint),
            },
            config=RouterConfig.build(CONFIG),
        )
        tools = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]
        agent = FunctionAgent(tools=tools, llm=llm, system_prompt="You are a careful calculator.")
        for i, task in enumerate(TASKS):
            with route_context(thread_id=f"conversation-{i}"):
                result = await agent.run(user_msg=task)
            calls = [r for r in llm.router.ledger.records() if r.thread_id == f"conversation-{i}"]
            tiers = ", ".join(r.tier for r in calls)
            cost = sum(r.cost_usd or 0 for r in calls)
            print(f"{task[:70]}\n  -> {result}\n  LLM calls on: {tiers}  (cost ${cost:.6f})")
        s = llm.router.ledger.summary()
        print(f"\ntotal ${s.cost_usd:.6f} vs ${s.baseline_cost_usd:.6f} on the baseline model")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="call the real OpenAI API")
    args = parser.parse_args(argv)
    asyncio.run(run(args.live))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
