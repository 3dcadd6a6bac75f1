"""A LangChain agent (``create_agent``) with tools on RoutedChatModel.

The agent's tool loop calls the model several times per question; the router keeps every
step of one turn on the tier that started it (no bouncing between models mid-loop), and
with ``sticky: true`` a conversation (``thread_id``) never drops to a cheaper tier.

Offline by default (loopback fake OpenAI server, which calls the tools it is given and
then answers); real OpenAI when ``OPENAI_API_KEY`` is set::

    python examples/langchain_agent.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _offline.py, also when loaded by path
from _offline import fake_openai, langchain_kwargs, live_from_env
from langchain.agents import create_agent
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel

CONFIG = {
    "tiers": [
        {
            "name": "cheap",
            "model": "gpt-4o-mini",
            "max_tokens": 256,
            "system_prompt": "Be brief. Use the tools when they help.",
        },
        {
            "name": "strong",
            "model": "gpt-4o",
            "max_tokens": 1024,
            "system_prompt": "Plan carefully; call tools for facts you do not know.",
        },
    ],
    "classifier": {"type": "rules"},
    "sticky": True,
}


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"It is 21°C and sunny in {city}."


@tool
def convert_celsius(celsius: float) -> str:
    """Convert a temperature from Celsius to Fahrenheit."""
    return f"{celsius * 9 / 5 + 32:.1f}°F"


def main() -> int:
    with fake_openai(live_from_env()) as server:
        if server is not None:
            # the stand-in model calls a tool on each of the first two steps, then answers
            server.script(
                tool_calls=True,
                match=lambda r: bool(r.tools) and sum(m["role"] == "tool" for m in r.messages) < 2,
            )
        endpoint = langchain_kwargs(server)
        routed = RoutedChatModel(
            tiers={
                "cheap": ChatOpenAI(model="gpt-4o-mini", max_retries=0, **endpoint),
                "strong": ChatOpenAI(model="gpt-4o", max_retries=0, **endpoint),
            },
            config=CONFIG,
        )
        agent = create_agent(
            routed,
            tools=[get_weather, convert_celsius],
            system_prompt="You are a travel assistant.",
        )
        thread = {"configurable": {"thread_id": "trip-42"}}
        questions = [
            "Plan a three-day walking tour: compare the weather in Paris and Rome, convert the "
            "temperatures to Fahrenheit, analyse the trade-offs step by step and justify which "
            "city to choose",
            "thanks!",
        ]
        for q in questions:
            result = agent.invoke({"messages": [("human", q)]}, config=thread)
            steps = [m for m in result["messages"] if m.type == "ai"]
            tiers = [m.response_metadata["router"]["tier"] for m in steps]
            tools = [tc["name"] for m in steps for tc in m.tool_calls]
            print(f"{q[:50]!r:54} steps={len(steps)} tiers={tiers} tools={tools}")
            print(f"{'':54} answer: {steps[-1].text[:70]!r}")
            assert len(set(tiers)) == 1, "one turn stays on one tier"
        recs = routed.router.ledger.records()
        print(
            f"\n{len(recs)} model calls recorded, thread={recs[-1].thread_id}, "
            f"cost ${sum(r.cost_usd or 0 for r in recs):.6f}"
        )
        # sticky: the easy 'thanks!' stays on the tier the conversation reached
        assert recs[0].tier == "strong" and recs[-1].tier == "strong"
    return 0


if __name__ == "__main__":
    sys.exit(main())
