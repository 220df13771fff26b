"""The entity figures against the reference implementations: nervaluate's own test cases,
nervaluate on random one-to-one inputs, seqeval on the projected tags; and the properties that
make the schemes independent of the order of the predictions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from benchmark.dataset import iob2, sentence_rows
from benchmark.metrics import ENTITY_SCHEMES, entity_matching, entity_pairs
from benchmark.schema import LABELS
from benchmark.scoring import align, score
from scoring_support import DOC, GOLD, gold_entities, random_spans

NERVALUATE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
OUTCOMES = ("COR", "INC", "PAR", "MIS", "SPU")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CASES = json.loads((Path(__file__).parent / "data" / "nervaluate_1.2_strategy_cases.json").read_text(encoding="utf-8"))


def matching(scheme, true, pred):
    """Our matching of spans ``(start, end, label)`` (half-open)."""
    g, p = [(s, e) for s, e, _ in true], [(s, e) for s, e, _ in pred]
    gl, pl = [x[2] for x in true], [x[2] for x in pred]
    return entity_matching(scheme, g, gl, p, pl, entity_pairs(g, gl, p, pl))


def counts(m):
    return tuple(m.gold.count(k) for k in OUTCOMES[:4]) + (m.pred.count("SPU"),)


def nervaluate(true, pred, tags=LABELS):
    """nervaluate on the same spans (INCLUSIVE ends), one document."""
    def conv(spans):
        return [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in spans]]

    return Evaluator(conv(true), conv(pred), tags=list(tags), loader="dict").evaluate()


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['scheme']}-{len(c['true'])}-{len(c['pred'])}")
def test_nervaluates_own_cases(case):
    true = [(s, e + 1, lab) for lab, s, e in case["true"]]
    pred = [(s, e + 1, lab) for lab, s, e in case["pred"]]
    m = matching(case["scheme"], true, pred)
    for k in ("COR", "INC", "PAR", "SPU"):
        assert [j for j, o in enumerate(m.pred) if o == k] == case[k], k
    assert [i for i, o in enumerate(m.gold) if o == "MIS"] == case["MIS"]


def one_to_one(true, pred):
    """The predictions that overlap (as nervaluate counts it) no gold entity another kept
    prediction overlaps, and no two gold entities: a one-to-one input."""
    def touch(p, t):
        inter = min(p[1], t[1]) - max(p[0], t[0])
        return inter > 0 and 100 * inter >= t[1] - t[0]

    kept, used = [], set()
    for p in pred:
        hit = [i for i, t in enumerate(true) if touch(p, t)]
        if len(hit) <= 1 and not used & set(hit):
            kept.append(p)
            used |= set(hit)
    return kept


def _check_against_nervaluate(pred):
    report = score([{"document_id": DOC.id, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in pred]}],
                   GOLD, bootstrap=0).to_dict()["entities"]
    ref = nervaluate(gold_entities(), random.Random(len(pred)).sample(pred, len(pred)))
    for ours, theirs in NERVALUATE.items():
        r = ref["overall"][theirs]
        c = report["counts"][ours]
        assert tuple(c[k] for k in OUTCOMES) == (r.correct, r.incorrect, r.partial, r.missed, r.spurious), ours
        assert (report[ours]["precision"], report[ours]["recall"], report[ours]["f1"]) == \
               pytest.approx((r.precision, r.recall, r.f1)), ours
        for tag, res in ref["entities"].items():
            mine = report["per_label"][tag][ours]
            assert (mine["precision"], mine["recall"], mine["f1"]) == \
                   pytest.approx((res[theirs].precision, res[theirs].recall, res[theirs].f1)), (ours, tag)
    assert set(report["per_label"]) == set(ref["entities"])


@SETTINGS
@given(random_spans(gold_entities()).map(lambda p: one_to_one(gold_entities(), p)))
def test_equal_to_nervaluate_on_one_to_one_inputs(pred):
    _check_against_nervaluate(pred)


SMALL_SPAN = st.tuples(st.integers(0, 25), st.integers(1, 6), st.sampled_from(["PER", "GPE"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))
LONG_SPAN = st.tuples(st.integers(0, 400), st.integers(1, 260), st.sampled_from(["PER", "GPE"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL_SPAN | LONG_SPAN, max_size=6, unique=True), st.lists(SMALL_SPAN | LONG_SPAN, max_size=8),
       st.randoms(use_true_random=False))
def test_equal_to_nervaluate_on_any_one_to_one_spans(true, pred, rnd):
    """Dense spans, long ones included (nervaluate's 1% overlap), restricted to one-to-one."""
    true = sorted(set(true))
    pred = one_to_one(true, pred)
    ref = nervaluate(true, rnd.sample(pred, len(pred)), ["PER", "GPE"])["overall"]
    for ours, theirs in NERVALUATE.items():
        r = ref.get(theirs)
        assert counts(matching(ours, true, pred)) == ((r.correct, r.incorrect, r.partial, r.missed, r.spurious)
                                                      if r else (0, 0, 0, 0, 0)), ours


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL_SPAN, max_size=6, unique=True), st.lists(SMALL_SPAN, max_size=8), st.randoms(use_true_random=False))
@example([(0, 5, "PER")], [(0, 10, "PER"), (0, 5, "PER")], random.Random(0))  # the order nervaluate depends on
@example([(1, 2, "PER")], [(1, 2, "PER"), (1, 2, "GPE")], random.Random(0))  # exact: equal spans, the labels decide
@example([(1, 2, "GPE"), (1, 2, "PER")], [(1, 2, "PER"), (1, 2, "GPE")], random.Random(0))
def test_best_outcomes_first_never_depends_on_the_order(true, pred, rnd):
    """Crowded spans: shuffling the predictions moves no outcome (each prediction keeps its
    outcome and its gold partner), and no scheme counts fewer correct pairs than nervaluate
    does in any order (strict, exact and partial: as many as any one-to-one pairing can)."""
    shuffled = rnd.sample(pred, len(pred))

    def described(m, spans):  # each prediction with its outcome and gold partner (equal ones are interchangeable)
        return sorted((p, m.pred[j], -1 if m.pred_gold[j] is None else m.pred_gold[j]) for j, p in enumerate(spans))

    for scheme in ENTITY_SCHEMES:
        a, b = matching(scheme, true, pred), matching(scheme, true, shuffled)
        assert described(a, pred) == described(b, shuffled) and a.gold == b.gold, scheme
        theirs = nervaluate(true, shuffled, ["PER", "GPE"])["overall"].get(NERVALUATE[scheme])
        if scheme != "type" and theirs is not None:
            assert counts(a)[0] >= theirs.correct, scheme


def test_an_equal_prediction_is_never_used_up_by_an_earlier_overlapping_one():
    """The issue's example: gold PER [0, 5); predictions PER [0, 10) then PER [0, 5)."""
    m = matching("strict", [(0, 5, "PER")], [(0, 10, "PER"), (0, 5, "PER")])
    assert m.pred == ("SPU", "COR") and m.gold == ("COR",)
    theirs = nervaluate([(0, 5, "PER")], [(0, 10, "PER"), (0, 5, "PER")], ["PER"])["overall"]["strict"]
    assert (theirs.correct, theirs.incorrect, theirs.spurious) == (0, 1, 1)  # the flaw nervaluate has


def test_ties_go_by_gold_start_then_prediction_start():
    # one prediction, two gold entities it overlaps equally (Jaccard 1/3 each): the earlier gold wins
    m = matching("exact", [(0, 4, "PER"), (6, 10, "PER")], [(2, 8, "PER")])
    assert m.pred == ("INC",) and m.pred_gold == (0,) and m.gold == ("INC", "MIS")
    # within a tier, higher Jaccard first
    m = matching("partial", [(0, 10, "PER")], [(0, 3, "PER"), (0, 8, "PER")])
    assert m.pred == ("SPU", "PAR") and m.gold == ("PAR",)
    # type: the same label first, even at a lower Jaccard
    m = matching("type", [(0, 10, "PER")], [(0, 10, "GPE"), (0, 4, "PER")])
    assert m.pred == ("SPU", "COR")
    # exact: equal spans, both correct; the prediction of the gold label goes first, in either order
    assert matching("exact", [(1, 2, "PER")], [(1, 2, "PER"), (1, 2, "GPE")]).pred == ("COR", "SPU")
    assert matching("exact", [(1, 2, "PER")], [(1, 2, "GPE"), (1, 2, "PER")]).pred == ("SPU", "COR")
    # then by the labels: of two labels, neither the gold one, the first in order
    assert matching("exact", [(1, 2, "PER")], [(1, 2, "ORG"), (1, 2, "GPE")]).pred == ("SPU", "COR")


# --- seqeval on the projection ---------------------------------------------------------------


def _seqeval_tags(spans):
    """Gold tags from the dataset's own sentence rows; predictions projected with iob2 on the
    same tokens (a span belongs to the sentence its start falls in; ties of boundaries by label)."""
    y_true, y_pred = [], []
    for i, row in enumerate(sentence_rows(DOC)):
        toks = list(zip(row["token_starts"], row["token_ends"]))
        mine = sorted((s, e, lab) for s, e, lab in spans if DOC.sentence_index(s) == i)
        y_true.append(row["ner_tags"])
        y_pred.append(iob2(toks, mine))
    return y_true, y_pred


def _check_seqeval(spans):
    scoring = align([{"document_id": DOC.id, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in spans]}],
                    GOLD)
    seq = scoring.stats.entities.seqeval
    y_true, y_pred = _seqeval_tags(spans)
    p, r, f = seq.prf()
    assert p == pytest.approx(precision_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))
    assert r == pytest.approx(recall_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))
    assert f == pytest.approx(f1_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0))
    # every prediction that keeps a token is one predicted chunk: none vanishes
    kept = sum(1 for tags in y_pred for t in tags if t.startswith("B-"))
    assert seq.predicted == kept == sum(o != "hidden" for o in scoring.documents[0].entities.seqeval.pred)


@SETTINGS
@given(random_spans(gold_entities()))
def test_seqeval_on_the_projected_tags(spans):
    _check_seqeval(spans)


anywhere = st.integers(0, len(DOC.text) - 1).flatmap(
    lambda s: st.tuples(st.just(s), st.integers(s + 1, min(len(DOC.text), s + 40))))


@SETTINGS
@given(st.lists(st.tuples(anywhere, st.sampled_from(["PER", "GPE", "ORG"])).map(lambda t: (*t[0], t[1])), max_size=40))
def test_seqeval_on_crowded_spans_anywhere(spans):
    _check_seqeval(spans)


def test_seqeval_projection_by_hand():
    g = sorted(gold_entities())
    s, e, lab = g[0]
    cases = [[], g, [(s, e, lab), (s, e, lab)], [(s, e + 3, lab), (s + 1, e + 6, lab)], [(s, e, lab), (s, e, "ORG")]]
    for spans in cases:
        _check_seqeval(spans)
