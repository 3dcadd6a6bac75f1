"""``tier-router demo``: route the bundled sample workload offline and chart the savings.

    tier-router demo [--output DIR] [--config CFG] [--workload FILE] [--rows N] [--calls]

Routes ~300 prompts of mixed kinds (examples/workload/sample_prompts.jsonl) with the
embedded default classifier on the bundled 4-tier config, prints a sample of the
decisions, the tier distribution (overall and by kind of prompt) and the projected cost
against the baseline model, and writes into DIR: ``decisions.jsonl``, ``projection.json``,
``cost_by_tier.csv`` and, with the ``plot`` extra (matplotlib), ``cost_by_tier.png``. No network, no model is called.
With ``--calls`` every prompt also goes through the call engine with simulated models
into ``DIR/ledger.db``, and the ledger summary is printed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._common import (
    PromptItem,
    check_calls_bounded,
    load_prompts,
    make_router,
    project,
    projection_tables,
    route_all,
    warm_up,
    write_chart,
)
from .chart import NEEDS_PLOT, can_chart
from .route import preview

WORKLOAD_NAME = "sample_prompts.jsonl"


def default_workload() -> Path | None:
    """The bundled workload: in the source tree's examples/, or shipped as package data."""
    from importlib import resources

    candidates = [
        Path(__file__).resolve().parents[2] / "examples" / "workload" / WORKLOAD_NAME,
        Path(str(resources.files("shared_core") / "data" / WORKLOAD_NAME)),
    ]
    return next((p for p in candidates if p.is_file()), None)


def decision_line(item: PromptItem, decision: dict[str, Any]) -> str:
    """One line of ``decisions.jsonl``: the prompt as routed (text with its line breaks, or
    the chat messages), so routing the file again gives the same tiers (a one-line preview
    moved 9 of the 304 bundled prompts), and the decision. A prompt that cannot be UTF-8
    (a lone surrogate from a JSON ``\\ud800``) is written with ASCII escapes: it reads back
    the same."""
    line = json.dumps({"id": item.id, "kind": item.kind, "prompt": item.prompt, **decision},
                      ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps({"id": item.id, "kind": item.kind, "prompt": item.prompt, **decision})
    return line


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo",
        help="route the bundled sample workload offline; print decisions and savings; chart",
        description="Route ~300 bundled prompts of mixed kinds with the embedded default "
        "classifier on the bundled 4-tier config; print a sample of the decisions, the tier "
        "distribution and the projected cost against the baseline model; write a chart. "
        "Offline: no model is called (with --calls, simulated models are).",
    )
    p.add_argument("-o", "--output", default="demo_output", help="folder for the chart and files")
    p.add_argument("-c", "--config", help="router config (default: the bundled 4-tier config)")
    p.add_argument("--workload", help="prompt file to use instead of the bundled workload")
    p.add_argument("--rows", type=int, default=16, help="decisions to show (default 16)")
    p.add_argument(
        "--output-tokens",
        type=int,
        default=300,
        help="assumed output tokens per prompt, capped by max_tokens (default 300)",
    )
    p.add_argument(
        "--calls",
        action="store_true",
        help="also run every prompt through the call engine with simulated models (fallback, "
        "escalation, ledger) into DIR/ledger.db, and summarise the ledger",
    )
    p.set_defaults(func=run)


def sample_rows(items: list[PromptItem], decisions: list[Any], n: int) -> list[int]:
    """Indices of ``n`` decisions, taken round-robin across tiers so every tier shows."""
    by_tier: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(decisions):
        by_tier[d.tier].append(i)
    queues = [list(v) for _, v in sorted(by_tier.items(), key=lambda kv: decisions[kv[1][0]].index)]
    picked: list[int] = []
    while len(picked) < min(n, len(items)) and any(queues):
        for q in queues:
            if q and len(picked) < n:
                picked.append(q.pop(0))
    return sorted(picked)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if args.rows < 0 or args.output_tokens < 0:
        raise InputError("--rows and --output-tokens must be >= 0")
    if args.calls:  # before any work: a project's own ledger.db is not the demo's to replace
        from ._calls import check_replaceable

        check_replaceable(Path(args.output) / "ledger.db")
    workload = Path(args.workload) if args.workload else default_workload()
    if workload is None:
        raise InputError(
            f"the bundled workload {WORKLOAD_NAME} was not found (it lives in the source tree "
            "under examples/workload/); pass --workload FILE"
        )
    console = Console(highlight=False)
    items = load_prompts(workload)
    router = make_router(args.config)
    if args.calls:  # each call sent with its tier's max_tokens: under a cap, every tier needs one
        check_calls_bounded(router.config, "tier-router demo --calls")
    console.print(
        f"[bold]tier-router demo[/bold]: {len(items)} prompts from {workload.name}, "
        f"{len(router.config.tiers)} tiers ({', '.join(router.config.tier_names)}), "
        f"classifier '{router.config.classifier.type}', baseline {router.baseline_model}. "
        "Offline: no model is called."
    )
    load_ms = warm_up(router)
    decisions = route_all(router, items)
    proj = project(router, items, decisions, args.output_tokens)

    table = Table(
        title=f"A sample of the decisions ({args.rows} of {len(items)})", title_justify="left"
    )
    for col in ("id", "kind", "tier", "conf.", "prompt"):
        table.add_column(col, justify="right" if col == "conf." else "left", no_wrap=True)
    room = max(24, min(90, console.width - 48))
    for i in sample_rows(items, decisions, args.rows):
        d, item = decisions[i], items[i]
        table.add_row(
            item.id, item.kind or "-", d.tier, f"{d.confidence:.2f}", preview(item.text, room)
        )
    console.print(table)
    for t in projection_tables(proj):
        console.print(t)
    console.print(kind_table(items, decisions, router.config.tier_names))
    failed = sum("failed" in d.classifier for d in decisions)
    if failed:
        console.print(
            f"[yellow]warning: the classifier failed on {failed} prompt(s); those "
            "went to the fallback tier (run with -v for details)[/yellow]"
        )
    lat = sorted(d.latency_us for d in decisions) or [0.0]
    console.print(
        f"decision latency per prompt (the classifier loaded beforehand, in {load_ms:.0f} ms): median "
        f"{lat[len(lat) // 2]:.0f} µs, p95 {lat[min(len(lat) - 1, int(len(lat) * 0.95))]:.0f} µs"
    )

    out = Path(args.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {str(out)!r}: {exc.strerror or exc}") from None
    with (out / "decisions.jsonl").open("w", encoding="utf-8") as f:
        for item, d in zip(items, decisions):
            f.write(decision_line(item, d.to_dict()) + "\n")
    (out / "projection.json").write_text(json.dumps(proj.to_dict(), indent=2), encoding="utf-8")
    write_cost_csv(proj, out / "cost_by_tier.csv")
    written = [out / "decisions.jsonl", out / "projection.json", out / "cost_by_tier.csv"]
    if can_chart():
        written.insert(0, write_chart(
            proj,
            out / "cost_by_tier.png",
            title=f"{len(items)} sample prompts: cost by tier vs {proj.baseline_model}",
        ))
    else:
        console.print(Text(f"no chart: {NEEDS_PLOT}", style="yellow"), soft_wrap=True)
    if args.calls:
        from ._calls import run_calls
        from .stats import render

        console.print(
            "\n[bold]Simulated calls[/bold]: the same prompts through the call engine with "
            "simulated models (a few rate limits and refusals to show fallback and escalation)"
        )
        # the config the decisions above were made with (also when $TIER_ROUTER_CONFIG named it)
        summary = run_calls(router.config, items, out / "ledger.db", args.output_tokens)
        render(summary, console, router.config.tier_names)
        written.append(out / "ledger.db")
    for path in written:
        console.print(f"wrote {path}", soft_wrap=True)
    if args.calls:
        console.print(f"read it again with: tier-router stats {out / 'ledger.db'}", soft_wrap=True)
    return 0


def write_cost_csv(proj: Any, path: Path) -> Path:
    """The chart's numbers as CSV: one row per tier, then the routed total and the baseline."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tier", "model", "prompts", "share", "cost_usd"])
        for t in proj.tiers:
            n = proj.count.get(t, 0)
            share = n / proj.total if proj.total else 0.0
            w.writerow([t, proj.models[t], n, f"{share:.4f}", f"{proj.cost.get(t, 0.0):.6f}"])
        w.writerow(["(routed)", "", proj.total, "1.0000" if proj.total else "0", f"{proj.routed_cost:.6f}"])
        w.writerow(["(baseline)", proj.baseline_model, proj.total, "", f"{proj.baseline_cost:.6f}"])
    return path


def kind_table(items: list[PromptItem], decisions: list[Any], tiers: list[str]) -> Any:
    """Rows: kind of prompt; columns: how many of them each tier got."""
    from rich.table import Table

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item, d in zip(items, decisions):
        counts[item.kind or "(none)"][d.tier] += 1
    t = Table(title="Where each kind of prompt went", title_justify="left")
    t.add_column("kind")
    for name in tiers:
        t.add_column(name, justify="right")
    order = sorted(
        counts,
        key=lambda k: (
            sum(tiers.index(tier) * n for tier, n in counts[k].items()) / sum(counts[k].values())
        ),
    )
    for kind in order:
        t.add_row(kind, *(str(counts[kind].get(name, 0) or "") for name in tiers))
    return t
