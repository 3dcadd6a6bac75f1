"""Which run tags are the user's: frameworks add their own bookkeeping tags to every run.

LangChain tags each step of a chain (``seq:step:2``), each branch of a parallel map
(``map:key:context``) and of a ``RunnableBranch`` (``branch:1``, ``condition:1``); LangGraph
tags nodes with ``graph:step:3``, ``nostream`` and ``langsmith:hidden``; ``with_retry`` tags each
retry ``retry:attempt:2``. They say nothing
about the application and would fill the ledger's "by tag" breakdown, so requests drop
them and ledger summaries ignore them (also in ledgers written before they were dropped).
"""

from __future__ import annotations

from collections.abc import Iterable

_PREFIXES = (
    "seq:step:", "map:key:", "graph:step:", "langsmith:", "branch:", "condition:", "retry:attempt:",
)
_EXACT = frozenset({"nostream"})


def is_framework_tag(tag: str) -> bool:
    """A tag a framework adds on its own (``seq:step:1``, ``map:key:raw``, ``graph:step:2``...)."""
    return tag.startswith(_PREFIXES) or tag in _EXACT


def user_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """``tags`` without the framework's own, in order."""
    return tuple(t for t in tags if not is_framework_tag(t))
