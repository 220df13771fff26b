"""isnad-bench as a Hugging Face `evaluate` metric: the same scorer as `isnad score`."""

import json

import datasets
import evaluate

from benchmark.gold import Gold
from benchmark.gold import load_gold
from benchmark.stats import HEADLINE
from benchmark.schema import Document
from benchmark.scoring import score

_DESCRIPTION = """Scores Arabic quotation attribution (entities, quotes, cues, speakers) exactly as
`isnad score` does. Each prediction is one line of the isnad-bench prediction format (a JSON
string or a dict as JSON); each reference is a gold document id of the bundled gold, or a gold
document (the `documents` config row as JSON, labels as names)."""

_KWARGS = """
Args:
    predictions: list of JSON strings, one prediction document each.
    references: list of strings: gold document ids, or gold documents as JSON.
    bootstrap: bootstrap resamples for the intervals (default 0: none).
    seed: bootstrap seed (default 12345).
Returns:
    a flat dict: "signature" and "<figure>.<precision|recall|f1>" for every headline figure,
    e.g. "quotes.overlap.f1", "attribution.end_to_end.f1", "entities.strict.f1".
"""


def _references_gold(references):
    if all(not r.lstrip().startswith("{") for r in references):
        bundled = load_gold()
        return Gold(tuple(bundled.document(r) for r in dict.fromkeys(references)), bundled.version,
                    bundled.sha256, bundled.path)
    docs = tuple(Document.model_validate_json(r) for r in dict.fromkeys(references))
    import hashlib

    digest = hashlib.sha256("\n".join(d.model_dump_json() for d in docs).encode("utf-8")).hexdigest()
    return Gold(docs, "custom", digest, None)


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS)
class IsnadBench(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="isnad-bench (2026)",
            inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Value("string")}),
        )

    def _compute(self, predictions, references, bootstrap=0, seed=12345):
        gold = _references_gold(references)
        report = score([json.loads(p) for p in predictions], gold, bootstrap=bootstrap, seed=seed)
        out = {"signature": report.signature}
        for name in HEADLINE:
            fig = report.get(name)
            for k in ("precision", "recall", "f1"):
                out[f"{name}.{k}"] = fig[k]
            if "ci" in fig:
                out[f"{name}.f1_ci"] = fig["ci"]["f1"]
        return out
