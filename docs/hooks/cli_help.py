"""MkDocs hook: ``<!-- tier-router-help -->`` in a page becomes the ``--help`` of every command.

The CLI reference is generated from the argparse parsers at build time, so it cannot drift
from the code. Runs locally (imports ``shared_core.cli``); fetches nothing.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

MARKER = "<!-- tier-router-help -->"


def _help(parser: argparse.ArgumentParser) -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width: fix it
    return parser.format_help().rstrip()


def render() -> str:
    from shared_core.cli.main import build_parser

    root = build_parser()
    sub = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    parts = ["```text\n" + _help(root) + "\n```"]
    for name, parser in sub.choices.items():
        parts.append(f"### `tier-router {name}`\n\n```text\n{_help(parser)}\n```")
    return "\n\n".join(parts)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown
