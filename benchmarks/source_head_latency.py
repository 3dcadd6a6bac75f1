"""Per-source heads, before and after a retrain, timed side by side in one process.

    .venv/bin/python benchmarks/source_head_latency.py [--before REV] [--sources ...] [--n 300]

Loads each ``source_<name>`` head as shipped now and as it was at git revision ``REV``
(default ``HEAD~1``), then times ``predict_one`` on the same dev prompts, the two heads
interleaved prompt by prompt (so machine load hits both alike). Prints median and p99 per
head and the ratio now / before. Needs ../shared/data for the prompts and git for the old files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from shared_core.classifiers.embedded import MODELS_DIR  # noqa: E402
from shared_core.classifiers.trained import TrainedRouter  # noqa: E402

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro")


def old_head(rev: str, name: str, tmp: Path) -> TrainedRouter:
    rel = MODELS_DIR.relative_to(HERE.parent)
    for suffix in (".json", ".npz"):
        blob = subprocess.run(
            ["git", "show", f"{rev}:{rel.as_posix()}/source_{name}{suffix}"],
            cwd=HERE.parent,
            capture_output=True,
            check=True,
        ).stdout
        (tmp / f"source_{name}{suffix}").write_bytes(blob)
    return TrainedRouter.load(tmp / f"source_{name}.json")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--before", default="HEAD~1", help="git revision of the heads to compare with")
    ap.add_argument("--sources", nargs="*", default=list(SOURCES))
    ap.add_argument("--n", type=int, default=300, help="dev prompts per source")
    args = ap.parse_args()
    data = Path(args.data_dir)
    if not (data / "routellm_dev.jsonl").exists():
        print(f"no benchmark data at {data}; skipped")
        return 0
    print("| head | parts now | before: median | p99 | now: median | p99 | median ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for name in args.sources:
            before = old_head(args.before, name, Path(d))
            now = TrainedRouter.load(MODELS_DIR / f"source_{name}.json")
            lines = (data / f"{name}_dev.jsonl").read_text(encoding="utf-8").splitlines()
            prompts = [json.loads(x)["prompt"] for x in lines[: args.n]]
            for p in prompts[:20]:  # warm both (per-word memo, first-call costs)
                before.predict_one(p), now.predict_one(p)
            tb, tn = [], []
            for p in prompts:
                t0 = time.perf_counter()
                before.predict_one(p)
                t1 = time.perf_counter()
                now.predict_one(p)
                t2 = time.perf_counter()
                tb.append(t1 - t0)
                tn.append(t2 - t1)
            b, n = np.array(tb) * 1e6, np.array(tn) * 1e6
            parts = ", ".join(
                x
                for x, on in (("kNN", now.knn is not None), ("task prior", now.task_prior is not None))
                if on
            ) or "linear"
            print(
                f"| {name} | {parts} | {np.median(b):.0f} µs | {np.percentile(b, 99):.0f} µs | "
                f"{np.median(n):.0f} µs | {np.percentile(n, 99):.0f} µs | "
                f"{np.median(n) / np.median(b):.2f}× |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
