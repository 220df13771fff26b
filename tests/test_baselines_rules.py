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


@pytest.mark.parametrize("text, content, speaker", [
    ("وقال رئيس الوزراء، الذي يزور البلاد منذ يومين، إن العلاقات ممتازة.", "العلاقات ممتازة", "رئيس الوزراء"),
    ("وأوضحت المديرة، التي تولت منصبها العام الماضي، أن الميزانية لا تكفي.", "الميزانية لا تكفي", "المديرة"),
    # a complementizer inside the relative clause is not the content's
    ("وأكد السفير الياباني، الذي من المنتظر أن يغادر غدا، أن بلاده ستمول المستشفى.",
     "بلاده ستمول المستشفى", "السفير الياباني"),
    ('وقال المتحدث باسم الشرطة، الذي رفض الكشف عن اسمه، في تصريح للصحفيين: "لا إصابات".',
     "لا إصابات", "المتحدث باسم الشرطة"),
])
def test_a_relative_clause_after_the_subject_is_not_the_content(text, content, speaker):
    assert [(q[0], q[3]) for q in _quotes(text)] == [(content, speaker)]


# -- countries, adjuncts, facilities --------------------------------------------------------
def test_a_country_is_the_subject_only_when_the_verb_agrees_with_it():
    assert _quotes("وقالت تركيا إن الحدود ستبقى مفتوحة.")[0][3] == "تركيا"
    assert _quotes("ودعت تركيا إلى وقف إطلاق النار فورا.") == [
        ("وقف إطلاق النار فورا", "indirect", "دعت", "تركيا")]
    # a masculine verb before a feminine country: the country is the object, the subject is dropped
    text = "قال النائب شادي عمر إن القانون ظالم، وطالب اليابان بتعويض المتضررين."
    assert _quotes(text)[1] == ("اليابان بتعويض المتضررين", "indirect", "طالب", "شادي عمر")
    text = "قالت المفوضة هالة منصور إن التقرير جاهز. وأضافت أن الأدلة كافية. واتهم البرازيل بالتقصير."
    assert _quotes(text)[2] == ("البرازيل بالتقصير", "indirect", "اتهم", None)  # no masculine antecedent
    # a masculine country name agrees with a masculine verb
    assert _quotes("وأعلن العراق أن الحدود ستفتح.")[0][3] == "العراق"
    assert _quotes("وأعلن الأردن أن المعابر ستغلق مؤقتا.")[0][3] == "الأردن"
    assert _quotes("ودعا السودان إلى هدنة إنسانية عاجلة.") == [("هدنة إنسانية عاجلة", "indirect", "دعا", "السودان")]


def test_a_place_or_a_building_in_an_adjunct_is_never_the_speaker():
    text = 'وقال السفير جورج ميلر، خلال حفل في السفارة البريطانية بروما: "علاقاتنا قوية".'
    assert _quotes(text) == [("علاقاتنا قوية", "direct", "قال", "جورج ميلر")]
    text = ('قال الوزير كمال منصور إن الحوار مستمر. وفي كلمة ألقاها في السفارة البريطانية بروما: '
            '"علاقاتنا قوية جدا مع الجميع".')
    assert _quotes(text)[1] == ("علاقاتنا قوية جدا مع الجميع", "direct", None, "كمال منصور")


@pytest.mark.parametrize("text, content, speaker", [
    ('قال الطبيب رامي خوري إن العدوى تنتشر. وأضاف في مقابلة مع قناة "الشرق" أن المستشفيات ممتلئة.',
     "المستشفيات ممتلئة", "رامي خوري"),
    ('قالت الكاتبة سناء موسى إن القراءة تتراجع. وأوضحت خلال جلسة ضمن مهرجان "ليالي الشعر" في بيروت '
     'أن الشباب يفضلون الهاتف.', "الشباب يفضلون الهاتف", "سناء موسى"),
    ('قال المهندس جلال داود إن الجسر آمن. وأضاف خلال زيارته مشروع "مدينة المستقبل" بالرياض أن '
     'الأعمال تتقدم.', "الأعمال تتقدم", "جلال داود"),
])
def test_a_quoted_name_inside_the_adjuncts_does_not_stop_the_search_for_the_content(text, content, speaker):
    assert [(q[0], q[3]) for q in _quotes(text)][1] == (content, speaker)
    # a longer quotation there is the content, not a name
    long = text.split(". ")[0] + '. وأضاف في مقابلة: "الوضع صعب جدا ولا نعرف متى ينتهي هذا كله".'
    assert _quotes(long)[1][:2] == ("الوضع صعب جدا ولا نعرف متى ينتهي هذا كله", "direct")


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
@pytest.mark.parametrize("text, content", [
    ("وطالب النائب ماجد العمر بفتح المعبر والذي أغلق منذ أسابيع.", "بفتح المعبر"),
    ("وقال رئيس الوزراء الكندي إن الضرائب ستنخفض والتي ارتفعت العام الماضي.", "الضرائب ستنخفض"),
    ("وأكدت الوزيرة ريم عساف أن المدارس ستفتح والتي أغلقت منذ شهرين بسبب الوباء.", "المدارس ستفتح"),
    ("وأشاد الرئيس بأداء اللاعبين والذين قدموا مباراة كبيرة رغم الإصابات.", "بأداء اللاعبين"),
    ("ودعا الوزير كمال منصور إلى إصلاح الطريق، الذي تضرر بفعل الأمطار.", "إصلاح الطريق"),
    ("ودعا رئيس البلدية إلى ترميم الجسر القديم، الذي يعود إلى القرن الماضي.", "ترميم الجسر القديم"),
    # a restrictive relative (no و, no comma) picks out a noun of the content: it stays
    ("وقال الوزير كمال منصور إن المشروع الذي أطلقته الحكومة سينجح.", "المشروع الذي أطلقته الحكومة سينجح"),
    ("وأشار المحلل مجدي سالم إلى أن الأسواق التي تضررت من الأزمة بدأت تتعافى.",
     "الأسواق التي تضررت من الأزمة بدأت تتعافى"),
])
def test_a_relative_clause_joined_by_wa_or_a_comma_is_not_content_a_restrictive_one_is(text, content):
    assert [q[0] for q in _quotes(text)] == [content]


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


# -- words relayed from a source, prepositions of source (GUIDELINES §3.1, §3.3, §3.5) ---------
@pytest.mark.parametrize("text, quote", [
    ("ونقلت وكالة رويترز عن مصدر أمني قوله إن الهجوم أسفر عن قتلى.",
     ("الهجوم أسفر عن قتلى", "indirect", "نقلت", "مصدر أمني")),
    ('ونقلت صحيفة "الوطن" عن وزير الداخلية قوله إن الحدود آمنة.',
     ("الحدود آمنة", "indirect", "نقلت", "وزير الداخلية")),
    ('ونقل التلفزيون الرسمي عن الرئيس جوزيف عون قوله: "لن نسمح بالفوضى".',
     ("لن نسمح بالفوضى", "direct", "نقل", "جوزيف عون")),
    ("ونقلت عن شهود عيان قولهم إن الانفجار وقع قرب السوق.",
     ("الانفجار وقع قرب السوق", "indirect", "نقلت", "شهود عيان")),
    ("ونقلت الوكالة، اليوم الاثنين، عن مصادر دبلوماسية أن الاجتماع تأجل.",
     ("الاجتماع تأجل", "indirect", "نقلت", "مصادر دبلوماسية")),
])
def test_relayed_words_belong_to_the_source_after_an(text, quote):
    assert _quotes(text) == [quote]


@pytest.mark.parametrize("text", ["ونقل الجرحى إلى المستشفى بعد الحادث.", "وتنقل الحافلات آلاف الركاب يوميا.",
                                  "ونقلت الشركة مقرها إلى دبي العام الماضي."])
def test_naql_without_a_source_is_no_quote(text):
    assert _quotes(text) == []


@pytest.mark.parametrize("text, quote", [
    ("وبحسب الأمم المتحدة، نزح آلاف السكان.", ("نزح آلاف السكان", "indirect", "بحسب", "الأمم المتحدة")),
    ("وبحسب وزارة الصحة، ارتفع عدد الإصابات إلى مئة.",
     ("ارتفع عدد الإصابات إلى مئة", "indirect", "بحسب", "وزارة الصحة")),
    ("ووفقا لمنظمة الصحة العالمية، فإن اللقاح آمن.", ("اللقاح آمن", "indirect", "وفقا", "منظمة الصحة العالمية")),
    ("وحسب مصادر محلية، فر مئات السكان من القرية.", ("فر مئات السكان من القرية", "indirect", "حسب", "مصادر محلية")),
    # after the clause it attributes, the conjunction of the clause left out
    ("وتراجعت الصادرات خلال الربع الأول، بحسب البنك المركزي.",
     ("تراجعت الصادرات خلال الربع الأول", "indirect", "بحسب", "البنك المركزي")),
    ('وأصبحت الأوضاع "كارثية" في المخيمات، وفق مسؤولين محليين.',
     ('أصبحت الأوضاع "كارثية" في المخيمات', "mixed", "وفق", "مسؤولين محليين")),
    ("وأغلقت المدارس أبوابها، نقلا عن وزير التعليم.",
     ("أغلقت المدارس أبوابها", "indirect", "نقلا", "وزير التعليم")),
    ('"لا تراجع عن القرار"، بحسب المتحدث باسم الحكومة.',
     ("لا تراجع عن القرار", "direct", "بحسب", "المتحدث باسم الحكومة")),
])
def test_a_preposition_of_source_attributes_its_clause(text, quote):
    assert _quotes(text) == [quote]


@pytest.mark.parametrize("text", [
    "وستبدأ الأعمال قريبا، بحسب الخطة المعلنة.",  # a plan, a law, a schedule: no source
    "وبحسب القانون، يحق للمواطنين التظاهر.",
    "وسيعقد الاجتماع في موعده بحسب الجدول.",
    "ليس هذا فحسب، بل إن الأسعار ارتفعت.",  # فحسب "only", not ف + حسب
])
def test_a_preposition_of_source_needs_a_source(text):
    assert _quotes(text) == []


# -- subjects: the pluperfect, an office the lists do not hold, no carried-over speaker -------
@pytest.mark.parametrize("text, quote", [
    ("وكانت وكالة فرانس برس قد ذكرت أن الهجوم أسفر عن قتلى.",
     ("الهجوم أسفر عن قتلى", "indirect", "ذكرت", "وكالة فرانس برس")),
    ("وكانت الحكومة قد أعلنت أن الضرائب سترتفع.", ("الضرائب سترتفع", "indirect", "أعلنت", "الحكومة")),
    ("وكان وزير المالية سامي نصار قد حذر من أن العجز سيتفاقم.",
     ("العجز سيتفاقم", "indirect", "حذر", "سامي نصار")),
    ("وكان مسؤولون قد أكدوا أن المعبر سيفتح.", ("المعبر سيفتح", "indirect", "أكدوا", "مسؤولون")),
    ("وكانت إيران قد نفت أن تكون طائراتها اخترقت الأجواء.",
     ("تكون طائراتها اخترقت الأجواء", "indirect", "نفت", "إيران")),
])
def test_the_subject_of_kana_before_qad_is_the_speaker(text, quote):
    assert _quotes(text) == [quote]


@pytest.mark.parametrize("second, speaker", [
    ("وقال والي الولاية نبيل عمران إن الطرق مغلقة.", "نبيل عمران"),
    ("وقال محافظ المدينة ماهر الزين إن الطرق مغلقة.", "ماهر الزين"),
    ("وقال عميد كلية الطب إن الطرق مغلقة.", "عميد كلية الطب"),
    ("وقال مختار القرية إن الطرق مغلقة.", "مختار القرية"),
    ("وقالت عمدة البلدة إن الطرق مغلقة.", "عمدة البلدة"),
])
def test_an_overt_subject_the_lists_do_not_know_is_never_the_previous_speaker(second, speaker):
    quotes = _quotes("قال الوزير سمير عطا إن الوضع صعب. " + second)
    assert quotes[1] == ("الطرق مغلقة", "indirect", second.split()[0][1:], speaker)


def test_an_unreadable_subject_gives_no_speaker_and_a_dropped_one_keeps_the_antecedent():
    first = "قال الوزير سمير عطا إن الوضع صعب. "
    assert _quotes(first + "وقال زائر غريب الأطوار جدا إن الطرق مغلقة.")[1][3] is None
    # an object with its possessive pronoun, an adjunct, a participle: the subject is dropped
    for second in ("وتابع حديثه بالقول إن الطرق مغلقة.", "وأضاف في تصريح إن الطرق مغلقة.",
                   "وأضاف متحدثا للصحفيين أن الطرق مغلقة."):
        assert _quotes(first + second)[1][3] == "سمير عطا", second
