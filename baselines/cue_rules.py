"""The ``cue-rules`` baseline: Arabic reporting cues and complementizers, with a speaker linker.

The rules read the reporting clause of Arabic news prose::

    [و|ف] CUE [قائلا] [SUBJECT [، NAME ،] [، الذي ... ،]] [ADJUNCTS]
        ( : «…» | «…» | COMPLEMENTIZER CONTENT | COMPLEMENT )

- **Cue**: a reporting verb of ``cues.txt`` (قال، أضاف، أكد/مؤكدا، دعا، شدد على ...).
- **Subject** (VSO), right after the cue: a person; an organisation or a country that
  agrees with the verb in gender (قالت تركيا, but in طالب تركيا بـ the masculine verb makes
  تركيا its object); a title phrase with its modifiers, naming the person after it or set
  off by commas (apposition), or else resolved to the last person introduced with that
  title, or kept as a nominal speaker; a common speaker noun (مسؤول، مصادر); an unknown
  word that ends at a clause boundary (a name the lexicons do not know). A relative clause
  after the subject (، الذي ... ،) describes it and is skipped.
- **Adjuncts** between the subject and the content (في تصريح للصحفيين، أمس الأحد، خلال ...)
  are skipped, quoted names inside them («اجتماعات "..."») included. A mention inside an
  adjunct is never a speaker.
- **Content**: a quotation after the subject or a colon is direct; after a complementizer
  (إن، أن، بأن، إلى أن ...) the clause is indirect, mixed when it holds a quotation, direct
  when it is one quotation; verbs of the ``obj`` frame (دعا، طالب، اتهم ...) take their
  complement as content. Content runs to the end of the clause.
- **Without a subject after the cue**: the subject of the pluperfect «كان X قد CUE»; a
  mention just before it (SVO, «X، اتهم ...»); else, for a dropped subject (وأضاف، وتابع،
  وأشار) and for participles (مؤكدا), the speaker of the latest quote whose verb agrees in
  gender (أضاف / أضافت). A noun after the verb that no rule reads is an overt subject: no
  speaker then, never the previous one. An office no list holds names the person after its
  genitive (وقال والي الولاية فلان), or is the speaker itself.
- **Relayed words** (frame ``src``): «نقلت الوكالة عن X قوله إن ...»: X speaks, not the
  medium. **Prepositions of source** (بحسب، حسب، وفق، وفقا لـ، طبقا لـ، نقلا عن) opening a
  sentence or after a clause attribute the clause to the person, body, country, title or
  speaker noun after them (not to a plan or a law: «بحسب الخطة» is no source).
- Content ends with its clause: at the end of the sentence, at a cue that opens a clause of
  its own, at «، كما ...», and before a relative clause joined by و or set off by a comma
  (background in the reporter's voice); a restrictive relative stays.
- A postposed cue (a cue with no conjunction: «…، قال X», «…، كما قال X») attributes the
  clause before it, mixed when the clause holds a quotation; a quotation with no clause
  around it is a direct quote of the cue. A quotation after a colon with no cue is direct.
  Quoted names and titles with no cue are not quotes, and a cue inside quotation marks
  belongs to the quoted words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .analysis import Analysis, CueHit, analyse
from .arabic import normalize, without_article
from .base import Prediction, Speaker, most_overlapping
from .entities import Mention, modifiers_end, title_at
from .lexicon import Cue, complementizers, word_set
from .quotes import QUOTE_MARKS, MarkedSpan

_SENTENCE_STOP = {".", "!", "?", "؟", "؛", ";"}
_CLAUSE_PUNCT = {"،", ",", ".", ":", "؛", ";", "!", "?", "؟", "-", "–", "—"}
_COMMAS = {"،", ","}
_DASHES = {"-", "–", "—"}
_SEPARATORS = _COMMAS | _DASHES | {":", "؛", ";"}
_POSTPOSED = {"كما", "حسبما", "بحسب", "حسب", "وفق", "وفقا"}
_CLAUSE_BREAKERS = _POSTPOSED | {"بحسبما"}
_ADVERBIALS = {"اليوم", "امس", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
               "ايضا", "كذلك", "مجددا", "مساء", "صباح"}
_NISBA = ("ي", "ية", "يون", "يين", "يان")  # adjective endings (دبلوماسي، غربية)
_SAYING = {"قائلا", "قائلة", "قائلين"}
#: possessive pronouns attached to a noun (حديثه، كلمتها)
_ENCLITICS = ("ه", "ها", "هم", "هما")
_RELATIVES = {"الذي", "التي", "الذين", "اللذان", "اللتان", "اللذين", "اللتين", "اللواتي", "اللاتي"}
#: prepositions of source and what joins them to the source: nothing, «ل» attached to it, or «عن»
_SOURCE_PREPOSITIONS = {"بحسب": "", "حسب": "", "وفق": "", "وفقا": "ل", "طبقا": "ل", "نقلا": "عن"}
#: «قوله» after the source of a relayed statement (نقلت عن مصدر قوله إن ...)
_SAYING_NOUNS = {"قوله", "قولها", "قولهم", "قولهما"}
#: the source of relayed words or of a preposition of source: any gender, reporting a clause
_SOURCE = Cue("", ("comp",), (), False, "p")
#: forms of the auxiliary كان (the conjunction stripped: وكانت -> كانت)
_KANA = {"كان", "كانت", "كانوا", "كانا", "كانتا"}
#: tokens a subject between «كان» and «قد» may span
_AUXILIARY_REACH = 8
#: tokens the adjunct zone between a subject and its content may span
_ADJUNCT_REACH = 24
#: the latest quotes whose speakers a dropped subject may refer to
_ANTECEDENTS = 4
#: a quotation of at most this many tokens inside the adjunct zone is a quoted name
_QUOTED_NAME = 5


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    return {"prepositions": word_set("prepositions.txt"), "speaker_nouns": word_set("speaker_nouns.txt"),
            "masculine_places": word_set("masculine_places.txt")}


@lru_cache(maxsize=1)
def _complementizer_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """First word -> the rest of every complementizer starting with it, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for seq in complementizers():
        index.setdefault(seq[0], []).append(seq[1:])
    return {w: tuple(sorted(r, key=len, reverse=True)) for w, r in index.items()}


def _prepositional(t) -> bool:
    """A definite noun behind an attached preposition (للصحفيين، بالعاصمة): an adjunct."""
    return t.norm.startswith("لل") or (t.text[:1] in "بك" and t.norm[1:3] == "ال")


def _circumstantial(t) -> bool:
    """An accusative participle describing how something was said (متحدثاً، مستشهداً): it
    ends in tanwin (written, or the alif of مت-/مست- participles)."""
    return "\u064b" in t.text or (t.norm.endswith("ا") and t.norm.startswith(("مت", "مست")) and len(t.norm) > 4)


def _name_like(t) -> bool:
    """An Arabic word that may be part of a name: not a function word, a cue or a title, not
    in an adjunct, not a circumstantial participle."""
    return t.is_arabic and not t.is_stop and not t.is_title_word and not _prepositional(t) \
        and not _circumstantial(t)


def _span(m) -> dict:
    return {"start": m.start, "end": m.end}


def mention_gender(m: Mention, text: str) -> str | None:
    """Grammatical gender of a mention where Arabic fixes it: ``f`` for a country or city
    (``m`` for the few masculine ones), the title's gender for a titled person
    (وزيرة -> ``f``); None when unknown (organisations: broken plurals agree as feminine)."""
    if m.label == "GPE":
        return "m" if normalize(text[m.start:m.end]) in _words()["masculine_places"] else "f"
    if m.label == "PER" and m.title:
        return "f" if m.title[0].endswith("ة") else "m"
    return None


def _agrees(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == "p" or b == "p" or a == b


@dataclass
class _Said:
    """A speaker already linked to a quote, with the gender of the verb that introduced it."""

    speaker: dict
    gender: str | None


class _Reader:
    """Reads the reporting clauses of one analysed text and remembers the speakers of the
    quotes found so far (the antecedents of dropped subjects)."""

    def __init__(self, doc: Analysis) -> None:
        self.doc = doc
        self.toks = doc.tokens
        self.said: list[_Said] = []
        self.taken_until = 0  # character offset: no quote may start before it
        self._comp: dict[int, int | None] = {}

    # -- words and positions ------------------------------------------------------------
    def complementizer_end(self, k: int) -> int | None:
        """Token index after a complementizer starting at token ``k``, else None."""
        memo = self._comp
        if k in memo:
            return memo[k]
        toks, best = self.toks, None
        if k < len(toks):
            end = self.doc.sentence_end(k)
            index = _complementizer_index()
            for w in toks[k].stems:
                for rest in index.get(w, ()):
                    j = k + 1 + len(rest)
                    if best is not None and j <= best:
                        break
                    if j <= end and all(toks[k + 1 + n].norm == r for n, r in enumerate(rest)):
                        best = j
                        break
        memo[k] = best
        return best

    def in_adjunct(self, m: Mention) -> bool:
        """The mention is the object of a preposition: attached (بباريس) or the word before."""
        toks = self.toks
        first = toks[m.first]
        if m.start > first.start and first.text[m.start - first.start - 1] in "بلك":
            return True
        if m.first > 0:
            prev = toks[m.first - 1]
            if prev.sentence == first.sentence and prev.stem_set() & _words()["prepositions"]:
                return True
        return False

    def opens_clause(self, k: int) -> bool:
        """A cue at token ``k`` that starts a clause of its own (after و ف or a comma)."""
        hit = self.doc.cue_at.get(k)
        return hit is not None and (hit.conjoined or hit.cue.participle or
                                    (k > 0 and self.toks[k - 1].text in _COMMAS))

    def antecedent(self, gender: str | None) -> dict | None:
        """The speaker of the latest quote whose verb agrees with ``gender``, among the last
        few (a dropped subject refers to the recent discourse)."""
        for s in reversed(self.said[-_ANTECEDENTS:]):
            if _agrees(s.gender, gender):
                return s.speaker
        return None

    # -- subjects -----------------------------------------------------------------------
    def _name_after(self, j: int, limit: int) -> Mention | None:
        """A person named right after ``j`` or set off by a comma (apposition)."""
        doc, toks = self.doc, self.toks
        m = doc.mention_at.get(j)
        if m is not None and m.label == "PER":
            return m
        if j + 1 < limit and toks[j].text in _COMMAS:
            m = doc.mention_at.get(j + 1)
            if m is not None and m.label == "PER":
                return m
        return None

    def _boundary(self, j: int, limit: int) -> bool:
        """Token ``j`` may follow a subject: a clause boundary, a complementizer, a quotation,
        a preposition opening an adjunct, or «قد» before the verb (الحكومة قد أعلنت)."""
        if j >= limit:
            return True
        t = self.toks[j]
        return (t.text in _CLAUSE_PUNCT or t.text in QUOTE_MARKS or self.complementizer_end(j) is not None
                or bool(t.stem_set() & _words()["prepositions"]) or _prepositional(t) or t.norm in _ADVERBIALS
                or t.norm == "قد")

    def subject_after(self, k: int, cue: Cue) -> tuple[dict, int] | None:
        """The subject starting at token ``k`` right after a verb of ``cue``: its speaker span
        and the token index after it (an apposed name or a describing relative clause included)."""
        doc, toks = self.doc, self.toks
        limit = doc.sentence_end(k)
        if k >= limit:
            return None
        t = toks[k]
        if t.text in _CLAUSE_PUNCT or t.text in QUOTE_MARKS or self.complementizer_end(k) is not None \
                or k in doc.cue_at:
            return None
        found: tuple[dict, int] | None = None
        m = doc.mention_at.get(k)
        if m is not None:
            if m.label == "PER" and _agrees(mention_gender(m, doc.text), cue.gender):
                found = _span(m), m.last
            elif m.label in ("ORG", "GPE") and _agrees(mention_gender(m, doc.text), cue.gender):
                found = _span(m), modifiers_end(toks, m.last, doc.mention_at)
            else:
                return None
        elif (title := title_at(toks, k)) is not None:
            j = modifiers_end(toks, title.end, doc.mention_at)
            person = self._name_after(j, limit)
            if person is not None:
                found = _span(person), person.last
            else:
                words = title.words + tuple(without_article(w.norm) for w in toks[title.end:j] if w.is_arabic)
                earlier = doc.last_titled_person(words, t.start)
                found = (_span(earlier) if earlier else {"start": t.start + title.offset, "end": toks[j - 1].end}), j
        elif without_article(t.norm) in _words()["speaker_nouns"]:
            # with its adjectives («مصادر دبلوماسية غربية»), not a complement («لوكالة ...»: the addressee)
            j = k + 1
            while j < limit and toks[j].norm.endswith(_NISBA) and not toks[j].is_stop and not _prepositional(toks[j]):
                m = doc.mention_at.get(j)
                j = m.last if m is not None else j + 1
            found = {"start": t.start, "end": toks[j - 1].end}, j
        elif t.norm.startswith("ال") and t.is_arabic and not t.is_stop:
            # a definite noun phrase: a descriptor before a name (قالت الباحثة فلانة), or,
            # for a verb that reports a complementizer clause, the subject itself (قالت الحكومة إن)
            j = modifiers_end(toks, k + 1, doc.mention_at)
            person = self._name_after(j, limit)
            if person is not None:
                found = _span(person), person.last
            elif "obj" not in cue.frames and self._boundary(j, limit):
                found = {"start": t.start, "end": toks[j - 1].end}, j
        elif not cue.participle and _name_like(t):
            found = self._unknown_subject(k, limit, cue)
        if found is None:
            return None
        return found[0], self._skip_relative(found[1], limit)

    def _unknown_subject(self, k: int, limit: int, cue: Cue) -> tuple[dict, int] | None:
        """A subject whose first word the lexicons do not know: a name of up to three words
        ending at a clause boundary (وقال بورتمان إن), or a noun with its genitive and
        modifiers (an office no list holds: «والي الولاية», «عميد الكلية») naming the person
        after it, or else, for a verb that reports a complementizer clause, the speaker itself."""
        toks = self.toks
        if toks[k].norm.endswith(_ENCLITICS):
            return None  # a noun with a possessive pronoun is an object (وتابع حديثه قائلا)
        j = k + 1
        while j < limit and j - k < 3 and not self._boundary(j, limit) and _name_like(toks[j]) \
                and not toks[j].norm.startswith("ال") and toks[j].text[:1] != "و":
            j += 1
        if self._boundary(j, limit):
            return {"start": toks[k].start, "end": toks[j - 1].end}, j
        j = modifiers_end(toks, k + 1, self.doc.mention_at)
        if j == k + 1:
            return None
        person = self._name_after(j, limit)
        if person is not None:
            return _span(person), person.last
        if "obj" not in cue.frames and self._boundary(j, limit):
            return {"start": toks[k].start, "end": toks[j - 1].end}, j
        return None

    def _skip_relative(self, j: int, limit: int) -> int:
        """After a subject: «، الذي ... ،» (a relative clause describing it) is skipped."""
        toks = self.toks
        k = j + 1 if j < limit and toks[j].text in _COMMAS else j
        if k < limit and toks[k].norm in _RELATIVES:
            for e in range(k + 1, limit):
                if toks[e].text in _COMMAS or toks[e].text == ":":
                    return e
            return limit
        return j

    def subject_before(self, c: int, hit: CueHit) -> dict | None:
        """SVO: a person, organisation or country ending at most two tokens before the cue
        (only commas or the particle «قد» between), in its sentence and not inside an adjunct."""
        doc = self.doc
        lo = doc.sentence_start(c)
        for idx in doc.mentions_ending_by(c):
            m = doc.mentions[idx]
            if m.first < lo or c - m.last > 2:
                break
            if m.label in ("PER", "ORG", "GPE") and all(t.text in _COMMAS or t.norm == "قد" for t in self.toks[m.last:c]) \
                    and not self.in_adjunct(m) and _agrees(mention_gender(m, doc.text), hit.cue.gender):
                return _span(m)
            if m.label not in ("NORP",):
                break
        return None

    def subject_of_auxiliary(self, c: int, hit: CueHit) -> dict | None:
        """«كان X قد CUE» (the pluperfect: «وكانت الوكالة قد ذكرت أن ...»): the subject stands
        between the auxiliary and «قد», as it would after the cue."""
        toks = self.toks
        if c < 3 or toks[c - 1].norm != "قد":
            return None
        lo = max(self.doc.sentence_start(c), c - 2 - _AUXILIARY_REACH)
        for a in range(c - 3, lo - 1, -1):
            if not toks[a].stems.isdisjoint(_KANA):
                subject = self.subject_after(a + 1, hit.cue)
                if subject is None:
                    return None
                j = self.after_quoted_name(subject[1])
                return subject[0] if all(t.text in _COMMAS for t in toks[j:c - 1]) else None
        return None

    def after_quoted_name(self, j: int) -> int:
        """The token after a short quotation opening at ``j`` (a quoted name after the noun
        it names: «صحيفة "الأيام"»), else ``j``."""
        mark = self.doc.mark_at.get(self.toks[j].start) if j < len(self.toks) else None
        if mark is not None and self.doc.token_at(mark.close) - j - 1 <= _QUOTED_NAME:
            return self.doc.token_at(mark.close) + 1
        return j

    def overt_subject(self, k: int, hit: CueHit) -> bool:
        """A noun right after the finite verb that the rules cannot read: a subject is there,
        so the verb's subject is not dropped (no speaker rather than the previous one)."""
        end = self.doc.sentence_end(k)
        if k >= end or "obj" in hit.cue.frames:
            return False
        t = self.toks[k]
        return k not in self.doc.mention_at and _name_like(t) and not t.norm.startswith("ال") \
            and not t.norm.endswith(_ENCLITICS) and not self._boundary(k, end)

    def speaker(self, hit: CueHit, k: int) -> tuple[dict | None, int]:
        """The speaker of the cue ``hit`` whose subject would start at token ``k``, and the
        token after the subject."""
        if not hit.cue.participle:
            subject = self.subject_after(k, hit.cue)
            if subject is not None:
                return subject[0], subject[1]
            before = self.subject_of_auxiliary(hit.index, hit) or self.subject_before(hit.index, hit)
            if before is not None or self.overt_subject(k, hit):
                return before, k
        return self.antecedent(hit.cue.gender), k


class CueRulesBaseline:
    """Rule-based quotes and speakers from Arabic reporting cues (see module docstring)."""

    name = "cue-rules"
    description = ("Arabic reporting cues and complementizers for direct, indirect and mixed quotes; "
                   "VSO/SVO/apposition/pro-drop speaker linking.")

    # -- content -----------------------------------------------------------------------
    def _clause_end(self, rd: _Reader, s: int) -> int:
        """Token index where reported content starting at ``s`` ends (exclusive)."""
        doc, toks = rd.doc, rd.toks
        end = doc.sentence_end(s)
        k = s
        while k < end:
            t = toks[k]
            m = doc.mark_at.get(t.start)
            if m is not None:
                k = doc.token_at(m.close) + 1
                continue
            if t.text in _SENTENCE_STOP:
                break
            if k > s and k in doc.cue_at and rd.opens_clause(k):
                break
            if t.text in _COMMAS and k + 1 < end and toks[k + 1].norm in _CLAUSE_BREAKERS | _RELATIVES:
                break  # «، كما قال ...», or a relative clause in the reporter's voice («، الذي ...»)
            if k > s and t.text[:1] == "و" and t.norm[1:] in _RELATIVES:
                break  # «والذي ...»: background joined by و, not content
            k += 1
        while k > s and toks[k - 1].text in _CLAUSE_PUNCT:
            k -= 1
        return k

    def _reported(self, rd: _Reader, s: int, e: int, qtype: str) -> dict | None:
        """The content ``[s, e)``: one quotation filling it is direct (the marks left out)."""
        if e <= s:
            return None
        doc, toks = rd.doc, rd.toks
        mark = doc.mark_at.get(toks[s].start)
        if mark is not None and doc.token_at(mark.close) == e - 1:
            return {"start": mark.start, "end": mark.end, "type": "direct"}
        start, end = toks[s].start, toks[e - 1].end
        if qtype == "indirect" and doc.mark_inside(start, end):
            qtype = "mixed"
        return {"start": start, "end": end, "type": qtype}

    def _direct_after(self, rd: _Reader, k: int, limit: int) -> MarkedSpan | None:
        """A quotation opening at token ``k`` (after optional commas, «قائلا» and a colon)."""
        toks = rd.toks
        while k < limit and (toks[k].text in (":", "،", ",") or toks[k].norm in _SAYING):
            k += 1
        return rd.doc.mark_at.get(toks[k].start) if k < limit else None

    def _content(self, rd: _Reader, cue: Cue, after: int, limit: int) -> dict | None:
        """The content of a verb of ``cue`` whose subject ends at ``after``."""
        doc, toks, frames = rd.doc, rd.toks, cue.frames
        mark = self._direct_after(rd, after, limit)
        if mark is not None:
            return {"start": mark.start, "end": mark.end, "type": "direct"}
        s = after
        while s < limit and (toks[s].text in _COMMAS or toks[s].norm in _ADVERBIALS):
            s += 1
        if s >= limit or toks[s].text in _SENTENCE_STOP:
            return None
        stripped = bool(toks[s].stem_set() & set(cue.strip))
        if stripped:
            s += 1
        comp = rd.complementizer_end(s) if s < limit else None
        if comp is not None:
            return self._reported(rd, comp, self._clause_end(rd, comp), "indirect")
        adjunct = s < limit and bool(toks[s].stem_set() & _words()["prepositions"])
        if "obj" in frames and (stripped or not adjunct or "comp" not in frames):
            if s < limit and toks[s].text not in _CLAUSE_PUNCT and s not in doc.cue_at:
                e = self._clause_end(rd, s)
                if e - s >= 2:
                    return self._reported(rd, s, e, "indirect")
            return None
        if "comp" not in frames:
            return None
        return self._after_adjuncts(rd, s, limit)

    def _after_adjuncts(self, rd: _Reader, k: int, limit: int) -> dict | None:
        """Content after the adjuncts starting at ``k``: a complementizer clause, or a
        quotation after a colon."""
        doc, toks = rd.doc, rd.toks
        start = k
        while k < limit and k - start <= _ADJUNCT_REACH:
            t = toks[k]
            if t.text in _SENTENCE_STOP or (k in doc.cue_at and rd.opens_clause(k)):
                return None
            if t.text == ":":
                mark = self._direct_after(rd, k, limit)
                return {"start": mark.start, "end": mark.end, "type": "direct"} if mark is not None else None
            if t.norm in _RELATIVES:
                k = rd._skip_relative(k, limit)
                if k >= limit or toks[k].text not in _COMMAS:
                    return None
                k += 1
                continue
            mark = doc.mark_at.get(t.start)
            if mark is not None:
                close = doc.token_at(mark.close)
                if close - k - 1 > _QUOTED_NAME or close + 1 >= limit:
                    return None
                k = close + 1
                continue
            comp = rd.complementizer_end(k)
            if comp is not None:
                return self._reported(rd, comp, self._clause_end(rd, comp), "indirect")
            k += 1
        return None

    # -- quotes ------------------------------------------------------------------------
    def _from_cue(self, rd: _Reader, hit: CueHit) -> tuple[dict | None, set[int]]:
        """The quote a reporting verb opens, with its cue, speaker and the gender a later
        dropped subject must agree with; and the tokens the cue took («قائلا»)."""
        toks, c = rd.toks, hit.index
        limit = rd.doc.sentence_end(c)
        cue_span = {"start": hit.start, "end": hit.end}
        consumed: set[int] = set()
        k = c + 1
        if k < limit and toks[k].norm in _SAYING:
            cue_span["end"] = toks[k].end
            consumed.add(k)
            k += 1
        if "src" in hit.cue.frames:
            relayed = self._relayed(rd, hit, k, limit)
            if relayed is None:
                return None, consumed
            return dict(relayed[0], cue=cue_span, speaker=relayed[1], gender=None), consumed
        speaker, after = rd.speaker(hit, k)
        q = self._content(rd, hit.cue, after, limit)
        if q is None:
            q = self._postposed_clause(rd, hit)
        if q is None:
            return None, consumed
        return dict(q, cue=cue_span, speaker=speaker, gender=hit.cue.gender), consumed

    def _relayed(self, rd: _Reader, hit: CueHit, k: int, limit: int) -> tuple[dict, dict] | None:
        """«نقلت الوكالة عن مصدر أمني قوله إن ...»: the words of the source named after «عن»
        (the verb's preposition), and the source, their speaker; the medium that relays them
        (the verb's own subject, a quoted title included) is no speaker."""
        doc, toks = rd.doc, rd.toks
        medium = rd.subject_after(k, hit.cue)
        j = medium[1] if medium is not None else k
        while j < limit:
            if (n := rd.after_quoted_name(j)) > j:
                j = n
            elif toks[j].text in _COMMAS or toks[j].norm in _ADVERBIALS or \
                    (j > k and (m := doc.mention_at.get(j)) is not None and m.label == "NORP"):
                j += 1
            else:
                break
        if j + 1 >= limit or toks[j].norm not in hit.cue.strip:
            return None
        source = rd.subject_after(j + 1, _SOURCE)
        if source is None:
            return None
        after = source[1]
        if after < limit and toks[after].norm in _SAYING_NOUNS:
            after += 1
        q = self._content(rd, _SOURCE, after, limit)
        return (q, source[0]) if q is not None else None

    def _source_preposition(self, rd: _Reader, p: int) -> dict | None:
        """«بحسب X، …» opening a sentence, or «…، بحسب X» after a clause (also حسب، وفق،
        وفقا لـ، طبقا لـ، نقلا عن): the clause is the content and X, a person, a body, a
        country, a title or a speaker noun, its speaker."""
        doc, toks = rd.doc, rd.toks
        t = toks[p]
        hit = next(((off, w) for off, w in t.readings if w in _SOURCE_PREPOSITIONS and (off == 0 or t.text[0] == "و")),
                   None)
        if hit is None:
            return None
        limit = doc.sentence_end(p)
        j = p + 1
        link = _SOURCE_PREPOSITIONS[hit[1]]
        if link == "عن":
            if j >= limit or toks[j].norm != "عن":
                return None
            j += 1
        elif link == "ل" and (j >= limit or toks[j].text[:1] != "ل"):
            return None
        if j >= limit:
            return None
        m = doc.mention_at.get(j)
        named = (m is not None and m.label in ("PER", "ORG", "GPE")) or title_at(toks, j) is not None \
            or (link != "ل" and without_article(toks[j].norm) in _words()["speaker_nouns"])
        source = rd.subject_after(j, _SOURCE) if named else None
        if source is None:
            return None
        cue = {"start": t.start + hit[0], "end": t.end}
        lo = doc.sentence_start(p)
        if p > lo + 2 and toks[p - 1].text in _COMMAS:
            q = self._clause_up_to(rd, p - 1)
        elif p == lo:
            s = source[1]
            while s < limit and toks[s].text in _COMMAS:
                s += 1
            comp = rd.complementizer_end(s) if s < limit else None
            s = comp if comp is not None else s
            q = self._reported(rd, s, self._clause_end(rd, s), "indirect") if s < limit else None
        else:
            q = None
        return dict(q, cue=cue, speaker=source[0], gender=None) if q is not None else None

    def _clause_before(self, rd: _Reader, o: int) -> int:
        """First token of the clause that ends before token ``o``: after the last separator
        (comma, colon, semicolon, dash) of the sentence, after a framing adjunct set off by
        a comma, and never inside an earlier quote."""
        doc, toks = rd.doc, rd.toks
        lo = doc.sentence_start(o) if o < len(toks) else len(toks)
        k = o
        while k > lo and toks[k - 1].text not in _SEPARATORS and toks[k - 1].start >= rd.taken_until:
            k -= 1
        return k

    def _postposed_clause(self, rd: _Reader, hit: CueHit) -> dict | None:
        """«…، كما قال X» after an unquoted clause: the clause is the content."""
        toks, c = rd.toks, hit.index
        if hit.conjoined or c < 2 or toks[c - 1].norm not in _POSTPOSED or toks[c - 2].text not in _COMMAS:
            return None
        return self._clause_up_to(rd, c - 2)

    def _clause_up_to(self, rd: _Reader, comma: int) -> dict | None:
        """The clause ending before the comma at token ``comma``, the content of a cue
        postposed to it: mixed when it holds a quotation, direct when it is one."""
        doc, toks = rd.doc, rd.toks
        s = self._clause_before(rd, comma)
        if comma - s < 2:
            return None
        mark = doc.mark_at.get(toks[s].start)
        if mark is not None and doc.token_at(mark.close) == comma - 1:
            return {"start": mark.start, "end": mark.end, "type": "direct"}
        start, end = doc.clause_start(s), toks[comma - 1].end
        return {"start": start, "end": end, "type": "mixed" if doc.mark_inside(start, end) else "indirect"}

    def _standalone_mark(self, rd: _Reader, m: MarkedSpan, used_cues: set[int]) -> dict | None:
        """A quotation not claimed by a preceding cue: a postposed cue, or after a colon."""
        doc, toks = rd.doc, rd.toks
        o = doc.token_at(m.open)
        c = doc.token_at(m.close) + 1
        limit = len(toks)
        k = c
        while k < limit and k - c < 3 and (toks[k].text in _COMMAS | _DASHES or toks[k].norm in _POSTPOSED):
            k += 1
        hit = doc.cue_at.get(k) if k < limit else None
        if hit is not None and not hit.conjoined and (toks[k].sentence == toks[o].sentence or k - c <= 2):
            used_cues.add(k)
            speaker, _ = rd.speaker(hit, k + 1)
            cue = {"start": hit.start, "end": hit.end}
            s = self._clause_before(rd, o)
            if s < o:  # the quotation ends a clause: the postposed cue attributes the whole clause
                return {"start": rd.doc.clause_start(s), "end": m.close + 1, "type": "mixed", "cue": cue,
                        "speaker": speaker, "gender": hit.cue.gender}
            return {"start": m.start, "end": m.end, "type": "direct", "cue": cue, "speaker": speaker,
                    "gender": hit.cue.gender}
        if o > 0 and toks[o - 1].text == ":" and c - o - 2 >= 3:
            sp = None
            lo = doc.sentence_start(o)
            for idx in doc.mentions_ending_by(o - 1):
                mm = doc.mentions[idx]
                if mm.first < lo:
                    break
                if mm.label in ("PER", "ORG") and not rd.in_adjunct(mm):
                    sp = _span(mm)
                    break
            return {"start": m.start, "end": m.end, "type": "direct", "cue": None,
                    "speaker": sp or rd.antecedent(None), "gender": None}
        return None

    def read(self, doc: Analysis) -> list[dict]:
        """Quotes of the analysed text, each with ``cue`` and ``speaker`` (spans or None)."""
        rd = _Reader(doc)
        quotes: list[dict] = []
        used_marks: set[int] = set()
        used_cues: set[int] = set()
        sources = [t for t in doc.tokens if not t.stems.isdisjoint(_SOURCE_PREPOSITIONS)]
        events = sorted([(c.start, 1, c) for c in doc.cues if not doc.quoted(c.start, c.end)]
                        + [(m.open, 0, m) for m in doc.marks]
                        + [(t.start, 2, t) for t in sources if not doc.quoted(t.start, t.end)],
                        key=lambda e: (e[0], e[1]))
        for pos, kind, obj in events:
            if kind == 0:
                m: MarkedSpan = obj
                if m.open in used_marks or m.open < rd.taken_until:
                    continue
                q = self._standalone_mark(rd, m, used_cues)
                if q is None:
                    continue
                used_marks.add(m.open)
            elif kind == 1:
                hit: CueHit = obj
                if hit.index in used_cues or hit.start < rd.taken_until:
                    continue
                q, consumed = self._from_cue(rd, hit)
                if q is None:
                    continue
                used_cues.add(hit.index)
                used_cues.update(consumed)
                used_marks.update(doc.marks_between(q["start"] - 1, q["end"]))
            else:
                if obj.start < rd.taken_until:
                    continue
                q = self._source_preposition(rd, obj.index)
                if q is None:
                    continue
                used_marks.update(doc.marks_between(q["start"] - 1, q["end"]))
            gender = q.pop("gender")
            rd.taken_until = max(rd.taken_until, q["end"], q["cue"]["end"] if q["cue"] else 0)
            quotes.append(q)
            if q["speaker"] is not None:
                rd.said.append(_Said(q["speaker"], gender))
        return sorted(quotes, key=lambda q: q["start"])

    # -- interface ---------------------------------------------------------------------
    def predict(self, document_id: str, text: str) -> Prediction:
        doc = analyse(text)
        return prediction(document_id, doc, self.read(doc))

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return attribute_with_linker(analyse(text), quotes)


def prediction(document_id: str, doc: Analysis, quotes: list[dict]) -> Prediction:
    """A prediction of the tagger's entities and the given quotes (scoring fields only)."""
    return {"document_id": document_id, "entities": [m.as_dict() for m in doc.mentions],
            "quotes": [{k: q[k] for k in ("start", "end", "type", "cue", "speaker")} for q in quotes]}


def attribute_with_linker(doc: Analysis, quotes: list[dict], predicted: list[dict] | None = None) -> list[Speaker]:
    """Speakers of given quote spans: the speaker of the overlapping rule-based quote,
    else the speaker of the nearest cue before the quote in its sentence (or of the cue
    right after it), else the latest speaker before it, else the nearest preceding person."""
    if predicted is None:
        predicted = CueRulesBaseline().read(doc)
    toks = doc.tokens
    out: list[Speaker] = []
    for q in quotes:
        best = most_overlapping(q, predicted)
        if best is not None and best.get("speaker") is not None:
            out.append(best["speaker"])
            continue
        rd = _Reader(doc)
        rd.said = [_Said(p["speaker"], None) for p in predicted if p["end"] <= q["start"] and p.get("speaker")]
        sp = None
        if toks:
            i = doc.token_at(q["start"])
            for k in range(i - 1, doc.sentence_start(i) - 1, -1):
                if k in doc.cue_at:
                    sp = rd.speaker(doc.cue_at[k], k + 1)[0]
                    break
            if sp is None:
                j = doc.token_at(q["end"]) + 1
                while j < len(toks) and (toks[j].text in QUOTE_MARKS | _COMMAS or toks[j].norm in _POSTPOSED):
                    j += 1
                if j < len(toks) and j in doc.cue_at:
                    sp = rd.speaker(doc.cue_at[j], j + 1)[0]
        if sp is None:
            sp = rd.antecedent(None)
        if sp is None:
            per = [m for m in doc.mentions if m.label == "PER" and m.start < q["start"]]
            sp = _span(per[-1]) if per else None
        out.append(sp)
    return out

