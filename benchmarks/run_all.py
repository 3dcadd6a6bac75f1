"""Run every benchmark in one go (``make bench``); each also runs on its own.

    .venv/bin/python benchmarks/run_all.py [--quick]

Routing quality needs ../shared/data (skipped with a message when absent). Figures are
printed; BENCHMARKS.md records them with these commands.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = ap.parse_args()
    n = ["--n", "300"] if args.quick else []
    runs = [
        ["decision_latency.py", "--vs-litellm", *n],
        ["langchain_overhead.py", *(["--n", "300"] if args.quick else ["--n", "3000", "--repeat", "3"])],
        ["llamaindex_overhead.py", *(["--calls", "300"] if args.quick else ["--calls", "3000"])],
        ["ledger_throughput.py", *(["--calls", "300"] if args.quick else [])],
        ["judge_injection.py"],
        ["inner_retries.py", *(["--repeat", "1"] if args.quick else [])],
        ["otel_overhead.py", *(["--n", "300", "--repeat", "1"] if args.quick else [])],
    ]
    runs.append(["everyday_routing.py", "--heldout"])
    if (DATA / "everyday_dev.jsonl").exists():
        runs.append(["everyday_routing.py"])
        runs.append(["cascade_judge_calls.py"])
    if (DATA / "routellm_dev.jsonl").exists():
        runs.append(["leave_one_source_out.py"])
        if not args.quick:
            runs.append(["arena_pairs_cv.py"])
    if (DATA / "routellm_dev.jsonl").exists():
        runs.append(["routing_quality.py"])
    else:
        print(f"routing_quality.py skipped: no benchmark data at {DATA}")
    failed = 0
    for script, *rest in runs:
        print(f"\n=== {script} {' '.join(rest)}", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / script), *rest])
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
