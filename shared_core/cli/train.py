"""``tier-router train``: fit a router on per-prompt data and save it as plain data.

tier-router train --data FILE... --models MODELS.json --output ROUTER.json [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from .eval import console, fail, guarded


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a router on per-prompt scores (JSONL) and save it as JSON/NPZ",
        description=(
            "Learn, from each model's score and price per prompt, which is the cheapest model "
            "that will do. The output is a plain data file that a config's classifier "
            "(type: trained, path: ...) points to."
        ),
    )
    p.add_argument(
        "--data", required=True, nargs="+", help="one or more <source>_<split>.jsonl files"
    )
    p.add_argument("--models", required=True, help="the matching <source>_models.json")
    p.add_argument("--output", required=True, help="where to write the router (.json)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same file)")
    p.add_argument(
        "--knn-weight", type=float, default=0.0,
        help="blend a nearest-neighbour part over hashed sketches of the training prompts "
        "with this weight in [0, 1] (0 = off; the shipped heads use 0.2-0.5)",
    )
    p.add_argument(
        "--cost-weight", type=float, default=0.0,
        help="with --knn-weight: mark a model down where its neighbours' cost is above its "
        "average (per-prompt costs; the shipped heads use 0.2 where costs vary by prompt)",
    )
    p.set_defaults(func=run)
    return p


@guarded
def run(args: argparse.Namespace) -> int:
    """Run ``tier-router train``."""
    from ..training.data import load_models, load_rows
    from ..training.train import train_router

    if not 0.0 <= args.knn_weight <= 1.0 or args.cost_weight < 0:
        return fail(
            f"--knn-weight must be in [0, 1] and --cost-weight >= 0, "
            f"got {args.knn_weight} and {args.cost_weight}"
        )
    models = load_models(args.models)
    rows = load_rows(args.data, models)
    if len(rows) < 2:
        return fail(f"{args.data[0]}: need at least 2 rows to train, got {len(rows)}")
    con = console(stderr=True)
    t0 = time.perf_counter()
    with con.status(f"training on {len(rows)} prompts, {len(models)} models", spinner="dots"):
        knn = None
        if args.knn_weight > 0:
            knn = {"weight": args.knn_weight, "cost_weight": args.cost_weight}
        router = train_router(rows, models, seed=args.seed, knn=knn)
        out = router.save(args.output)
    took = time.perf_counter() - t0
    print(
        f"trained on {len(rows)} prompts x {len(models)} models in {took:.1f}s; "
        f"wrote {out or args.output}",
        file=sys.stderr,
    )
    return 0
