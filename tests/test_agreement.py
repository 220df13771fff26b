"""Agreement figures: the coreference metrics on published worked examples and against their
plain definitions, label agreement over overlapping spans, and the gold's report."""

from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction as F

import pytest
from hypothesis import given, settings, strategies as st

from benchmark import load_gold
from benchmark.schema import Label
from benchmark.agreement import b_cubed, ceaf_e, cohen_kappa, compare, conll_f1, muc

# The reference scorer's worked examples (conll/reference-coreference-scorers,
# test/TestCases.README, the test suite of the reference implementation of Pradhan et al.
# 2014). Letters are mentions; TC-D/E come from the B-cubed paper (Bagga and Baldwin 1998),
# TC-F/L from the MUC paper's figures (Vilain et al. 1995).
KEY_A = ["a", "bc", "def"]
CASES = {
    # name: (key, response, {metric: (recall, precision)})
    "TC-A-1": (KEY_A, ["a", "bc", "def"], {"muc": (1, 1), "b3": (1, 1), "ceaf_e": (1, 1)}),
    "TC-A-2": (KEY_A, ["a", "de"], {"muc": (F(1, 3), 1), "b3": (F(7, 18), 1),
                                     "ceaf_e": (F(9, 5) / 3, F(9, 5) / 2)}),
    "TC-A-3": (KEY_A, ["a", "bcx", "defy", "z"], {"muc": (1, F(3, 5)), "b3": (1, F(55, 108)),
                                                   "ceaf_e": ((1 + F(4, 5) + F(6, 7)) / 3, (1 + F(4, 5) + F(6, 7)) / 4)}),
    "TC-A-4": (KEY_A, ["a", "bcx", "dy", "z"], {"muc": (F(1, 3), F(1, 3)), "b3": (F(5, 9), F(17, 42)),
                                                 "ceaf_e": (F(11, 5) / 3, F(11, 5) / 4)}),
    "TC-A-10": (KEY_A, ["a", "b", "c", "d", "e", "f"], {"muc": (0, 0), "b3": (F(1, 2), 1)}),
    "TC-A-11": (KEY_A, ["abcdef"], {"muc": (1, F(3, 5)), "b3": (1, F(7, 18))}),
    "TC-A-12": (KEY_A, ["a", "x", "y", "c", "d", "e", "z"], {"muc": (0, 0), "b3": (F(13, 36), F(4, 7))}),
    "TC-A-13": (KEY_A, ["axycdez"], {"muc": (F(1, 3), F(1, 6)), "b3": (F(17, 36), F(6, 49))}),
    "TC-D-1": (["12345", "67", "89ABC"], ["12345", "6789ABC"], {"muc": (1, F(9, 10)), "b3": (1, F(16, 21))}),
    "TC-E-1": (["12345", "67", "89ABC"], ["1234589ABC", "67"], {"muc": (1, F(9, 10)), "b3": (1, F(7, 12))}),
    "TC-F-1": (["ABCD"], ["AB", "CD"], {"muc": (F(2, 3), 1)}),
    "TC-G-1": (["AB", "CD"], ["ABCD"], {"muc": (1, F(2, 3))}),
    "TC-L-1": (["ABC", "DEFG"], ["AB", "CD", "FGH"], {"muc": (F(2, 5), F(2, 4))}),
    "TC-N-1": (["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "d", "e", "f"],
               {"muc": (0, 0), "b3": (1, 1), "ceaf_e": (1, 1)}),
}
METRICS = {"muc": muc, "b3": b_cubed, "ceaf_e": ceaf_e}


@pytest.mark.parametrize("name", CASES)
def test_published_worked_examples(name):
    key, response, expected = CASES[name]
    key, response = [set(c) for c in key], [set(c) for c in response]
    for metric, (recall, precision) in expected.items():
        got = METRICS[metric](key, response)
        assert got.recall == pytest.approx(float(recall), abs=1e-12), (metric, "recall")
        assert got.precision == pytest.approx(float(precision), abs=1e-12), (metric, "precision")


def test_conll_figure_is_the_mean_of_the_three_f1():
    key, response = [set("a"), set("bc"), set("def")], [set("a"), set("bcx"), set("dy"), set("z")]
    mean = (muc(key, response).f1 + b_cubed(key, response).f1 + ceaf_e(key, response).f1) / 3
    assert conll_f1(key, response) == pytest.approx(mean)
    # TC-A-4's F1s: MUC 1/3, B3 .4683, CEAF-e 4.4/7
    assert (muc(key, response).f1, round(b_cubed(key, response).f1, 4), ceaf_e(key, response).f1) == \
        pytest.approx((1 / 3, 0.4683, 4.4 / 7))


# --- against the plain definitions, on random partitions ------------------------------------

def _b3_by_mention(key, response):
    # Bagga and Baldwin's wording: per key mention, the share of its key cluster found in its
    # response cluster (0 when the response lacks it); averaged over the key's mentions
    where = {m: r for r in response for m in r}
    scores = [len(k & where[m]) / len(k) if m in where else 0.0 for k in key for m in k]
    return sum(scores) / len(scores) if scores else 0.0


def _ceaf_brute(key, response):
    # the best alignment by trying every injective map of the smaller side
    phi = lambda a, b: 2 * len(a & b) / (len(a) + len(b))
    small, large = (key, response) if len(key) <= len(response) else (response, key)
    best = max((sum(phi(s, large[j]) for s, j in zip(small, perm))
                for perm in itertools.permutations(range(len(large)), len(small))), default=0.0)
    return (best / len(key) if key else 0.0), (best / len(response) if response else 0.0)


def _partition(draw, universe):
    chosen = draw(st.lists(st.sampled_from(universe), unique=True, max_size=len(universe)))
    labels = draw(st.lists(st.integers(0, 3), min_size=len(chosen), max_size=len(chosen)))
    groups = {}
    for m, g in zip(chosen, labels):
        groups.setdefault(g, set()).add(m)
    return list(groups.values())


@st.composite
def _two_partitions(draw):
    universe = list("abcdefgh")
    return _partition(draw, universe), _partition(draw, universe)


@settings(max_examples=300, deadline=None)
@given(_two_partitions())
def test_b3_and_ceaf_agree_with_their_plain_definitions(parts):
    key, response = parts
    b = b_cubed(key, response)
    assert b.recall == pytest.approx(_b3_by_mention(key, response))
    assert b.precision == pytest.approx(_b3_by_mention(response, key))
    c = ceaf_e(key, response)
    assert (c.recall, c.precision) == pytest.approx(_ceaf_brute(key, response))


@settings(max_examples=200, deadline=None)
@given(_two_partitions())
def test_metrics_are_symmetric_and_bounded(parts):
    key, response = parts
    for metric in METRICS.values():
        ab, ba = metric(key, response), metric(response, key)
        assert (ab.recall, ab.precision) == pytest.approx((ba.precision, ba.recall))
        assert 0 <= ab.f1 <= 1


def test_cohen_kappa_textbook_example():
    # 50 items, yes/no: 20 both yes, 15 both no, 5 and 10 disagreements (p_o .7, p_e .5): kappa .4
    a = ["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10
    b = ["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4)


# --- on the gold ----------------------------------------------------------------------------

def _doc():
    return load_gold().document("000_017b6ea0ad0b3e21")


def _relabelled(doc, n):
    ents = [m.model_copy(update={"label": Label.LOC if m.label is not Label.LOC else Label.GPE}) if k < n else m
            for k, m in enumerate(doc.entities)]
    return doc.model_copy(update={"entities": ents})


def test_identical_annotations_agree_fully():
    ag = compare(_doc(), _doc())
    assert all(v == 1.0 for v in ag.figures.values()), ag.figures
    assert ag.disagreements == []


def test_label_figures_see_label_disagreements():
    doc = _doc()
    ag = compare(doc, _relabelled(doc, 10))
    n = len(doc.entities)
    assert ag.figures["entities.label_accuracy"] == pytest.approx((n - 10) / n, abs=1e-4)
    assert ag.figures["entities.label_kappa"] < ag.figures["entities.label_accuracy"] < 1
    assert sum(d.startswith("entity label") for d in ag.disagreements) == 10


def test_coreference_figures_see_a_merge():
    doc = _doc()
    merged = [m.model_copy(update={"cluster": "aleppo"}) if m.cluster == "syria" else m for m in doc.entities]
    ag = compare(doc, doc.model_copy(update={"entities": merged}))
    for k in ("muc", "b3", "ceaf_e", "conll"):
        assert ag.figures[f"coreference.{k}_f1"] < 1, k
    assert ag.figures["entities.label_accuracy"] == 1.0


def test_report_labels_gold_vs_pass_apart_from_inter_annotator(root):
    report = json.loads((root / "gold/agreement.json").read_text(encoding="utf-8"))
    kinds = {(p["a"], p["b"]): p["kind"] for p in report["pairs"]}
    assert kinds[("a", "b")] == "inter-annotator"
    assert kinds[("gold", "a")] == kinds[("gold", "b")] == "gold vs pass"
    inter = next(p for p in report["pairs"] if p["kind"] == "inter-annotator")
    # the passes' eight overlapping spans with different labels show (issue 15)
    assert inter["counts"]["entities.label_pairs"] == 95
    assert inter["figures"]["entities.label_accuracy"] == pytest.approx(87 / 95, abs=1e-4)
    card = (root / "gold/README.md").read_text(encoding="utf-8")
    assert "not inter-annotator agreement" in card


def test_adjudication_table_lists_every_difference_between_the_passes(root):
    report = json.loads((root / "gold/agreement.json").read_text(encoding="utf-8"))
    inter = next(p for p in report["pairs"] if p["kind"] == "inter-annotator")
    guidelines = (root / "gold/GUIDELINES.md").read_text(encoding="utf-8")
    table = guidelines[guidelines.index("## 5. Adjudication"):]
    assert inter["disagreements"]
    for d in inter["disagreements"]:
        quote_id = re.search(r"\bq\d\d\b", d)
        texts = re.findall(r"'([^']+)'", d)
        assert (quote_id and quote_id.group() in table) or any(f"«{t}»" in table for t in texts), d


def test_cli_names_what_each_comparison_is(root):
    from typer.testing import CliRunner

    from benchmark.cli import app

    out = CliRunner().invoke(app, ["gold", "agreement", "--root", str(root)])
    assert out.exit_code == 0, out.output
    assert "# a vs b (inter-annotator)" in out.output and "# gold vs a (gold vs pass)" in out.output
    assert "coreference.conll_f1" in out.output and "alias only in b" in out.output
