"""The ladder's routing in this tree against another checkout's (e.g. main), side by side on every set.

    python benchmarks/ladder_vs_tree.py --ref-tree ../main [--skip GLOB ...] [--show] [--speed]

``ladder_side_by_side.py`` measures the ninth round's rules by turning them off in one process;
rules of later rounds have no switch there. This script compares two trees as they are: the sets
of ``ladder_side_by_side.sets`` are read here, and each request goes through zero-config
``Router().decide`` both in this process (``candidate``: this tree) and in a child process whose
``shared_core`` is imported from ``--ref-tree`` (``reference``). Per set: the issue's figures both
ways and how many requests moved (fixed / broken / other). ``--speed``: the median ``decide`` time
of each side (best of 3 per request, each in its own process).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _decide(path: str, speed: bool) -> dict[str, list]:
    """Decisions (tier index, confidence, µs) for the requests in the JSON file ``path``."""
    from shared_core import Router

    router = Router()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, list] = {}
    for name, msgs in data.items():
        rows = []
        for m in msgs:
            best = float("inf")
            for _ in range(3 if speed else 1):
                t = time.perf_counter()
                d = router.decide(m)
                best = min(best, time.perf_counter() - t)
            rows.append([d.index, d.confidence, best * 1e6])
        out[name] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref-tree", help="root of the reference checkout (its shared_core is imported)")
    ap.add_argument("--skip", action="append", default=[], help="file-name glob of benchmarks/data to leave out")
    ap.add_argument("--show", action="store_true", help="print each request whose tier moved")
    ap.add_argument("--speed", action="store_true", help="also time decide both ways")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:  # (in the reference tree's process: decide and print the JSON)
        print(json.dumps(_decide(args.child, args.speed)))
        return 0
    if not args.ref_tree:
        ap.error("--ref-tree is required")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ladder_side_by_side import FIGURES, cell, sets

    from shared_core.training.ladder_metrics import ladder_report, request_of

    data = sets(args.skip)
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "requests.json"
        req.write_text(json.dumps({k: [request_of(r) for r in rows] for k, rows in data.items()}), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(Path(args.ref_tree).resolve())}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(req)] + (["--speed"] if args.speed else [])
        ref = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
        cand = _decide(str(req), args.speed)
    head = " | ".join(f"{k} ref → cand" for k in ("exact", "within", "t1 cheapest", "t1–2 lower", "t3–4 upper",
                                                   "t4 top", "ECE"))
    print(f"| set | n | {head} | fixed / broken / moved |" + (" µs ref → cand |" if args.speed else ""))
    print("|---" * (11 if args.speed else 10) + "|")
    for name, rows in data.items():
        tiers = [int(r["tier"]) for r in rows]
        got = {"reference": ref[name], "candidate": cand[name]}
        reps = {k: ladder_report(tiers, [x[0] for x in v], [x[1] for x in v]) for k, v in got.items()}
        fixed = broken = moved = 0
        for i, t in enumerate(tiers):
            a, b = got["reference"][i][0] + 1, got["candidate"][i][0] + 1
            if a == b:
                continue
            fixed += b == t
            broken += a == t
            moved += a != t and b != t
            if args.show:
                text = json.dumps(request_of(rows[i])[-1]["content"][:100], ensure_ascii=False)
                print(f"  {name}: label {t}, {a} -> {b} | {text}")
        cells = [f"{cell(reps['reference'], k)} → {cell(reps['candidate'], k)}" for k in FIGURES]
        cells.append(f"{reps['reference']['ece']:.3f} → {reps['candidate']['ece']:.3f}")
        line = f"| {name} | {len(rows)} | " + " | ".join(cells) + f" | {fixed} / {broken} / {moved} |"
        if args.speed:
            a_us = statistics.median(x[2] for x in got["reference"])
            b_us = statistics.median(x[2] for x in got["candidate"])
            line += f" {a_us:.0f} → {b_us:.0f} |"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
