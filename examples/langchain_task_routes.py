"""Task routes: each kind of request goes to its own model with its own system prompt.

A ``mode: task`` config has unordered routes (coding, creative, factual) instead of a
difficulty ladder. The classifier here is the embedding centroid classifier over a few
example prompts per route, on the offline hashing encoder (pass ``encoder=`` any LangChain
``Embeddings``, e.g. ``OpenAIEmbeddings()``, for better accuracy). When it is unsure, the
request goes to ``policy.fallback_tier``.

Offline by default (loopback fake OpenAI server); real OpenAI when ``OPENAI_API_KEY`` is set::

    python examples/langchain_task_routes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _offline.py, also when loaded by path
from _offline import fake_openai, langchain_kwargs, live_from_env
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core import RouterConfig

CONFIG = RouterConfig.build(
    {
        "mode": "task",
        "tiers": [
            {
                "name": "factual",
                "model": "gpt-4o-mini",
                "max_tokens": 256,
                "system_prompt": "Answer factual questions accurately and briefly; say so if unsure.",
            },
            {
                "name": "creative",
                "model": "gpt-4o",
                "max_tokens": 1024,
                "system_prompt_mode": "prepend",
                "system_prompt": "You are a creative writer with a vivid, original voice.",
            },
            {
                "name": "coding",
                "model": "gpt-4.1",
                "max_tokens": 2048,
                "system_prompt": "You are a senior engineer: give correct, runnable code with brief notes.",
            },
        ],
        "classifier": {
            "type": "embedding",
            "options": {
                "examples": {
                    "factual": [
                        "What is the capital of Japan?",
                        "When did World War II end?",
                        "Who wrote Pride and Prejudice?",
                        "How tall is Mount Everest?",
                    ],
                    "creative": [
                        "Write a poem about the sea",
                        "Write a short story about a robot",
                        "Compose a haiku about autumn",
                        "Write a limerick about a cat",
                    ],
                    "coding": [
                        "Write a Python function to sort a list",
                        "Fix this JavaScript bug",
                        "Implement a binary search in Rust",
                        "Write a SQL query joining two tables",
                    ],
                }
            },
        },
        "policy": {"fallback_tier": "factual"},
        "baseline_model": "gpt-4.1",
    }
)

REQUESTS = [
    "Write a Python function that reverses a linked list",
    "Write a poem about autumn leaves",
    "What is the capital of Australia?",
]


def main() -> int:
    with fake_openai(live_from_env()) as server:
        endpoint = langchain_kwargs(server)
        routed = RoutedChatModel(
            tiers={
                t.name: ChatOpenAI(model=t.model, max_retries=0, **endpoint) for t in CONFIG.tiers
            },
            config=CONFIG,
        )
        chosen = []
        for text in REQUESTS:
            msg = routed.invoke([("system", "Be helpful."), ("human", text)])
            info = msg.response_metadata["router"]
            chosen.append(info["tier"])
            print(
                f"{text[:50]!r:54} -> route={info['tier']:9} model={info['model']:12} "
                f"confidence={info['confidence']:.2f}"
            )
            if server is not None:  # offline: show what the provider received
                sent = [m["content"] for m in server.last.messages if m["role"] == "system"]
                print(f"{'':57}system prompt(s) sent: {[s[:40] for s in sent]}")
        s = routed.router.ledger.summary()
        print(
            f"\ncost ${s.cost_usd:.6f} vs ${s.baseline_cost_usd:.6f} if everything went to gpt-4.1"
        )
        assert chosen == ["coding", "creative", "factual"], chosen
    return 0


if __name__ == "__main__":
    sys.exit(main())
