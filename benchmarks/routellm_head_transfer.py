"""Does the routellm head (Mixtral vs GPT-4 Turbo on chat prompts) route other weak/strong pairs?

    .venv/bin/python benchmarks/routellm_head_transfer.py [--data-dir ../shared/data]

Issue 11's outside checks include two-model chat sets (AlpacaEval, MT-Bench) whose model names
match no shipped head, so the generic difficulty head routes them. The routellm head was trained
on exactly that kind of pair (an open model against GPT-4 Turbo, chat prompts), so it might
transfer better. This scores it, as an ease (its probability that the cheap model does well), on
the two-model pairs of other sources, beside the shipped generic head and random, by APGR with a
95% bootstrap interval (200 resamples). Caveat: the shipped generic head saw arenahard and
routerbench rows in training; the routellm head saw neither.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leave_one_source_out import fmt, measure, two_models

from shared_core.classifiers.embedded import MODELS_DIR
from shared_core.classifiers.trained_router import TrainedRouter
from shared_core.training.data import build_dataset, load_models, load_rows

PAIRS = {
    "arenahard": [("gpt-3.5-turbo-0125", "gpt-4-0613"), ("gpt-3.5-turbo-0125", "gpt-4-0314")],
    "routerbench": [("mistralai/mistral-7b-chat", "gpt-4-1106-preview")],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args(argv)
    if not (args.data_dir / "arenahard_models.json").exists():
        print(f"no data at {args.data_dir}: nothing to measure")
        return 0
    heads = {
        "routellm head": TrainedRouter.load(MODELS_DIR / "source_routellm.json"),
        "generic head (shipped)": TrainedRouter.load(MODELS_DIR / "difficulty.json"),
    }
    print("| pair (APGR, rows) | " + " | ".join(heads) + " | random | oracle |")
    print("|---" * (len(heads) + 3) + "|")
    for src, pairs in PAIRS.items():
        meta = load_models(args.data_dir / f"{src}_models.json")
        rows = [r for sp in ("train", "dev") for r in load_rows(args.data_dir / f"{src}_{sp}.jsonl", meta)]
        ds = build_dataset(rows, meta, src)
        ease = {name: h.predict(ds.texts)[:, 0] for name, h in heads.items()}
        for pair in pairs:
            d2 = two_models(ds, pair)
            cells = {name: measure(d2, e) for name, e in ease.items()}
            any_cell = next(iter(cells.values()))
            print(
                f"| {src} {pair[0]} vs {pair[1]} ({len(d2)}) | "
                + " | ".join(fmt(c) for c in cells.values())
                + f" | {fmt(any_cell, 'random')} | {fmt(any_cell, 'oracle')} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
