"""Write examples/workload/sample_prompts.jsonl: ~300 prompts of mixed kinds for the demo.

The prompts are written for this package (templates in ``_templates.py``, the values filling
their slots in ``_slots.py``), not taken from any benchmark. The output is deterministic
(fixed seed), so re-running gives the same file:

    python examples/workload/make_workload.py [OUTPUT.jsonl]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _slots.py, _templates.py
from _slots import fill, long_document, pick
from _templates import (
    CODING,
    CREATIVE,
    DEBUGGING,
    DESIGN,
    EXPLAIN,
    EXTRACTION,
    FACTS,
    FORMATTING,
    GREETINGS,
    MATH,
    PROOFS,
    REASONING,
    SHORT_QA,
    TRANSLATION,
)

OUT = Path(__file__).resolve().parent / "sample_prompts.jsonl"


def build(seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    plan: list[tuple[str, list[str], int]] = [
        ("greeting", GREETINGS, 16),
        ("fact", FACTS, 30),
        ("formatting", FORMATTING, 18),
        ("short_qa", SHORT_QA, 24),
        ("coding", CODING, 28),
        ("debugging", DEBUGGING, 14),
        ("math", MATH, 30),
        ("proof", PROOFS, 12),
        ("system_design", DESIGN, 14),
        ("creative", CREATIVE, 26),
        ("reasoning", REASONING, 16),
        ("translation", TRANSLATION, 12),
        ("extraction", EXTRACTION, 14),
        ("explanation", EXPLAIN, 30),
    ]
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for kind, templates, count in plan:
        made = tries = 0
        while made < count and tries < count * 20:
            tries += 1
            text = fill(
                rng,
                templates[made % len(templates)]
                if tries <= len(templates)
                else pick(rng, templates),
            )
            if text in seen:
                continue
            seen.add(text)
            rows.append({"kind": kind, "prompt": text})
            made += 1
    for _ in range(30):
        rows.append({"kind": "summarization", "prompt": long_document(rng)})
    rng.shuffle(rows)
    return [{"id": f"w{i:03d}", **r} for i, r in enumerate(rows, 1)]


def write(path: Path = OUT) -> int:
    """Write the workload to ``path``; returns the number of prompts."""
    rows = build()
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            row = {"id": r["id"], "prompt": r["prompt"], "kind": r["kind"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(f"wrote {write(out)} prompts to {out}")


if __name__ == "__main__":
    main()
