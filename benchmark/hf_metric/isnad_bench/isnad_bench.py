"""isnad-bench as a Hugging Face `evaluate` metric: the same scorer as `isnad score`."""

import hashlib
import json

import datasets
import evaluate
from pydantic import ValidationError

from benchmark.errors import IsnadError
from benchmark.gold import Gold
from benchmark.gold import load_gold
from benchmark.predictions import MAX_LINE_BYTES
from benchmark.safeio import loads_object
from benchmark.stats import HEADLINE
from benchmark.schema import LABELS
from benchmark.schema import QUOTE_TYPES
from benchmark.schema import Document
from benchmark.scoring import score

_DESCRIPTION = (
    "Scores Arabic quotation attribution (entities, quotes, cues, speakers) exactly as `isnad score` does. "
    "predictions[i] is the prediction for references[i]. Each prediction is one document in the isnad-bench "
    "prediction format (`isnad schema` prints it), as a dict or as a JSON string. Each reference is the id of "
    "a document of the bundled gold, or a gold document: a row of the gold's `documents` config, as `datasets` "
    "loads it (labels as class indices), or as a dict or JSON string (labels as names)."
)

_KWARGS = """
Args:
    predictions: list of prediction documents (dicts or JSON strings), one per reference.
    references: list of gold document ids, or of gold documents (dicts, `documents` rows or JSON strings).
    bootstrap: bootstrap resamples for the intervals (default 0: none).
    seed: bootstrap seed (default 12345).
Returns:
    a flat dict: "signature" and "<figure>.<precision|recall|f1>" for every headline figure,
    e.g. "quotes.overlap.f1", "attribution.end_to_end.f1", "entities.strict.f1"; with
    bootstrap, "<figure>.f1_ci" too.
Raises:
    ValueError, one line naming the item and the problem, for input the scorer cannot take;
    also for no documents at all: with no reference there is no gold for the signature to
    name, and every figure would be a 0/0 (0 by the scorer's rule), a score that measures nothing.
"""

# what each input may be, as its error messages list it
_FORMS = {"predictions": "a prediction document as a dict or a JSON string",
          "references": "a document id of the bundled gold (a string), or a gold document as a dict "
                        "(a `documents` row included) or a JSON string"}


def _as_strings(values, name):
    """The items as strings for evaluate's string features: a dict becomes its JSON."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, dict)):
        raise ValueError(f"{name} must be a list (one item per document), not a single {type(values).__name__}")
    return [_string(v, f"{name}[{i}]", name) for i, v in enumerate(values)]


def _string(value, where, name):
    """One item of ``name`` ("predictions" or "references") as a string: a dict as its JSON."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return value
    raise ValueError(f"{where} is {type(value).__name__}: give {_FORMS[name]}")


def _both(predictions, references):
    if (predictions is None) != (references is None):
        missing = "references" if references is None else "predictions"
        raise ValueError(f"{missing} missing: give one reference (a gold document id or a gold document) "
                         "per prediction")


def _pairs(predictions, references):
    """Both lists as strings, refused when one is missing or their lengths differ
    (predictions[i] is scored against references[i])."""
    _both(predictions, references)
    preds, refs = _as_strings(predictions, "predictions"), _as_strings(references, "references")
    if preds is not None and len(preds) != len(refs):
        raise ValueError(f"predictions and references differ in length ({len(preds)} and {len(refs)}): give one "
                         "reference per prediction (predictions[i] is the prediction for references[i])")
    return preds, refs


def _object(text, where):
    """One JSON object, read by the rules of every JSON line the benchmark reads (no key given
    twice, no NaN, at most one predictions line's size)."""
    if len(text) > MAX_LINE_BYTES:
        raise ValueError(f"{where}: {len(text)} characters, over the {MAX_LINE_BYTES} of one predictions line")
    try:
        return loads_object(text, where)
    except IsnadError as exc:
        raise ValueError(str(exc)) from None


def _names(row):
    """A `documents` row as `datasets` loads it has class indices for labels and types."""
    def name(value, names):
        return names[value] if isinstance(value, int) and 0 <= value < len(names) else value

    row = dict(row)
    for key, field, names in (("entities", "label", LABELS), ("clusters", "label", LABELS),
                              ("quotes", "type", QUOTE_TYPES)):
        if isinstance(row.get(key), list):
            row[key] = [{**x, field: name(x.get(field), names)} if isinstance(x, dict) else x for x in row[key]]
    return row


def _references_gold(references):
    """The gold document id of each reference, and the gold they make up: the bundled one when
    every reference is an id, else a custom gold of the documents given."""
    bundled = None
    docs = []
    for i, ref in enumerate(references):
        where = f"references[{i}]"
        if ref.lstrip().startswith("{"):
            row = _names(_object(ref, where))
            try:
                docs.append(Document.model_validate(row))
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(x) for x in err["loc"])
                raise ValueError(f"{where}: not a gold document: {field + ': ' if field else ''}{err['msg']}") from None
            continue
        bundled = bundled or load_gold()
        try:
            docs.append(bundled.document(ref))
        except KeyError:
            known = ", ".join(repr(d.id) for d in bundled.documents[:5])
            raise ValueError(f"{where}: {ref!r} is not a document id of the bundled gold (its documents: "
                             f"{known}{', ...' if len(bundled.documents) > 5 else ''})") from None
    unique = tuple({d.id: d for d in docs}.values())
    if all(not ref.lstrip().startswith("{") for ref in references):
        return [d.id for d in docs], Gold(unique, bundled.version, bundled.sha256, bundled.path)
    digest = hashlib.sha256("\n".join(d.model_dump_json() for d in unique).encode("utf-8")).hexdigest()
    return [d.id for d in docs], Gold(unique, "custom", digest, None)


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

    # evaluate's features are strings: dicts (as the description allows) are passed on as JSON
    def compute(self, *, predictions=None, references=None, **kwargs):
        """Score the predictions against the references (each in a form the description lists)."""
        preds, refs = _pairs(predictions, references)
        return super().compute(predictions=preds, references=refs, **kwargs)

    def add_batch(self, *, predictions=None, references=None, **kwargs):
        """Add predictions and their references (each in a form the description lists) to score later."""
        preds, refs = _pairs(predictions, references)
        return super().add_batch(predictions=preds, references=refs, **kwargs)

    def add(self, *, prediction=None, reference=None, **kwargs):
        """Add one prediction and its reference (each in a form the description lists) to score later."""
        _both(prediction, reference)
        one = {"prediction": prediction, "reference": reference}
        for key, value in one.items():
            if value is not None:
                one[key] = _string(value, key, key + "s")
        return super().add(prediction=one["prediction"], reference=one["reference"], **kwargs)

    def _compute(self, predictions, references, bootstrap=0, seed=12345):
        if not references:
            raise ValueError("nothing to score: no predictions and references were given (with no document "
                             "there is no gold to score against; give at least one prediction and its reference)")
        ids, gold = _references_gold(references)
        preds = [_object(p, f"predictions[{i}]") for i, p in enumerate(predictions)]
        for i, (p, doc_id) in enumerate(zip(preds, ids)):
            if p.get("document_id") != doc_id:
                raise ValueError(f"predictions[{i}]: document_id {p.get('document_id')!r} is not that of "
                                 f"references[{i}] ({doc_id!r}): predictions[i] is the prediction for references[i]")
        try:
            report = score(preds, gold, bootstrap=bootstrap, seed=seed)
        except IsnadError as exc:
            # the scorer numbers list items from 1, as the lines of a file
            where = f"predictions[{exc.line - 1}]: " if exc.line else ""
            raise ValueError(where + (f"{exc.field}: " if exc.field else "") + exc.message) from None
        out = {"signature": report.signature}
        for name in HEADLINE:
            fig = report.get(name)
            for k in ("precision", "recall", "f1"):
                out[f"{name}.{k}"] = fig[k]
            if "ci" in fig:
                out[f"{name}.f1_ci"] = fig["ci"]["f1"]
        return out
