"""Is a speed change a pure speed change? Dump every decision, confidence and signal, and hash it.

Run it on the base commit and on the change (a worktree of each), with the same arguments; the two
sha256 lines must match::

    .venv/bin/python benchmarks/decision_identity.py --out /tmp/after.txt
    (cd ../before && $OLDPWD/.venv/bin/python benchmarks/decision_identity.py --out /tmp/before.txt)
    cmp /tmp/before.txt /tmp/after.txt

The items are built when it runs, never stored: every prompt and conversation of ``../shared/data``
and ``benchmarks/data``, edge cases, hypothesis draws over any script (derandomised, so the same on
every run), and conversations put together from the prompts. Each item is routed by five routers (1,
2, 3 and 5 tiers, the bundled four, and a moved knob); what is dumped is the ladder's view, its
signals and level probabilities, each classification and each decision.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared_core import Router, RouterConfig
from shared_core.features import signals

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["gpt-4.1-nano", "gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1", "gpt-4o"]
EDGE = [
    "", " ", "\n", "hi", "Hi!", "hello there", "thanks", "What is 17*23?", "what is 10 divided by 2?",
    "2+2", "Calculate 3.5 x 4", "x", "a b c d e", "???", "日本語の文章を要約してください", "你好",
    "Привет, как дела?", "```python\nprint(1)\n```", "def f(x): return x", "\x00bad", "\ud800 lone",
    "step by step prove that 1=1", "Summarise this:\n" + "lorem ipsum " * 300, "a" * 5000,
    "List the dates:\n2024-01-01 launch\n2024-02-01 review\n" * 20, '{"a": [{"b": 1}]}',
    "http://example.com what is this", "1. one\n2. two\n- three", "Q: what\nA: that\nQ: why",
    "(A) yes\n(B) no\nWhich?", "$x^2$ \\frac{1}{2}", "    indented code;", "what's 5 % 3",
    "Explain why the sky is blue.", "Write a haiku about autumn.", "thank you so much!!!",
]


def items(data_dir: Path, draws: int, conversations: int) -> list[Any]:
    out: list[Any] = []
    for path in sorted(data_dir.glob("*.jsonl")) + sorted((ROOT / "benchmarks" / "data").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            prompt = row.get("prompt") or row.get("text") or row.get("question")
            if isinstance(prompt, str):
                out.append(prompt)
            if isinstance(row.get("messages"), list):
                out.append(row["messages"])
    for text in EDGE:
        out += [text, [{"role": "system", "content": "You are terse."}, {"role": "user", "content": text}]]
    drawn: list[str] = []

    @settings(max_examples=draws, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(
        st.text(max_size=80),
        st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=300),
        st.text(alphabet=st.sampled_from(list("abcdefghij klmnop?!.,0123456789+*/=-\n日本語é")), max_size=600),
        st.text(max_size=2500),
    ))
    def collect(text: str) -> None:
        drawn.append(text)

    collect()
    out += drawn
    pool = [x for x in out if isinstance(x, str) and x][:20000]
    rng = random.Random(11)
    for _ in range(conversations):
        msgs = []
        if rng.random() < 0.5:
            msgs.append({"role": "system", "content": rng.choice(pool)[:300]})
        for j in range(rng.randint(1, 6)):
            msgs.append({"role": "user" if j % 2 == 0 else "assistant", "content": rng.choice(pool)})
        if rng.random() < 0.1:
            msgs.append({"role": "tool", "content": "result 42"})
        out.append(msgs)
    return out


def routers() -> list[Router]:
    def tiers(n: int) -> list[dict[str, str]]:
        return [{"name": f"t{i}", "model": MODELS[i]} for i in range(n)]

    out = [Router(RouterConfig.build({"tiers": tiers(n), "classifier": {"type": "embedded"}})) for n in (1, 2, 3, 5)]
    out.append(Router())  # the bundled four tiers
    out.append(Router(RouterConfig.build(
        {"tiers": tiers(3), "classifier": {"type": "embedded"}, "policy": {"threshold": 0.8}})))
    return out


def dump(item: Any, rs: list[Router]) -> list[str]:
    first = rs[0]
    try:
        req = first.request(item)
    except Exception as exc:  # the same refusal on both sides is identity too
        return [f"request-error {type(exc).__name__}: {exc}"]
    ladder = first.classifier.ladder  # type: ignore[attr-defined]
    view = ladder.view(req.text, req.ask_start)
    parts = [repr(signals(view)), repr(ladder.proba_tokens(view))]
    for r in rs:
        try:
            c = r.classifier.classify(req)
            parts.append(repr((c.scores, c.confidence, c.classifier, c.reasons, c.extra)))
            d = r.decide_request(req)
            parts.append(repr((d.tier, d.index, d.confidence, d.scores, d.reasons, d.unsure, d.eligible,
                               d.model, d.max_tokens)))
        except Exception as exc:
            parts.append(f"error {type(exc).__name__}: {exc}")
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", required=True, help="the dump (one line per item)")
    ap.add_argument("--draws", type=int, default=12000, help="hypothesis draws")
    ap.add_argument("--conversations", type=int, default=6000)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        print(f"note: {data_dir} not found: only benchmarks/data, edge cases and draws are dumped")
    todo = items(data_dir, args.draws, args.conversations)
    rs = routers()
    with open(args.out, "w", encoding="utf-8") as f:
        for item in todo:
            f.write(repr(dump(item, rs)) + "\n")
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
    print(f"items {len(todo)} sha256 {digest}")


if __name__ == "__main__":
    main()
