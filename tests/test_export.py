"""`isnad gold export`: CoNLL columns and brat standoff carry the gold's layers exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import load_gold
from benchmark.export import COLUMNS, DOCSTART, export, export_files, layers, read_brat, read_conll, to_brat
from benchmark.goldbuild import compile_file

FIXTURE = Path(__file__).parent / "fixtures" / "second_article"


def _docs():
    second, _ = compile_file(FIXTURE / "gold.yaml", FIXTURE)
    third, _ = compile_file(FIXTURE.parent / "guidelines_article" / "gold.yaml", FIXTURE.parent / "guidelines_article")
    return [*load_gold().documents, second, third]


@pytest.mark.parametrize("fmt", ["conll", "brat"])
def test_round_trip_gives_the_gold_layers_exactly(fmt, tmp_path):
    docs = _docs()
    export(docs, fmt, tmp_path)
    for doc in docs:
        if fmt == "conll":
            back = read_conll((tmp_path / "gold.conll").read_text(encoding="utf-8"))[doc.id]
        else:
            text = (tmp_path / f"{doc.id}.txt").read_text(encoding="utf-8")
            assert text == doc.text
            back = read_brat(text, (tmp_path / f"{doc.id}.ann").read_text(encoding="utf-8"))
        assert back == layers(doc)
        assert back.entities and back.quotes


def test_conll_layout(tmp_path):
    doc = load_gold().documents[0]
    lines = export_files([doc], "conll")["gold.conll"].splitlines()
    assert sum(line.startswith(DOCSTART) for line in lines) == 1
    rows = [line.split("\t") for line in lines if line and not line.startswith(("#", DOCSTART))]
    assert all(len(r) == len(COLUMNS) for r in rows)
    # a blank line after each sentence
    assert lines.count("") == len(doc.sentences) + 1
    # each token is its slice; a span that starts after a proclitic cuts its token («ب» + «باريس»)
    assert all(doc.text[int(r[6]):int(r[7])] == r[0] for r in rows)
    tokens = [r[0] for r in rows]
    i = tokens.index("باريس", tokens.index("ب"))
    assert tokens[i - 1] == "ب" and rows[i][1] == "B-GPE" and rows[i - 1][1] == "O"
    # the NER and QUOTE columns are plain IOB2 over the gold's labels and types
    assert {r[1][2:] for r in rows if r[1] != "O"} <= {m.label.value for m in doc.entities}
    assert {r[2] for r in rows} <= {"O"} | {f"{p}-{t}" for p in "BI" for t in ("DIRECT", "INDIRECT", "MIXED")}


def test_brat_coref_equivalences_are_the_clusters():
    doc = load_gold().documents[0]
    ann = to_brat(doc)
    spans = {}
    for line in ann.splitlines():
        if line.startswith("T"):
            tid, head, _ = line.split("\t")
            spans[tid] = tuple(map(int, head.split(" ")[1:]))
    equivs = {frozenset(spans[t] for t in line.split("\t")[1].split(" ")[1:])
              for line in ann.splitlines() if line.startswith("*")}
    mentions = {}
    for m in doc.entities:
        mentions.setdefault(m.cluster, set()).add((m.start, m.end))
    for q in doc.quotes:
        if q.speaker_mention:
            mentions.setdefault(q.speaker, set()).add((q.speaker_mention.start, q.speaker_mention.end))
    assert equivs == {frozenset(v) for v in mentions.values() if len(v) > 1}


def _isnad(*args, cwd):
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_exports_both_formats(root, tmp_path):
    for fmt in ("conll", "brat"):
        r = _isnad("gold", "export", "--format", fmt, str(tmp_path / fmt), "--root", str(root), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "conll" / "gold.conll").is_file()
    assert {p.suffix for p in (tmp_path / "brat").iterdir()} == {".txt", ".ann", ".conf"}


@pytest.mark.parametrize("case", ["format", "file"])
def test_cli_bad_input_is_one_line_and_exit_2(root, tmp_path, case):
    target = tmp_path / "out"
    if case == "file":
        target.write_text("x", encoding="utf-8")
    fmt = "xml" if case == "format" else "conll"
    r = _isnad("gold", "export", "--format", fmt, str(target), "--root", str(root), cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (target.read_text(encoding="utf-8") == "x") if case == "file" else not target.exists()
