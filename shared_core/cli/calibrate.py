"""``tier-router calibrate``: set the knob for a target and write it into a config.

tier-router calibrate --data DEV.jsonl --models MODELS.json [--router R]
    (without --router: the config's own classifier is measured, and must run offline)
    (--target-quality 0.95 | --max-strong-share 0.2 | --budget-per-1k USD)
    --config IN.yaml --output OUT.yaml
tier-router calibrate --from-ledger LEDGER.sqlite [--target-success P]
    --config IN.yaml --output OUT.yaml
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .eval import console, fail, guarded, progress_bar


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``calibrate`` subcommand."""
    p = subparsers.add_parser(
        "calibrate",
        help="choose policy.threshold for a quality, strong-share or budget target",
        description=(
            "On a dev file: sweep the router and pick the knob for one target. With "
            "--from-ledger: re-fit the threshold from logged feedback and escalations. Exit code "
            "1 when the target cannot be met (the closest point is still written), 2 on bad input."
        ),
    )
    p.add_argument("--data", help="dev <source>_<split>.jsonl")
    p.add_argument("--models", help="the matching <source>_models.json")
    p.add_argument(
        "--router",
        help="trained router file to calibrate (written into the config); default: the "
        "config's own classifier",
    )
    tg = p.add_mutually_exclusive_group()
    tg.add_argument(
        "--target-quality", type=float, help="share of the best model's quality, e.g. 0.95"
    )
    tg.add_argument(
        "--max-strong-share", type=float, help="max share of calls to the strongest tier"
    )
    tg.add_argument("--budget-per-1k", type=float, help="max USD per 1,000 requests")
    p.add_argument(
        "--folds",
        type=int,
        default=5,
        help="dev file: the knob must meet the target on this many held-out folds with a "
        "margin (mean minus one standard deviation); default 5",
    )
    p.add_argument(
        "--no-margin",
        action="store_true",
        help="dev file: meet the target on the pooled rows only (no held-out folds)",
    )
    p.add_argument(
        "--from-ledger", help="a ledger with feedback / escalations (SQLite path or postgresql:// URL)"
    )
    p.add_argument(
        "--target-success",
        type=float,
        help="--from-ledger: observed success to aim for (default: the current threshold)",
    )
    p.add_argument("--config", required=True, help="router config to start from (YAML/TOML/JSON)")
    p.add_argument("--output", required=True, help="where to write the calibrated config")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)
    return p


@guarded
def run(args: argparse.Namespace) -> int:
    """Run ``tier-router calibrate``."""
    targets = [args.target_quality, args.max_strong_share, args.budget_per_1k]
    if args.from_ledger:
        if any(t is not None for t in targets) or args.data:
            return fail("--from-ledger cannot be combined with --data or a dev-file target")
        return _from_ledger(args)
    if not args.data or not args.models:
        return fail("give --data and --models (a dev file), or --from-ledger LEDGER.sqlite")
    if all(t is None for t in targets):
        return fail("give one target: --target-quality, --max-strong-share or --budget-per-1k")
    from ..config import RouterConfig
    from ..training.calibrate import apply_to_config, check_tier_count, pick_knob
    from ..training.config_scorer import ConfigScorer, MeasuredClassifier
    from ..training.data import load_dataset
    from ..training.evaluate import evaluate, load_router

    if not args.no_margin and args.folds < 2:
        return fail(f"--folds must be at least 2 (or give --no-margin), got {args.folds}")
    cfg = RouterConfig.from_file(args.config)  # fail early on a bad config
    ds = load_dataset(args.data, args.models)
    check_tier_count(cfg, len(ds.models))  # before scoring: nothing is written on a mismatch
    router: Any
    if args.router is not None:
        router = load_router(args.router, ds.models, ds)
        measured = MeasuredClassifier("trained", str(args.router), "--router")
    else:
        # the knob written must be the knob of the classifier the config routes with
        from ..ledger import InMemoryLedger
        from ..training.config_scorer import check_calibratable
        from ._common import decide_only_router

        check_calibratable(cfg)  # (a judge's config error says what calibrate can do instead)

        # scoring calls no model: no WARNING about what calls would spend (a per-request cap
        # over tiers with no max_tokens); no ledger file or telemetry is opened
        router = ConfigScorer(
            cfg, decide_only_router(cfg, ledger=InMemoryLedger(), telemetry=False)
        )
        measured = router.measured
    if args.router is not None:
        from ..pricing import PriceTable
        from ..tier_models import tier_relative_costs

        # the utility rule weighs cost as the written config will route: with its tiers' prices
        # (not the training data's, which the router file carries; ConfigScorer has them already)
        router.relative_costs = tier_relative_costs(cfg, PriceTable())
    with progress_bar(f"scoring {len(ds)} prompts", len(ds)) as tick:
        result = evaluate(router, ds, progress=tick)
    res = pick_knob(
        result,
        ds,
        target_quality=args.target_quality,
        max_strong_share=args.max_strong_share,
        budget_per_1k=args.budget_per_1k,
        folds=0 if args.no_margin else args.folds,
    )
    new = apply_to_config(
        cfg,
        res.knob,
        rule=res.rule,
        router_path=args.router,
        output=args.output,
        n_models=len(ds.models),
    )
    if args.json:
        out = {**res.to_dict(), "classifier": measured.to_dict(), "config": str(args.output)}
        print(json.dumps(out, indent=2))
    else:
        con = console()
        # plain print: a long path must stay on one line
        print(f"classifier measured: {measured.describe(args.config)}")
        status = "met" if res.met else "NOT met"
        con.print(f"target: {res.target} -> {status}")
        con.print(
            f"policy.threshold = {res.knob:g} (rule {res.rule}): quality {res.quality:.3f} "
            f"({100 * res.quality_share:.1f}% of best), ${res.cost_per_1k:.4f} per 1k requests, "
            f"{100 * res.strong_share:.1f}% to the strongest model, on {len(ds)} dev prompts"
        )
        if res.folds and res.fold_bound is not None:
            shown = (
                f"{100 * res.fold_bound:.1f}% of the best model's quality"
                if args.target_quality is not None
                else f"{100 * res.fold_bound:.1f}% to the strongest model"
                if args.max_strong_share is not None
                else f"${res.fold_bound:.4f} per 1k requests"
            )
            con.print(
                f"margin: on {res.folds} held-out folds, mean -/+ one standard deviation gives "
                f"{shown} at this knob"
            )
        elif not args.no_margin:
            con.print(
                f"[yellow]no margin: {len(ds)} dev prompts are too few for {args.folds} held-out folds "
                f"of at least 10 distinct prompts; the knob meets the target on the pooled rows only[/yellow]"
            )
        if res.note:
            con.print(f"[yellow]{res.note}[/yellow]")
        _loop_note(cfg, con)
        con.print(f"wrote {args.output} ({len(new.tiers)} tiers)")
    return 0 if res.met else 1


def _from_ledger(args: argparse.Namespace) -> int:
    from ..config import RouterConfig
    from ..training.calibrate import apply_to_config, refit_from_ledger
    from ._common import open_ledger_arg

    cfg = RouterConfig.from_file(args.config)
    ledger = open_ledger_arg(args.from_ledger)  # a SQLite file or a postgresql:// URL
    try:
        res = refit_from_ledger(ledger, cfg, target_success=args.target_success)
    finally:
        ledger.close()
    apply_to_config(cfg, res.knob, output=args.output)
    if args.json:
        print(json.dumps({**res.to_dict(), "config": str(args.output)}, indent=2))
        return 0 if res.met else 1
    con = console()
    con.print(
        f"policy.threshold {res.old_knob:g} -> {res.knob:g} (target observed success "
        f"{res.target_success:.2f}; {res.calls} calls with outcomes, scores from {res.score_source})"
    )
    for tier, st in res.per_tier.items():
        con.print(
            f"  {tier}: {int(st['calls'])} first attempts, observed success {st['success']:.2f}"
        )
    if res.note:
        con.print(f"[yellow]{res.note}[/yellow]")
    _loop_note(cfg, con)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if res.met else 1


def _loop_note(cfg: Any, con: Any) -> None:
    """A config running the feedback loop routes with the knob stored in its ledger."""
    if cfg.feedback.auto_adjust:
        con.print(
            "[yellow]this config runs the feedback loop (feedback.auto_adjust): a knob the loop "
            "has moved stays in force until router.feedback_loop.reset() is called once with "
            "the new config[/yellow]"
        )
