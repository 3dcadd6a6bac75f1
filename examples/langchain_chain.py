"""An LCEL chain on RoutedChatModel: swap ChatOpenAI for the router, nothing else changes.

Offline by default: it starts the loopback OpenAI-compatible test server (no real LLM, no
network). When ``OPENAI_API_KEY`` is set it calls the real OpenAI API instead::

    python examples/langchain_chain.py

What to notice: the chain is the usual ``prompt | model | StrOutputParser()``; easy
questions go to gpt-4o-mini with its short system prompt and token budget, hard ones to
gpt-4o; invoke, batch and stream all work; the ledger shows cost against gpt-4o for all.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _offline.py, also when loaded by path
from _offline import fake_openai, langchain_kwargs, live_from_env
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel

CONFIG = {
    "tiers": [
        {
            "name": "cheap",
            "model": "gpt-4o-mini",
            "max_tokens": 256,
            "system_prompt": "Answer in one or two sentences.",
        },
        {
            "name": "strong",
            "model": "gpt-4o",
            "max_tokens": 1024,
            "system_prompt": "Think the problem through and answer completely.",
        },
    ],
    # "embedded" (the trained default, used when config=None) is the usual choice;
    # "rules" needs no model files and keeps this demo deterministic
    "classifier": {"type": "rules"},
}

QUESTIONS = [
    "What is the capital of France?",
    "hi there",
    "Prove that there are infinitely many primes and analyse the complexity of the sieve "
    "of Eratosthenes step by step",
]


def main() -> int:
    with fake_openai(live_from_env()) as server:
        endpoint = langchain_kwargs(server)
        routed = RoutedChatModel(
            tiers={
                "cheap": ChatOpenAI(model="gpt-4o-mini", max_retries=0, **endpoint),
                "strong": ChatOpenAI(model="gpt-4o", max_retries=0, **endpoint),
            },
            config=CONFIG,
        )
        prompt = ChatPromptTemplate.from_messages(
            [("system", "You are a helpful assistant."), ("human", "{question}")]
        )
        chain = prompt | routed | StrOutputParser()

        print("invoke:", chain.invoke({"question": QUESTIONS[0]})[:80])
        for q, a in zip(QUESTIONS, chain.batch([{"question": q} for q in QUESTIONS])):
            print(f"batch:  {q[:40]!r:44} -> {a[:60]!r}")
        print("stream:", "".join(chain.stream({"question": QUESTIONS[2]}))[:80])

        # the metadata every answer carries
        info = (prompt | routed).invoke({"question": QUESTIONS[1]}).response_metadata["router"]
        print(
            f"last call: tier={info['tier']} model={info['model']} cost=${info['cost_usd']:.6f} "
            f"baseline=${info['baseline_cost_usd']:.6f}"
        )

        s = routed.router.ledger.summary()
        print(
            f"\n{s.calls} calls, cost ${s.cost_usd:.6f} vs ${s.baseline_cost_usd:.6f} on gpt-4o "
            f"(saved {s.savings_pct or 0:.0f}%); tiers: "
            + ", ".join(f"{k}={v:.0%}" for k, v in s.tier_distribution.items())
        )
        assert s.calls == 6 and set(s.tier_distribution) == {"cheap", "strong"}
    return 0


if __name__ == "__main__":
    sys.exit(main())
