"""The gold source and its compiler: anchors, invariants, one-line errors, atomic writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.anchors import Anchor, resolve
from benchmark.text import occurrences
from benchmark.errors import IsnadError
from benchmark.goldbuild import build, build_outputs, check

SOURCE = Path("gold/source/000_017b6ea0ad0b3e21.yaml")


def test_occurrences_count_overlapping_starts():
    assert occurrences("aaa", "aa") == [0, 1]


@pytest.mark.parametrize("anchor,expected", [
    (Anchor(text="b"), ValueError),  # three times, ambiguous
    (Anchor(text="c"), (5, 6)),
    (Anchor(text="b", occurrence=1), (3, 4)),
    (Anchor(text="b", context="cb"), (6, 7)),
    (Anchor(text="b", context="ab", occurrence=0), (1, 2)),
    (Anchor(text="b", context="ab", occurrence=1), ValueError),
    (Anchor(text="z"), ValueError),
    (Anchor(text="b", context="b b"), ValueError),  # text twice inside its context
])
def test_resolve(anchor, expected):
    text = "ab b cb"
    if expected is ValueError:
        with pytest.raises(ValueError):
            resolve(anchor, text)
    else:
        assert resolve(anchor, text) == expected


def _edit(scratch: Path, old: str, new: str) -> None:
    path = scratch / SOURCE
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(scratch: Path, needle: str) -> int:
    for n, line in enumerate((scratch / SOURCE).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_scratch_copy_builds_identically(scratch):
    assert check(scratch) == []
    assert build(scratch) == []


BAD = [
    # (old, new, field, message part)
    ("{text: رياض حجاب, cluster: riyad-hijab}", "{text: رياض حجابي, cluster: riyad-hijab}", "entities[", "not found"),
    ("{text: رياض حجاب, cluster: riyad-hijab}", "{text: رياض حجاب, cluster: riyad-hijabb}", ".cluster", "unknown cluster"),
    ("name_en: Riyad Hijab, label: PER,", "name_en: Riyad Hijab, label: PERSON,", ".label", "PER"),
    ("{text: رياض حجاب, cluster: riyad-hijab}",
     "{text: رياض حجاب, cluster: riyad-hijab}\n  - {text: حجاب, cluster: riyad-hijab, context: رياض حجاب}",
     "entities[", "overlaps"),
    ("{text: رياض حجاب, cluster: riyad-hijab}", "{text: رياض حجاب, cluster: riyad-hijab, colour: red}", "colour", "Extra"),
    ("{text: الكلاسة, cluster: al-kalasa}", "{text: لكلاسة, cluster: al-kalasa}", "entities[", "inside a word"),
    ("    speaker_kind: nominal", "    speaker_kind: named", "speaker_kind", "nominal"),
    ("    speaker: frank-walter-steinmeier\n    speaker_mention: null",
     "    speaker: nobody\n    speaker_mention: null", "speaker", "unknown cluster"),
]


@pytest.mark.parametrize("old,new,field,message", BAD)
def test_bad_source_gets_one_line_naming_file_line_field(scratch, old, new, field, message):
    _edit(scratch, old, new)
    before = {p: p.read_bytes() for p in (scratch / "gold").rglob("*") if p.is_file()}
    with pytest.raises(IsnadError) as err:
        build(scratch)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(str(scratch / SOURCE) + ":")
    assert field in text and message in text, text
    assert err.value.line is not None
    # nothing was written
    assert {p: p.read_bytes() for p in (scratch / "gold").rglob("*") if p.is_file()} == before


def test_error_line_points_at_the_item(scratch):
    _edit(scratch, "{text: بريتا حجي حسن, cluster: brita-hagi-hasan}", "{text: بريتا حسن, cluster: brita-hagi-hasan}")
    with pytest.raises(IsnadError) as err:
        build_outputs(scratch)
    assert err.value.line == _line_of(scratch, "بريتا حسن")


def test_yaml_tags_that_build_objects_are_refused(scratch):
    _edit(scratch, "annotator: adjudicated", "annotator: !!python/object/apply:os.system ['echo pwned']")
    with pytest.raises(IsnadError, match="invalid YAML"):
        build_outputs(scratch)


def test_check_names_a_stale_or_edited_data_file(scratch):
    path = scratch / "gold/data/entities.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"GPE"', '"LOC"', 1), encoding="utf-8")
    problems = check(scratch)
    assert any("gold/data/entities.jsonl" in p and "stale" in p for p in problems)


def test_check_catches_a_span_that_is_not_its_slice(scratch):
    path = scratch / "gold/data/documents.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"text": "رياض حجاب"', '"text": "رياض حجابX"', 1),
                    encoding="utf-8")
    problems = check(scratch)
    assert any("differs from its slice" in p for p in problems), problems


def test_cli_exit_codes(scratch):
    run = lambda *a: subprocess.run([sys.executable, "-m", "benchmark.cli", *a, "--root", str(scratch)],
                                    capture_output=True, text=True)
    ok = run("gold", "check")
    assert ok.returncode == 0, ok.stderr
    _edit(scratch, "{text: رياض حجاب, cluster: riyad-hijab}", "{text: رياض حجابي, cluster: riyad-hijab}")
    bad = run("gold", "build")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "not found" in bad.stderr


@pytest.mark.parametrize("text,start,end,problem", [
    ("وبباريس", 2, 7, None),                 # و + ب left out
    ("فلروسيا", 2, 7, None),                 # ف + ل
    ("وللمعارضة", 1, 9, None),               # a «لل» word whole, after its conjunction
    ("للبنان", 0, 6, None),
    ("وللمعارضة", 2, 9, "two lams"),         # between the lams of ل + ال
    ("للبنان", 1, 6, "two lams"),            # ل + لبنان looks the same: taken whole
    ("بريطانيا", 1, 8, None),                # a ب that is no proclitic cannot be told apart
    ("الكلاسة", 1, 7, "inside a word"),      # ا is no proclitic
    ("ببباريس", 2, 7, "inside a word"),      # two prepositions
    ("لوباريس", 2, 7, "inside a word"),      # a preposition before a conjunction
    ("باريس", 0, 4, "ends inside a word"),
    ("قال باريس", 3, 9, "space"),
])
def test_boundary_rule(text, start, end, problem):
    from benchmark.gold_source import boundary_problem

    found = boundary_problem(text, start, end)
    assert (found is None) if problem is None else (problem in found), found


def test_a_span_between_the_lams_of_lil_is_refused_naming_file_line_field(scratch):
    _edit(scratch, "  - {text: السورية, cluster: syrians, context: يجدد دعمه للمعارضة السورية}",
          "  - {text: لمعارضة السورية, cluster: syrians, context: يجدد دعمه للمعارضة السورية}")
    with pytest.raises(IsnadError) as err:
        build_outputs(scratch)
    assert err.value.file == str(scratch / SOURCE) and err.value.field == "entities[1]"
    assert err.value.line == _line_of(scratch, "text: لمعارضة السورية")
    assert "two lams" in str(err.value)


def test_the_whole_lil_word_is_accepted(scratch):
    _edit(scratch, "  - {text: السورية, cluster: syrians, context: يجدد دعمه للمعارضة السورية}",
          "  - {text: للمعارضة السورية, cluster: syrians, occurrence: 0}")
    docs = build_outputs(scratch)["gold/data/entities.jsonl"]
    assert '"text": "للمعارضة السورية"' in docs


def test_check_refuses_a_data_file_span_that_cuts_a_word(scratch):
    import json

    path = scratch / "gold/data/documents.jsonl"
    doc = json.loads(path.read_text(encoding="utf-8"))
    m = next(e for e in doc["entities"] if e["text"] == "الكلاسة")
    m["start"], m["text"] = m["start"] + 1, m["text"][1:]
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    assert any("cuts" in p or "inside a word" in p for p in check(scratch))


def test_the_guidelines_decide_an_article_written_for_them():
    # tests/fixtures/guidelines_article: a new text annotated by GUIDELINES.md 1.1 alone; it
    # compiles, and the cases the 1.0 rules left open are decided as the rules say
    from benchmark.goldbuild import compile_file

    here = Path(__file__).parent / "fixtures" / "guidelines_article"
    doc, _ = compile_file(here / "gold.yaml", here)
    ents = {m.text: m.label.value for m in doc.entities}
    assert ents["للمجلس العربي للمياه"] == "ORG"                      # «لل»: the whole word
    assert ents["دجلة"] == ents["الفرات"] == ents["الثرثار"] == "LOC"  # geographic heads left out
    assert ents["الخليجية"] == ents["الأوروبية"] == "NORP" and ents["الأممي"] == "ORG"
    cues = {q.cue.text: q for q in doc.quotes}
    assert {"الدعوة", "مشيرة", "تابع", "بحسب", "أضافت"} <= set(cues)
    assert cues["مشيرة"].type.value == "mixed" and cues["مشيرة"].text.endswith('"')
    assert cues["أضافت"].speaker == "salma-haddad"                    # not the ambassador met in between
    minister = next(q for q in doc.quotes if q.speaker_mention and q.speaker_mention.text == "وزير عربي")
    assert minister.speaker_kind.value == "nominal"
    assert cues["تابع"].speaker == minister.speaker == "unnamed-arab-minister"
    assert doc.cluster("unnamed-arab-minister").label.value == "PER"
