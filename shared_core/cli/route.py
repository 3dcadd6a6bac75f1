"""``tier-router route``: decide prompts (no model is called) and show the decisions.

tier-router route "hi" "Prove that sqrt(2) is irrational"
echo "What is 2+2?" | tier-router route --json
tier-router route --file prompts.jsonl --config examples/configs/task-routes.yaml
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import InputError
from ..storable import storable_text
from ._common import (
    PromptItem,
    load_prompts,
    make_router,
    print_json_line,
    route_all,
    warm_up,
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "route",
        help="route prompts (arguments, stdin or a file) and show the decisions",
        description="Decide which tier each prompt goes to. No model is called.",
    )
    p.add_argument("prompts", nargs="*", help="prompts to route (default: read stdin)")
    p.add_argument("-f", "--file", help="a .jsonl/.json/.txt prompt file ('-' = stdin)")
    p.add_argument("-c", "--config", help="router config (YAML/TOML); default: bundled 4-tier")
    p.add_argument("--json", action="store_true", help="one JSON decision per line")
    p.add_argument("--reasons", action="store_true", help="show the decision reasons")
    p.set_defaults(func=run)


def _items(args: argparse.Namespace) -> list[PromptItem]:
    if args.prompts and args.file:
        raise InputError("give prompts as arguments or with --file, not both")
    if args.prompts:
        return [PromptItem(str(i), p) for i, p in enumerate(args.prompts, 1)]
    if args.file:
        return load_prompts(args.file)
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError(
            "no prompts: give them as arguments, with --file PATH, or pipe them on stdin"
        )
    return load_prompts("-")


def run(args: argparse.Namespace) -> int:
    items = _items(args)
    router = make_router(args.config)
    load_ms = warm_up(router)
    decisions = route_all(router, items, show_progress=not args.json)
    if args.json:
        for item, d in zip(items, decisions):
            print_json_line({"id": item.id, **d.to_dict()})
        return 0
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: plain lines, no table to wrap
        for item, d in zip(items, decisions):
            print(
                f"{item.id}\t{d.tier}\t{d.model}\t{d.confidence:.2f}\t{d.classifier}\t"
                f"{d.latency_us:.0f} µs\t{preview(item.text)}"
            )
            if args.reasons:
                for reason in d.reasons:
                    print(f"    {reason}")
        return 0
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{len(items)} decision(s)",
        title_justify="left",
        caption=f"µs: routing alone (the classifier loaded first, in {load_ms:.0f} ms)",
        caption_justify="left",
    )
    for col in ("id", "tier", "model", "conf.", "classifier", "µs", "prompt"):
        table.add_column(
            col,
            justify="right" if col in ("conf.", "µs") else "left",
            overflow="fold" if col == "prompt" else "ellipsis",
        )
    if args.reasons:
        table.add_column("reasons", overflow="fold")
    for item, d in zip(items, decisions):
        row: list[Any] = [
            Text(item.id),
            d.tier,
            d.model,
            f"{d.confidence:.2f}",
            d.classifier,
            f"{d.latency_us:.0f}",
            Text(preview(item.text)),
        ]
        if args.reasons:
            row.append(Text("; ".join(d.reasons)))
        table.add_row(*row)
    console.print(table)
    return 0


def preview(text: str, n: int = 70) -> str:
    """One line of at most ``n`` characters that any terminal can print (a lone surrogate
    from a JSON ``\ud800`` escape is shown escaped)."""
    flat = " ".join(storable_text(text).split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"
