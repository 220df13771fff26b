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
