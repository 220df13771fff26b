"""Reading and validating predictions: the model, the JSON Schema, one-line errors."""

from __future__ import annotations

import dataclasses
import json

import pytest

from benchmark.errors import IsnadError
from benchmark.predictions import SCHEMA_FILE, prediction_schema, predictions_from_gold, read_predictions
from benchmark.schema import PredictionDocument
from scoring_support import DOC, GOLD, write_jsonl

ID = DOC.id
N = len(DOC.text)
E = {"start": 0, "end": 5, "label": "GPE"}

BAD = [  # (lines, line, field, words in the message)
    (['{"document_id": "%s", ' % ID], 1, None, "bad JSON"),
    ([{"document_id": ID}, "not json"], 2, None, "bad JSON"),
    (["[1, 2]"], 1, None, "expected a JSON object"),
    ([{"document_id": "nope"}], 1, "document_id", "unknown document id"),
    ([{"document_id": ID}, {"document_id": ID}], 2, "document_id", "duplicate document"),
    ([{"document_id": ID, "entities": [E, {"start": 1, "end": N + 1, "label": "PER"}]}], 1, "entities[1].end",
     "out of range"),
    ([{"document_id": ID, "entities": [{"start": 9, "end": 9, "label": "PER"}]}], 1, "entities[0].end",
     "greater than start"),
    ([{"document_id": ID, "entities": [{"start": -1, "end": 3, "label": "PER"}]}], 1, "entities[0].start", ""),
    ([{"document_id": ID, "entities": [{"start": "1", "end": 3, "label": "PER"}]}], 1, "entities[0].start", ""),
    ([{"document_id": ID, "entities": [{"start": 0, "end": 3, "label": "PERSON"}]}], 1, "entities[0].label",
     "PERSON"),
    ([{"document_id": ID, "entities": [{"label": "PER"}]}], 1, "entities[0]", "start and end, or a text"),
    ([{"document_id": ID, "entities": [{"start": 0, "label": "PER"}]}], 1, "entities[0]", "both start and end"),
    ([{"document_id": ID, "entities": [{"start": 0, "end": 3, "label": "PER", "occurrence": 1}]}], 1,
     "entities[0]", "occurrence"),
    ([{"document_id": ID, "entities": [{**E, "score": 0.9}]}], 1, "entities[0].score", "unknown field"),
    ([{"document_id": ID, "entities": [{"start": 0, "end": 5, "text": "xxxxx", "label": "PER"}]}], 1,
     "entities[0].text", "differs"),
    ([{"document_id": ID, "quotes": [{"start": 0, "end": 5, "speaker": {"cluster": "nobody"}}]}], 1,
     "quotes[0].speaker.cluster", "unknown cluster id"),
    ([{"document_id": ID, "quotes": [{"start": 0, "end": 5, "speaker": {"cluster": "john-kerry", "text": "x"}}]}],
     1, "quotes[0].speaker", "one of"),
    ([{"document_id": ID, "quotes": [{"start": 0, "end": 5, "type": "reported"}]}], 1, "quotes[0].type", ""),
    ([{"document_id": ID, "quotes": [{"start": 0, "end": 5, "cue": {"start": 3, "end": N + 7}}]}], 1,
     "quotes[0].cue.end", "out of range"),
    ([{"entities": []}], 1, "document_id", ""),
]


@pytest.mark.parametrize("lines, line, field, words", BAD)
def test_bad_files_name_file_line_and_field(tmp_path, lines, line, field, words):
    path = write_jsonl(tmp_path / "p.jsonl", lines)
    with pytest.raises(IsnadError) as exc:
        read_predictions(path, GOLD)
    err = exc.value
    assert (err.file, err.line, err.field) == (str(path), line, field)
    assert words in err.message
    assert "\n" not in str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_blank_lines_are_skipped_and_line_numbers_kept(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n\n" + json.dumps({"document_id": "nope"}) + "\n", encoding="utf-8")
    with pytest.raises(IsnadError) as exc:
        read_predictions(path, GOLD)
    assert exc.value.line == 3


def test_missing_document_is_a_warning(tmp_path):
    other = DOC.model_copy(update={"id": "001_other"})
    gold = dataclasses.replace(GOLD, documents=(DOC, other))
    preds = read_predictions(write_jsonl(tmp_path / "p.jsonl", [{"document_id": ID}]), gold)
    assert set(preds.documents) == {ID}
    assert len(preds.warnings) == 1 and "001_other" in preds.warnings[0] and "absent" in preds.warnings[0]


@pytest.mark.parametrize("content", ["", "\n", "  \n\r\n\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "p.jsonl"
    path.write_bytes(content.encode())
    with pytest.raises(IsnadError, match="no predictions in the file") as exc:
        read_predictions(path, GOLD)
    assert exc.value.file == str(path) and exc.value.line is None


def test_inputs_path_dicts_and_models_agree(tmp_path):
    rows = predictions_from_gold(GOLD)
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    models = [PredictionDocument.model_validate(r) for r in rows]
    a, b, c = (read_predictions(x, GOLD).documents for x in (path, rows, models))
    assert a == b == c


def test_unreadable_file(tmp_path):
    with pytest.raises(IsnadError) as exc:
        read_predictions(tmp_path / "missing.jsonl", GOLD)
    assert exc.value.file.endswith("missing.jsonl")


def test_committed_schema_equals_generated():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == prediction_schema()


def test_schema_accepts_gold_and_rejects_bad_lines():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(prediction_schema())
    for rows in (predictions_from_gold(GOLD), predictions_from_gold(GOLD, text_only=True, speaker="text"),
                 predictions_from_gold(GOLD, speaker="span")):
        for row in rows:
            validator.validate(row)
    for bad in ({"entities": []}, {"document_id": ID, "entities": [{"label": "PER"}]},
                {"document_id": ID, "entities": [{"start": 0, "end": 3, "label": "XX"}]},
                {"document_id": ID, "extra": 1}, {"document_id": ID, "quotes": [{"start": 0, "end": 2, "speaker": {}}]}):
        assert not validator.is_valid(bad), bad
