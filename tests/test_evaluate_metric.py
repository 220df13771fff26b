"""The `evaluate` metric module loads offline from its folder and scores as `benchmark.score`."""

from __future__ import annotations

import json

import pytest

import benchmark
from benchmark import load_gold
from benchmark.predictions import predictions_from_gold

evaluate = pytest.importorskip("evaluate")


@pytest.fixture(scope="module")
def metric():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return evaluate.load(benchmark.EVALUATE_METRIC)


def _variants():
    gold = load_gold()
    perfect = predictions_from_gold(gold)
    partial = predictions_from_gold(gold, text_only=True, speaker="text")
    partial[0]["quotes"] = partial[0]["quotes"][::3]
    partial[0]["entities"] = [dict(e, label="ORG") for e in partial[0]["entities"][::2]]
    empty = [{"document_id": gold.documents[0].id, "entities": [], "quotes": []}]
    return {"perfect": perfect, "partial": partial, "empty": empty}


@pytest.mark.parametrize("name", ["perfect", "partial", "empty"])
def test_metric_equals_the_library_scorer(metric, name):
    preds = _variants()[name]
    gold = load_gold()
    out = metric.compute(predictions=[json.dumps(p, ensure_ascii=False) for p in preds],
                         references=[d.id for d in gold.documents])
    report = benchmark.score(preds, bootstrap=0)
    assert out["signature"] == report.signature
    for key in ("quotes.overlap", "attribution.end_to_end", "entities.strict", "entities.seqeval", "cues.exact"):
        fig = report.get(key)
        assert (out[f"{key}.precision"], out[f"{key}.recall"], out[f"{key}.f1"]) == \
            (fig["precision"], fig["recall"], fig["f1"])


def test_references_may_be_gold_documents(metric):
    gold = load_gold()
    preds = _variants()["partial"]
    by_id = metric.compute(predictions=[json.dumps(p, ensure_ascii=False) for p in preds],
                           references=[d.id for d in gold.documents])
    by_doc = metric.compute(predictions=[json.dumps(p, ensure_ascii=False) for p in preds],
                            references=[d.model_dump_json() for d in gold.documents])
    assert {k: v for k, v in by_id.items() if k != "signature"} == {k: v for k, v in by_doc.items() if k != "signature"}
    assert 0 < by_id["quotes.overlap.f1"] < 1
