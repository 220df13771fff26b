"""Properties of scoring on the real gold, hand-computed figures on a tiny synthetic gold,
and the bootstrap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.bootstrap import intervals, paired, resampled
from benchmark.gold import Gold
from benchmark.metrics import gold_index
from benchmark.predictions import predictions_from_gold
from benchmark.schema import Document, PredSpeaker
from benchmark.scoring import align, compare, score
from benchmark.stats import HEADLINE
from benchmark.text import occurrences
from scoring_support import DOC, GOLD, gold_entities, gold_quotes, random_spans

HEADLINE_FIGS = [h for h in HEADLINE]


def _figs(report):
    return {h: report.get(h) for h in HEADLINE_FIGS}


def _without_grounding(d):
    d = dict(d)
    d.pop("grounding")
    return d


# --- the real gold --------------------------------------------------------------------------


@pytest.mark.parametrize("speaker", ["cluster", "span", "text"])
def test_gold_against_itself_is_perfect(speaker):
    r = score(predictions_from_gold(GOLD, speaker=speaker), bootstrap=50)
    for h in HEADLINE:
        fig = r.get(h)
        assert (fig["precision"], fig["recall"], fig["f1"]) == (1.0, 1.0, 1.0), h
        assert fig["ci"] == {"precision": [1.0, 1.0], "recall": [1.0, 1.0], "f1": [1.0, 1.0]}, h
    d = r.to_dict()
    assert set(d["entities"]["per_label"]) == {m.label.value for m in DOC.entities}
    for lab, figs in d["entities"]["per_label"].items():
        assert all(f["f1"] == 1.0 for f in figs.values()), lab
    for t, figs in d["quotes"]["per_type"].items():
        assert all(figs[m]["f1"] == 1.0 for m in ("exact", "exact_typed", "overlap", "proportional")), t
    assert d["attribution"]["accuracy_on_matched"] == 1.0
    assert all(v["recall"] == 1.0 for v in d["attribution"]["per_speaker_kind"].values())
    assert d["entities"]["counts"]["strict"]["COR"] == len(DOC.entities)
    assert d["warnings"] == []


@pytest.mark.parametrize("preds", [[], [{"document_id": DOC.id}]])
def test_nothing_predicted_gives_zero_recall(preds):
    r = score(preds, bootstrap=20)
    for h in HEADLINE:
        assert r.get(h)["recall"] == 0.0 and r.get(h)["precision"] == 0.0 and r.get(h)["f1"] == 0.0, h
    assert r.get("attribution.accuracy_on_matched") == 0.0
    assert bool(r.warnings) == (preds == [])


def test_text_only_gold_scores_as_offsets():
    offsets = score(predictions_from_gold(GOLD), bootstrap=30).to_dict()
    texts = score(predictions_from_gold(GOLD, text_only=True), bootstrap=30).to_dict()
    assert _without_grounding(offsets) == _without_grounding(texts)
    assert texts["grounding"]["failed"] == 0
    assert texts["grounding"]["exact"] == len(DOC.entities) + 2 * len(DOC.quotes)


def _text_form(s, e, **extra):
    t = DOC.text[s:e]
    return {"text": t, "occurrence": occurrences(DOC.text, t).index(s), **extra}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spans(gold_entities()), random_spans(gold_quotes(), labels=("direct", "indirect", "mixed"), spurious=3),
       st.randoms(use_true_random=False))
def test_order_and_form_never_matter(ents, quotes, rnd):
    clusters = [c.id for c in DOC.clusters]
    qs = [{"start": s, "end": e, "type": t, "cue": {"start": max(0, s - 5), "end": max(1, s - 1)},
           "speaker": rnd.choice([None, {"cluster": rnd.choice(clusters)}])} for s, e, t in quotes]
    es = [{"start": s, "end": e, "label": lab} for s, e, lab in ents]
    base = score([{"document_id": DOC.id, "entities": es, "quotes": qs}], bootstrap=0).to_dict()
    shuffled = score([{"document_id": DOC.id, "entities": rnd.sample(es, len(es)), "quotes": rnd.sample(qs, len(qs))}],
                     bootstrap=0).to_dict()
    assert base == shuffled
    as_text = [{"document_id": DOC.id,
                "entities": [_text_form(x["start"], x["end"], label=x["label"]) for x in es],
                "quotes": [_text_form(q["start"], q["end"], type=q["type"], speaker=q["speaker"],
                                      cue=_text_form(q["cue"]["start"], q["cue"]["end"])) for q in qs]}]
    assert _without_grounding(score(as_text, bootstrap=0).to_dict()) == _without_grounding(base)


def _described(al):
    """Each prediction with its outcome and partner in every matching, the partner named by
    its content (equal predictions are interchangeable), and every gold element's outcomes."""
    ents, q, pred = al.entities, al.quotes, al.prediction
    ent = [(e.span[:2], e.label) for e in pred.entities]
    quo = [(x.span[:2], x.type, None if x.cue is None else x.cue[:2], c) for x, c in zip(pred.quotes, q.clusters)]
    cue = [(x.span[:2], None if x.cue is None else x.cue[:2]) for x in pred.quotes]  # what the cue matching reads
    matchings = [(m, ent) for m in (*ents.schemes.values(), *ents.within_label.values(), ents.seqeval)] + \
        [(m, quo) for m in (q.matching, q.cue, q.speaker)] + [(al.cues, cue)]
    per_pred = [sorted(zip(content, m.pred, m.pred_gold), key=repr) for m, content in matchings]
    per_gold = [(m.gold, tuple(None if j is None else content[j] for j in m.gold_pred)) for m, content in matchings]
    return per_pred, per_gold, sorted(zip(quo, q.pred_coverage), key=repr), q.gold_coverage


_CUES = [(q.cue.start, q.cue.end) for q in DOC.quotes]


@st.composite
def _crowded_quotes(draw):
    """Quotes around the gold ones, equal spans repeated with other types, cues and speakers."""
    spans = draw(random_spans(gold_quotes(), labels=("direct", "indirect", "mixed"), spurious=2))
    out = []
    for s, e, t in spans + [draw(st.sampled_from(spans))] * draw(st.integers(0, 3)) if spans else []:
        cue = draw(st.sampled_from([None, *_CUES[:3], (s, min(e, s + 3))]))
        out.append({"start": s, "end": e, "type": draw(st.sampled_from(["direct", "indirect", t])),
                    "cue": cue and {"start": cue[0], "end": cue[1]},
                    "speaker": draw(st.sampled_from([None, *({"cluster": c.id} for c in DOC.clusters[:3])]))})
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spans(gold_entities()), _crowded_quotes(), st.randoms(use_true_random=False))
def test_no_alignment_depends_on_the_order(ents, quotes, rnd):
    """Entities (every scheme and seqeval), quotes, cues, speakers and the proportional
    coverage: shuffling the predictions moves no outcome and no partner."""
    es = [{"start": s, "end": e, "label": lab} for s, e, lab in ents]
    es += es[:2]  # a mention listed twice
    one = align([{"document_id": DOC.id, "entities": es, "quotes": quotes}], GOLD).documents[0]
    two = align([{"document_id": DOC.id, "entities": rnd.sample(es, len(es)), "quotes": rnd.sample(quotes, len(quotes))}],
                GOLD).documents[0]
    assert _described(one) == _described(two)


def test_ungrounded_text_is_a_reported_false_positive():
    preds = predictions_from_gold(GOLD)
    preds[0]["entities"].append({"text": "نص غير موجود في المقال", "label": "PER"})
    preds[0]["quotes"].append({"text": "لا يوجد هذا الاقتباس", "speaker": None})
    d = score(preds, bootstrap=0).to_dict()
    assert d["grounding"]["failed"] == 2
    assert {ex["text"] for ex in d["grounding"]["examples"]} == {"نص غير موجود في المقال", "لا يوجد هذا الاقتباس"}
    n = len(DOC.entities)
    assert d["entities"]["counts"]["strict"]["SPU"] == 1
    assert d["entities"]["strict"]["precision"] == pytest.approx(n / (n + 1))
    assert d["entities"]["seqeval"]["precision"] == pytest.approx(n / (n + 1))
    q = len(DOC.quotes)
    assert d["quotes"]["overlap"]["precision"] == pytest.approx(q / (q + 1))
    assert d["quotes"]["overlap"]["recall"] == 1.0


def test_normalized_text_grounds_to_original_offsets():
    kerry = next(m for m in DOC.entities if m.text == "جون كيري")
    preds = [{"document_id": DOC.id, "entities": [{"text": "«جُون كيرى»", "label": "PER"}]}]
    d = score(preds, bootstrap=0).to_dict()
    assert d["grounding"]["normalized"] == 1 and d["grounding"]["failed"] == 0
    assert d["entities"]["counts"]["strict"]["COR"] == 1
    assert DOC.text[kerry.start:kerry.end] == "جون كيري"


# --- a tiny synthetic gold, figures computed by hand -------------------------------------------

TEXT = "Ali said: the sky is blue. Then Ali added that the sea is calm, and Omar bin Zaid agreed."


def _at(s, k=0):
    i = occurrences(TEXT, s)[k]
    return {"start": i, "end": i + len(s), "text": s}


def _tiny_gold(omar_annotated: bool = True) -> Gold:
    """Two sentences, two quotes of Ali; "Omar bin Zaid" is an annotated mention of Omar, or
    (``omar_annotated=False``) only an alias of his, with "Zaid" a mention of another cluster."""
    first_end = TEXT.index(".") + 1
    omar = [{**_at("Omar bin Zaid"), "id": "e3", "label": "PER", "cluster": "omar"}] if omar_annotated else \
        [{**_at("Zaid"), "id": "e3", "label": "NORP", "cluster": "zaids"}]
    doc = Document.model_validate({
        "id": "tiny", "title": "t", "text": TEXT, "language": "en", "source": "test",
        "sentences": [{"start": 0, "end": first_end}, {"start": first_end + 1, "end": len(TEXT)}],
        "entities": [{**_at("Ali"), "id": "e1", "label": "PER", "cluster": "ali"},
                     {**_at("Ali", 1), "id": "e2", "label": "PER", "cluster": "ali"}, *omar],
        "clusters": [{"id": "ali", "name": "Ali", "name_en": "Ali", "label": "PER", "aliases": ["Ali"]},
                     {"id": "omar", "name": "Omar bin Zaid", "name_en": "Omar", "label": "PER",
                      "aliases": ["Omar bin Zaid", "Omar"]},
                     {"id": "zaids", "name": "Zaid", "name_en": "Zaid", "label": "NORP", "aliases": []}],
        "quotes": [{**_at("the sky is blue"), "id": "q1", "type": "direct", "cue": _at("said"), "speaker": "ali",
                    "speaker_mention": _at("Ali"), "speaker_kind": "named"},
                   {**_at("the sea is calm"), "id": "q2", "type": "indirect", "cue": _at("added"), "speaker": "ali",
                    "speaker_mention": _at("Ali", 1), "speaker_kind": "named"}],
    })
    return Gold(documents=(doc,), version="t", sha256="0" * 64, path=Path("."))


def _span(s, k=0):
    a = _at(s, k)
    return {"start": a["start"], "end": a["end"]}


def test_quotes_cues_and_attribution_by_hand():
    gold = _tiny_gold()
    preds = [{"document_id": "tiny", "quotes": [
        {**_span("the sky is blue"), "type": "direct", "cue": _span("said"), "speaker": {"cluster": "ali"}},
        {"text": "sea is calm", "type": "direct", "cue": {"text": "added that"}, "speaker": {"text": "Ali"}},
        {**_span("Then"), "speaker": None},
    ]}]
    d = score(preds, gold, bootstrap=0).to_dict()
    assert d["quotes"]["exact"] == pytest.approx({"precision": 1 / 3, "recall": 1 / 2, "f1": 0.4})
    assert d["quotes"]["exact_typed"] == pytest.approx({"precision": 1 / 3, "recall": 1 / 2, "f1": 0.4})
    assert d["quotes"]["overlap"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8})
    p, r = 2 / 3, (1 + 11 / 15) / 2
    assert d["quotes"]["proportional"] == pytest.approx({"precision": p, "recall": r, "f1": 2 * p * r / (p + r)})
    # the second prediction is matched to an indirect quote but typed direct
    assert d["quotes"]["per_type"]["indirect"]["exact_typed"]["recall"] == 0.0
    assert d["quotes"]["per_type"]["indirect"]["overlap"]["recall"] == 1.0
    assert d["cues"]["exact"] == pytest.approx({"precision": 1 / 2, "recall": 1 / 2, "f1": 1 / 2})
    assert d["cues"]["overlap"] == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0})
    assert d["cues"]["linked"] == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0})
    assert d["attribution"]["end_to_end"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8})
    assert d["attribution"]["accuracy_on_matched"] == 1.0
    assert d["attribution"]["counts"]["unresolved"] == 1


@pytest.mark.parametrize("speaker, correct", [
    ({"start": 0, "end": 3}, True),                       # the mention "Ali"
    ({"start": 0, "end": 8}, True),                       # "Ali said" overlaps "Ali" most
    ({"start": 4, "end": 8}, False),                      # "said": no mention
    ({"text": "aLi"}, False),                             # no case folding
    ({"text": "the minister Omar bin Zaid"}, False),      # contains Omar's longest alias: omar
    ({"text": "Ali"}, True),
    ({"cluster": "omar"}, False),
    (None, False),
])
def test_speaker_resolution(speaker, correct):
    gold = _tiny_gold()
    preds = [{"document_id": "tiny", "quotes": [{**_span("the sky is blue"), "speaker": speaker}]}]
    d = score(preds, gold, bootstrap=0).to_dict()
    assert d["attribution"]["counts"]["correct"] == int(correct)


def test_speaker_text_containing_an_alias_resolves_to_its_cluster():
    idx = gold_index(_tiny_gold().documents[0])
    assert idx.resolve(PredSpeaker(text="the minister Omar bin Zaid")) == "omar"
    assert idx.resolve(PredSpeaker(text="Omar")) == "omar"
    assert idx.resolve(PredSpeaker(text="nobody")) is None


def test_a_speaker_span_resolves_through_alias_occurrences():
    """"Omar bin Zaid" is no annotated mention, only an alias: the span still resolves to Omar,
    not to the cluster of the mention "Zaid" inside it."""
    idx = gold_index(_tiny_gold(omar_annotated=False).documents[0])
    s = TEXT.index("Omar bin Zaid")
    assert idx.resolve(PredSpeaker(start=s, end=s + len("Omar bin Zaid"))) == "omar"
    z = TEXT.index("Zaid")
    assert idx.resolve(PredSpeaker(start=z, end=z + 4)) == "omar"  # overlaps "Zaid" as much: ties go to the longer
    assert idx.resolve(PredSpeaker(start=z - 1, end=z + 4)) == "omar"
    assert idx.resolve(PredSpeaker(start=z + 1, end=z + 9)) == "omar"
    other = gold_index(_tiny_gold().documents[0])  # "Omar bin Zaid" annotated: the same span, its cluster
    assert other.resolve(PredSpeaker(start=s, end=s + len("Omar bin Zaid"))) == "omar"


def test_cues_linked_needs_the_cue_of_the_matched_quote():
    """A cue pointing at another quote's cue counts for cues.exact but not for cues.linked."""
    gold = _tiny_gold()
    preds = [{"document_id": "tiny", "quotes": [{**_span("the sky is blue"), "cue": _span("added")},
                                                {**_span("the sea is calm")}]}]
    d = score(preds, gold, bootstrap=0).to_dict()
    assert d["cues"]["exact"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    assert d["cues"]["linked"] == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0})
    assert d["cues"]["counts"]["linked"] == {"matched": 0, "predicted": 1, "gold": 2}


# --- bootstrap ---------------------------------------------------------------------------------


def _half():
    p = predictions_from_gold(GOLD)
    p[0]["entities"] = p[0]["entities"][::2]
    p[0]["quotes"] = p[0]["quotes"][1::2]
    return p


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    a, b = score(_half(), seed=7, bootstrap=300), score(_half(), seed=7, bootstrap=300)
    assert a.to_dict() == b.to_dict()
    assert score(_half(), seed=8, bootstrap=300).to_dict() != a.to_dict()
    for h in HEADLINE:
        fig = a.get(h)
        for k in ("precision", "recall", "f1"):
            lo, hi = fig["ci"][k]
            assert 0.0 <= lo <= hi <= 1.0, (h, k)
    rec = a.get("entities.strict")
    assert rec["ci"]["recall"][0] < rec["recall"] < rec["ci"]["recall"][1]
    assert "boot:300|seed:7" in a.signature


def test_compare_same_system_and_different_systems():
    same = compare(_half(), _half(), bootstrap=200)
    for h, row in same["figures"].items():
        assert row["difference"]["f1"]["difference"] == 0.0
        assert row["difference"]["f1"]["ci"] == [0.0, 0.0]
        assert row["difference"]["f1"]["p_value"] == 1.0
    diff = compare(predictions_from_gold(GOLD), _half(), bootstrap=200)
    row = diff["figures"]["entities.strict"]
    assert row["a"]["f1"] == 1.0
    assert row["difference"]["f1"]["difference"] == pytest.approx(1.0 - row["b"]["f1"])
    assert row["difference"]["recall"]["ci"][0] > 0
    assert row["difference"]["recall"]["p_value"] < 0.05


def test_paired_uses_the_same_resamples_as_intervals():
    """The paired interval is the percentile interval of A − B resample by resample, on the
    very resamples each system's own intervals use (independent resamples would differ)."""
    import numpy as np

    other = predictions_from_gold(GOLD)
    other[0]["entities"] = other[0]["entities"][1::3]
    a, b = align(_half(), GOLD), align(other, GOLD)
    f = HEADLINE.index("entities.strict")
    sa, sb = resampled(a.items, 200, 3)[:, f, 1], resampled(b.items, 200, 3)[:, f, 1]
    assert list(np.percentile(sa, [2.5, 97.5])) == pytest.approx(intervals(a.items, 200, 3)["entities.strict"]["recall"])
    obs = lambda s: {h: s.stats.figure(h).prf() for h in HEADLINE}  # noqa: E731
    d = paired(a.items, b.items, obs(a), obs(b), 200, 3)["entities.strict"]["recall"]
    assert d["ci"] == pytest.approx(list(np.percentile(sa - sb, [2.5, 97.5])))
    assert d["ci"] != pytest.approx(list(np.percentile(sa - resampled(b.items, 200, 4)[:, f, 1], [2.5, 97.5])))


def test_package_exports_score_lazily():
    """``import benchmark`` loads none of the scoring modules nor numpy; the first use of
    ``benchmark.score`` does, and gives the scorer's own function."""
    heavy = ["benchmark.scoring", "benchmark.metrics", "benchmark.grounding", "benchmark.stats", "benchmark.report",
             "benchmark.bootstrap", "benchmark.dataset", "numpy", "datasets"]
    code = (f"import sys, benchmark\nheavy = {heavy!r}\n"
            "print([m for m in heavy if m in sys.modules])\n"
            "score = benchmark.score\n"
            "from benchmark.scoring import score as real\n"
            "print(score is real, 'benchmark.scoring' in sys.modules, benchmark.Report.__name__)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.splitlines() == ["[]", "True True Report"], r.stderr
