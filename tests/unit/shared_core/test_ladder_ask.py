"""The ladder reads the ask: its second feature block is the last user message, not the context."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shared_core import Router
from shared_core.classifiers.embedded import EmbeddedClassifier
from shared_core.classifiers.ladder_model import LEVELS, LadderModel, _edges, ladder_text
from shared_core.features import FeatureExtractor
from shared_core.request import extract

DIM = 1 << 10

CONVERSATION = [
    {"role": "user", "content": "Prove the prime number theorem from the zeta function, every step."},
    {"role": "assistant", "content": "Here is the proof, step by step: the theorem follows from ..."},
    {"role": "user", "content": "great, thanks a lot"},
]



def _model(*, ask_block: bool = True, word: str = "theorem", level: int = 3) -> LadderModel:
    """A model whose only signal is ``word`` in the second block, pushing to ``level``.

    Buckets ``word`` shares with the last message of :data:`CONVERSATION` (hash collisions,
    common character n-grams) carry no weight, so that message alone scores uniform.
    """
    fx = FeatureExtractor(DIM)
    W = np.zeros((2 * DIM, len(LEVELS)))
    idx = np.setdiff1d(fx.transform_one(word)[0], fx.transform_one(CONVERSATION[-1]["content"])[0])
    W[DIM + idx, level] = 5.0
    return LadderModel(W, np.zeros(len(LEVELS)), fx.config(), ask_block=ask_block)


def test_second_block_is_the_asks_edges_not_the_contexts() -> None:
    req = extract(CONVERSATION)
    assert req.ask == "great, thanks a lot" and req.ask_start > 0
    m = _model()
    idx, _ = m.featurize(req.text, req.ask_start)
    ask_idx, _ = m.fx.transform_one(ladder_text(_edges(req.ask)))
    assert sorted(idx[idx >= DIM] - DIM) == sorted(ask_idx)
    # the context's word moves nothing: only the first block sees it, and it has no weight there
    assert m.proba_text(req.text, req.ask_start) == pytest.approx(np.full(4, 0.25))
    # without the ask mark the whole text is the second block, and the context's word counts
    assert int(np.argmax(m.proba_text(req.text))) == 3


def test_version_1_files_keep_reading_the_whole_texts_edges(tmp_path) -> None:
    req = extract(CONVERSATION)
    old = _model(ask_block=False)
    assert int(np.argmax(old.proba_text(req.text, req.ask_start))) == 3
    path = old.save(tmp_path / "ladder.json")
    meta = json.loads(path.read_text())
    del meta["second_block"]  # as files written before the ask block
    path.write_text(json.dumps(meta))
    assert LadderModel.load(path).ask_block is False
    (tmp_path / "new").mkdir()
    new_path = _model().save(tmp_path / "new" / "ladder.json")
    assert json.loads(new_path.read_text())["second_block"] == "ask_edges"
    assert LadderModel.load(new_path).ask_block is True


@pytest.mark.parametrize("ask", ["hi", "Prove that there are infinitely many primes (theorem)."])
def test_one_text_path_equals_the_batch_path(ask: str) -> None:
    req = extract([{"role": "user", "content": "some earlier question"}, {"role": "assistant", "content": "ok"},
                   {"role": "user", "content": ask}])
    m = _model()
    one = m.proba_text(req.text, req.ask_start)
    X = m.batch([req.text], [req.ask_start])
    z = X.dot(m.W.astype(np.float64))[0] + m.b
    assert one == pytest.approx(np.exp(z - z.max()) / np.exp(z - z.max()).sum())


def test_a_greeting_after_a_heavy_conversation_goes_to_the_cheapest_tier() -> None:
    msgs = [
        {"role": "user", "content": "Design a multi-region active-active payment ledger with exactly-once "
                                    "settlement, 40k TPS and a 99.999% SLO; include the consistency proofs."},
        {"role": "assistant", "content": "Here is a design: partition accounts by ... " * 20},
        {"role": "user", "content": "thank you!"},
    ]
    clf = EmbeddedClassifier(list(LEVELS))
    c = clf.classify(extract(msgs))
    assert c.extra["levels"] == [1.0, 0.0, 0.0, 0.0]
    assert Router().decide(msgs).tier == "simple"
