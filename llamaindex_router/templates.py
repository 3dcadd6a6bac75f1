"""The user's question inside a LlamaIndex template, found by the template's variables.

LlamaIndex names the user's question in its templates ``query_str`` (QA, refine, summarise)
or ``question`` (a chat engine's condense step, text-to-SQL / Cypher, keyword extraction); the
rest (``context_str``, ``chat_history``, a schema ...) is material around it. Two ways in:

* ``predict`` & co. get the template's arguments: :func:`question_of` picks the question.
* A template rendered by the caller and sent to ``complete`` / ``chat`` (``condense_plus_context``
  formats its condense template itself) is matched against LlamaIndex's own templates that have
  a question variable, every variable read as a wildcard: :func:`rendered_question`.
"""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

QUESTION_VARS = ("query_str", "question")
"""Template variables that hold the user's question (the first one present is used)."""

_TEMPLATE_MODULES = (
    "llama_index.core.prompts.default_prompts",
    "llama_index.core.chat_engine.condense_question",
    "llama_index.core.chat_engine.condense_plus_context",
)
_MIN_LITERAL = 40  # a template with less fixed text than this would match too much
_HEAD = 30  # a rendered prompt must start with this much of the template's fixed text


def question_of(prompt_args: Mapping[str, Any]) -> str | None:
    """The question among a template's arguments, or ``None``."""
    for name in QUESTION_VARS:
        q = prompt_args.get(name)
        if isinstance(q, str) and q.strip():
            return q
    return None


def rendered_question(text: str) -> str | None:
    """The question of a prompt rendered from one of LlamaIndex's question templates."""
    body = text.strip()
    for head, pattern in _matchers():
        if body.startswith(head):
            m = pattern.fullmatch(body)
            if m is not None and m.group("q").strip():
                return m.group("q").strip()
    return None


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for template in _library_templates():
        compiled = _compile(template)
        if compiled is not None:
            out.append(compiled)
    return tuple(out)


def _library_templates() -> list[str]:
    """Module-level template strings (or prompt templates) of LlamaIndex with a question."""
    found: list[str] = []
    for modname in _TEMPLATE_MODULES:
        try:
            module = importlib.import_module(modname)
        except ImportError:  # moved in another llama-index version: that module is skipped
            continue
        for value in vars(module).values():
            tmpl = getattr(value, "template", value)
            if isinstance(tmpl, str) and tmpl not in found:
                found.append(tmpl)
    return found


def _compile(template: str) -> tuple[str, re.Pattern[str]] | None:
    """``(fixed head, regex)`` of a template with one question variable, else ``None``."""
    try:
        parts = list(string.Formatter().parse(template.strip()))
    except ValueError:  # not a format string
        return None
    fields = [f for _, f, _, _ in parts if f is not None]
    question = next((v for v in QUESTION_VARS if v in fields), None)
    literal = "".join(lit for lit, _, _, _ in parts)
    if question is None or len(literal.strip()) < _MIN_LITERAL:
        return None
    regex: list[str] = []
    captured = False
    for lit, name, _, _ in parts:
        regex.append(re.escape(lit))
        if name is None:
            continue
        if name == question and not captured:
            regex.append(r"(?P<q>.+?)")
            captured = True
        else:
            regex.append(r".*")  # greedy: the question after the last copy of the text after it
    head = parts[0][0][:_HEAD]
    if not head.strip():
        return None
    return head, re.compile("".join(regex), re.DOTALL)
