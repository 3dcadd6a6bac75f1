"""Every ```python block of README.md runs as written (docs that are run do not rot).

Blocks run against the loopback OpenAI-compatible server (``docs_env``): real ``ChatOpenAI``
and llama-index ``OpenAI`` clients, no real provider. The only marker a block may carry is
``<!-- continues -->`` (it runs after the block before it); see ``tests/docs_blocks.py``.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.docs_blocks import python_blocks, run_block

BLOCKS = python_blocks(ROOT / "README.md")


def test_the_readme_has_its_quick_starts():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_python_block_runs_as_written(block, docs_env):
    run_block(block, BLOCKS)
