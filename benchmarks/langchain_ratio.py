"""RoutedChatModel.invoke (default embedded classifier) over a direct inner call, three ways.

    .venv/bin/python benchmarks/langchain_ratio.py [--rounds 6000] [--blocks 30]

Issue 11 asks for the routed call at most 2x a direct call of the same fake inner model. The
ratio depends on how it is timed, so this prints it three ways, in one process:

* **pairs**: one direct call, then one routed call, repeated; medians of each. Machine drift
  hits both alike; a garbage collection lands in whichever call triggers it and the median
  leaves it out.
* **blocks**: 200 direct calls, then 200 routed calls, repeated; the median of the block means.
  Each side runs with its own code hot in the caches, and the routed call's extra allocations
  pay for the collections they cause.
* **six-way** (``langchain_overhead.py``'s method): direct, routed, the classifier alone and
  three core steps, one after another per round. The classifier's numpy work between the calls
  slows the *direct* call (its median rises from ~90 to ~170 µs), which flatters the ratio.

The ``prompt`` is the same short question as in ``langchain_overhead.py``. A last row times the
same routed model with a constant classifier (pairs and blocks): the wrapper's own share, so
what is left for the classifier under a 2x target can be read off.

``--varied`` cycles through 200 short prompts of ``benchmarks/data/everyday_*.jsonl`` (up to
100 characters, ~52 on average, most not in English) instead: each call reads other words, so
the classifier's memos and weights are read from colder memory than with one question. The
direct and the routed call of a pair get the same prompt; the six-way row keeps the question
(it reports the direct and routed medians of the cycled prompts, with the classifier and core
steps timed on the question).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_overhead import ConstantChat, ConstantClassifier, medians_us

from langchain_router import RoutedChatModel
from shared_core import RouterConfig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6000)
    ap.add_argument("--blocks", type=int, default=30)
    ap.add_argument("--varied", action="store_true", help="200 short everyday prompts, cycled")
    args = ap.parse_args(argv)
    config = RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 256, "system_prompt": "Be brief."},
                {"name": "strong", "model": "gpt-4o", "max_tokens": 1024, "system_prompt": "Be thorough."},
            ],
            "classifier": {"type": "embedded"},
        }
    )
    cheap = ConstantChat(model_name="gpt-4o-mini")
    routed = RoutedChatModel(
        tiers={"cheap": cheap, "strong": ConstantChat(model_name="gpt-4o")}, config=config
    )
    wrapper = RoutedChatModel(
        tiers={"cheap": cheap, "strong": ConstantChat(model_name="gpt-4o")}, config=config,
        classifier=ConstantClassifier().bind_labels(["cheap", "strong"]),
    )
    messages = [
        SystemMessage("You are a helpful assistant."),
        HumanMessage("What is the capital of France?"),
    ]
    direct_messages = [SystemMessage("Be brief.\n\nYou are a helpful assistant."), messages[1]]
    direct = cheap.model_copy(update={"max_tokens": 256})
    assert routed.invoke(messages).response_metadata["router"]["tier"] == "cheap"

    def fd() -> None:
        direct.invoke(direct_messages)

    def fr() -> None:
        routed.invoke(messages)

    def fw() -> None:
        wrapper.invoke(messages)

    if args.varied:  # each side cycles through the same prompts: a pair's two calls read the same
        asks = _short_prompts(200)
        print(f"{len(asks)} prompts, {sum(map(len, asks)) / len(asks):.1f} characters on average")
        routed_turns = [[messages[0], HumanMessage(a)] for a in asks]
        direct_turns = [[direct_messages[0], HumanMessage(a)] for a in asks]
        nd, nr, nw = (itertools.cycle(t).__next__ for t in (direct_turns, routed_turns, routed_turns))

        def fd() -> None:
            direct.invoke(nd())

        def fr() -> None:
            routed.invoke(nr())

        def fw() -> None:
            wrapper.invoke(nw())

    for _ in range(1000):
        fd()
        fr()
        fw()
    d, r, w = [], [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        fd()
        t1 = time.perf_counter()
        fr()
        t2 = time.perf_counter()
        fw()
        t3 = time.perf_counter()
        d.append(t1 - t0)
        r.append(t2 - t1)
        w.append(t3 - t2)
    pairs = (statistics.median(d) * 1e6, statistics.median(r) * 1e6)
    wrapper_pairs = (pairs[0], statistics.median(w) * 1e6)

    def block(fn: object, n: int = 200) -> float:
        t = time.perf_counter()
        for _ in range(n):
            fn()  # type: ignore[operator]
        return (time.perf_counter() - t) / n * 1e6

    bd, br, bw = [], [], []
    for _ in range(args.blocks):
        bd.append(block(fd))
        br.append(block(fr))
        bw.append(block(fw))
    blocks = (statistics.median(bd), statistics.median(br))
    wrapper_blocks = (blocks[0], statistics.median(bw))
    request = routed.router.request([{"role": "user", "content": "What is the capital of France?"}])
    six = medians_us(
        {
            "inner": fd,
            "routed": fr,
            "classifier": lambda: routed.router.classifier.classify(request),
            "extract": lambda: routed.router.request([{"role": "user", "content": "hi"}]),
            "decide": lambda: routed.router.decide_request(request),
            "noop": lambda: None,
        },
        args.rounds // 2,
    )
    print(f"python {sys.version.split()[0]}, classifier {routed.router.classifier.name}")
    print("| method | direct | routed | ratio (target ≤ 2×) |")
    print("|---|---|---|---|")
    for name, (a, b) in (
        ("pairs (medians)", pairs),
        ("blocks of 200 (median block mean)", blocks),
        ("six-way interleave (langchain_overhead.py)", (six["inner"], six["routed"])),
        ("constant classifier, pairs (the wrapper alone)", wrapper_pairs),
        ("constant classifier, blocks of 200", wrapper_blocks),
    ):
        print(f"| {name} | {a:.1f} µs | {b:.1f} µs | {b / a:.2f}× |")
    return 0


def _short_prompts(n: int) -> list[str]:
    """``n`` prompts of up to 100 characters, spread over the everyday sets (a fixed choice)."""
    found = []
    for path in sorted((Path(__file__).resolve().parent / "data").glob("everyday_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            ask = json.loads(line).get("prompt")
            if isinstance(ask, str) and 0 < len(ask) <= 100:
                found.append(ask)
    return found[:: max(1, len(found) // n)][:n]


if __name__ == "__main__":
    sys.exit(main())
