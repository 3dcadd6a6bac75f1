"""The per-call hints of templated and structured calls (``context.hint`` / ``hinted``)."""

from __future__ import annotations

import asyncio

from llamaindex_router import context


class Out:
    pass


def test_hinted_holds_the_hint_only_while_a_step_runs() -> None:
    seen: list[object] = []

    def lazy():
        for i in range(2):
            seen.append((context.current().output_cls, context.current().question))
            yield i

    gen = context.hinted(lazy(), {"question": "q?"}, Out)
    assert next(gen) == 0
    assert context.current().output_cls is None  # not leaked to the caller between steps
    assert list(gen) == [1]
    assert seen == [(Out, "q?"), (Out, "q?")]


def test_ahinted_holds_the_hint_only_while_a_step_runs() -> None:
    seen: list[object] = []

    async def lazy():
        for i in range(2):
            seen.append(context.current().output_cls)
            yield i

    async def run() -> list[int]:
        out = []
        async for i in context.ahinted(lazy(), {}, Out):
            assert context.current().output_cls is None
            out.append(i)
        return out

    assert asyncio.run(run()) == [0, 1]
    assert seen == [Out, Out]


def test_a_plain_hint_inside_a_structured_one_clears_the_output_class() -> None:
    with context.hint({}, output_cls=Out):
        assert context.current().structured_output
        with context.hint({"query_str": "q"}):
            assert context.current().output_cls is None
            assert not context.current().structured_output
        with context.hint({}):
            assert context.current().output_cls is None
        assert context.current().output_cls is Out
