"""Where the time of ``RoutedChatModel.invoke`` goes, beside a direct call of the same fake model.

    .venv/bin/python benchmarks/wrapper_parts.py [--n 6000] [--part langchain|ours]

The routed model uses a constant classifier (``langchain_overhead.py``'s), so what is left is
the wrapper: LangChain's own machinery around the outer run, the router's steps and the inner
model's ``_generate``. Each step is wrapped in a timer (``perf_counter_ns``) and the medians of
one run are printed, direct and routed calls alternating. The timers add ~0.1-0.2 µs each and
nest (a parent's time includes its children's and their timers), so read the rows as where
the time goes, not as exact costs; ``langchain_ratio.py`` gives the ratio itself.

``--part langchain`` times LangChain's levels for both calls (``invoke`` > ``generate`` >
``_generate_with_cache`` > the model's ``_generate``); ``--part ours`` the router's steps
inside its ``_generate`` (siblings, one level: ``_begin`` holds building the request,
``succeeded`` the ledger record).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import langchain_core.callbacks.manager as lc_manager
import langchain_core.language_models.chat_models as lc_chat
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_overhead import ConstantChat, ConstantClassifier

import langchain_router.calls as calls
import langchain_router.chat_model as chat_model
import shared_core.attempt_records as attempt_records
import shared_core.dispatch as dispatch
import shared_core.router as router
from langchain_router import RoutedChatModel
from shared_core import RouterConfig

_clock = time.perf_counter_ns
_times: dict[str, list[int]] = {}

LANGCHAIN = [
    (lc_chat.BaseChatModel, "invoke", "LangChain invoke (all)"),
    (lc_chat.BaseChatModel, "generate", "LangChain generate"),
    (lc_manager.CallbackManager, "configure", "LangChain CallbackManager.configure"),
    (lc_manager.CallbackManager, "on_chat_model_start", "LangChain on_chat_model_start"),
    (lc_chat.BaseChatModel, "_generate_with_cache", "LangChain _generate_with_cache"),
    (chat_model.RoutedChatModel, "_generate", "router _generate (ours + inner)"),
    (ConstantChat, "_generate", "the fake model's _generate"),
]
OURS = [
    (chat_model.RoutedChatModel, "invoke", "router invoke (all)"),
    (chat_model.RoutedChatModel, "_generate", "router _generate (all)"),
    (calls.CallSteps, "_begin", "_begin: messages, run metadata, request"),
    (router.Router, "request", "  of which Router.request (extract)"),
    (router.Router, "decide_request", "decide_request (constant classifier)"),
    (calls.CallSteps, "_planned", "the call plan"),
    (dispatch.CallPlan, "next_attempt", "next_attempt (hold, attempt)"),
    (calls.CallSteps, "_prepare", "_prepare: tier system prompt, budget copy"),
    (chat_model, "watch", "watch (the run manager the inner model gets)"),
    (chat_model, "inner_generate", "the inner model's _generate"),
    (calls.CallSteps, "_answered", "_answered: answer, usage"),
    (dispatch.CallPlan, "succeeded", "succeeded: checks, record, release"),
    (attempt_records.AttemptRecords, "_record", "  of which the ledger record"),
    (calls.CallSteps, "_finish", "_finish: router metadata on the answer"),
    (chat_model.RoutedChatModel, "_get_ls_params", "_get_ls_params (LangChain asks)"),
]


def _timed(owner: Any, name: str, label: str) -> None:
    """Wrap ``owner.name`` (a function, method or classmethod) in a timer under ``label``."""
    if isinstance(owner, type):
        owner = next(k for k in owner.__mro__ if name in k.__dict__)
        found = owner.__dict__[name]
    else:
        found = getattr(owner, name)
    is_cls = isinstance(found, classmethod)
    raw = found.__func__ if is_cls else found

    @functools.wraps(raw)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = _clock()
        try:
            return raw(*args, **kwargs)
        finally:
            who = type(args[0]).__name__ if args and not is_cls else ""
            key = f"{label} [{who}]" if label.startswith("LangChain") and who else label
            _times.setdefault(key, []).append(_clock() - t0)

    setattr(owner, name, classmethod(timed) if is_cls else timed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--part", choices=["langchain", "ours"], default="ours")
    args = ap.parse_args(argv)
    config = RouterConfig.build({
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 256, "system_prompt": "Be brief."},
            {"name": "strong", "model": "gpt-4o", "max_tokens": 1024, "system_prompt": "Be thorough."},
        ],
        "classifier": {"type": "embedded"},
    })
    cheap = ConstantChat(model_name="gpt-4o-mini")
    routed = RoutedChatModel(
        tiers={"cheap": cheap, "strong": ConstantChat(model_name="gpt-4o")}, config=config,
        classifier=ConstantClassifier().bind_labels(["cheap", "strong"]),
    )
    messages = [SystemMessage("You are a helpful assistant."), HumanMessage("What is the capital of France?")]
    direct_messages = [SystemMessage("Be brief.\n\nYou are a helpful assistant."), messages[1]]
    direct = cheap.model_copy(update={"max_tokens": 256})
    steps = LANGCHAIN if args.part == "langchain" else OURS
    for owner, name, label in steps:
        _timed(owner, name, label)
    for _ in range(2000):
        direct.invoke(direct_messages)
        routed.invoke(messages)
    _times.clear()
    d, r = [], []
    for _ in range(args.n):
        t0 = _clock()
        direct.invoke(direct_messages)
        t1 = _clock()
        routed.invoke(messages)
        d.append(t1 - t0)
        r.append(_clock() - t1)
    print(f"python {sys.version.split()[0]}, {args.n} pairs, timers on: direct {statistics.median(d) / 1e3:.1f} µs, "
          f"routed {statistics.median(r) / 1e3:.1f} µs")
    print("| step | calls a pair | median µs |")
    print("|---|---|---|")
    for _, _, label in steps:  # in the order listed, each model's LangChain rows together
        for key in sorted(k for k in _times if k == label or k.startswith(label + " [")):
            values = _times[key]
            print(f"| {key} | {len(values) / args.n:.0f} | {statistics.median(values) / 1e3:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
