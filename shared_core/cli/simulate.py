"""``tier-router simulate``: a prompt file -> tier distribution and projected cost vs baseline.

    tier-router simulate prompts.jsonl [--config CFG] [--output-tokens 300]
                         [--plot chart.png] [--json] [--decisions out.jsonl]

No model is called: every prompt is routed, and its cost on the chosen tier and on the
baseline model is projected from estimated tokens (see ``--output-tokens``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._common import (
    load_prompts,
    make_router,
    print_json_line,
    project,
    projection_tables,
    route_all,
    write_chart,
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="project the tier distribution and cost of a prompt file vs the baseline",
        description="Route every prompt of a file (no model is called) and project the cost "
        "on the chosen tiers against sending everything to the baseline model.",
    )
    p.add_argument("file", help="a .jsonl/.json/.txt prompt file ('-' = stdin)")
    p.add_argument("-c", "--config", help="router config (YAML/TOML); default: bundled 4-tier")
    p.add_argument(
        "--output-tokens",
        type=int,
        default=300,
        help="assumed output tokens per prompt, capped by each tier's max_tokens (default 300)",
    )
    p.add_argument("--plot", metavar="PNG", help="write a chart of cost by tier vs baseline")
    p.add_argument("--decisions", metavar="JSONL", help="also write every decision here")
    p.add_argument("--json", action="store_true", help="print the projection as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output_tokens < 0:
        raise InputError(f"--output-tokens must be >= 0, got {args.output_tokens}")
    items = load_prompts(args.file)
    router = make_router(args.config)
    decisions = route_all(router, items, show_progress=not args.json)
    proj = project(router, items, decisions, args.output_tokens)
    if args.decisions:
        out = Path(args.decisions)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as f:
                for item, d in zip(items, decisions):
                    f.write(
                        json.dumps(
                            {"id": item.id, "kind": item.kind, **d.to_dict()}, ensure_ascii=False
                        )
                        + "\n"
                    )
        except OSError as exc:
            raise InputError(
                f"cannot write the decisions to {str(out)!r}: {exc.strerror or exc} "
                "(give --decisions a writable file path)"
            ) from None
    chart = (
        write_chart(proj, args.plot, title=f"{Path(args.file).name}: cost by tier vs baseline")
        if args.plot
        else None
    )
    if args.json:
        print_json_line({**proj.to_dict(), "chart": str(chart) if chart else None})
        return 0
    from rich.console import Console

    console = Console(highlight=False)
    for table in projection_tables(proj):
        console.print(table)
    if chart:
        console.print(f"chart written to {chart}", soft_wrap=True)
    return 0
