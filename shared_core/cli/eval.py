"""``tier-router eval``: sweep a router's knob on a data file; metrics beside the baselines.

    tier-router eval --data FILE --models MODELS.json [--router ROUTER.json]
                     [--decisions OUT.jsonl] [--json] [--plot OUT.png]

Without ``--router`` the shipped default is evaluated. Also home of the small helpers
the ``train`` and ``calibrate`` commands share (console, progress, error reporting).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import RouterError


# -- shared helpers --------------------------------------------------------------------
def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def fail(message: str, code: int = 2) -> int:
    """Print ``error: message`` to stderr and return the exit code."""
    print(f"tier-router: error: {message}", file=sys.stderr)
    return code


def guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the package's errors (bad files, bad config) into a message and exit code 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except RouterError as exc:
            return fail(str(exc))
        except ImportError as exc:
            return fail(f"{exc}; install the optional extra, e.g. pip install 'tier-router[plot]'")
        except OSError as exc:
            return fail(f"{exc.filename or ''}: {exc.strerror or exc}")

    run.__doc__ = fn.__doc__
    return run


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A transient rich progress bar on stderr (silent when stderr is not a terminal)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    con = console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=con,
        transient=True,
        disable=not con.is_terminal,
    ) as prog:
        task = prog.add_task(label, total=total)
        yield lambda done: prog.update(task, completed=done)


def fmt(v: Any, kind: str = "float") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—" if v is None or math.isnan(v) else "not reached"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    return f"{v:.3f}"


# -- eval --------------------------------------------------------------------------------
def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``eval`` subcommand."""
    p = subparsers.add_parser(
        "eval",
        help="measure a router on a data file (metrics beside random / oracle / single models)",
        description=(
            "Sweep the router's knob over a dense grid and report APGR / CPT (two models) or "
            "cost to reach 95% of the best model (any number), beside random, always-cheapest, "
            "always-best and oracle on the same rows."
        ),
    )
    p.add_argument("--data", required=True, help="a <source>_<split>.jsonl file")
    p.add_argument("--models", required=True, help="the matching <source>_models.json")
    p.add_argument("--router", help="a trained router file (default: the shipped default)")
    p.add_argument("--decisions", help='write {"id", "knob", "model"} JSON lines here')
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--plot", help="write the cost-quality curves as a PNG here")
    p.add_argument("--points", type=int, default=101, help="even knob points (default 101, 50 to 10,001)")
    p.add_argument(
        "--resamples",
        type=int,
        default=200,
        help="bootstrap resamples for the 95%% confidence intervals (default 200; 0 = none)",
    )
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.set_defaults(func=run)
    return p


MAX_POINTS = 10_001
"""More knob points than this only cost memory (each point scores every row)."""


@guarded
def run(args: argparse.Namespace) -> int:
    """Run ``tier-router eval``."""
    from ..training.data import load_dataset
    from ..training.evaluate import evaluate, load_router, plot, write_decisions

    if not 50 <= args.points <= MAX_POINTS:
        return fail(f"--points must be between 50 and {MAX_POINTS:,}, got {args.points}")
    if args.seed < 0:
        return fail(f"--seed must be >= 0, got {args.seed}")
    if args.resamples < 0:
        return fail(f"--resamples must be >= 0, got {args.resamples}")
    plot_to = None
    if args.plot:  # a name that cannot be a chart fails now, not after the evaluation
        from .chart import chart_path

        plot_to = chart_path(args.plot)
    ds = load_dataset(args.data, args.models)
    router = load_router(args.router, ds.models, ds)
    with progress_bar(f"scoring {len(ds)} prompts", len(ds)) as tick:
        result = evaluate(
            router,
            ds,
            points=args.points,
            progress=tick,
            resamples=args.resamples,
            seed=args.seed,
        )
    if args.decisions:
        n = write_decisions(args.decisions, result, ds.ids)
        print(f"wrote {n} decisions to {args.decisions}", file=sys.stderr)
    if plot_to is not None:
        written = plot(result, ds, plot_to)
        print(f"wrote plot to {written}", file=sys.stderr)
    data = result.to_dict()
    data["router_file"] = args.router or "(shipped default)"
    if args.json:
        data.pop("curve")
        print(json.dumps(data, indent=2))
        return 0
    print_table(data, console())
    return 0


def _with_ci(m: dict[str, Any], iv: dict[str, Any], key: str, kind: str = "float") -> str:
    """``value [low, high]`` when an interval is known; "not reached" reads as such."""
    v = m.get(key)
    text = fmt(v, kind) if v is not None else ("not reached" if key == "cost_to_95" else "—")
    ci = iv.get(key)
    if not ci:
        return text

    def end(x: Any) -> str:
        return fmt(x, kind) if x is not None else "not reached"

    from rich.markup import escape

    return escape(f"{text} [{end(ci['low'])}, {end(ci['high'])}]")


def print_table(data: dict[str, Any], con: Any) -> None:
    """The side-by-side table of an eval result (``EvalResult.to_dict()``)."""
    from rich.table import Table

    two = len(data["models"]) == 2
    table = Table(title=f"{data['data']}: {data['rows']} prompts, {len(data['models'])} models")
    table.add_column("router")
    if two:
        for col in ("APGR", "CPT(50%)", "CPT(80%)"):
            table.add_column(col, justify="right")
    table.add_column("cost to 95%", justify="right")
    table.add_column("quality at C*", justify="right")
    table.add_column("max quality", justify="right")
    rows = [(f"router ({data['rule']})", data["router"]), *list(data["baselines"].items())]
    iv = data.get("intervals") or {}
    for name, m in rows:
        own = iv if name.startswith("router") else {}
        cells = [name]
        if two:
            cells += [
                _with_ci(m, own, "apgr"),
                _with_ci(m, own, "cpt50", "pct"),
                _with_ci(m, own, "cpt80", "pct"),
            ]
        cells += [
            _with_ci(m, own, "cost_to_95", "pct"),
            _with_ci(m, own, "quality_at_cstar"),
            _with_ci(m, own, "max_quality"),
        ]
        table.add_row(*cells)
    con.print(table)
    if iv:
        from rich.markup import escape

        con.print(escape(f"router cells: value [95% bootstrap interval, {data['rows']} rows resampled]"))
    edge = data.get("knife_edge") or {}
    if edge.get("on_edge"):
        con.print(f"[yellow]{edge['message']}[/yellow]")
    best = max(data["single_models"].items(), key=lambda kv: kv[1]["quality"])
    con.print(
        f"best single model: {best[0]} (quality {best[1]['quality']:.3f}, "
        f"${best[1]['cost'] * 1000:.4f} per 1k requests)"
    )
    con.print(f"primary metric: {data['primary_metric']} (see shared_core/training/metrics.py)")
