"""Every ```python block of the documentation site (docs/**/*.md) runs as written.

Same runner and environment as the README's blocks (``tests/docs_blocks.py``, ``docs_env``):
real OpenAI clients against the loopback server, files in a temporary folder.
"""

from __future__ import annotations

import shlex

import pytest

from tests.conftest import ROOT
from tests.docs_blocks import Block, python_blocks, run_block

PAGES = sorted((ROOT / "docs").rglob("*.md"))
BLOCKS: list[tuple[Block, list[Block]]] = [
    (b, page_blocks) for page in PAGES for page_blocks in [python_blocks(page)] for b in page_blocks
]


def _id(block: Block) -> str:
    return f"{block.path.relative_to(ROOT / 'docs')}:{block.line}"


def test_the_docs_have_python_blocks_on_every_getting_started_page():
    pages = {b.path.relative_to(ROOT / "docs").as_posix() for b, _ in BLOCKS}
    for page in ("getting-started/core.md", "getting-started/langchain.md",
                 "getting-started/llamaindex.md"):
        assert page in pages


@pytest.mark.parametrize(("block", "page_blocks"), BLOCKS, ids=[_id(b) for b, _ in BLOCKS])
def test_docs_python_block_runs_as_written(block: Block, page_blocks: list[Block], docs_env):
    run_block(block, page_blocks)


def test_every_tier_router_line_in_the_docs_parses():
    """Every `tier-router ...` line of a ```bash block uses arguments the command accepts."""
    from shared_core.cli.main import build_parser
    from tests.docs_blocks import blocks

    parser = build_parser()
    lines = []
    for page in PAGES:
        for block in blocks(page, "bash"):
            joined = block.code.replace("\\\n", " ")
            lines += [ln.split("#")[0].strip() for ln in joined.splitlines()
                      if ln.startswith("tier-router ")]
    assert len(lines) >= 12
    for line in lines:
        try:
            parser.parse_args(shlex.split(line)[1:])
        except SystemExit as exc:  # argparse exits on bad arguments
            pytest.fail(f"docs line does not parse: {line!r} (exit {exc.code})")


def test_the_cli_page_documents_every_command():
    """The CLI page's reference is generated from the parsers (docs/hooks/cli_help.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cli_help", ROOT / "docs" / "hooks" / "cli_help.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    page = (ROOT / "docs" / "guide" / "cli.md").read_text(encoding="utf-8")
    rendered = hook.on_page_markdown(page)
    from shared_core.cli.main import COMMANDS

    for name in COMMANDS:
        assert f"### `tier-router {name}`" in rendered
    assert "usage: tier-router report" in rendered
    assert hook.MARKER not in rendered
