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


def test_the_production_path_never_imports_the_test_doubles():
    """The `fake` classifier type, a routed call with a budget and `simulate`'s faults
    load `shared_core.testing` nowhere (it used to come in with the fake type)."""
    code = (
        "import sys, json\n"
        "from shared_core import Router\n"
        "from shared_core.dispatch import execute, AttemptResult\n"
        "from shared_core.cli._calls import SimulatedModel\n"
        "r = Router({'tiers': [{'name': 'a', 'model': 'm', 'max_tokens': 5,\n"
        "                       'input_price': 1.0, 'output_price': 1.0}],\n"
        "            'classifier': {'type': 'fake'},\n"
        "            'budget': {'limits': [{'limit_usd': 1.0}]}})\n"
        "d = r.decide('hi')\n"
        "execute(r.plan(d, r.request('hi')), lambda a: AttemptResult('ok'))\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('shared_core.testing')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
