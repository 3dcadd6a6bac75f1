"""The README's runnable snippets keep working (docs that are run do not rot)."""

from __future__ import annotations

import re
import shlex

import pytest


def _blocks(repo_root, lang: str) -> list[str]:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_core_quickstart_snippet_runs(repo_root):
    [core] = [b for b in _blocks(repo_root, "python") if "from shared_core import Router\n" in b]
    namespace: dict = {}
    exec(compile(core, "README.md", "exec"), namespace)
    assert namespace["d"].tier == "simple"


def test_the_knob_snippet_changes_one_field_of_the_bundled_config(repo_root):
    [block] = [b for b in _blocks(repo_root, "python") if "default_config_path()" in b]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    router = namespace["router"]
    assert router.config.policy.threshold == 0.3
    assert router.config.tier_names == ["simple", "medium", "complex", "frontier"]


def test_cli_lines_in_the_readme_parse(repo_root):
    """Every `tier-router ...` line uses arguments the command accepts."""
    from shared_core.cli.main import build_parser

    parser = build_parser()
    lines = []
    for block in _blocks(repo_root, "bash"):
        joined = block.replace("\\\n", " ")
        lines += [ln.split("#")[0].strip() for ln in joined.splitlines() if ln.startswith("tier-router ")]
    assert len(lines) >= 8
    for line in lines:
        argv = shlex.split(line)[1:]
        try:
            parser.parse_args(argv)
        except SystemExit as exc:  # argparse exits on bad arguments
            pytest.fail(f"README line does not parse: {line!r} (exit {exc.code})")
