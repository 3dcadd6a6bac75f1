"""``tier-router``: argparse over subcommand modules.

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its parser
and sets ``func=run`` (``run(args) -> int``). A module that is not installed is skipped.
The package's own errors become one line on stderr and exit code 2 (no traceback);
Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import RouterError

COMMANDS = ["route", "simulate", "stats", "report", "demo", "train", "eval", "calibrate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tier-router",
        description="Cost-optimised LLM routing: route prompts, simulate costs, read the ledger.",
    )
    parser.add_argument("--version", action="version", version=f"tier-router {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log warnings and details to stderr"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue  # this command is not part of this installation
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="tier-router: %(levelname)s: %(message)s",
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except RouterError as exc:
        print(f"tier-router: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tier-router: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `tier-router route ... | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
