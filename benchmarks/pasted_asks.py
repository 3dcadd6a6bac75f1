"""A short ask about a long pasted document: where the shipped ladder goes wrong, and what an
"ask alone" reading would change (an experiment, not shipped).

    .venv/bin/python benchmarks/pasted_asks.py

``benchmarks/data/pasted_asks.jsonl``: 72 requests written for this project (24 templates x 3
documents, English and four other languages): one fact looked up in a pasted status report,
notes or email (tier 1), a summary, extraction or short reply over it (2), real analysis with
it as input (3), design or research prompted by it (4). Never trained on.
``pasted_asks_b.jsonl``: 18 requests written apart from those templates, after the first
results (customer email, meeting minutes, a policy, a spec, a news article, a log with a
traceback, a code file; each document written out, asks at all four tiers). Each request goes
through ``Router().decide`` as sent (``shipped``), and, for ``ask alone``, when its first or
last paragraph is a short question or instruction (at most 300 characters, under half the
text), through ``Router().decide`` of that paragraph alone. The everyday sets show what the
ask-alone reading would cost elsewhere (dev, the own held-out templates, the own check set).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_core import Router
from shared_core.classifiers.ladder_model import EDGE_MIN
from shared_core.training.ladder_data import heldout_rows
from shared_core.training.ladder_metrics import read_ladder_rows, request_of

HERE = Path(__file__).resolve().parent
DEV = HERE.parent.parent / "shared" / "data" / "everyday_dev.jsonl"
_ASKISH = re.compile(
    r"\?\s*$|^(what|who|when|where|which|how|why|is|are|did|does|do|can|could|list|summari[sz]e|pull|"
    r"extract|draft|write|turn|read|tell|give|find|translate|explain|using|based|from|taking|analy[sz]e|"
    r"design|build|make|create|compare)\b",
    re.I,
)


def ask_alone(text: str) -> str | None:
    """The first or last paragraph of a long message when it is a short ask, else None."""
    if len(text) <= EDGE_MIN:
        return None
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paras) < 2:
        return None
    for cand in (paras[-1], paras[0]):
        if len(cand) <= 300 and len(cand) < 0.5 * len(text) and _ASKISH.search(cand):
            return cand
    return None


_CODE = """def merge_intervals(intervals):
    intervals.sort()
    out = []
    for start, end in intervals:
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out
""" * 3
_LOG = "ERROR worker-7 unhandled exception\nTraceback (most recent call last):\n  File \"/app/worker.py\", line 88\n" \
    "    totals[item.customer_id] += item.amount\nRecursionError: maximum recursion depth exceeded\n" * 6
COUNTER = [  # (tier people would pick, ask, material): the ask alone says nothing of the work
    (2, "What does this function do?", _CODE),
    (3, "Is this correct?", _CODE),
    (3, "What's going on here?", _LOG),
]


def main() -> int:
    router = Router()
    sets = {
        "pasted asks (72)": read_ladder_rows(HERE / "data" / "pasted_asks.jsonl"),
        "pasted asks, set B (18)": read_ladder_rows(HERE / "data" / "pasted_asks_b.jsonl"),
        "own held-out (549)": heldout_rows(),
        "own check (120)": read_ladder_rows(HERE / "data" / "everyday_check.jsonl"),
    }
    if DEV.exists():
        sets["everyday_dev (200)"] = read_ladder_rows(DEV)
    print("| set | shipped: exact | tier 1 at the cheapest | ask alone: exact | tier 1 at the cheapest | read alone |")
    print("|---|---|---|---|---|---|")
    for name, rows in sets.items():
        hits = {"shipped": 0, "ask": 0}
        t1 = {"shipped": 0, "ask": 0}
        n1 = alone = 0
        for row in rows:
            msgs = request_of(row)
            label = int(row["tier"])
            req = router.request(msgs)
            ask = ask_alone(req.text[req.ask_start:])
            alone += ask is not None
            for key, d in (("shipped", router.decide(msgs)), ("ask", router.decide(ask) if ask else None)):
                d = d or router.decide(msgs)
                hits[key] += d.index + 1 == label
                t1[key] += label == 1 and d.index == 0
            n1 += label == 1
        n = len(rows)
        print(
            f"| {name} | {hits['shipped'] / n:.1%} | {t1['shipped'] / max(1, n1):.1%} | "
            f"{hits['ask'] / n:.1%} | {t1['ask'] / max(1, n1):.1%} | {alone} |"
        )
    print("\nShort asks over code or logs, whole text against the ask alone:")
    for tier, ask, material in COUNTER:
        text = ask + "\n\n" + material
        alone = ask_alone(text)
        print(f"  tier {tier} | {ask!r}: whole {router.decide(text).tier}, alone "
              f"{router.decide(alone).tier if alone else '(not split)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
