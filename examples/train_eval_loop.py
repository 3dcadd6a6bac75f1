"""The whole loop on a small synthetic file: train, evaluate (with a plot), calibrate, route.

    python examples/train_eval_loop.py [--output train_eval_output]

Runs offline in a few seconds. The prompts are generated here (not benchmark data): a
three-model ladder where the cheap model handles chit-chat and look-ups, the middle one
handles explanations, and only the frontier model gets proofs and designs right.

The same steps from the command line:

    tier-router train --data OUT/train.jsonl --models OUT/models.json --output OUT/router.json
    tier-router eval --data OUT/dev.jsonl --models OUT/models.json --router OUT/router.json \
        --plot OUT/curve.png --decisions OUT/decisions.jsonl
    tier-router calibrate --data OUT/dev.jsonl --models OUT/models.json --router OUT/router.json \
        --target-quality 0.95 --config OUT/base.yaml --output OUT/calibrated.yaml
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

MODELS = {
    "mini": {
        "input_per_mtok": 0.15,
        "output_per_mtok": 0.6,
        "tier_rank": 0,
        "assumed_output_tokens": 200,
    },
    "standard": {
        "input_per_mtok": 1.0,
        "output_per_mtok": 4.0,
        "tier_rank": 1,
        "assumed_output_tokens": 300,
    },
    "frontier": {
        "input_per_mtok": 5.0,
        "output_per_mtok": 20.0,
        "tier_rank": 2,
        "assumed_output_tokens": 500,
    },
}
LEVELS = [
    (
        0,
        [
            "hi! how are you today",
            "what is the capital of",
            "thanks, that helped with",
            "convert 5 km to miles for",
        ],
    ),
    (
        1,
        [
            "explain in simple terms how",
            "summarise the main points of",
            "compare the pros and cons of",
        ],
    ),
    (
        2,
        [
            "prove rigorously that the algorithm for",
            "design a fault-tolerant architecture for",
            "derive the closed form and complexity of",
        ],
    ),
]
TOPICS = [
    "a sorting routine",
    "photosynthesis",
    "a bank ledger",
    "the French revolution",
    "a chess engine",
    "rainfall in spring",
    "a web cache",
    "compound interest",
    "graph colouring",
    "a vaccine trial",
]


def make_rows(n: int, seed: int) -> list[dict]:
    """Per-prompt scores: a model of rank r is right on level <= r most of the time."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        level, stems = rng.choice(LEVELS[:1] * 2 + LEVELS[1:])
        prompt = f"{rng.choice(stems)} {rng.choice(TOPICS)}?" + " Please be precise." * rng.randint(
            0, 2
        )
        scores = {
            m: float(rng.random() < (0.95 if meta["tier_rank"] >= level else 0.2))
            for m, meta in MODELS.items()
        }
        rows.append({"id": f"ex/{i}", "prompt": prompt, "task": f"level{level}", "scores": scores})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", default="train_eval_output", help="folder for every file written")
    args = ap.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    from shared_core import Router, RouterConfig
    from shared_core.training.calibrate import apply_to_config, pick_knob
    from shared_core.training.data import load_dataset, load_models, load_rows
    from shared_core.training.evaluate import evaluate, plot, write_decisions
    from shared_core.training.train import train_router

    # 0. data in the benchmark format: <name>.jsonl rows + a models file
    (out / "models.json").write_text(json.dumps(MODELS, indent=1))
    for split, n, seed in (("train", 360, 0), ("dev", 150, 1)):
        (out / f"{split}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in make_rows(n, seed))
        )
    models = load_models(out / "models.json")

    # 1. train (a fixed seed gives the same file)
    router = train_router(load_rows(out / "train.jsonl", models), models, seed=0)
    router_file = router.save(out / "router.json")
    print(f"1. trained {router_file.name}: rule={router.rule}, default knob={router.knob:.3f}")

    # 2. evaluate on dev: metrics beside the baselines, decisions file, plot
    dev = load_dataset(out / "dev.jsonl", models)
    result = evaluate(router, dev)
    write_decisions(out / "decisions.jsonl", result, dev.ids)
    plot(result, dev, out / "curve.png")
    m, b = result.metrics, result.baselines
    print(
        f"2. eval on {len(dev)} dev prompts: cost to reach 95% of the best model = "
        f"{100 * m['cost_to_95']:.1f}% of its cost (random {100 * b['random']['cost_to_95']:.1f}%, "
        f"oracle {100 * b['oracle']['cost_to_95']:.1f}%); plot: {out / 'curve.png'}"
    )

    # 3. calibrate the knob for 95% of the best model's quality and write it into a config
    base = RouterConfig.build(
        {
            "tiers": [
                {
                    "name": name,
                    "model": name,
                    "input_price": meta["input_per_mtok"],
                    "output_price": meta["output_per_mtok"],
                }
                for name, meta in MODELS.items()
            ]
        }
    )
    base.to_file(out / "base.yaml")
    cal = pick_knob(result, dev, target_quality=0.95)
    cfg = apply_to_config(
        base,
        cal.knob,
        rule=cal.rule,
        router_path=router_file,
        output=out / "calibrated.yaml",
        n_models=len(models),
    )
    print(
        f"3. calibrated policy.threshold={cal.knob:.4f} ({cal.rule}): {100 * cal.quality_share:.1f}% "
        f"of the best quality at ${cal.cost_per_1k:.3f} per 1k requests -> {out / 'calibrated.yaml'}"
    )

    # 4. route with the calibrated config
    live = Router(RouterConfig.from_file(out / "calibrated.yaml"))
    for text in ("hi! how are you today", "design a fault-tolerant architecture for a bank ledger"):
        d = live.decide([{"role": "user", "content": text}])
        print(f"4. {text!r} -> {d.tier} (confidence {d.confidence:.2f})")
    assert cfg.policy.threshold == cal.knob
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
