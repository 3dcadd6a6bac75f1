"""How the ladder's features read the Devanagari full stops (``।``, ``॥``): as spaces, as they read
``.`` (``features.danda``), while a file trained before keeps the reading it was trained with.

Glued to the word before them, ``कीजिए।`` (closing a Hindi sentence) was a word of its own beside
``कीजिए``, and the two had been learnt from different rows (tier 1 and 3 against tier 4)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.ladder_model import EDGE_MIN, LadderModel

HI = "फ़र्मा का लघु प्रमेय सिद्ध कीजिए।"


def _pair() -> tuple[LadderModel, LadderModel]:
    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    old = LadderModel(shipped.W, shipped.b, {k: v for k, v in shipped.features.items() if k != "danda"})
    new = LadderModel(shipped.W, shipped.b, {**shipped.features, "danda": True})
    return old, new


def test_a_model_reads_the_danda_as_its_file_says() -> None:
    old, new = _pair()
    bare = HI.replace("।", " ")
    i, v = new.featurize(HI)
    j, w = new.featurize(bare)
    assert np.array_equal(i, j) and np.allclose(v, w)
    assert new.proba_list(HI) == new.proba_list(bare)
    i, v = old.featurize(HI)  # an older file: the full stop stays glued to its word
    j, w = old.featurize(bare)
    assert not (len(i) == len(j) and np.array_equal(i, j))
    assert new.plain("plain text. No change") == "plain text. No change"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["का", "सिद्ध", "कीजिए", "।", "॥", " ", "प्रमेय", "abc", "2"]), max_size=200),
)
def test_the_per_request_paths_agree_with_the_batch_features(parts: list[str]) -> None:
    """Short texts take the memoised word sums, long ones the halves of ``W``: both read as the
    training's batch features do."""
    _, new = _pair()
    text = "".join(parts)
    for t in (text, (text + " ") * (EDGE_MIN // max(1, len(text)) + 1)):
        i, v = new.featurize(t)
        z = v @ new.W[i] + new.b
        p = np.exp(z - z.max())
        assert np.allclose(new.proba_text(t), p / p.sum(), atol=1e-5), t
