"""How the generic difficulty head's recipe was chosen: leave-one-source-out over a small grid.

    python benchmarks/generic_head_recipes.py [--data-dir ../shared/data] [--json OUT]

Each recipe is trained five times, once without each source, and scored on the source it never
saw (every public row; see ``leave_one_source_out.py``), plus the arenahard GPT-3.5 vs GPT-4
pairs (heads that never saw arenahard). The selection score is the mean, over those seven
figures, of the gain over random as a share of random's distance to perfect: APGR
``(apgr - 0.5) / 0.5``; cost to 95% ``(random - cost) / random``, "not reached" counted as
1.5x the best model's cost. Targets (ease, computed within each source):

* ``mean``: the row's mean score over the source's models (the recipe before);
* ``percentile``: that mean's percentile within the source;
* ``blend`` (shipped): half of each;
* ``cheapest``: percentile of the cheapest model's score (the chance that it fails);
* ``gap``: percentile of minus the gap between the best model on the row and the cheapest.

``+ ladder 0.25`` mixes a quarter of the everyday ladder model's ease (as a percentile) in;
``arenahard x20`` weighs arenahard's 500 rows twenty times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from leave_one_source_out import (
    BEFORE,
    ROOT,
    SHIPPED,
    Corpus,
    Recipe,
    percentile_of,
    run,
    table,
)

GRID = {
    "before": BEFORE,
    "mean": Recipe(target="mean"),
    "percentile": Recipe(target="percentile"),
    "cheapest": Recipe(target="cheapest"),
    "gap": Recipe(target="gap"),
    "blend (shipped)": SHIPPED,
    "blend, arenahard x20": Recipe(weights=(("arenahard", 20.0),)),
    "blend, l2 30": Recipe(lam=30.0),
}


def gain(cell: dict) -> float:
    if cell["metric"] == "apgr":
        return (cell["value"] - 0.5) / 0.5
    v = cell["value"] if cell["value"] is not None else 1.5
    return (cell["random_"] - v) / cell["random_"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args(argv)
    data = Path(args.data_dir)
    if not (data / "routellm_dev.jsonl").exists():
        print(f"generic_head_recipes skipped: no benchmark data at {data}")
        return 0
    t0 = time.perf_counter()
    corpus = Corpus(data)
    shipped: dict[str, np.ndarray] = {}

    def with_ladder(src: str) -> np.ndarray:
        if src not in shipped:
            shipped[src] = corpus.fit(SHIPPED, without=src)
        lad = corpus.ladder_ease()
        return 0.75 * shipped[src] + 0.25 * percentile_of(lad, lad[corpus.owner != src])

    out = run(
        corpus,
        GRID,
        extra={"blend + ladder 0.25": with_ladder},
        resamples=0,
        say=lambda m: print(
            f"  done: {m} ({time.perf_counter() - t0:.0f}s)", file=sys.stderr, flush=True
        ),
    )
    names = [*GRID, "blend + ladder 0.25"]
    print("\n".join(table(out, names)))
    print("\n| recipe | selection score |\n|---|---|")
    scores = {}
    for name in names:
        cells = [{**row[name], "random_": row["random"]} for row in out.values()]
        scores[name] = float(np.mean([gain(c) for c in cells]))
        print(f"| {name} | {scores[name]:+.3f} |")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"figures": out, "selection_score": scores}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
