"""Counted nouns for the figures extractor: which thing a number counts, in singular.

Owns the word lists (from resources/nouns.toml, plus the noun/adjective/adverb indexes
of the spaCy model's lemmatizer tables when the pipeline has them) and the rules that
walk from a number to its noun without a tagger or parser: skip adjectives, names and
model numbers ("two catastrophic crashes", "400 737 Max jets"), keep noun compounds
("1,000 maintenance workers"), follow "N of the ..." ("two of the three requirements")
and singularise ("municipalities" -> "municipality", "people" -> "person").
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.lookups import Lookups
from spacy.tokens import Doc, Token
from spacy.util import get_package_path

log = logging.getLogger(__name__)

MAX_SCAN = 7  # tokens searched after a number for its noun
_POSSESSIVES = ("'s", "’s", "'", "’")
_HYPHENS = ("-", "‑")


@dataclass(frozen=True)
class CountedHead:
    """The noun a number counts, found after it."""
    object: str | None  # singular, lower case; None when it must come from an antecedent
    end: int  # token index just after the noun
    plural: bool  # the noun is in the plural (or is a plural-only word)
    direct: bool  # nothing but adjectives between the number and the noun
    skipped_names: bool  # capitalised words or model numbers were skipped to reach it
    via_of: bool  # "N of the ..." construction
    antecedent: bool = False  # "six of whom": the object is the thing counted before
    not_counted: bool = False  # "three times", "two-thirds": not a count of things
    modifiers: tuple[str, ...] = ()  # adjectives passed over ("big" in "seven big questions")


class NounLexicon:
    """Word classes and plural rules for counted nouns."""

    def __init__(self, table: dict, nouns: frozenset[str], adjectives: frozenset[str],
                 adverbs: frozenset[str], exceptions: dict[str, str]) -> None:
        self.nouns, self.adjectives, self.adverbs = nouns, adjectives, adverbs
        self.irregular: dict[str, str] = {**exceptions, **table["irregular"]}
        self.invariant = frozenset(table["invariant"]["words"])
        self.rules: list[tuple[str, str]] = [tuple(r) for r in table["plural_rules"]["rules"]]
        self.not_plural_endings = tuple(table["plural_rules"]["not_plural_endings"])
        self.modifiers = frozenset(table["modifiers"]["words"])
        self.stops = frozenset(table["stops"]["words"])
        self.not_counted = frozenset(table["not_counted"]["words"])
        self.determiners = frozenset(table["determiners"]["words"])
        self.of_determiners = frozenset(table["of_phrase"]["determiners"])
        self.of_pronouns = frozenset(table["of_phrase"]["pronouns"])
        self.pronoun_heads = frozenset(table["of_phrase"]["pronoun_heads"])
        self.has_index = bool(nouns)

    @classmethod
    def load(cls, path: Path, nlp: Language | None = None) -> "NounLexicon":
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        tables = _lemma_tables(nlp)
        if tables is None:
            log.warning("no lemmatizer tables in the pipeline; counted nouns use suffix rules only")
            return cls(table, frozenset(), frozenset(), frozenset(), {})
        index, exc = tables
        exceptions = {w: lemmas[0] for w, lemmas in exc.get("noun", {}).items() if lemmas}
        return cls(table, frozenset(index.get("noun", ())), frozenset(index.get("adj", ())),
                   frozenset(index.get("adv", ())), exceptions)

    # -- word classes -------------------------------------------------------------------
    def is_noun(self, lower: str) -> bool:
        """A known noun, or (without an index, or for unknown words) any plain word."""
        if lower in self.nouns:
            return True
        known = lower in self.adjectives or lower in self.adverbs
        plain = lower.isascii() and lower.isalpha() and len(lower) > 2
        return plain and not known and lower not in self.stops

    def is_known_noun(self, lower: str) -> bool:
        """A noun the word lists know (any plain word when there are no lists)."""
        return lower in self.nouns if self.has_index else self.is_noun(lower)

    def is_modifier(self, lower: str) -> bool:
        """An adjective, adverb or participle that sits before a noun without being part of it."""
        if lower in self.modifiers:
            return True
        if lower in self.nouns:
            return False
        if lower in self.adjectives or lower in self.adverbs:
            return True
        if lower.endswith(("ed", "ing")) and len(lower) > 4:
            return True
        return self._comparative(lower)

    def _comparative(self, lower: str) -> bool:
        for suffix in ("est", "er"):
            if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                stem = lower[: -len(suffix)]
                forms = (stem, stem + "e", stem[:-1], stem[:-1] + "y" if stem.endswith("i") else stem)
                if any(f in self.adjectives for f in forms):
                    return True
        return False

    def can_be_adjective(self, lower: str) -> bool:
        return lower in self.adjectives or lower in self.modifiers

    # -- number -----------------------------------------------------------------------
    def singular(self, lower: str) -> str | None:
        """The singular of a plural noun; None when the word is not a recognisable plural."""
        if lower in self.irregular:
            return self.irregular[lower]
        if lower in self.invariant:
            return lower
        if len(lower) < 3 or not (lower.isalpha() and lower.isascii()) or lower.endswith(self.not_plural_endings):
            return None
        for old, new in self.rules:
            if lower.endswith(old):
                candidate = lower[: len(lower) - len(old)] + new
                if candidate in self.nouns and candidate != lower:
                    return candidate
        if lower in self.nouns or lower in self.adjectives or lower in self.adverbs:
            return None
        return _guess_singular(lower)


def _guess_singular(lower: str) -> str | None:
    """Singular of a word no list knows ("deepfakes", "apps"): plain English endings only."""
    if not lower.endswith("s"):
        return None
    if lower.endswith("ies") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith(("sses", "ches", "shes", "xes", "zes")):
        return lower[:-2]
    return lower[:-1]


def _lemma_tables(nlp: Language | None) -> tuple[dict, dict] | None:
    """(lemma_index, lemma_exc) of the model's lemmatizer: from the pipeline's component
    (enabled or disabled), else from the model's files when the component was excluded."""
    if nlp is None:
        return None
    for _, component in nlp.components:
        lookups = getattr(component, "lookups", None)
        if lookups is not None and lookups.has_table("lemma_index"):
            return _tables_of(lookups)
    for folder in _model_folders(nlp):
        path = folder / "lemmatizer" / "lookups"
        if (path / "lookups.bin").exists():
            log.debug("counted nouns use the word lists in %s", path)
            return _tables_of(Lookups().from_disk(path))
    return None


def _model_folders(nlp: Language) -> list[Path]:
    """Where the model's files may be: its load path, or the installed package."""
    folders = [Path(nlp.path)] if nlp.path else []
    package = f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}"
    try:
        root = get_package_path(package)
    except (ImportError, ModuleNotFoundError, AttributeError, TypeError):
        return folders
    return folders + sorted(p.parent for p in root.glob("*/config.cfg"))


def _tables_of(lookups: Lookups) -> tuple[dict, dict]:
    index = lookups.get_table("lemma_index")
    exc = lookups.get_table("lemma_exc") if lookups.has_table("lemma_exc") else {}
    return ({k: index.get(k, []) for k in ("noun", "adj", "adv")},
            {"noun": exc.get("noun", {})} if exc else {})


# -- walking from a number to its noun --------------------------------------------------

def find_counted(doc: Doc, start: int, lex: NounLexicon) -> CountedHead | None:
    """The noun counted by a number that ends just before token `start`, or None."""
    if start >= len(doc):
        return None
    first = doc[start].lower_
    if first == "of" or (first == "out" and start + 1 < len(doc) and doc[start + 1].lower_ == "of"):
        return _after_of(doc, start + (1 if first == "of" else 2), lex)
    return _scan(doc, start, lex, via_of=False)


def _after_of(doc: Doc, k: int, lex: NounLexicon) -> CountedHead | None:
    """"two of the three requirements", "30 of Boeing's jets", "six of whom"."""
    if k >= len(doc):
        return None
    lower = doc[k].lower_
    if lower in lex.of_pronouns and not _noun_follows(doc, k + 1, lex):
        return CountedHead(None, k + 1, True, False, False, True, antecedent=True)
    if lower in lex.of_determiners:
        k += 1
    return _scan(doc, _skip_possessor(doc, k), lex, via_of=True)


def _noun_follows(doc: Doc, k: int, lex: NounLexicon) -> bool:
    return k < len(doc) and doc[k].is_alpha and lex.singular(doc[k].lower_) is not None


def _skip_possessor(doc: Doc, k: int) -> int:
    """Skip "the country 's" or "Boeing 's" to what it possesses."""
    for j in range(k, min(len(doc), k + 4)):
        if doc[j].text in _POSSESSIVES and j > k:
            return j + 1
        if not doc[j].is_alpha:
            break
    return k


def _scan(doc: Doc, j: int, lex: NounLexicon, via_of: bool) -> CountedHead | None:
    """Walk a noun phrase: skip modifiers and names, stop at its plural head or its end."""
    run: list[str] = []  # contiguous noun words that may be the head or a compound part
    mods: list[str] = []
    run_end = j
    before_and: tuple[list[str], int, bool, bool] = ([], j, True, False)
    direct, skipped, coordinated, skip_next = True, False, False, False
    for k in range(j, min(len(doc), j + MAX_SCAN)):
        tok = doc[k]
        lower = tok.lower_
        if tok.is_space or (tok.is_punct and lower not in _HYPHENS and not tok.is_quote):
            break
        if tok.is_quote:
            direct = False
            continue
        if lower in _HYPHENS and _glued(doc, k):
            if k == j:
                return None  # "10-15 minutes", "0-60 mph": a range, not a compound
            if run and not _is_word_hyphen_word(doc, k):
                break
            run.clear()
            skip_next, direct = True, False
            continue
        if skip_next:
            skip_next = False
            continue
        if lower in lex.stops and not (tok.text.isupper() and len(tok.text) > 1):
            if lower in ("and", "or", "&") and (run or mods) and not coordinated:
                coordinated, before_and, run = True, (run, run_end, direct, skipped), []
                continue
            break
        head = _plural_head(doc, k, lex)
        if head is not None and lower in lex.pronoun_heads:
            return CountedHead(None, k + 1, True, False, skipped, via_of, antecedent=True)
        if head is not None and k + 2 < len(doc) and doc[k + 1].text in _POSSESSIVES:
            owned = _scan(doc, k + 2, lex, via_of)  # "16 children's shows": the shows are counted
            if owned is not None and owned.plural and owned.object:
                return owned
        if head is not None:
            if head in lex.not_counted or lower in lex.not_counted:
                return _not_counted(k)
            obj = head if coordinated else " ".join([*_compound(run, lex), head])
            return CountedHead(obj, k + 1, True, direct, skipped, via_of, modifiers=tuple(mods))
        if lower in lex.not_counted and not run:
            return _not_counted(k)
        if _is_name_or_number(tok, lex):
            if run:
                break
            skipped, direct = True, False
            continue
        if lex.is_modifier(lower) or _prenominal_adjective(doc, k, lex):
            if run:
                break
            mods.append(lower)
            continue
        if lex.is_noun(lower):
            run.append(lower)
            run_end = k + 1
            continue
        break
    if coordinated:  # no plural after "and": the singular phrase is the one before it
        run, run_end, direct, skipped = before_and
    while len(run) > 1 and lex.can_be_adjective(run[-1]):
        run.pop()  # "one common strategy present in": "present" follows its noun
        run_end -= 1
    if not run:
        return None
    head = run[-1]
    if head in lex.not_counted:
        return _not_counted(j)
    if lex.can_be_adjective(head) and run_end < len(doc) and doc[run_end].text == ",":
        return None  # "One small, 2-month study": an adjective in a list, not a noun
    obj = " ".join([*_compound(run[:-1], lex), head])
    return CountedHead(obj, run_end, False, direct, skipped, via_of, modifiers=tuple(mods))


def _prenominal_adjective(doc: Doc, k: int, lex: NounLexicon) -> bool:
    """A word that can be an adjective or a noun ("large", "civilian", "official") is an
    adjective when more of the phrase follows it ("large online platforms")."""
    lower = doc[k].lower_
    if not lex.can_be_adjective(lower) or k + 1 >= len(doc):
        return False
    nxt = doc[k + 1]
    return nxt.is_alpha and nxt.lower_ not in lex.stops


def _not_counted(k: int) -> CountedHead:
    return CountedHead(None, k + 1, False, False, False, False, not_counted=True)


def _plural_head(doc: Doc, k: int, lex: NounLexicon) -> str | None:
    """Singular of token k when it is the plural head of the phrase, else None."""
    tok = doc[k]
    if not tok.is_alpha:
        return None
    singular = lex.singular(tok.lower_)
    if singular is None:
        return None
    if tok.text[0].isupper() and _continues_phrase(doc, k + 1, lex):
        return None  # "Two United States service members": "States" is a modifier
    return singular


def _continues_phrase(doc: Doc, k: int, lex: NounLexicon) -> bool:
    if k >= len(doc):
        return False
    nxt = doc[k]
    if not nxt.is_alpha or nxt.lower_ in lex.stops:
        return False
    return nxt.text[0].isupper() or (lex.is_known_noun(nxt.lower_) and not lex.is_modifier(nxt.lower_))


def _is_name_or_number(tok: Token, lex: NounLexicon) -> bool:
    """Capitalised words, model numbers and numbers between a number and its noun."""
    text = tok.text
    if any(ch.isdigit() for ch in text):
        return True
    return text[0].isupper() or tok.like_num


def _is_word_hyphen_word(doc: Doc, k: int) -> bool:
    return k + 1 < len(doc) and doc[k - 1].is_alpha and doc[k + 1].is_alpha


def _glued(doc: Doc, k: int) -> bool:
    return k > 0 and doc[k - 1].whitespace_ == "" and doc[k].whitespace_ == ""


def _compound(words: list[str], lex: NounLexicon) -> list[str]:
    """The noun right before the head when it stays with it ("maintenance worker"): a
    known noun that cannot be an adjective."""
    if not words:
        return []
    word = words[-1]
    return [word] if word in lex.nouns and not lex.can_be_adjective(word) else []
