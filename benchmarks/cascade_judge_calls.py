"""How many judge calls a ``cascade`` (embedded first, the LLM judge only when unsure) saves.

    python benchmarks/cascade_judge_calls.py [--data ../shared/data/everyday_dev.jsonl] [--heldout]
        [--judge-accuracy 0.85]

The judge is scripted (no LLM): it returns the labelled tier with probability
``--judge-accuracy`` and a neighbouring tier otherwise (seeded per request, so every run
gives the same answers). Each row goes through ``Router(classifier=cascade)`` with the
embedded classifier accepted when its confidence reaches the cascade threshold; the
judge's calls are counted. Compared with asking the judge every time: judge calls
and exact-tier accuracy at each threshold, and the fewest calls that match the judge-only
accuracy.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core import Router  # noqa: E402
from shared_core.classifiers.cascade import CascadeClassifier  # noqa: E402
from shared_core.classifiers.embedded import EmbeddedClassifier  # noqa: E402
from shared_core.request import extract  # noqa: E402
from shared_core.testing import FakeClassifier  # noqa: E402
from shared_core.training.ladder_metrics import read_ladder_rows, request_of  # noqa: E402

LADDER = ["simple", "medium", "complex", "frontier"]
DEV = ROOT.parent / "shared" / "data" / "everyday_dev.jsonl"


def scripted_judge(rows: list[dict], accuracy: float) -> FakeClassifier:
    """A judge right with probability ``accuracy`` (deterministic per request), else one tier off."""
    truth = {extract(request_of(r)).text: int(r["tier"]) - 1 for r in rows}

    def label(text: str) -> str:
        t = truth[text]
        u = (zlib.crc32(text.encode()) % 10_000) / 10_000
        if u < accuracy:
            return LADDER[t]
        return LADDER[t + 1] if (t == 0 or (u * 1e4) % 2 < 1) and t < 3 else LADDER[t - 1]

    return FakeClassifier(label, labels=LADDER)


def run(rows: list[dict], threshold: float | None, accuracy: float) -> tuple[int, float]:
    """(judge calls, exact-tier accuracy); ``threshold`` None = judge only."""
    judge = scripted_judge(rows, accuracy)
    stages = [(judge, None)] if threshold is None else [(EmbeddedClassifier(), threshold), (judge, None)]
    router = Router(classifier=CascadeClassifier(stages, labels=LADDER))
    right = sum(router.decide(request_of(r)).index == int(r["tier"]) - 1 for r in rows)
    return len(judge.calls), right / len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEV))
    ap.add_argument("--heldout", action="store_true", help="the project's own held-out ladder set")
    ap.add_argument("--judge-accuracy", type=float, default=0.85)
    args = ap.parse_args(argv)
    if args.heldout:
        from shared_core.training.ladder_data import heldout_rows

        rows, name = heldout_rows(), "own held-out set"
    else:
        if not Path(args.data).exists():
            print(f"cascade_judge_calls skipped: no ladder file at {args.data}")
            return 0
        rows, name = read_ladder_rows(args.data), Path(args.data).name
    calls0, acc0 = run(rows, None, args.judge_accuracy)
    print(f"{name}: {len(rows)} requests, scripted judge right {args.judge_accuracy:.0%} of the time\n")
    print("| classifier | judge calls | exact tier |")
    print("|---|---|---|")
    print(f"| judge only | {calls0} | {acc0:.1%} |")
    best = None
    for thr in (0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.0):
        calls, acc = run(rows, thr, args.judge_accuracy)
        label = "embedded only" if thr == 0.0 else f"cascade, embedded accepted at confidence ≥ {thr}"
        print(f"| {label} | {calls} | {acc:.1%} |")
        if acc >= acc0 - 1e-9 and (best is None or calls < best[0]):
            best = (calls, thr, acc)
    if best is None:
        print("\nno cascade threshold matches the judge-only accuracy")
    else:
        saved = 1 - best[0] / max(1, calls0)
        print(
            f"\nat equal or better accuracy ({best[2]:.1%} vs {acc0:.1%}): {best[0]} judge calls instead of "
            f"{calls0} ({saved:.0%} saved), threshold {best[1]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
