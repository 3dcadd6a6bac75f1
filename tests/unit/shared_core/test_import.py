"""`import shared_core` stays framework-free and cheap."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_core_loads_no_framework_module():
    code = (
        "import sys, json, shared_core\n"
        "from shared_core import Router\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain', 'langchain_core', 'llama_index', 'langgraph', 'openai', 'matplotlib', 'sklearn')]\n"
        "print(json.dumps(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_deciding_with_the_default_router_loads_no_framework_module():
    code = (
        "import sys, json\n"
        "from shared_core import Router\n"
        "Router().decide('What is the capital of France?')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain', 'langchain_core', 'llama_index', 'langgraph', 'openai')]\n"
        "print(json.dumps(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
