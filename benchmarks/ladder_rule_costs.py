"""What each ladder rule costs per decision, on the requests it does not move (the common case).

    .venv/bin/python benchmarks/ladder_rule_costs.py [--repeat 30]

``Router().decide`` (two tiers, embedded classifier) is run once on the 200 short everyday prompts of
``langchain_ratio.py --varied`` and on its question ("What is the capital of France?"), recording what
the ladder's rules were given (:func:`~shared_core.classifiers.lift.why_lifted`'s arguments). Each rule
is then timed alone on those inputs (median over ``--repeat`` passes, µs per decision): the lift and cap
tests as the classifier calls them, each rule's own test on every request (whether or not the classifier
would call it), the split note and the pasted-ask reading. Run it in two checkouts to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_ratio import _short_prompts

from shared_core import Router, RouterConfig
from shared_core.classifiers import embedded
from shared_core.classifiers.caps import why_capped
from shared_core.classifiers.competition import is_competition_problem
from shared_core.classifiers.context_ask import debugs_earlier_work
from shared_core.classifiers.lift import why_lifted
from shared_core.classifiers.pasted import MIN_LETTER, ask_to_read
from shared_core.classifiers.short_forms import is_short_form
from shared_core.classifiers.split import NOTE_MAX, split_at
from shared_core.classifiers.system_design import designs_a_system

Call = tuple[list[float], str, str, int]


def _inputs(requests: Sequence[Any]) -> list[Call]:
    """What ``why_lifted`` is given for each request: ``(p, ask, whole, ask_start)``."""
    config = RouterConfig.build({
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
        "classifier": {"type": "embedded"},
    })
    router = Router(config)
    seen: list[Call] = []

    def spy(p: Sequence[float], ask: str, whole: str, ask_start: int, **kw: bool) -> str:
        seen.append((list(p), ask, whole, ask_start))
        return why_lifted(p, ask, whole, ask_start, **kw)

    embedded.why_lifted = spy  # type: ignore[assignment]
    try:
        for r in requests:
            router.decide(r)
    finally:
        embedded.why_lifted = why_lifted
    return seen


def _time(f: Callable[[Call], object], calls: list[Call], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for c in calls:
            f(c)
        runs.append((time.perf_counter() - t0) / len(calls) * 1e6)
    return statistics.median(runs)


RULES: list[tuple[str, Callable[[Call], object]]] = [
    ("why_lifted (as called)", lambda c: why_lifted(*c)),
    ("why_capped (as called)", lambda c: why_capped(c[0], c[1])),
    ("split_at", lambda c: split_at(c[0], NOTE_MAX)),
    ("ask_to_read (as called)", lambda c: ask_to_read(c[1]) if len(c[1]) * 3 >= MIN_LETTER else None),
    ("  is_short_form, every request", lambda c: is_short_form(c[1])),
    ("  is_competition_problem, every request", lambda c: is_competition_problem(c[1])),
    ("  designs_a_system, every request", lambda c: designs_a_system(c[1])),
    ("  debugs_earlier_work, every request", lambda c: debugs_earlier_work(c[2], c[3])),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    system = {"role": "system", "content": "You are a helpful assistant."}
    varied = _inputs([[system, {"role": "user", "content": a}] for a in _short_prompts(200)])
    question = _inputs([[system, {"role": "user", "content": "What is the capital of France?"}]]) * 200
    print("| rule | --varied (200 prompts) | the question |")
    print("|---|---|---|")
    for name, f in RULES:
        print(f"| {name} | {_time(f, varied, args.repeat):.2f} µs | {_time(f, question, args.repeat):.2f} µs |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
