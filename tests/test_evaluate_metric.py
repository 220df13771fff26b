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


def test_predictions_and_references_may_be_dicts(metric, tmp_path):
    """As the description says: a prediction as a dict or JSON; a reference as an id, a gold
    document as JSON or dict, or a row of the `documents` config as `datasets` loads it."""
    from datasets import load_dataset

    from benchmark.hf_metric.isnad_bench.isnad_bench import _DESCRIPTION

    assert "dict" in _DESCRIPTION and "\n" not in _DESCRIPTION
    gold = load_gold()
    preds = _variants()["partial"]
    ids = [d.id for d in gold.documents]
    as_json = metric.compute(predictions=[json.dumps(p, ensure_ascii=False) for p in preds], references=ids)
    assert metric.compute(predictions=preds, references=ids) == as_json
    rows = list(load_dataset(str(gold.path), "documents", split="test", cache_dir=str(tmp_path / "cache")))
    assert isinstance(rows[0]["entities"][0]["label"], int)  # class indices, as datasets loads them
    for refs in (rows, [json.loads(d.model_dump_json()) for d in gold.documents]):
        out = metric.compute(predictions=preds, references=refs)
        assert {k: v for k, v in out.items() if k != "signature"} == \
            {k: v for k, v in as_json.items() if k != "signature"}
    metric.add_batch(predictions=preds, references=ids)
    assert metric.compute() == as_json


def _bad_inputs():
    gold = load_gold()
    doc = gold.documents[0]
    pred = _variants()["partial"][0]
    return {
        "unknown id": ([pred], ["no-such-doc"], "references[0]: 'no-such-doc' is not a document id of the bundled gold"),
        "no references": ([pred], None, "references missing"),
        "no predictions": (None, [doc.id], "predictions missing"),
        "not JSON": (["{oops"], [doc.id], "predictions[0]: bad JSON: Expecting property name"),
        "a key twice": (['{"document_id": "x", "document_id": "%s"}' % doc.id], [doc.id],
                        'predictions[0]: bad JSON: duplicate key "document_id" in an object'),
        "NaN": (['{"document_id": "%s", "entities": [{"start": NaN}]}' % doc.id], [doc.id],
                "predictions[0]: bad JSON: NaN is not JSON"),
        "a number": ([3], [doc.id], "predictions[0] is int: give a prediction document as a dict or a JSON string"),
        "a number for a reference": ([pred], [3], "references[0] is int: give a document id of the bundled gold "
                                     "(a string), or a gold document as a dict (a `documents` row included) or a "
                                     "JSON string"),
        "nothing": ([], [], "nothing to score: no predictions and references were given"),
        "lengths differ": ([pred], [doc.id, doc.id], "predictions and references differ in length (1 and 2)"),
        "no prediction for a reference": ([], [doc.id], "predictions and references differ in length (0 and 1)"),
        "a JSON list": (["[1, 2]"], [doc.id], "predictions[0]: expected a JSON object, got list"),
        "a single dict": (pred, [doc.id], "predictions must be a list"),
        "bad field": ([dict(pred, entities=[{"start": 5, "end": 9}])], [doc.id],
                      "predictions[0]: entities[0].label: Field required"),
        "other document": ([dict(pred, document_id="x")], [doc.id],
                           "predictions[0]: document_id 'x' is not that of references[0]"),
        "bad gold document": ([pred], [{"id": doc.id, "text": "x"}], "references[0]: not a gold document: title"),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_gets_one_clear_message(metric, case):
    predictions, references, message = _bad_inputs()[case]
    with pytest.raises(ValueError) as err:
        metric.compute(predictions=predictions, references=references)
    text = str(err.value)
    assert text.startswith(message) and "\n" not in text, text
    assert err.value.__cause__ is None and (err.value.__context__ is None or err.value.__suppress_context__)


def test_one_at_a_time_and_nothing_added_get_the_same_messages(metric):
    doc = load_gold().documents[0]
    with pytest.raises(ValueError, match=r"^prediction is int: give a prediction document as a dict or a JSON string$"):
        metric.add(prediction=3, reference=doc.id)
    with pytest.raises(ValueError, match=r"^reference is list: give a document id of the bundled gold"):
        metric.add(prediction=_variants()["empty"][0], reference=[doc.id])
    metric.add_batch(predictions=[], references=[])
    with pytest.raises(ValueError, match="^nothing to score"):
        metric.compute()
