"""Leave one source out: routers that never saw a source, tested on its dev split.

    python benchmarks/leave_one_source_out.py [--data-dir ../shared/data] [--json OUT]

For each benchmark source (routellm, routerbench, llmrouter, mmlupro, arenahard):

* ``difficulty head without it``: the generic ease head of ``make train-default``
  (ridge on each row's mean score over its source's models) trained on the *other* sources'
  train splits only, spread over the held-out source's models;
* ``ladder model``: the shipped everyday ladder model, which saw none of the sources; its ease
  is ``1 - expected level / 3``;
* ``blend``: the mean of the two eases.

Each is swept over its knob on the held-out source's dev split and compared with random
routing and the oracle on the same rows (APGR for two models, else the cost to reach 95% of
the best model's quality as a share of its cost).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core.classifiers.embedded import load_ladder  # noqa: E402
from shared_core.classifiers.trained import ladder_exponents  # noqa: E402
from shared_core.training.data import load_dataset, relative_costs  # noqa: E402
from shared_core.training.evaluate import evaluate  # noqa: E402
from shared_core.training.train_default import train_difficulty  # noqa: E402

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro", "arenahard")


class EaseRouter:
    """A ladder router from an ease function: scores ``ease ** gamma_i`` per model, rule threshold."""

    rule = "threshold"

    def __init__(self, ease_fn, n_models: int, relative_costs: Sequence[float]) -> None:  # type: ignore[no-untyped-def]
        self.ease_fn = ease_fn
        self.gammas = ladder_exponents(n_models)
        self.relative_costs = list(relative_costs)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        e = np.clip(np.asarray(self.ease_fn(list(texts)), dtype=np.float64), 0.0, 1.0)
        return np.power(e[:, None], self.gammas[None, :])


def ladder_ease(texts: list[str]) -> np.ndarray:
    m = load_ladder()
    return 1.0 - m.proba(texts) @ np.arange(4) / 3.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--only", nargs="*", choices=SOURCES)
    args = ap.parse_args(argv)
    data = Path(args.data_dir)
    if not (data / "routellm_dev.jsonl").exists():
        print(f"leave_one_source_out skipped: no benchmark data at {data}")
        return 0
    out: dict[str, dict] = {}
    print("| left-out source (metric) | difficulty head without it | ladder model | blend | random | oracle |")
    print("|---|---|---|---|---|---|")
    for src in args.only or SOURCES:
        t0 = time.perf_counter()
        ds = load_dataset(data / f"{src}_dev.jsonl", data / f"{src}_models.json")
        rc = relative_costs(ds)
        head = train_difficulty(data, [s for s in SOURCES if s != src])
        k = len(ds.models.names)
        gen = head.with_models(ds.models.names, rc)

        def head_ease(texts: list[str], gen=gen) -> np.ndarray:
            raw = gen._raw_batch(texts)[:, 0]
            return gen.ease_from_raw(raw)

        routers = {
            "difficulty head without it": EaseRouter(head_ease, k, rc),
            "ladder model": EaseRouter(ladder_ease, k, rc),
            "blend": EaseRouter(lambda t: 0.5 * head_ease(t) + 0.5 * ladder_ease(t), k, rc),
        }
        res = {name: evaluate(r, ds) for name, r in routers.items()}
        first = next(iter(res.values()))
        metric = first.primary
        row = {name: r.metrics.get(metric) for name, r in res.items()}
        row["random"] = first.baselines["random"].get(metric)
        row["oracle"] = first.baselines["oracle"].get(metric)
        out[src] = {"metric": metric, **row, "seconds": round(time.perf_counter() - t0, 1)}

        def fmt(v: float | None, metric: str = metric) -> str:
            if v is None or v != v or v == float("inf"):
                return "not reached"
            return f"{v:.3f}" if metric == "apgr" else f"{100 * v:.1f}%"

        cells = " | ".join(fmt(row[c]) for c in (*routers, "random", "oracle"))
        print(f"| {src} ({metric}) | {cells} |", flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
