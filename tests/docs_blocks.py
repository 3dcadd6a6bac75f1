"""Run the ```python blocks of a Markdown file as written (README.md, docs/*.md).

Each block runs on its own, in a fresh namespace, as a reader who copies it would run it.
One marker exists, an HTML comment on the line right before the fence (invisible when the
Markdown is rendered):

    <!-- continues -->
    ```python
    ...
    ```

runs the block in the namespace left by the block before it (for a page that builds one
example over several blocks). Nothing is skipped: a block that cannot run is a failing test.

Usage (one test per block, named after the file and line)::

    from tests.docs_blocks import python_blocks, run_block

    BLOCKS = python_blocks(ROOT / "README.md")

    @pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
    def test_readme_block(block, docs_env):
        run_block(block, BLOCKS)

``docs_env`` (tests/integration/conftest.py) points ``OPENAI_BASE_URL`` / ``OPENAI_API_BASE``
and ``OPENAI_API_KEY`` at the loopback OpenAI-compatible server, so real ``ChatOpenAI`` and
llama-index ``OpenAI`` clients built with no arguments talk to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTINUES = "<!-- continues -->"
_FENCE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int
    """1-based line of the opening fence."""
    lang: str
    code: str
    continues: bool
    """The ``<!-- continues -->`` marker precedes it: run after the previous block, in its namespace."""

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: str | Path, lang: str | None = None) -> list[Block]:
    """Every fenced block of ``path`` (of language ``lang`` when given), in file order."""
    p = Path(path)
    lines = p.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m.group("fence"), len(m.group("indent"))
        info = m.group("info").strip()
        block_lang = info.split()[0] if info else ""
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
            i += 1
        i += 1  # the closing fence
        prev = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
        if lang is None or block_lang == lang:
            out.append(Block(p, start + 1, block_lang, "\n".join(body) + "\n", prev == CONTINUES))
    return out


def python_blocks(path: str | Path) -> list[Block]:
    """The ```python blocks of ``path``."""
    return blocks(path, "python")


def run_block(block: Block, all_blocks: list[Block]) -> dict[str, Any]:
    """Run ``block`` as written and return its namespace.

    A ``continues`` block first runs the blocks it continues (back to the nearest block
    without the marker), in one namespace.
    """
    idx = all_blocks.index(block)
    chain = [block]
    while chain[0].continues:
        if idx == 0:
            raise AssertionError(f"{block.id}: marked '{CONTINUES}' but no block comes before it")
        idx -= 1
        chain.insert(0, all_blocks[idx])
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for b in chain:
        # padded so a traceback names the line in the Markdown file
        exec(compile("\n" * b.line + b.code, str(b.path), "exec"), namespace)
    return namespace
