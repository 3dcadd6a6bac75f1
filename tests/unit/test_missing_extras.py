"""Importing an adapter without its framework names the extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("package", "framework", "extra"),
    [
        ("langchain_router", "langchain_core", "tier-router[langchain]"),
        ("llamaindex_router", "llama_index", "tier-router[llamaindex]"),
    ],
)
def test_an_adapter_without_its_framework_names_the_extra(package, framework, extra):
    code = f"import sys; sys.modules[{framework!r}] = None; import {package}"  # None: not installed
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ")
    assert f"pip install '{extra}'" in last
