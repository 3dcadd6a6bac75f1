"""Median overhead of RoutedChatModel.invoke over invoking the chosen inner model directly.

The inner model is an in-process fake (no network), so the difference is the router's own
work: message conversion, the decision, the tier's system prompt and budget, the call plan,
pricing and the ledger record. The classifier's time is measured on its own and subtracted;
target: wrapper overhead under 50 µs beyond the classifier.

    .venv/bin/python benchmarks/langchain_overhead.py [--n 3000] [--repeat 3]
        [--classifier constant|rules|embedded]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_router import RoutedChatModel
from langchain_router.messages import answer_of, usage_of
from shared_core import Classification, RouterConfig
from shared_core.classifiers.base import BaseClassifier
from shared_core.dispatch import AttemptResult, execute
from shared_core.request import Request


class ConstantChat(BaseChatModel):
    """Answers at once with a fixed message and usage: the cheapest possible inner model."""

    model_name: str = "gpt-4o-mini"
    max_tokens: int | None = None

    @property
    def _llm_type(self) -> str:
        return "constant"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        msg = AIMessage(
            "Paris is the capital of France.",
            usage_metadata={"input_tokens": 20, "output_tokens": 8, "total_tokens": 28},
            response_metadata={"model_name": self.model_name},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])


class ConstantClassifier(BaseClassifier):
    """Always the cheap tier: isolates the wrapper from any classifier cost."""

    name = "constant"

    def _classify(self, request: Request) -> Classification:
        return Classification(
            scores={"cheap": 1.0, "strong": 1.0}, confidence=1.0, classifier=self.name
        )


def medians_us(fns: dict[str, Callable[[], Any]], n: int) -> dict[str, float]:
    """Median time of each function, measured interleaved (one call of each per round) so
    that load on the machine affects all of them alike."""
    for fn in fns.values():
        for _ in range(min(200, n)):
            fn()  # warm up caches and lazy imports
    samples: dict[str, list[int]] = {k: [] for k in fns}
    clock = time.perf_counter_ns
    for _ in range(n):
        for name, fn in fns.items():
            t0 = clock()
            fn()
            samples[name].append(clock() - t0)
    return {k: statistics.median(v) / 1000.0 for k, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=1, help="independent runs (the median is shown)")
    ap.add_argument("--classifier", choices=["constant", "rules", "embedded"], default="constant")
    args = ap.parse_args(argv)

    config = RouterConfig.build(
        {
            "tiers": [
                {
                    "name": "cheap",
                    "model": "gpt-4o-mini",
                    "max_tokens": 256,
                    "system_prompt": "Be brief.",
                },
                {
                    "name": "strong",
                    "model": "gpt-4o",
                    "max_tokens": 1024,
                    "system_prompt": "Be thorough.",
                },
            ],
            "classifier": {"type": "rules" if args.classifier == "constant" else args.classifier},
        }
    )
    cheap, strong = ConstantChat(model_name="gpt-4o-mini"), ConstantChat(model_name="gpt-4o")
    clf = (
        ConstantClassifier().bind_labels(["cheap", "strong"])
        if args.classifier == "constant"
        else None
    )
    routed = RoutedChatModel(
        tiers={"cheap": cheap, "strong": strong}, config=config, classifier=clf
    )
    messages = [
        SystemMessage("You are a helpful assistant."),
        HumanMessage("What is the capital of France?"),
    ]
    # the same work the inner model does when the router calls it: tier prompt + budget applied
    direct_messages = [SystemMessage("Be brief.\n\nYou are a helpful assistant."), messages[1]]
    direct_model = cheap.model_copy(update={"max_tokens": 256})

    assert routed.invoke(messages).response_metadata["router"]["tier"] == "cheap"
    router = routed.router
    request = router.request(
        [
            {"role": "system", "content": messages[0].content},
            {"role": "user", "content": messages[1].content},
        ]
    )

    core_msgs = [
        {"role": "system", "content": messages[0].content},
        {"role": "user", "content": messages[1].content},
    ]
    decision = router.decide_request(request)
    answer = direct_model.invoke(direct_messages)
    result = AttemptResult(value=answer, usage=usage_of(answer), answer=answer_of(answer))

    def plan_and_record() -> None:
        plan = router.plan(decision, request, framework="langchain")
        execute(plan, lambda attempt: result)
        plan.metadata()

    fns = {
        "inner": lambda: direct_model.invoke(direct_messages),
        "routed": lambda: routed.invoke(messages),
        "classifier": lambda: router.classifier.classify(request),
        # the core's share: request extraction, decision, call plan with pricing + ledger
        "extract": lambda: router.request(core_msgs),
        "decide": lambda: router.decide_request(request),
        "plan": plan_and_record,
    }
    runs = [medians_us(fns, args.n) for _ in range(args.repeat)]
    # the run with the median overhead stands for all of them; every run's figure is printed
    overheads = [r["routed"] - r["inner"] - r["classifier"] for r in runs]
    m = runs[sorted(range(len(runs)), key=overheads.__getitem__)[len(runs) // 2]]
    inner_us, routed_us, classifier_us = m["inner"], m["routed"], m["classifier"]
    overhead = routed_us - inner_us - classifier_us
    extract_us, decide_us, plan_us = m["extract"], m["decide"] - classifier_us, m["plan"]
    adapter_us = overhead - extract_us - decide_us - plan_us

    print(
        f"classifier: {args.classifier} ({router.classifier.name}), n={args.n}, "
        f"python {sys.version.split()[0]}"
    )
    print(f"inner model .invoke (direct)          median {inner_us:8.1f} µs")
    print(f"RoutedChatModel.invoke                median {routed_us:8.1f} µs")
    print(f"classifier.classify alone             median {classifier_us:8.1f} µs")
    print(f"wrapper overhead beyond classifier           {overhead:8.1f} µs  (target < 50 µs)")
    print(f"  core: request extraction                   {extract_us:8.1f} µs")
    print(f"  core: decision (excl. classifier)          {decide_us:8.1f} µs")
    print(f"  core: call plan + pricing + ledger record  {plan_us:8.1f} µs")
    print(f"  LangChain adapter itself (rest)            {adapter_us:8.1f} µs")
    if len(runs) > 1:
        shown = ", ".join(f"{o:.1f}" for o in overheads)
        print(f"overhead in each of {len(runs)} runs (µs): {shown}; the median run is shown above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
