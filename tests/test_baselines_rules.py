"""The grammar of the rule-based baselines, one rule at a time, on sentences written for these
tests (invented people and events; no name or phrase taken from the gold article), and the
``frequent-speaker`` floor."""

from __future__ import annotations

import pytest

from baselines import get_baseline
from baselines.lexicon import cues, read_lines


def _quotes(text: str, name: str = "cue-rules") -> list[tuple]:
    """(content, type, cue, speaker) of every predicted quote, as text."""
    def sl(span):
        return None if span is None else text[span["start"]:span["end"]]

    return [(sl(q), q["type"], sl(q["cue"]), sl(q["speaker"])) for q in get_baseline(name).predict("d", text)["quotes"]]


# -- the subject after the cue --------------------------------------------------------------
def test_a_name_apposed_to_the_title_is_the_speaker_and_adjuncts_are_skipped():
    text = "وقال وزير المالية المغربي، يوسف العلمي، اليوم الأحد، إن الميزانية الجديدة ستركز على التعليم."
    assert _quotes(text) == [("الميزانية الجديدة ستركز على التعليم", "indirect", "قال", "يوسف العلمي")]
    text = "وأشار بيتر مولر، رئيس الاتحاد الأوروبي للتجارة، إلى أن الصادرات تراجعت."
    assert _quotes(text) == [("الصادرات تراجعت", "indirect", "أشار", "بيتر مولر")]


def test_a_title_with_an_of_complement_then_the_apposed_name():
    text = "وحذرت المديرة التنفيذية لشركة النقل الوطنية، سلمى عيسى، من ارتفاع الأسعار في الصيف."
    assert _quotes(text) == [("ارتفاع الأسعار في الصيف", "indirect", "حذرت", "سلمى عيسى")]


def test_a_name_unknown_to_the_lexicons_is_the_subject_when_a_clause_boundary_follows():
    # the two snippets of the issue: the cue is found and the speaker is the name, not a place
    assert _quotes('وقال شكري في مؤتمر صحافي بالقاهرة: "المفاوضات مستمرة حتى نهاية الشهر".') == \
        [("المفاوضات مستمرة حتى نهاية الشهر", "direct", "قال", "شكري")]
    assert _quotes('وقال شكري: "لن نقبل بأي حل منقوص".') == [("لن نقبل بأي حل منقوص", "direct", "قال", "شكري")]
    assert _quotes("وأضاف بورتمان أن الخطة جاهزة.") == [("الخطة جاهزة", "indirect", "أضاف", "بورتمان")]
    assert _quotes("وقال بورتمان بالعاصمة إن الوضع صعب.")[0][3] == "بورتمان"
    # a participle of manner or an adjunct after the cue is no name: the subject is dropped
    text = "قال الوزير سمير عطا إن الوضع صعب. وقال متحدثا للصحفيين إن الحل قريب. وقال للصحفيين إنه قريب."
    assert [q[3] for q in _quotes(text)] == ["سمير عطا"] * 3
    # but a common noun is a speaker, with its adjectives and without its complement
    assert _quotes("وقالت متحدثة للصحفيين إن الحل قريب.")[0][3] == "متحدثة"


def test_names_extend_over_their_whole_chain():
    text = "وقال الأمير فيصل بن سلمان آل سعود إن المملكة تدعم الحل السلمي."
    assert _quotes(text)[0][3] == "فيصل بن سلمان آل سعود"
    text = "وأكد الشيخ عبد الله بن زايد أبو خليل أن الحوار ضروري."
    assert _quotes(text)[0][3] == "عبد الله بن زايد أبو خليل"


def test_names_starting_with_a_clitic_letter_keep_it():
    assert _quotes("قال وليد فارس إن الانتخابات ستجرى في موعدها.")[0][3] == "وليد فارس"
    assert _quotes("وقالت وزيرة الصحة، لمى بدران، إن الوباء تحت السيطرة.")[0][3] == "لمى بدران"
    assert _quotes("وقال وزير النقل إن الطريق سيفتح قريبا.")[0][3] == "وزير النقل"


def test_a_title_alone_resolves_to_the_person_last_introduced_with_it():
    text = ("قال وزير الخارجية البرتغالي جوزيه ريبيرو إن الزيارة مهمة. وقال وزير الخارجية الإسباني "
            "لويس مورينو إن الاتفاق قريب. وأضاف الوزير البرتغالي أن اللجنة ستجتمع.")
    assert [q[3] for q in _quotes(text)] == ["جوزيه ريبيرو", "لويس مورينو", "جوزيه ريبيرو"]


def test_common_speaker_nouns_with_their_adjectives_and_definite_subjects():
    text = "وقالت مصادر دبلوماسية غربية إن الاتفاق قريب."
    assert _quotes(text) == [("الاتفاق قريب", "indirect", "قالت", "مصادر دبلوماسية غربية")]
    assert _quotes("وقالت الحكومة في بيان إن الأسعار ستنخفض.")[0][3] == "الحكومة"
    assert _quotes("قالت الباحثة نادية كرم إن الأمطار قليلة.")[0][3] == "نادية كرم"


def test_a_relative_clause_after_the_subject_is_not_the_content():
    text = ("وأضاف الوزير التونسي، الذي من المتوقع أن يلتقي نظيره غدا، في تصريح للصحافيين: "
            "\"الزيارة ناجحة\".")
    assert _quotes(text) == [("الزيارة ناجحة", "direct", "أضاف", "الوزير التونسي")]


# -- countries, adjuncts, facilities --------------------------------------------------------
def test_a_country_is_the_subject_only_when_the_verb_agrees_with_it():
    assert _quotes("وقالت تركيا إن الحدود ستبقى مفتوحة.")[0][3] == "تركيا"
    assert _quotes("ودعت تركيا إلى وقف إطلاق النار فورا.") == [
        ("وقف إطلاق النار فورا", "indirect", "دعت", "تركيا")]
    # a masculine verb before a feminine country: the country is the object, the subject is dropped
    text = "قال وزير الداخلية ماجد العمر إن الأمن مستتب، ودعا الصين إلى التعاون في مكافحة التهريب."
    assert _quotes(text)[1] == ("الصين إلى التعاون في مكافحة التهريب", "indirect", "دعا", "ماجد العمر")
    # a masculine country name agrees with a masculine verb
    assert _quotes("وأعلن العراق أن الحدود ستفتح.")[0][3] == "العراق"


def test_a_place_or_a_building_in_an_adjunct_is_never_the_speaker():
    text = 'وقال السفير جورج ميلر، خلال حفل في السفارة البريطانية بروما: "علاقاتنا قوية".'
    assert _quotes(text) == [("علاقاتنا قوية", "direct", "قال", "جورج ميلر")]
    text = ('قال الوزير كمال منصور إن الحوار مستمر. وفي كلمة ألقاها في السفارة البريطانية بروما: '
            '"علاقاتنا قوية جدا مع الجميع".')
    assert _quotes(text)[1] == ("علاقاتنا قوية جدا مع الجميع", "direct", None, "كمال منصور")


def test_a_quoted_name_inside_the_adjuncts_does_not_stop_the_search_for_the_content():
    text = ('قالت الباحثة نادية كرم إن الأمطار قليلة. وأضافت خلال ندوة نظمتها جمعية "أصدقاء البيئة" '
            'في عمان أن المياه الجوفية تتراجع كل عام.')
    assert _quotes(text)[1] == ("المياه الجوفية تتراجع كل عام", "indirect", "أضافت", "نادية كرم")


# -- dropped subjects and participles --------------------------------------------------------
def test_a_dropped_subject_takes_the_latest_speaker_whose_gender_the_verb_agrees_with():
    text = ("قال الرئيس البرازيلي جورج سيلفا إن الاتفاق تاريخي. وقالت رئيسة الوزراء هند سالم إن "
            "بلادها ستوقع. وأضاف أن التوقيع سيتم في مارس. وأضافت أن البرلمان سيصادق عليه.")
    assert [(q[2], q[3]) for q in _quotes(text)] == [
        ("قال", "جورج سيلفا"), ("قالت", "هند سالم"), ("أضاف", "جورج سيلفا"), ("أضافت", "هند سالم")]
    # no earlier speaker agrees: no speaker rather than the wrong one
    assert _quotes("قالت الوزيرة هند سالم إن الوضع صعب. وأضاف أن الحل قريب.")[1][3] is None


def test_continuations_and_participles_share_the_subject():
    text = ("قال المدرب ماركو فيتي إن الفريق جاهز، مؤكدا أن اللاعبين في أفضل حال. وتابع قائلا إن "
            "\"المباراة صعبة\". كما أشار: \"الجمهور سيكون معنا حتى النهاية\".")
    assert _quotes(text) == [
        ("الفريق جاهز", "indirect", "قال", "ماركو فيتي"),
        ("اللاعبين في أفضل حال", "indirect", "مؤكدا", "ماركو فيتي"),
        ("المباراة صعبة", "direct", "تابع قائلا", "ماركو فيتي"),
        ("الجمهور سيكون معنا حتى النهاية", "direct", "أشار", "ماركو فيتي"),
    ]


# -- content -------------------------------------------------------------------------------
def test_a_verb_repeated_after_its_subject_reports_once_with_the_second_occurrence():
    text = "وأكد رئيس البرلمان سامي الخطيب أكد على أهمية الحوار بين الأحزاب."
    assert _quotes(text) == [("أهمية الحوار بين الأحزاب", "indirect", "أكد", "سامي الخطيب")]
    assert text.index("أكد على") == get_baseline("cue-rules").predict("d", text)["quotes"][0]["cue"]["start"]


def test_a_cue_with_a_conjunction_after_a_quotation_opens_a_new_clause():
    text = 'قال الوزير كمال منصور: "نحن هنا من أجل السلام"، ودعا المعارضة إلى الحوار.'
    assert _quotes(text) == [("نحن هنا من أجل السلام", "direct", "قال", "كمال منصور"),
                             ("المعارضة إلى الحوار", "indirect", "دعا", "كمال منصور")]


def test_a_complementizer_then_one_quotation_is_direct_and_a_fragment_makes_it_mixed():
    assert _quotes('وقالت الوزيرة لمى بدران إن "الوباء تحت السيطرة".') == [
        ("الوباء تحت السيطرة", "direct", "قالت", "لمى بدران")]
    assert _quotes('وقالت الوزيرة لمى بدران إن "الوباء" لم يعد خطيرا.') == [
        ('"الوباء" لم يعد خطيرا', "mixed", "قالت", "لمى بدران")]


def test_a_cue_inside_quotation_marks_belongs_to_the_quoted_words():
    text = 'قال الكاتب سمير حداد: "قال لي جدي إن الصبر مفتاح الفرج".'
    assert _quotes(text) == [("قال لي جدي إن الصبر مفتاح الفرج", "direct", "قال", "سمير حداد")]


# -- the cue lexicon -------------------------------------------------------------------------
def test_every_cue_form_has_its_gender_and_kind():
    table = cues()
    assert (table["قالت"].gender, table["قالت"].participle) == ("f", False)
    assert (table["مؤكدا"].gender, table["مؤكدا"].participle) == ("m", True)
    assert (table["يقولون"].gender, table["يقولون"].participle) == ("p", False)
    for line in read_lines("cues.txt"):
        columns = [c.strip() for c in line.split("|")]
        assert len(columns) == 6 and all(len(c.split()) == 3 for c in columns[3:]), line


# -- frequent-speaker ------------------------------------------------------------------------
FREQUENT = ("قال الوزير سمير حداد إن الطريق سيفتح. وقالت النائبة ليلى عيسى إن الطريق مكلف. "
            "وأضاف حداد أن العمل بدأ. وزار حداد الموقع أمس.")


def test_frequent_speaker_gives_every_quote_to_the_most_mentioned_person():
    rules, floor = _quotes(FREQUENT), _quotes(FREQUENT, "frequent-speaker")
    assert [q[:3] for q in floor] == [q[:3] for q in rules]  # the same quotes and cues
    assert [q[3] for q in rules] == ["سمير حداد", "ليلى عيسى", "حداد"]
    assert [q[3] for q in floor] == ["سمير حداد"] * 3  # three mentions of حداد, the full name


def test_frequent_speaker_on_ties_and_on_given_quotes():
    from baselines.analysis import analyse
    from baselines.frequent import most_mentioned_person

    text = "قال سمير حداد إن الطريق سيفتح. وقالت ليلى عيسى إن الطريق مكلف."
    doc = analyse(text)
    m = most_mentioned_person(doc)
    assert text[m.start:m.end] == "سمير حداد"  # one mention each: the first person
    assert most_mentioned_person(analyse("لا أحد هنا.")) is None
    b = get_baseline("frequent-speaker")
    given = [{"start": 0, "end": 3}, {"start": 10, "end": 20}]
    assert b.attribute("d", text, given) == [{"start": m.start, "end": m.end}] * 2
    assert b.attribute("d", "لا أحد هنا.", given) == [None, None]


@pytest.mark.parametrize("text", ["", "قال", "«»", "نص بلا أسماء ولا أقوال."])
def test_frequent_speaker_on_texts_without_people(text):
    pred = get_baseline("frequent-speaker").predict("d", text)
    assert all(q["speaker"] is None for q in pred["quotes"])


# -- where the content ends and starts (GUIDELINES §3.3) --------------------------------------
def test_a_relative_clause_joined_by_wa_or_a_comma_is_not_content_a_restrictive_one_is():
    assert _quotes("وطالب النائب ماجد العمر بفتح المعبر والذي أغلق منذ أسابيع.") == [
        ("بفتح المعبر", "indirect", "طالب", "ماجد العمر")]
    assert _quotes("ودعا الوزير كمال منصور إلى إصلاح الطريق، الذي تضرر بفعل الأمطار.") == [
        ("إصلاح الطريق", "indirect", "دعا", "كمال منصور")]
    assert _quotes("وقال الوزير كمال منصور إن المشروع الذي أطلقته الحكومة سينجح.")[0][0] == \
        "المشروع الذي أطلقته الحكومة سينجح"


def test_a_postposed_cue_attributes_the_clause_before_it():
    text = 'وفي سياق متصل، تستعد الحكومة لجولة مفاوضات "حاسمة"، كما قال الوزير كمال منصور.'
    assert _quotes(text) == [('تستعد الحكومة لجولة مفاوضات "حاسمة"', "mixed", "قال", "كمال منصور")]
    # content after the clause's conjunction و, which a known word keeps (ووزير = و + وزير)
    text = "وتستعد الحكومة لجولة مفاوضات حاسمة، كما قال الوزير كمال منصور."
    assert _quotes(text) == [("تستعد الحكومة لجولة مفاوضات حاسمة", "indirect", "قال", "كمال منصور")]
    assert _quotes("ووزير المالية سيستقيل قريبا، كما قالت مصادر مطلعة.")[0][0] == "وزير المالية سيستقيل قريبا"
    # a quotation with no clause around it stays a direct quote of the postposed cue
    assert _quotes('"الاتفاق ولد ميتا"، قال المعارض سامي الخطيب.') == [
        ("الاتفاق ولد ميتا", "direct", "قال", "سامي الخطيب")]
