"""Text-only predictions as LLMs write them: no offsets, no occurrence numbers, any order,
repeated mentions listed, cues and speakers as plain strings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.scoring import score
from scoring_support import DOC, GOLD

PERFECT = ("entities.strict", "entities.seqeval", "quotes.exact_typed", "cues.exact", "attribution.end_to_end")


def gold_as_text(rnd) -> dict:
    """The gold as an LLM answering the project's prompt would write it, in a random order,
    each cue and speaker a plain string or ``{"text": ...}``."""
    def either(text):
        return rnd.choice([text, {"text": text}])

    entities = [{"text": m.text, "label": m.label.value} for m in DOC.entities]
    quotes = [{"text": q.text, "type": q.type.value, "cue": either(q.cue.text),
               "speaker": either(q.speaker_mention.text if q.speaker_mention else DOC.cluster(q.speaker).name)}
              for q in DOC.quotes]
    return {"document_id": DOC.id, "entities": rnd.sample(entities, len(entities)), "quotes": rnd.sample(quotes, len(quotes))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_the_gold_written_as_text_scores_perfectly(rnd):
    pred = gold_as_text(rnd)
    texts = [e["text"] for e in pred["entities"]]
    assert len(set(texts)) < len(texts)  # repeated mentions are listed, each once per mention
    d = score([pred], GOLD, bootstrap=0)
    for name in PERFECT:
        assert d.get(name)["f1"] == 1.0, name
    g = d["grounding"]
    assert (g["failed"], g["text_spans"]) == (0, len(DOC.entities) + 2 * len(DOC.quotes))


def test_two_listings_of_a_mention_are_two_hits():
    paris = [m for m in DOC.entities if m.text == "باريس"]
    assert len(paris) >= 2
    d = score([{"document_id": DOC.id, "entities": [{"text": "باريس", "label": "GPE"}] * len(paris)}], GOLD, bootstrap=0)
    assert d["entities"]["counts"]["strict"]["COR"] == len(paris) and d["entities"]["counts"]["strict"]["SPU"] == 0


def test_a_cue_as_text_is_the_one_by_its_quote():
    """A cue given as text lands at its occurrence nearest its quote, not at the article's first."""
    q = next(q for q in DOC.quotes if q.cue.text == "قال" and DOC.text.index("قال") != q.cue.start)
    d = score([{"document_id": DOC.id, "quotes": [{"text": q.text, "cue": "قال", "speaker": None}]}], GOLD, bootstrap=0)
    assert d["cues"]["counts"]["exact"]["matched"] == 1 and d["cues"]["linked"]["precision"] == 1.0
