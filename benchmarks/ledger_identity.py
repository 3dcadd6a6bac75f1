"""Is a speed change a pure speed change for the ledger? Dump the records of routed calls, and hash them.

    .venv/bin/python benchmarks/ledger_identity.py --out /tmp/after.txt [--calls 600]
    (cd ../before && $OLDPWD/.venv/bin/python benchmarks/ledger_identity.py --out /tmp/before.txt)
    cmp /tmp/before.txt /tmp/after.txt

``langchain_ratio.py``'s routed model (the embedded classifier, the fake inner models) calls
``--calls`` times through its question and its 200 ``--varied`` prompts, with a thread id, a
user, tags and run metadata on some calls, a tier of unknown price and forced calls to it, on an
in-memory ledger with a fixed salt. Every field of every record, in ledger order, is dumped
(one line a record), except what differs from run to run: ``ts`` and ``latency_ms`` (read
only to check they are set), and ``call_id`` (a random prefix per process; replaced by the
call's number in the run). The answers' ``router`` metadata is dumped too, with its call id
and latency treated alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_overhead import ConstantChat
from langchain_ratio import _short_prompts

from langchain_router import RoutedChatModel
from shared_core import RouterConfig
from shared_core.ledger.memory import InMemoryLedger


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--calls", type=int, default=600)
    args = ap.parse_args(argv)
    config = RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 256, "system_prompt": "Be brief."},
                {"name": "house", "model": "house-model-x", "max_tokens": 512},
                {"name": "strong", "model": "gpt-4o", "max_tokens": 1024, "system_prompt": "Be thorough."},
            ],
            "classifier": {"type": "embedded"},
            "ledger": {"store_prompts": True},
        }
    )
    ledger = InMemoryLedger(salt="fixed-salt-for-the-identity-check")
    routed = RoutedChatModel(
        tiers={n: ConstantChat(model_name=m) for n, m in
               (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"), ("house", "house-model-x"))},
        config=config, ledger=ledger,
    )
    asks = ["What is the capital of France?", *_short_prompts(200)]
    answers: list[Any] = []
    for i in range(args.calls):
        messages = [SystemMessage("You are a helpful assistant."), HumanMessage(asks[i % len(asks)])]
        cfg: dict[str, Any] = {}
        if i % 5 == 1:
            cfg = {"tags": ["batch", f"t{i % 3}"], "metadata": {"team": "a", "n": i % 7}}
        elif i % 5 == 2:
            cfg = {"configurable": {"thread_id": f"th{i % 4}"}}
        elif i % 5 == 3:
            cfg = {"metadata": {"user_id": f"u{i % 6}"}}
        kw: dict[str, Any] = {"model": "house"} if i % 17 == 4 else {}
        msg = routed.invoke(messages, config=cfg or None, **kw)
        answers.append(msg.response_metadata.get("router"))
    ids: dict[str, int] = {}
    lines = []
    for rec in ledger.records():
        row = dataclasses.asdict(rec)
        assert row.pop("ts") > 0 and row.pop("latency_ms") >= 0
        row["call_id"] = ids.setdefault(row["call_id"], len(ids))
        lines.append(json.dumps(row, sort_keys=True, default=repr))
    for meta in answers:
        meta = dict(meta)
        for key in ("call_id", "latency_us", "decision_latency_us", "latency_ms"):
            if key in meta:
                meta[key] = ids.get(meta[key], "?") if key == "call_id" else "set"
        lines.append(json.dumps(meta, sort_keys=True, default=repr))
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"records {len(ledger.records())} answers {len(answers)} "
          f"sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
