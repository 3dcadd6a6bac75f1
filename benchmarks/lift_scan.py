"""How often the ninth round's two rules lift requests that are no debugging and no competition problem.

    python benchmarks/lift_scan.py [--show]

1. Every short prompt (at most ``context_ask.ASK_MAX``) of ``../shared/data/labelled_prompts.jsonl``
   and ``everyday_dev.jsonl`` is sent as the last message after a heavy earlier exchange (a Go bug
   and its answer, as in ``tests/unit/shared_core/test_ladder_followups.py``); none of them debugs
   that code, so every lift to ``complex`` by "earlier work" is a false one.
2. Every prompt of ``../shared/data/llmrouter_{train,dev}.jsonl`` is checked by
   :func:`~shared_core.classifiers.competition.is_competition_problem`; a hit should be a
   competition-style problem (MATH), not an everyday count.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core import Router  # noqa: E402
from shared_core.classifiers.competition import is_competition_problem  # noqa: E402
from shared_core.classifiers.context_ask import ASK_MAX, _size  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
_GO = [
    {"role": "user", "content": (
        "the cache refresher stops refreshing after a while:\n```go\nfunc (c *Cache) Refresh(ctx context.Context) {\n"
        "    c.mu.Lock()\n    defer c.mu.Unlock()\n    for k := range c.items {\n        v, err := c.load(ctx, k)\n"
        "        if err != nil {\n            return\n        }\n        c.items[k] = v\n    }\n}\n```")},
    {"role": "assistant", "content": "Refresh returns on the first load error and holds the lock for every load; "
                                     "one slow key blocks readers ..."},
]


def _prompts(*names: str) -> list[str]:
    out = []
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").split("\n"):  # (not splitlines: U+2028 in strings)
            p = json.loads(line).get("prompt") if line.strip() else None
            if isinstance(p, str) and p.strip():
                out.append(p)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print each request lifted")
    args = ap.parse_args(argv)
    router = Router()
    short = [p for p in _prompts("labelled_prompts.jsonl", "everyday_dev.jsonl") if _size(p) <= ASK_MAX]
    lifted = [p for p in short
              if any("earlier turns" in r for r in router.decide([*_GO, {"role": "user", "content": p}]).reasons)]
    share = 100 * len(lifted) / len(short)
    print(f"after a Go bug exchange: {len(lifted)} of {len(short)} short prompts lifted ({share:.2f}%)")
    mr = _prompts("llmrouter_train.jsonl", "llmrouter_dev.jsonl")
    hits = [p for p in mr if is_competition_problem(p)]
    print(f"competition problems: {len(hits)} of {len(mr)} llmrouter prompts")
    if args.show:
        for p in lifted + hits:
            print("  ", p[:120].replace("\n", " "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
