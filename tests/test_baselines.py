"""The baselines: interface, registry, validity of their output, rule behaviour on made-up
text, cross-validation hygiene of the supervised baseline, and the lexicon honesty check."""

from __future__ import annotations

import json

import pytest

from baselines import check_prediction, get_baseline, list_baselines, load_extractor
from baselines.base import Extractor
from baselines.lexicon import GENERAL_RESOURCE_FILES, lexicon_files, read_lines
from benchmark.errors import IsnadError
from benchmark.gold import bundled_gold_dir, load_gold

NAMES = [n for n, _ in list_baselines()]

# Made-up sentences: invented people, no names taken from the gold article.
MADE_UP = [
    "وقال وزير الخارجية الكيني جون موانغي، في بيان، إن بلاده ستدعم الاتفاق. وأضاف أن الحكومة ستعمل مع شركائها.",
    "قالت الوزيرة البرازيلية ماريا سانتوس أمس: «سنواصل العمل مع شركائنا في أمريكا اللاتينية».",
    "ودعا الرئيس التشيلي كارلوس مينديز الدول الأوروبية إلى رفع القيود، مؤكدا أن «الحوار هو الحل».",
    "وشاهد الجمهور فيلم «الطريق الطويل» في القاهرة.",
    "",
    "نص قصير بلا علامات",
]


def _seed() -> tuple[str, str]:
    doc = load_gold().documents[0]
    return doc.id, doc.text


def _sl(text: str, span: dict | None) -> str | None:
    return None if span is None else text[span["start"]:span["end"]]


@pytest.fixture(scope="module")
def seed_predictions() -> dict[str, dict]:
    doc_id, text = _seed()
    return {n: get_baseline(n).predict(doc_id, text) for n in NAMES}


def test_registry_lists_the_five_baselines():
    assert {"null", "quote-marks", "cue-rules", "frequent-speaker", "supervised"} <= set(NAMES)
    for name, desc in list_baselines():
        b = get_baseline(name)
        assert isinstance(b, Extractor)
        assert b.name == name and b.description == desc and "\n" not in desc
    assert "cross-validated" in get_baseline("supervised").description.lower()


def test_unknown_baseline_suggests_a_close_name():
    with pytest.raises(IsnadError, match="did you mean 'cue-rules'"):
        get_baseline("cue-rule")
    with pytest.raises(IsnadError, match="null, quote-marks, cue-rules, frequent-speaker, supervised"):
        get_baseline("zzzz")


def test_load_extractor_accepts_module_object_and_fills_attribute():
    b = load_extractor("baselines.simple:QuoteMarksBaseline")
    assert b.name == "quote-marks"
    bare = load_extractor("tests.test_baselines:BareExtractor")
    text = MADE_UP[1]
    q = bare.predict("x", text)["quotes"][0]
    assert bare.attribute("x", text, [{"start": q["start"], "end": q["end"]}]) == [{"text": "someone"}]
    with pytest.raises(IsnadError):
        load_extractor("no_such_module:Thing")


class BareExtractor:
    """A user extractor without ``attribute`` (the loader supplies the default)."""

    name = "bare"
    description = "test double"

    def predict(self, document_id, text):
        i, j = text.index("«") + 1, text.index("»")
        return {"document_id": document_id, "entities": [],
                "quotes": [{"start": i, "end": j, "type": "direct", "cue": None, "speaker": {"text": "someone"}}]}


@pytest.mark.parametrize("name", NAMES)
def test_seed_predictions_are_valid_and_deterministic(name, seed_predictions):
    doc_id, text = _seed()
    pred = seed_predictions[name]
    assert pred["document_id"] == doc_id
    assert check_prediction(pred, text) == []
    assert get_baseline(name).predict(doc_id, text) == pred


@pytest.mark.parametrize("name", NAMES)
def test_seed_predictions_pass_the_scorer_validation(name, seed_predictions):
    from benchmark import load_gold
    from benchmark.predictions import read_predictions

    read_predictions([seed_predictions[name]], load_gold())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("text", MADE_UP)
def test_made_up_predictions_are_valid_and_deterministic(name, text):
    b = get_baseline(name)
    pred = b.predict("made-up", text)
    assert check_prediction(pred, text) == []
    assert b.predict("made-up", text) == pred
    given = [{"start": q["start"], "end": q["end"]} for q in pred["quotes"]]
    speakers = b.attribute("made-up", text, given)
    assert len(speakers) == len(given)
    for sp in speakers:
        assert sp is None or "text" in sp or 0 <= sp["start"] < sp["end"] <= len(text)


def test_null_predicts_nothing():
    assert get_baseline("null").predict("d", MADE_UP[0]) == {"document_id": "d", "entities": [], "quotes": []}
    assert get_baseline("null").attribute("d", MADE_UP[0], [{"start": 0, "end": 3}]) == [None]


def test_quote_marks_finds_the_quote_and_its_speaker():
    text = MADE_UP[1]
    pred = get_baseline("quote-marks").predict("d", text)
    [q] = pred["quotes"]
    assert _sl(text, q) == "سنواصل العمل مع شركائنا في أمريكا اللاتينية"
    assert q["type"] == "direct"
    assert _sl(text, q["speaker"]) == "ماريا سانتوس"


def test_quote_marks_handles_every_mark_style():
    from baselines.quotes import marked_spans

    text = 'أ «واحد» ب "اثنان" ج “ثلاثة” د „أربعة“'
    assert [text[s.start:s.end] for s in marked_spans(text)] == ["واحد", "اثنان", "ثلاثة", "أربعة"]


def test_cue_rules_indirect_after_qala_inna_and_pro_drop():
    text = MADE_UP[0]
    quotes = get_baseline("cue-rules").predict("d", text)["quotes"]
    assert [(_sl(text, q), q["type"], _sl(text, q["cue"]), _sl(text, q["speaker"])) for q in quotes] == [
        ("بلاده ستدعم الاتفاق", "indirect", "قال", "جون موانغي"),
        ("الحكومة ستعمل مع شركائها", "indirect", "أضاف", "جون موانغي"),
    ]


def test_cue_rules_direct_mixed_and_call_frames():
    text = MADE_UP[2]
    quotes = get_baseline("cue-rules").predict("d", text)["quotes"]
    got = [(_sl(text, q), q["type"], _sl(text, q["cue"]), _sl(text, q["speaker"])) for q in quotes]
    # a complementizer followed by content that is one quotation: direct, marks left out
    assert got == [("الدول الأوروبية إلى رفع القيود", "indirect", "دعا", "كارلوس مينديز"),
                   ("الحوار هو الحل", "direct", "مؤكدا", "كارلوس مينديز")]
    text = "«نحن مستعدون للتفاوض»، قال المستشار هنري بلان."
    [q] = get_baseline("cue-rules").predict("d", text)["quotes"]
    assert (_sl(text, q), q["type"], _sl(text, q["cue"]), _sl(text, q["speaker"])) == \
        ("نحن مستعدون للتفاوض", "direct", "قال", "هنري بلان")


def test_cue_rules_ignores_quoted_titles_without_a_cue():
    assert get_baseline("cue-rules").predict("d", MADE_UP[3])["quotes"] == []


def test_entity_tagger_strips_proclitics_and_keeps_the_article():
    from baselines.entities import tag_entities

    text = "وصل الوفد بباريس وللأمم المتحدة والروس، وقالت وزارة الخارجية الكينية إن محمد"
    got = [(text[e["start"]:e["end"]], e["label"]) for e in tag_entities(text)]
    assert ("باريس", "GPE") in got
    assert ("الروس", "NORP") in got
    assert ("وزارة الخارجية الكينية", "ORG") in got
    # «لل» is ل + the article with its alef dropped: the span keeps both lams, since a
    # boundary between them would cut the article (only the conjunction و is left out)
    assert ("للأمم المتحدة", "ORG") in got


# -- supervised cross-validation ----------------------------------------------------------
def test_supervised_cross_validation_never_predicts_a_sentence_it_trained_on():
    from baselines.supervised import cross_validated_predictions, load_sentence_rows

    doc_id, text = _seed()
    rows = [r for r in load_sentence_rows() if r["document_id"] == doc_id]
    cv = cross_validated_predictions(rows, text, doc_id)
    assert set(cv.fold_of_sentence) == {r["id"] for r in rows}
    assert len(cv.trained_on) == min(5, len(rows))
    for sid, fold in cv.fold_of_sentence.items():
        assert sid not in cv.trained_on[fold]
        # every other fold's model did see it: folds partition the sentences
        assert all(sid in ids for f, ids in cv.trained_on.items() if f != fold)
    assert check_prediction(cv.prediction, text) == []
    assert cross_validated_predictions(rows, text, doc_id).prediction == cv.prediction


def test_supervised_on_new_text_uses_the_full_model():
    from baselines.supervised import SupervisedBaseline

    b = SupervisedBaseline()
    assert b._own_rows(MADE_UP[0]) is None
    assert b._own_rows(_seed()[1]) is not None


def test_supervised_features_come_from_the_shared_analysis(monkeypatch):
    """The tagger runs once per document (the analysis), never once per sentence: the
    feature tags are the analysis' mentions, in training as in prediction."""
    from baselines import supervised
    from baselines.analysis import analyse
    from baselines.entities import EntityTagger

    model = supervised._full_model(None)
    calls = []
    tag = EntityTagger.tag
    monkeypatch.setattr(EntityTagger, "tag", lambda self, *a: calls.append(1) or tag(self, *a))
    text = " ".join(MADE_UP[:3])
    supervised.predict_text(model, "d", text)
    assert len(calls) == 1
    doc_id, seed = _seed()
    rows = [r for r in supervised.load_sentence_rows() if r["document_id"] == doc_id]
    calls.clear()
    supervised.cross_validated_predictions(rows, seed, doc_id)
    assert len(calls) == 1
    doc = analyse(seed)
    row = next(r for r in rows if any(doc.mention_at.get(doc.token_at(a)) for a in r["token_starts"]))
    tags = supervised.tagger_tags(doc, row["token_starts"], row["token_ends"])
    for m in doc.mentions:
        if row["start"] <= m.start < row["end"]:
            assert tags[row["token_starts"].index(doc.tokens[m.first].start)] == "B-" + m.label


def test_supervised_needs_the_text_of_every_training_document():
    from baselines.supervised import cross_validated_predictions, load_sentence_rows

    doc_id, text = _seed()
    rows = [r for r in load_sentence_rows() if r["document_id"] == doc_id]
    other = [dict(r, document_id="another", id="another:" + r["id"]) for r in rows]
    with pytest.raises(ValueError, match="another"):
        cross_validated_predictions(rows, text, doc_id, training_rows=rows + other)
    cv = cross_validated_predictions(rows, text, doc_id, training_rows=rows + other, texts={"another": text})
    assert all(any(i.startswith("another:") for i in ids) for ids in cv.trained_on.values())


# -- honesty ----------------------------------------------------------------------------------
def _gold_strings() -> tuple[set[str], set[str]]:
    data = bundled_gold_dir() / "data"
    ents = [json.loads(x) for x in (data / "entities.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    quotes = [json.loads(x) for x in (data / "quotes.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    multi = {e["text"] for e in ents if len(e["text"].split()) > 1}
    persons = {e["text"] for e in ents if e["label"] == "PER"}
    return multi | {q["text"] for q in quotes if len(q["text"].split()) > 1}, persons


def test_lexicons_hold_no_gold_names_or_quotes():
    """No multi-word gold entity or quote appears in a lexicon, except general-knowledge
    places and organizations in the documented general-resource files; no gold person
    name (of any length) appears as a multi-word entry anywhere."""
    multi, persons = _gold_strings()
    assert set(GENERAL_RESOURCE_FILES) <= set(lexicon_files())
    for name in lexicon_files():
        entries = set(read_lines(name))
        joined = "\n".join(entries)
        for s in multi:
            if name in GENERAL_RESOURCE_FILES and s in entries and s not in persons:
                continue  # a country, city or organization of general knowledge
            assert s not in joined, f"{name} contains the gold string {s!r}"
        for p in persons:
            assert not (len(p.split()) > 1 and p in joined), f"{name} contains the gold person {p!r}"


def test_every_lexicon_file_says_where_its_entries_come_from():
    from importlib import resources

    for name in lexicon_files():
        head = (resources.files("baselines") / "lexicons" / name).read_text(encoding="utf-8").splitlines()[:12]
        assert head and head[0].startswith("#")
        assert any("Source" in line or "source" in line for line in head if line.startswith("#")), name
