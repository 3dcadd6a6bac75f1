"""A LlamaIndex query engine on RoutedLLM: simple questions go to the cheap model, hard ones up.

Offline by default: it starts the loopback OpenAI-compatible test server (no real LLM, no
network) and uses a local hashing embedding. With ``--live`` it calls the real OpenAI API
(needs ``OPENAI_API_KEY``)::

    python examples/llamaindex_query_engine.py            # offline
    python examples/llamaindex_query_engine.py --live     # real gpt-4o-mini / gpt-4o

What to notice: the retrieved context makes every prompt long, but the router classifies the
user's question (the query engine's ``query_str``), so a simple question over a long context
still goes to the cheap tier. Every answer carries its tier and cost; the ledger sums savings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _offline.py, also when loaded by path
from _offline import fake_openai, llamaindex_kwargs
from llama_index.core import Document, VectorStoreIndex
from llama_index.llms.openai import OpenAI

from llamaindex_router import HashingEmbedding, RoutedLLM
from shared_core import RouterConfig

CONFIG = {
    "tiers": [
        {
            "name": "cheap",
            "model": "gpt-4o-mini",
            "max_tokens": 256,
            "system_prompt": "Answer in one or two sentences, using only the given context.",
        },
        {
            "name": "strong",
            "model": "gpt-4o",
            "max_tokens": 1024,
            "system_prompt": "Answer carefully and completely; reason from the context step by step.",
        },
    ],
    # "embedded" (the trained default) is the usual choice; "rules" needs no model files
    "classifier": {"type": "rules"},
}

DOCS = [
    "The Eiffel Tower is in Paris. It was completed in 1889 for the World's Fair and is 330 metres tall.",
    "Paris is the capital of France. The Seine flows through the city from east to west.",
    "Lyon is France's third-largest city, known for its cuisine and its silk-weaving history.",
    "The Louvre, the world's most-visited museum, opened in 1793 in a former royal palace in Paris.",
] * 5

QUESTIONS = [
    "What is the capital of France?",
    "How tall is the Eiffel Tower?",
    "Analyse in depth, step by step, how the Louvre and the Eiffel Tower reshaped Paris: compare "
    "their economic impact, derive the trade-offs, and prove your conclusion rigorously.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="call the real OpenAI API")
    args = parser.parse_args(argv)

    with fake_openai(args.live) as server:
        endpoint = llamaindex_kwargs(server)
        llm = RoutedLLM(
            tiers={
                "cheap": OpenAI(model="gpt-4o-mini", **endpoint),
                "strong": OpenAI(model="gpt-4o", **endpoint),
            },
            config=RouterConfig.build(CONFIG),
        )
        index = VectorStoreIndex.from_documents(
            [Document(text=t) for t in DOCS], embed_model=HashingEmbedding(dim=256)
        )
        engine = index.as_query_engine(llm=llm, similarity_top_k=4)
        for q in QUESTIONS:
            answer = engine.query(q)
            route = llm.last_route or {}
            print(f"[{route.get('tier'):>6}] {q[:60]}")
            print(f"         -> {str(answer)[:100]}  (cost ${route.get('cost_usd') or 0:.6f})")

        streaming = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=4)
        print("[stream] ", end="")
        for token in streaming.query(QUESTIONS[1]).response_gen:
            print(token, end="", flush=True)
        print(f"  (tier {llm.last_route['tier']})")

        s = llm.router.ledger.summary()
        print(
            f"\n{s.calls} calls: ${s.cost_usd:.6f} spent, ${s.baseline_cost_usd:.6f} on the baseline "
            f"model alone; tier share {s.tier_distribution}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
