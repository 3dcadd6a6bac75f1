"""Median overhead of ``RoutedLLM.chat`` over the inner LLM's own ``chat`` (target < 100 µs).

    .venv/bin/python benchmarks/llamaindex_overhead.py [--calls 3000] [--json OUT]

Inner LLMs are in-process (LlamaIndex ``CustomLLM`` answering instantly, usage in ``raw``),
so the figures are the adapter's own cost: message conversion, extraction, the decision,
the call plan, the ledger record (in memory), response metadata and LlamaIndex's callback /
event wrapper (the routed call is instrumented once, the inner call not at all).

Reported: median time of ``inner.chat``, of ``routed.chat``, the router's decision latency
(classifier included) and ``overhead = routed - inner``, plus ``overhead beyond the
classifier = overhead - classifier time``. The classifier is a constant ``FakeClassifier``
(near-zero cost) and then the ``rules`` classifier, measured side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llama_index.core.base.llms.types import ChatMessage, CompletionResponse, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from llamaindex_router import RoutedLLM
from shared_core import RouterConfig
from shared_core.testing import FakeClassifier

PROMPTS = [
    "hi there",
    "What is the capital of Australia?",
    "Write a Python function that merges two sorted lists and explain its complexity.",
    "Prove that the square root of 2 is irrational.",
]


class InstantLLM(CustomLLM):
    """Answers at once with fixed usage (what a provider would report)."""

    max_tokens: int | None = None

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=128000, num_output=self.max_tokens or 1024)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(
            text="ok", raw={"usage": {"prompt_tokens": 12, "completion_tokens": 3}}
        )

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        yield self.complete(prompt)


def _config(classifier: str) -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {
                    "name": "cheap",
                    "model": "gpt-4o-mini",
                    "system_prompt": "Be brief.",
                    "max_tokens": 256,
                },
                {
                    "name": "strong",
                    "model": "gpt-4o",
                    "system_prompt": "Be thorough.",
                    "max_tokens": 1024,
                },
            ],
            "classifier": {"type": classifier},
        }
    )


def _paired_medians(inner: Any, routed: Any, calls: int) -> tuple[float, float, float]:
    """Inner and routed calls interleaved (so load drift hits both); medians in µs."""
    t_inner: list[float] = []
    t_routed: list[float] = []
    decision: list[float] = []
    clock = time.perf_counter_ns
    for i in range(calls):
        msgs = [ChatMessage(role="user", content=PROMPTS[i % len(PROMPTS)])]
        t0 = clock()
        inner.chat(msgs)
        t1 = clock()
        r = routed.chat(msgs)
        t2 = clock()
        t_inner.append((t1 - t0) / 1000.0)
        t_routed.append((t2 - t1) / 1000.0)
        decision.append(r.additional_kwargs["router"]["decision_latency_us"])
    return statistics.median(t_inner), statistics.median(t_routed), statistics.median(decision)


def measure(calls: int, classifier: str) -> dict[str, float]:
    inner = InstantLLM()
    fake = (
        FakeClassifier(default="cheap", labels=["cheap", "strong"])
        if classifier == "fake"
        else None
    )
    routed = RoutedLLM(
        {"cheap": InstantLLM(), "strong": InstantLLM()},
        _config("rules" if classifier == "fake" else classifier),
        classifier=fake,
    )
    for _ in range(200):  # warm up (imports, price lookups, budget copies)
        inner.chat([ChatMessage(role="user", content="warm")])
        routed.chat([ChatMessage(role="user", content="warm")])
    inner_us, routed_us, decide = _paired_medians(inner, routed, calls)
    return {
        "classifier": classifier,  # type: ignore[dict-item]
        "inner_chat_us": round(inner_us, 1),
        "routed_chat_us": round(routed_us, 1),
        "decision_us": round(decide, 1),
        "overhead_us": round(routed_us - inner_us, 1),
        "overhead_beyond_decision_us": round(routed_us - inner_us - decide, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)
    rows = [measure(args.calls, c) for c in ("fake", "rules")]
    for r in rows:
        print(
            f"classifier={r['classifier']:<5} inner.chat {r['inner_chat_us']:>7.1f} µs | "
            f"routed.chat {r['routed_chat_us']:>7.1f} µs | decision {r['decision_us']:>6.1f} µs | "
            f"overhead {r['overhead_us']:>6.1f} µs, beyond the decision {r['overhead_beyond_decision_us']:>6.1f} µs"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
