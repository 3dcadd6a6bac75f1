"""``tier-router train``: fit a router on per-prompt data and save it as plain data.

tier-router train --data FILE... --models MODELS.json --output ROUTER.json
                  [--fast] [--folds N] [--seed N] [--no-task-prior] [--json]

By default the recipe (rule, nearest-neighbour blend, cost weight, knob, and for rows with
``task`` labels a task prior) is chosen by grouped k-fold cross-validation, as for the
shipped heads; ``--fast`` fits a plain head.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from .eval import console, fail, guarded


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a router on per-prompt scores (JSONL) and save it as JSON/NPZ",
        description=(
            "Learn, from each model's score and price per prompt, which is the cheapest model "
            "that will do. By default the routing rule, the nearest-neighbour blend, the cost "
            "weight, the knob and, where rows carry task labels, a task prior are chosen by grouped "
            "k-fold cross-validation over all the rows given (the recipe of the shipped heads), "
            "and the cross-validated figures are printed "
            "with their spread. The output is a plain data file that a config's classifier "
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
        "--fast",
        action="store_true",
        help="a quick plain head (linear, rule chosen on one 20%% hold-out), no cross-validation",
    )
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument(
        "--group-by",
        choices=("near-duplicates", "task"),
        default="near-duplicates",
        help="what must not straddle folds: near-duplicate prompts (default) or whole tasks "
        "(for traffic from tasks absent from the data)",
    )
    p.add_argument(
        "--knn-weight", type=float, default=None,
        help="fix the nearest-neighbour blend weight in [0, 1] instead of cross-validating it "
        "(with --fast: 0 = off)",
    )
    p.add_argument(
        "--cost-weight", type=float, default=None,
        help="fix the cost weight (>= 0) instead of cross-validating it: marks a model down "
        "where its neighbours' cost is above its average",
    )
    p.add_argument(
        "--no-task-prior",
        action="store_true",
        help="do not try the task prior (rows with 'task' labels: a task classifier stacked on "
        "the head, kept only if it cross-validates better; it costs one more fit per fold)",
    )
    p.add_argument("--json", action="store_true", help="print what was chosen as JSON (stdout)")
    p.set_defaults(func=run)
    return p


@guarded
def run(args: argparse.Namespace) -> int:
    """Run ``tier-router train``."""
    from ..training.data import load_models, load_rows

    kw, cw = args.knn_weight, args.cost_weight
    if args.seed < 0:
        return fail(f"--seed must be >= 0, got {args.seed}")
    if (kw is not None and not 0.0 <= kw <= 1.0) or (cw is not None and not 0.0 <= cw < math.inf):
        return fail(
            f"--knn-weight must be in [0, 1] and --cost-weight >= 0, got {kw} and {cw}"
        )
    if args.folds < 2:
        return fail(f"--folds must be at least 2, got {args.folds}")
    out_files = {Path(args.output).resolve().with_suffix(s) for s in (".json", ".npz")}
    for given in (args.models, *args.data):  # the router's two files would replace an input
        if Path(given).resolve() in out_files:
            return fail(f"--output {args.output} would overwrite the input {given}; name another file")
    models = load_models(args.models)
    rows = load_rows(args.data, models)
    if len(rows) < 2:
        return fail(f"{args.data[0]}: need at least 2 rows to train, got {len(rows)}")
    con = console(stderr=True)
    t0 = time.perf_counter()
    if args.fast:
        from ..training.train import train_router

        with con.status(f"training on {len(rows)} prompts, {len(models)} models", spinner="dots"):
            knn = None
            if kw:
                knn = {"weight": kw, "cost_weight": cw or 0.0}
            router = train_router(rows, models, seed=args.seed, knn=knn)
            out = router.save(args.output)
        print(
            f"trained a plain head on {len(rows)} prompts x {len(models)} models in "
            f"{time.perf_counter() - t0:.1f}s (--fast: no cross-validation); wrote {out}",
            file=sys.stderr,
        )
        if args.json:
            print(json.dumps({"recipe": "fast", "rule": router.rule, "knob": router.knob}))
        return 0
    from ..training.recipe import COST_WEIGHTS, KNN_WEIGHTS, train_best

    with con.status("cross-validating", spinner="dots") as status:
        router, result = train_best(
            rows,
            models,
            seed=args.seed,
            folds=args.folds,
            group_by=args.group_by,
            knn_weights=KNN_WEIGHTS if kw is None else (kw,),
            cost_weights=COST_WEIGHTS if cw is None else (cw,),
            progress=lambda msg: status.update(msg),
            task_prior=not args.no_task_prior,
        )
        out = router.save(args.output)
    print(
        f"trained on {len(rows)} prompts x {len(models)} models in "
        f"{time.perf_counter() - t0:.1f}s; wrote {out}",
        file=sys.stderr,
    )
    print(result.summary(), file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    return 0
