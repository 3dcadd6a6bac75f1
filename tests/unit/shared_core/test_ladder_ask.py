"""The ladder reads the ask: in a conversation the model sees the last user message only."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shared_core import Router
from shared_core.classifiers.embedded import EmbeddedClassifier
from shared_core.classifiers.ladder_model import LEVELS, LadderModel
from shared_core.features import FeatureExtractor
from shared_core.request import extract

DIM = 1 << 10

CONVERSATION = [
    {
        "role": "user",
        "content": "Prove the prime number theorem from the zeta function, every step.",
    },
    {
        "role": "assistant",
        "content": "Here is the proof, step by step: the theorem follows from ...",
    },
    {"role": "user", "content": "great, thanks a lot"},
]


def _model(*, reads_ask: bool = True, word: str = "theorem", level: int = 3) -> LadderModel:
    """A model whose only signal is ``word`` (both blocks), pushing to ``level``.

    Buckets ``word`` shares with the last message of :data:`CONVERSATION` (hash collisions,
    common character n-grams) carry no weight, so that message alone scores uniform.
    """
    fx = FeatureExtractor(DIM)
    W = np.zeros((2 * DIM, len(LEVELS)))
    idx = np.setdiff1d(fx.transform_one(word)[0], fx.transform_one(CONVERSATION[-1]["content"])[0])
    W[idx, level] = 5.0
    W[DIM + idx, level] = 5.0
    return LadderModel(W, np.zeros(len(LEVELS)), fx.config(), reads_ask=reads_ask)


def test_the_model_reads_the_last_user_message_not_the_context() -> None:
    req = extract(CONVERSATION)
    assert req.ask == "great, thanks a lot" and req.ask_start > 0
    m = _model()
    assert m.view(req.text, req.ask_start) == req.ask
    # the context's word moves nothing: only the ask is read
    assert m.proba_text(m.view(req.text, req.ask_start)) == pytest.approx(np.full(4, 0.25))
    X = m.batch([req.text], [req.ask_start])
    assert X.dot(m.W.astype(np.float64))[0] == pytest.approx(np.zeros(4))
    # a model reading the whole text is moved by it
    old = _model(reads_ask=False)
    assert old.view(req.text, req.ask_start) == req.text
    assert int(np.argmax(old.proba_text(old.view(req.text, req.ask_start)))) == 3


def test_files_without_reads_keep_reading_the_whole_text(tmp_path) -> None:
    path = _model().save(tmp_path / "ladder.json")
    meta = json.loads(path.read_text())
    assert meta["reads"] == "ask" and LadderModel.load(path).reads_ask is True
    del meta["reads"]  # as files written before
    path.write_text(json.dumps(meta))
    assert LadderModel.load(path).reads_ask is False


@pytest.mark.parametrize("ask", ["hi", "Prove that there are infinitely many primes (theorem)."])
def test_one_text_path_equals_the_batch_path(ask: str) -> None:
    req = extract(
        [
            {"role": "user", "content": "some earlier question about a theorem"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": ask},
        ]
    )
    m = _model()
    one = m.proba_text(m.view(req.text, req.ask_start))
    X = m.batch([req.text], [req.ask_start])
    z = X.dot(m.W.astype(np.float64))[0] + m.b
    assert one == pytest.approx(np.exp(z - z.max()) / np.exp(z - z.max()).sum())


HEAVY = [
    {
        "role": "user",
        "content": "Design a multi-region active-active payment ledger with exactly-once "
        "settlement, 40k TPS and a 99.999% SLO; include the consistency proofs.",
    },
    {"role": "assistant", "content": "Here is a design: partition accounts by ... " * 20},
]


def test_a_greeting_after_a_heavy_conversation_goes_to_the_cheapest_tier() -> None:
    msgs = [*HEAVY, {"role": "user", "content": "thank you!"}]
    clf = EmbeddedClassifier(list(LEVELS))
    c = clf.classify(extract(msgs))
    assert c.extra["levels"] == [1.0, 0.0, 0.0, 0.0]
    assert Router().decide(msgs).tier == "simple"


@pytest.mark.parametrize(
    "ask",
    [
        "Schreib eine kurze E-Mail an meinen Chef, dass ich morgen krank bin.",
        "Fix the grammar: 'me and him goes to the shop'",
        "東京の人口は何人ですか？",
        "Give me a synonym for 'happy'",
    ],
)
def test_heavy_earlier_turns_do_not_lift_a_light_ask(ask: str) -> None:
    """The shipped router places a light ask the same with or without heavy turns before it."""
    router = Router()
    alone = router.decide(ask)
    after = router.decide([*HEAVY, {"role": "user", "content": ask}])
    assert (after.tier, after.confidence) == (alone.tier, pytest.approx(alone.confidence))
    assert after.tier in ("simple", "medium")
