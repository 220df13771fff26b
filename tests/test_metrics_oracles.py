"""Our entity figures against the reference implementations (nervaluate, seqeval)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from benchmark.dataset import iob2, sentence_rows
from benchmark.metrics import iob2_chunks
from benchmark.schema import LABELS
from benchmark.scoring import score
from scoring_support import DOC, GOLD, gold_entities, random_spans

SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _prediction(spans):
    return [{"document_id": DOC.id, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in spans]}]


def _nervaluate(spans):
    """nervaluate on the same spans, INCLUSIVE ends (end - 1), both sides in start order."""
    true = [{"label": lab, "start": s, "end": e - 1} for s, e, lab in sorted(gold_entities())]
    pred = [{"label": lab, "start": s, "end": e - 1} for s, e, lab in sorted(spans)]
    return Evaluator([true], [pred], tags=list(LABELS), loader="dict").evaluate()


def _seqeval_tags(spans):
    """Gold tags from the dataset's own sentence rows; predictions projected with iob2 on the
    same tokens (a span belongs to the sentence its start falls in)."""
    y_true, y_pred = [], []
    for i, row in enumerate(sentence_rows(DOC)):
        toks = list(zip(row["token_starts"], row["token_ends"]))
        mine = [(s, e, lab) for s, e, lab in spans if DOC.sentence_index(s) == i]
        y_true.append(row["ner_tags"])
        y_pred.append(iob2(toks, mine))
    return y_true, y_pred


def _check_entities(spans):
    report = score(_prediction(spans), GOLD, bootstrap=0).to_dict()["entities"]
    ref = _nervaluate(spans)
    for ours, theirs in SCHEMES.items():
        r = ref["overall"][theirs]
        counts = report["counts"][ours]
        assert (counts["COR"], counts["INC"], counts["PAR"], counts["MIS"], counts["SPU"]) == \
               (r.correct, r.incorrect, r.partial, r.missed, r.spurious), ours
        assert report[ours]["precision"] == pytest.approx(r.precision)
        assert report[ours]["recall"] == pytest.approx(r.recall)
        assert report[ours]["f1"] == pytest.approx(r.f1)
        for tag, res in ref["entities"].items():
            mine = report["per_label"][tag][ours]
            assert (mine["precision"], mine["recall"], mine["f1"]) == \
                   pytest.approx((res[theirs].precision, res[theirs].recall, res[theirs].f1)), (ours, tag)
    y_true, y_pred = _seqeval_tags(spans)
    seq = report["seqeval"]
    assert seq["precision"] == pytest.approx(precision_score(y_true, y_pred, mode="strict", scheme=IOB2))
    assert seq["recall"] == pytest.approx(recall_score(y_true, y_pred, mode="strict", scheme=IOB2))
    assert seq["f1"] == pytest.approx(f1_score(y_true, y_pred, mode="strict", scheme=IOB2))


@SETTINGS
@given(random_spans(gold_entities()))
def test_entities_match_nervaluate_and_seqeval(spans):
    _check_entities(spans)


@settings(max_examples=100, deadline=None)
@given(random_spans(gold_entities(), spurious=0).map(lambda s: [x for x in s if x[1] - x[0] > 1]))
def test_oracles_without_spurious(spans):
    _check_entities(spans)


def test_oracles_on_hand_built_cases():
    g = sorted(gold_entities())
    s, e, lab = g[0]
    other = next(x for x in LABELS if x != lab)
    cases = [
        [],                                         # nothing
        g,                                          # perfect
        [(s, e, other)],                            # right span, wrong label
        [(s, e - 1, lab)],                          # shorter, right label
        [(s, e + 3, other), (s, e, lab)],           # overlapping competitor first
        [(s, e, lab), (s, e, lab)],                 # duplicate
        [(e - 1, e, lab)],                          # overlap on the last character only
    ]
    for spans in cases:
        _check_entities(spans)


TAGS = ["O", "B-PER", "I-PER", "B-GPE", "I-GPE"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TAGS), min_size=1, max_size=12), min_size=1, max_size=5),
       st.randoms(use_true_random=False))
def test_chunks_match_seqeval_strict_on_any_tags(y_true, rnd):
    y_pred = [[rnd.choice(TAGS) for _ in sent] for sent in y_true]
    gold = {(k, *c) for k, sent in enumerate(y_true) for c in iob2_chunks(sent)}
    pred = {(k, *c) for k, sent in enumerate(y_pred) for c in iob2_chunks(sent)}
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    assert p == pytest.approx(precision_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))
    assert r == pytest.approx(recall_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))
    assert f == pytest.approx(f1_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))


def test_shuffled_gold_is_still_perfect_for_nervaluate():
    spans = gold_entities()
    random.Random(3).shuffle(spans)
    _check_entities(spans)


SMALL_SPAN = st.tuples(st.integers(0, 25), st.integers(1, 6), st.sampled_from(["PER", "GPE"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL_SPAN, max_size=6, unique=True), st.lists(SMALL_SPAN, max_size=8))
@example([(0, 4, "PER"), (2, 6, "PER")], [(0, 6, "PER"), (1, 2, "PER")])  # a boundary-distance tie
def test_outcomes_match_nervaluate_on_dense_random_spans(true, pred):
    """Crowded, overlapping spans (ties, competitors, duplicates) straight against nervaluate."""
    from benchmark.metrics import nervaluate_outcomes

    true, pred = sorted(true), sorted(pred)
    ref = Evaluator([[{"label": l, "start": s, "end": e - 1} for s, e, l in true]],
                    [[{"label": l, "start": s, "end": e - 1} for s, e, l in pred]],
                    tags=["PER", "GPE"], loader="dict").evaluate()["overall"]
    for ours, theirs in SCHEMES.items():
        kinds = [k for k, _, _ in nervaluate_outcomes(ours, true, pred)]
        r = ref.get(theirs)
        expect = (r.correct, r.incorrect, r.partial, r.missed, r.spurious) if r else (0, 0, 0, 0, 0)
        assert tuple(kinds.count(k) for k in ("cor", "inc", "par", "mis", "spu")) == expect, ours
