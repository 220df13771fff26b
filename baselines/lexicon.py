"""The baselines' lexicons: data files under ``baselines/lexicons/``, read once and cached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from benchmark.text import tokenize

from .arabic import normalize

#: Files of general world knowledge (countries, cities, regions, organizations,
#: nationality adjectives): their entries are expected to overlap with any news
#: article's entities. The honesty test allows overlap with the gold only for these;
#: every other lexicon (given names, titles, cues ...) must not contain a multi-word
#: gold entity.
GENERAL_RESOURCE_FILES: tuple[str, ...] = (
    "countries.txt", "cities.txt", "regions.txt", "organizations.txt", "nisba.txt", "norp_words.txt",
)

#: Gazetteer files and the entity label of their entries.
GAZETTEERS: dict[str, str] = {
    "countries.txt": "GPE", "cities.txt": "GPE", "regions.txt": "LOC",
    "organizations.txt": "ORG", "norp_words.txt": "NORP",
}


def lexicon_files() -> list[str]:
    """Names of every lexicon data file shipped with the baselines."""
    root = resources.files("baselines") / "lexicons"
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".txt"))


@lru_cache(maxsize=None)
def read_lines(name: str) -> tuple[str, ...]:
    """The entries of a lexicon file: stripped lines, ``#`` comments and blanks dropped."""
    raw = (resources.files("baselines") / "lexicons" / name).read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


def token_key(phrase: str) -> tuple[str, ...]:
    """A phrase as the tuple of its normalized tokens (the tokenizer of the benchmark)."""
    return tuple(normalize(phrase[t.start:t.end]) for t in tokenize(phrase))


@lru_cache(maxsize=None)
def phrase_set(name: str) -> frozenset[tuple[str, ...]]:
    """A lexicon file as a set of token tuples."""
    return frozenset(token_key(x) for x in read_lines(name))


@lru_cache(maxsize=None)
def word_set(name: str) -> frozenset[str]:
    """A lexicon file of single words as a set of normalized words."""
    return frozenset(normalize(x) for x in read_lines(name))


def nisba_forms(stem: str) -> list[str]:
    """Inflected forms of a masculine nisba adjective: fem., plurals, definite.

    >>> nisba_forms("روسي")[:4]
    ['روسي', 'روسية', 'روسيون', 'روسيين']
    """
    base = [stem, stem + "ة", stem + "ون", stem + "ين", stem + "ات", stem + "تان", stem + "تين"]
    return base + ["ال" + b for b in base]


@lru_cache(maxsize=None)
def gazetteer() -> dict[tuple[str, ...], str]:
    """Every gazetteer phrase (normalized token tuple) with its label."""
    table: dict[tuple[str, ...], str] = {}
    for stem in read_lines("nisba.txt"):
        for form in nisba_forms(normalize(stem)):
            table[(form,)] = "NORP"
    for name, label in GAZETTEERS.items():
        for key in phrase_set(name):
            table.setdefault(key, label)
    return table


@dataclass(frozen=True)
class Cue:
    """One form of a reporting verb: its lemma, frames, the prepositions stripped from its
    complement, whether it is a circumstantial participle, and its gender (``m``, ``f``,
    or ``p`` for plural), which a dropped subject must agree with."""

    lemma: str
    frames: tuple[str, ...]
    strip: tuple[str, ...]
    participle: bool
    gender: str


_GENDERS = ("m", "f", "p")


@lru_cache(maxsize=None)
def cues() -> dict[str, Cue]:
    """Normalized cue form -> Cue (``cues.txt``: perfect, imperfect and participle forms,
    each column masculine, feminine, plural)."""
    table: dict[str, Cue] = {}
    for line in read_lines("cues.txt"):
        lemma, frame, strip, *columns = (x.strip() for x in line.split("|"))
        if len(columns) != 3 or any(len(forms.split()) != 3 for forms in columns):
            raise ValueError(f"cues.txt: {line!r} needs three columns of three forms (m f p)")
        strip_t = tuple(normalize(x) for x in strip.split() if x != "-")
        for column, forms in enumerate(columns):
            for gender, form in zip(_GENDERS, forms.split()):
                if form != "-":
                    table.setdefault(normalize(form), Cue(normalize(lemma), tuple(frame.split(",")), strip_t,
                                                          column == 2, gender))
    return table


@lru_cache(maxsize=None)
def complementizers() -> tuple[tuple[str, ...], ...]:
    """Complementizer token sequences, longest first."""
    return tuple(sorted(phrase_set("complementizers.txt"), key=len, reverse=True))
