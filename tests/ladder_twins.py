"""The check that a test's phrasings are new: no phrasing shares more than half its words with a training
prompt of the ladder or with a request (or a turn of one) of any evaluation set, so that a test of the ladder's
rules checks generalisation, not memory."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from shared_core.training.ladder_data import all_rows

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
DEV = ROOT.parent / "shared" / "data" / "everyday_dev.jsonl"


def words(s: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", s.lower()))


def assert_no_near_twins(phrasings: Iterable[str], held_back: tuple[str, ...] = (), limit: float = 0.5) -> None:
    """Each phrasing's largest word overlap (Jaccard) with every training prompt and every request or turn of
    ``benchmarks/data/*.jsonl`` (files ending in ``held_back`` left out) and ``everyday_dev`` is at most ``limit``."""
    others = [str(r["prompt"]) for r in all_rows()]
    files = [p for p in sorted(DATA.glob("*.jsonl")) if not (held_back and p.name.endswith(held_back))]
    for path in files + ([DEV] if DEV.exists() else []):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                others += [str(row.get("prompt", ""))] + [str(m.get("content", "")) for m in row.get("messages", [])]
    other_words = [words(o) for o in others if o]
    for p in phrasings:
        a = words(p)
        worst = max(len(a & b) / len(a | b) for b in other_words)
        assert worst <= limit, (p, worst)
