"""Every whole config shown as a ```yaml block in README.md and docs/ builds a router as written.

A block is a whole config when its top level has ``tiers``; fragments (a ``feedback:`` or ``budget:``
section alone) are left out. The README's configuration example set ``per_request_cap_usd`` over a tier
with no ``max_tokens``, which the router refuses at build: nothing ran YAML blocks, so nothing saw it.
"""

from __future__ import annotations

import pytest
import yaml

from shared_core import Router, RouterConfig
from tests.conftest import ROOT
from tests.docs_blocks import blocks

FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _whole_configs() -> list:
    out = []
    for path in FILES:
        for block in blocks(path, "yaml"):
            try:
                data = yaml.safe_load(block.code)
            except yaml.YAMLError:
                continue
            if isinstance(data, dict) and "tiers" in data:
                out.append(block)
    return out


CONFIGS = _whole_configs()


def test_the_readme_shows_a_whole_config():
    assert any(b.path.name == "README.md" for b in CONFIGS)


@pytest.mark.parametrize("block", CONFIGS, ids=[f"{b.path.relative_to(ROOT)}:{b.line}" for b in CONFIGS])
def test_a_config_shown_in_the_docs_builds_a_router(block):
    config = RouterConfig.model_validate(yaml.safe_load(block.code))
    assert Router(config).config.tiers
