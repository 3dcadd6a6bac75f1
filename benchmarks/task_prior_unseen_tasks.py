"""Does the task prior hurt on traffic from tasks the training rows never had?

    .venv/bin/python benchmarks/task_prior_unseen_tasks.py [--source llmrouter] [--hold 3] [--seed 0]
        [--prior on|off]      # one of the two fits (run both, e.g. in parallel, then --report)
    .venv/bin/python benchmarks/task_prior_unseen_tasks.py --report

Holds out ``--hold`` whole tasks of a source (train + dev rows, chosen by ``--seed``), trains
``train_best`` with and without the task prior on the other tasks' rows, and measures both on
the held-out tasks' rows (cost to reach 95% of the best model's quality, with a bootstrap
interval) and on a 20% sample of the seen tasks' rows left out of training. Results go to
``benchmarks/results/task_prior_unseen_tasks.json``. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from shared_core.training.data import build_dataset, load_models, load_rows  # noqa: E402
from shared_core.training.evaluate import evaluate  # noqa: E402
from shared_core.training.recipe import train_best  # noqa: E402

OUT = HERE / "results" / "task_prior_unseen_tasks.json"


def split(data: Path, source: str, hold: int, seed: int):  # type: ignore[no-untyped-def]
    models = load_models(data / f"{source}_models.json")
    rows = [r for sp in ("train", "dev") for r in load_rows(data / f"{source}_{sp}.jsonl", models)]
    tasks = sorted({r.task for r in rows})
    held = sorted(random.Random(seed).sample(tasks, hold))
    seen = [r for r in rows if r.task not in held]
    rng = random.Random(seed + 1)
    pick = set(rng.sample(range(len(seen)), len(seen) // 5))
    train = [r for i, r in enumerate(seen) if i not in pick]
    seen_test = [r for i, r in enumerate(seen) if i in pick]
    unseen = [r for r in rows if r.task in held]
    return models, held, train, seen_test, unseen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--source", default="llmrouter")
    ap.add_argument("--hold", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prior", choices=("on", "off"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    data = Path(args.data_dir)
    if not (data / f"{args.source}_train.jsonl").exists():
        print(f"no benchmark data at {data}; skipped")
        return 0
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    key = f"{args.source}/hold{args.hold}/seed{args.seed}"
    if args.report:
        def pct(x: float) -> str:
            return "not reached" if x is None or x >= 9.99 else f"{100 * x:.1f}%"

        for k, v in results.items():
            for prior, m in sorted(v.get("fits", {}).items()):
                print(
                    f"{k} held out {v['held']}: prior {prior} ({m['kept']}): unseen tasks "
                    f"{pct(m['unseen'])} [{m['unseen_iv'][0]}, {m['unseen_iv'][1]}], "
                    f"seen tasks {pct(m['seen'])} [{m['seen_iv'][0]}, {m['seen_iv'][1]}]"
                )
        return 0
    models, held, train, seen_test, unseen = split(data, args.source, args.hold, args.seed)
    t0 = time.perf_counter()
    router, res = train_best(train, models, task_prior=args.prior == "on")
    got = {}
    for name, rows in (("unseen", unseen), ("seen", seen_test)):
        ev = evaluate(router, build_dataset(rows, models), resamples=200)
        iv = ev.intervals["cost_to_95"].to_dict()
        fig = ev.metrics["cost_to_95"]
        got[name] = fig if fig < 9.99 else None  # None: 95% of the best model's quality not reached
        got[f"{name}_iv"] = [
            None if iv["low"] is None else round(100 * iv["low"], 1),
            None if iv["high"] is None else round(100 * iv["high"], 1),
        ]
    tp = res.task_prior or {}
    got["kept"] = "kept" if tp.get("kept") else ("not kept" if "with" in tp else "not tried")
    got["cv"] = res.spread.to_dict()
    got["seconds"] = round(time.perf_counter() - t0)
    results = json.loads(OUT.read_text()) if OUT.exists() else {}  # another fit may have written
    entry = results.setdefault(
        key, {"held": held, "rows": {"train": len(train), "seen_test": len(seen_test), "unseen": len(unseen)}}
    )
    entry.setdefault("fits", {})[args.prior] = got
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    print(key, held, args.prior, {k: v for k, v in got.items() if k != "cv"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
