"""A hard limit holds for text whose tokens are not four characters each (Chinese, Japanese ...).

A call reserves its most likely-maximal cost before its first attempt; the input part was
characters / 4, about right for English but a quarter of what a Chinese prompt costs (about
one token per character). Eight workers sending Chinese prompts at a $0.05 limit spent $0.08:
each in-flight call was held at a quarter of its input. The estimate now weighs a character by
its UTF-8 length (ASCII: 1/4 token as before; CJK: 1 token; Cyrillic, Greek: 5/8 token), so
the reservation covers the provider's count and the limit holds.

Real ``ChatOpenAI`` against the loopback server, which reports one token per character.
"""

from __future__ import annotations

import concurrent.futures as cf

import pytest
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import estimate_tokens
from shared_core.request import extract
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "请用三句话总结灯塔的历史。" * 40  # 520 characters, about 520 tokens
LIMIT = 0.05


def test_the_input_estimate_weighs_characters_by_their_utf8_length() -> None:
    assert estimate_tokens("a" * 40) == 10  # ASCII: characters / 4, as before
    assert estimate_tokens("灯" * 40) == 40  # 3 UTF-8 bytes: one token per character
    assert estimate_tokens("ж" * 40) == 25  # 2 bytes: 5/8 token
    assert estimate_tokens("🙂" * 8) == 11  # 4 bytes: 11/8 token, rounded up
    assert extract([{"role": "user", "content": PROMPT}]).input_tokens == 520 + 4
    assert extract([{"role": "user", "content": "hello " * 10}]).input_tokens == 60 // 4 + 4


def test_eight_workers_sending_chinese_never_pass_a_hard_limit(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(model="m", usage={"prompt_tokens": len(PROMPT)})
    config = RouterConfig.build(
        {
            "tiers": [{"name": "t", "model": "m", "max_tokens": 16,
                       "input_price": 10.0, "output_price": 10.0}],
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}]},
        }
    )
    inner = ChatOpenAI(model="m", base_url=openai_server.base_url, api_key="sk-test", max_retries=0)
    model = RoutedChatModel(
        tiers={"t": inner}, config=config, classifier=FakeClassifier(default="t"),
        ledger=InMemoryLedger(),
    )

    def one(_: int) -> int:
        try:
            model.invoke(PROMPT)
        except BudgetExceededError:
            return 0
        return 1

    with cf.ThreadPoolExecutor(8) as pool:
        answered = sum(pool.map(one, range(120)))

    ledger = model.router.ledger
    per_call = (len(PROMPT) + 16) * 10.0 / 1e6  # the answer is cut at max_tokens
    costs = [r.cost_usd for r in ledger.records() if r.status == "ok"]
    assert costs == [pytest.approx(per_call, rel=1e-12)] * answered
    assert ledger.spend("global", 0.0) <= LIMIT
    assert answered == int(LIMIT // per_call) == 9  # and every call that fitted was answered
