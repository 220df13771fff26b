"""`isnad score / validate / compare / schema`: output, exit codes, one-line errors, cold start."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from benchmark.predictions import predictions_from_gold, prediction_schema
from scoring_support import DOC, GOLD, write_jsonl

KEYS = ("entities.strict", "entities.exact", "entities.partial", "entities.type", "entities.seqeval",
        "quotes.exact", "quotes.exact_typed", "quotes.overlap", "quotes.proportional", "attribution.end_to_end")


def isnad(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def perfect(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("p") / "perfect.jsonl", predictions_from_gold(GOLD))


@pytest.fixture(scope="module")
def half(tmp_path_factory):
    p = predictions_from_gold(GOLD)
    p[0]["entities"] = p[0]["entities"][::2]
    p[0]["quotes"] = p[0]["quotes"][::2]
    return write_jsonl(tmp_path_factory.mktemp("h") / "half.jsonl", p)


def _get(d, path):
    for part in path.split("."):
        d = d[part]
    return d


def test_score_json(perfect):
    r = isnad("score", str(perfect), "--json", "--bootstrap", "100", "--seed", "3")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"signature", "entities", "quotes", "cues", "attribution", "grounding"} <= set(d)
    for k in KEYS:
        fig = _get(d, k)
        assert set(fig) == {"precision", "recall", "f1", "ci"}, k
        assert fig["f1"] == 1.0
        assert set(fig["ci"]) == {"precision", "recall", "f1"}
    assert re.fullmatch(r"isnad:[^|]+\|gold:" + re.escape(GOLD.version) + r"\+[0-9a-f]{8}\|match:best-first-jaccard\|norm:ar-v1"
                        r"\|boot:100\|seed:3", d["signature"])
    assert GOLD.sha256[:8] in d["signature"]


def test_score_without_bootstrap_has_no_ci(half):
    r = isnad("score", str(half), "--json", "--bootstrap", "0")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert "ci" not in d["entities"]["strict"]
    assert d["signature"].endswith("boot:0")
    assert d["entities"]["strict"]["recall"] == pytest.approx(((len(DOC.entities) + 1) // 2) / len(DOC.entities))


def test_score_tables(half):
    r = isnad("score", str(half), "--bootstrap", "50")
    assert r.returncode == 0, r.stderr
    for word in ("Entities", "Quotes", "Attribution", "strict", "seqeval", "end_to_end", "isnad:"):
        assert word in r.stdout


def test_missing_document_warns_on_stderr(tmp_path):
    gold = tmp_path / "gold"
    (gold / "data").mkdir(parents=True)
    other = DOC.model_copy(update={"id": "001_other"})
    write_jsonl(gold / "data/documents.jsonl", [DOC.model_dump_json(), other.model_dump_json()])
    r = isnad("score", str(write_jsonl(tmp_path / "e.jsonl", [{"document_id": "001_other"}])), "--json",
              "--bootstrap", "0", "--gold", str(gold))
    assert r.returncode == 0, r.stderr
    assert "warning:" in r.stderr and DOC.id in r.stderr and "absent" in r.stderr
    assert json.loads(r.stdout)["entities"]["strict"]["recall"] == 0.0


@pytest.mark.parametrize("command", ["score", "validate"])
@pytest.mark.parametrize("lines, where", [
    (["{oops"], ":1: bad JSON"),
    ([{"document_id": DOC.id}, {"document_id": "x"}], ":2: document_id: unknown document id"),
    ([{"document_id": DOC.id, "entities": [{"start": 4, "end": 2, "label": "PER"}]}], ":1: entities[0].end: "),
    ([{"document_id": DOC.id, "entities": [{"start": 2, "end": 4, "label": "XYZ"}]}], ":1: entities[0].label: "),
    ([{"document_id": DOC.id, "quotes": [{"start": 2, "end": 4, "speaker": {"cluster": "zz"}}]}],
     ":1: quotes[0].speaker.cluster: unknown cluster"),
])
def test_bad_files_exit_2_with_one_line(tmp_path, command, lines, where):
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    r = isnad(command, str(path))
    assert r.returncode == 2
    assert r.stdout == ""
    err = r.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"error: {path}{where}")


def test_missing_file_exits_2(tmp_path):
    r = isnad("score", str(tmp_path / "nope.jsonl"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_validate_ok(perfect):
    r = isnad("validate", str(perfect))
    assert r.returncode == 0 and "valid" in r.stdout


def test_schema_command_prints_the_schema():
    r = isnad("schema")
    assert r.returncode == 0
    assert json.loads(r.stdout) == prediction_schema()


def test_compare(perfect, half):
    r = isnad("compare", str(perfect), str(half), "--json", "--bootstrap", "200")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    row = d["figures"]["entities.strict"]
    assert row["a"]["f1"] == 1.0 and row["difference"]["f1"]["difference"] > 0
    assert set(row["difference"]["f1"]) == {"difference", "ci", "p_value"}
    r = isnad("compare", str(perfect), str(half), "--bootstrap", "100")
    assert r.returncode == 0 and "entities.strict" in r.stdout


@pytest.mark.parametrize("bootstrap", ["0", "1000"])
def test_cold_score_imports_no_heavy_library(perfect, bootstrap):
    """Scoring the article loads neither datasets nor scikit-learn; numpy only for the
    bootstrap (tests/perf/bench.py measures the time)."""
    code = ("import sys; from benchmark.cli import app\n"
            "try:\n    app([" + repr("score") + ", " + repr(str(perfect)) + ", '--json', '--bootstrap', "
            + repr(bootstrap) + "])\n"
            "except SystemExit:\n    pass\n"
            "heavy = [m for m in ('datasets', 'seqeval', 'sklearn', 'pandas', 'evaluate', 'pyarrow', 'numpy')"
            " if m in sys.modules and (m != 'numpy' or " + repr(bootstrap) + " == '0')]\n"
            "print(repr(heavy), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "[]", r.stderr


def test_validate_reports_text_spans_not_in_the_document(tmp_path, perfect):
    rows = [{"document_id": DOC.id, "entities": [{"text": "نص غير موجود", "label": "PER"}, {"text": "باريس", "label": "GPE"}],
             "quotes": [{"text": "لا يوجد هذا الكلام", "cue": "قال", "speaker": "جون كيري"}]}]
    path = write_jsonl(tmp_path / "text.jsonl", rows)
    r = isnad("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert "2 text spans not found in their document" in r.stdout
    assert "entities[0]: 'نص غير موجود'" in r.stdout and "quotes[0]: 'لا يوجد هذا الكلام'" in r.stdout
    assert isnad("validate", str(path), "--strict").returncode == 1
    r = isnad("validate", str(perfect), "--strict")
    assert r.returncode == 0 and "0 text spans not found" in r.stdout
