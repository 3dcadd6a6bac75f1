"""Cross-validated figure (with its spread) beside the dev figure, per source (issue 12).

    .venv/bin/python benchmarks/cv_figures.py [--data-dir ../shared/data] [--sources ...]

For each source:

* **CV**: the grouped 5-fold figure the shipped head was chosen by (train + dev rows),
  read from the head's own file (``info.cv``): mean, standard deviation, fold range;
* **dev**: the same recipe (rule, blend, cost weight) fitted on the *train* split only and
  measured on dev with ``tier-router eval``'s sweep and a 200-resample bootstrap interval.
  The recipe was chosen with dev rows inside the folds, so this dev figure is not fully
  blind; the CV figure is the honest estimate for new rows.

``tier-router train --data <source>_train.jsonl <source>_dev.jsonl --models ...`` runs the
same procedure on the same rows, so its CV figures are these (its weights are float32,
the shipped ones float16). Writes ``benchmarks/results/cv_figures.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from shared_core.classifiers.embedded import MODELS_DIR  # noqa: E402
from shared_core.classifiers.trained import TrainedRouter  # noqa: E402
from shared_core.training.data import load_dataset, load_models, load_rows  # noqa: E402
from shared_core.training.evaluate import evaluate  # noqa: E402
from shared_core.training.recipe import Recipe, fit_recipe  # noqa: E402

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--sources", nargs="*", default=list(SOURCES))
    args = ap.parse_args()
    data = Path(args.data_dir)
    if not (data / "routellm_dev.jsonl").exists():
        print(f"no benchmark data at {data}; skipped")
        return 0
    out = {}
    for src in args.sources:
        t0 = time.perf_counter()
        head = TrainedRouter.load(MODELS_DIR / f"source_{src}.json")
        cv = head.info["cv"]
        recipe = Recipe(**cv["recipe"])
        models = load_models(data / f"{src}_models.json")
        train = load_rows(data / f"{src}_train.jsonl", models)
        router = fit_recipe(train, models, recipe, knob=head.knob)
        dev = load_dataset(data / f"{src}_dev.jsonl", models)
        res = evaluate(router, dev, resamples=200)
        metric = "apgr" if len(models) == 2 else "cost_to_95"
        iv = res.intervals[metric].to_dict()
        out[src] = {
            "metric": metric,
            "recipe": cv["recipe"],
            "knob": head.knob,
            "cv": cv["figure"],
            "cv_knob_quality_share": cv["knob_quality_share"],
            "dev": res.metrics[metric],
            "dev_interval": iv,
            "dev_max_quality_share": res.edge.best_share if res.edge else None,
            "dev_knife_edge": res.edge.to_dict() if res.edge else None,
        }
        f = cv["figure"]
        scale = 1 if metric == "apgr" else 100
        unit = "" if metric == "apgr" else "%"
        print(
            f"{src:12s} {metric}: CV {scale * f['mean']:.3g}{unit} ± {scale * f['std']:.2g} "
            f"(folds {scale * f['low']:.3g}-{scale * f['high']:.3g}) | dev {scale * res.metrics[metric]:.3g}{unit} "
            f"[{iv['low'] if iv['low'] is None else round(scale * iv['low'], 3)}, "
            f"{iv['high'] if iv['high'] is None else round(scale * iv['high'], 3)}] | {recipe.text()} "
            f"({time.perf_counter() - t0:.0f}s)",
            flush=True,
        )
    (HERE / "results").mkdir(exist_ok=True)
    path = HERE / "results" / "cv_figures.json"
    kept = json.loads(path.read_text()) if path.exists() else {}  # --sources updates its own
    path.write_text(json.dumps({**kept, **out}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
