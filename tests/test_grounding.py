"""Grounding text-only spans: exact first, then Arabic normalization, back to original offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.grounding import ground, normalize, normalize_with_map
from scoring_support import DOC

TEXT = DOC.text


@pytest.mark.parametrize("a, b", [
    ("مُحَمَّد", "محمد"),          # diacritics
    ("كـــيري", "كيري"),            # tatweel
    ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),
    ("مستشفى", "مستشفي"),           # alef maqsura → ya
    ("مدينة", "مدينه"),             # ta marbuta → ha
    ("جون \n\t كيري", "جون كيري"),   # whitespace folded
    ('"جون كيري"', "جون كيري"),     # enclosing quotation marks
    ("«جون كيري»", "جون كيري"),
    ("“ جون كيري ”", "جون كيري"),
])
def test_normalization_rules(a, b):
    assert normalize(a) == normalize(b)


def test_normalization_keeps_distinct_letters_apart():
    assert normalize("حلب") != normalize("حرب")
    assert normalize("a b") != normalize("ab")


def test_map_points_into_the_original():
    raw = "قالَ  أحمدُ"
    norm, where = normalize_with_map(raw)
    assert len(norm) == len(where)
    for ch, i in zip(norm, where):
        assert normalize(raw[i]) in (ch, "") or raw[i].isspace()


def test_exact_match_wins_and_respects_occurrence():
    hits = [i for i in range(len(TEXT)) if TEXT.startswith("حلب", i)]
    assert len(hits) > 2
    for k, i in enumerate(hits):
        g = ground(TEXT, "حلب", k)
        assert (g.start, g.end, g.how) == (i, i + 3, "exact")
    assert not ground(TEXT, "حلب", len(hits)).ok


def test_normalized_match_maps_back_to_original_offsets():
    m = next(e for e in DOC.entities if e.text == "جون كيري")
    variant = '"' + "جُونْ  كـيرى" + '"'
    g = ground(TEXT, variant)
    assert g.how == "normalized"
    assert (g.start, g.end) == (m.start, m.end)


def test_trailing_marks_are_kept_in_the_span():
    text = "قال كيريٌّ أمس"
    g = ground(text, "كيري أمس")
    assert g.how == "normalized" and text[g.start:g.end] == "كيريٌّ أمس"


def test_ungroundable_text_fails():
    assert ground(TEXT, "هذا النص غير موجود").how == "failed"
    assert ground(TEXT, '""').how == "failed"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(TEXT) - 1), st.integers(1, 40))
def test_every_document_slice_grounds_to_an_equal_text(start, length):
    end = min(len(TEXT), start + length)
    piece = TEXT[start:end]
    if not piece.strip():
        return
    g = ground(TEXT, piece)
    assert g.how == "exact" and TEXT[g.start:g.end] == piece
    # a diacritic-free, alef-folded variant lands on a span that normalizes to the same text
    variant = normalize(piece)
    if variant:
        g2 = ground(TEXT, variant)
        assert g2.ok
        assert normalize(TEXT[g2.start:g2.end]) == variant


# --- placement of text-only spans (the one grounding of files and adapters) --------------------

from benchmark.grounding import ground_document  # noqa: E402
from benchmark.schema import PredictionDocument  # noqa: E402
from benchmark.text import is_whole_words, occurrences  # noqa: E402


def _grounded(text, entities=(), quotes=()):
    pred = PredictionDocument.model_validate({"document_id": "d", "entities": list(entities), "quotes": list(quotes)})
    return ground_document(text, pred)


@pytest.mark.parametrize("text, piece, whole", [
    ("في باريس اليوم", "باريس", True),
    ("وباريس", "باريس", True),            # one proclitic
    ("وبباريس", "باريس", True),           # two
    ("باريسية", "باريس", False),          # ends inside a word
    ("الباريس", "باريس", False),          # ا is no proclitic
    ("«باريس»", "باريس", True),
    ("«باريس»", "«باريس»", True),
])
def test_whole_words(text, piece, whole):
    i = text.index(piece)
    assert is_whole_words(text, i, i + len(piece)) is whole


def test_each_listing_of_a_text_takes_the_next_free_occurrence():
    text = "زار باريس ثم باريسية ثم وباريس ثم باريس"
    hits = [(i, i + 5) for i in occurrences(text, "باريس")]
    whole = [h for h in hits if is_whole_words(text, *h)]
    assert len(whole) == 3

    def spans(n):
        return [(e.start, e.end) for e in _grounded(text, [{"text": "باريس", "label": "GPE"}] * n).entities]

    assert spans(2) == whole[:2] and spans(3) == whole  # whole-word occurrences first, in text order
    assert spans(4) == hits  # then the others (the listings take them in text order)
    assert _grounded(text, [{"text": "باريس", "label": "GPE"}] * 5).entities[4].how == "failed"


def test_longer_texts_are_placed_first_and_never_overlapped():
    text = "مؤتمر أصدقاء سوريا في سوريا"
    g = _grounded(text, [{"text": "سوريا", "label": "GPE"}, {"text": "أصدقاء سوريا", "label": "ORG"}])
    assert text[g.entities[1].start:g.entities[1].end] == "أصدقاء سوريا"
    assert g.entities[0].start == text.rindex("سوريا")
    # an offset or an explicit occurrence is fixed, and what is placed keeps off it
    g = _grounded(text, [{"text": "سوريا", "label": "GPE"}, {"start": 22, "end": 27, "label": "GPE"}])
    assert g.entities[0].start == text.index("سوريا")
    g = _grounded(text, [{"text": "سوريا", "label": "GPE", "occurrence": 0}, {"text": "سوريا", "label": "GPE"}])
    assert [e.start for e in g.entities] == [text.index("سوريا"), text.rindex("سوريا")]


def test_a_cue_goes_to_its_occurrence_nearest_its_quote():
    text = "قال أحمد: نعم. وبعد ساعات قال بشير إن الأمر صعب. ثم بعد نقاش طويل قال: لا."
    g = _grounded(text, quotes=[{"text": "الأمر صعب", "cue": "قال"}, {"text": "لا", "cue": {"text": "قال"}},
                                {"text": "نعم", "cue": "قال"}, {"text": "غير موجود", "cue": "قال"}])
    hits = occurrences(text, "قال")
    assert [q.cue.start for q in g.quotes] == [hits[1], hits[2], hits[0], hits[0]]  # ungrounded quote: the first
    # the distance between the spans, 0 when they overlap; ties go to the earlier occurrence
    assert _grounded("قال نعم قال", quotes=[{"text": "نعم", "cue": "قال"}]).quotes[0].cue.start == 0
    assert _grounded("نعم قال لا", quotes=[{"text": "نعم قال", "cue": "قال"}]).quotes[0].cue.start == 4


def test_placement_falls_back_to_normalized_occurrences():
    g = _grounded(TEXT, [{"text": "جون كيرى", "label": "PER"}] * 2)
    kerry = [(m.start, m.end) for m in DOC.entities if m.text == "جون كيري"]
    assert [(e.start, e.end) for e in g.entities] == kerry[:2]
    assert {e.how for e in g.entities} == {"normalized"}
