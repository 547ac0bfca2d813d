"""The word lists of the money roles and fine records, read from nlp/resources/money.toml.

Owns `MoneyLexicon` (loaded once per component) and the few questions asked of it
about one token: is it a role cue (and which), a maximum marker, a status word.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Token

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEFAULT_LEXICON = RESOURCES / "money.toml"
ROLES = ("fine", "revenue", "cost", "funding", "price", "compensation", "maximum", "other")
CUE_POS = frozenset({"NOUN", "VERB", "PROPN"})  # never ADJ: "fine weather", "a fine line"
_INFLECTED = frozenset({"VERB", "AUX", ""})  # "": an unparsed copy


@dataclass(frozen=True)
class Cue:
    role: str
    pos: str | None  # "NOUN" / "VERB" when the cue counts only as that part of speech
    weak: bool = False


@dataclass(frozen=True)
class MoneyLexicon:
    cues: dict[str, tuple[Cue, ...]]  # lemma -> cues
    per_words: frozenset[str]
    per_units: frozenset[str]
    maximum_before: tuple[tuple[str, ...], ...]
    maximum_words: frozenset[str]
    modals: frozenset[str]
    conditional: frozenset[str]
    conversion_between: frozenset[str]
    status: dict[str, frozenset[str]]
    conditional_before: tuple[tuple[str, ...], ...]
    imposing_verbs: frozenset[str]
    paying_verbs: frozenset[str]
    payer_preps: frozenset[str]
    authority_heads: frozenset[str]
    authority_descriptions: frozenset[str]
    authority_words: tuple[str, ...]
    authority_kinds: frozenset[str]
    authority_titles: tuple[str, ...]
    company_nouns: frozenset[str]
    basis_suffixes: frozenset[str]
    basis_acronyms: dict[str, str]

    @classmethod
    def load(cls, path: Path = DEFAULT_LEXICON) -> "MoneyLexicon":
        with Path(path).open("rb") as fh:
            raw = tomllib.load(fh)
        cues: dict[str, list[Cue]] = {}
        roles = raw["roles"]
        for role in ROLES:
            for entry in roles.get(role, []):
                _add_cue(cues, entry, role, weak=False)
            for entry in roles.get("weak", {}).get(role, []):
                _add_cue(cues, entry, role, weak=True)
        parties, basis = raw["parties"], raw["basis"]
        return cls(
            cues={lemma: tuple(found) for lemma, found in cues.items()},
            per_words=frozenset(raw["price"]["per"]), per_units=frozenset(raw["price"]["units"]),
            maximum_before=tuple(tuple(p.split()) for p in raw["maximum"]["before"]),
            maximum_words=frozenset(raw["maximum"]["words"]), modals=frozenset(raw["maximum"]["modals"]),
            conditional=frozenset(raw["maximum"]["conditional"]),
            conversion_between=frozenset(raw["conversion"]["between"]),
            status={k: frozenset(v) for k, v in raw["status"].items() if k != "conditional"},
            conditional_before=tuple(tuple(p.split()) for p in raw["status"]["conditional"]),
            imposing_verbs=frozenset(parties["imposing_verbs"]),
            paying_verbs=frozenset(parties["paying_verbs"]),
            payer_preps=frozenset(parties["payer_preps"]),
            authority_heads=frozenset(parties["authority_heads"]),
            authority_descriptions=frozenset(parties["authority_descriptions"]),
            authority_words=tuple(parties["authority_words"]),
            authority_kinds=frozenset(parties["authority_kinds"]),
            authority_titles=tuple(parties["authority_titles"]),
            company_nouns=frozenset(parties["company_nouns"]),
            basis_suffixes=frozenset(basis["suffixes"]),
            basis_acronyms=dict(basis["acronyms"]),
        )

    def cue(self, tok: Token, *, weak: bool = False) -> str | None:
        """The role this token is a cue of, or None (nouns and verbs only)."""
        if tok.pos_ and tok.pos_ not in CUE_POS:
            return None
        for lemma in lemmas(tok):
            for cue in self.cues.get(lemma, ()):
                if cue.weak == weak and (cue.pos is None or cue.pos == tok.pos_ or
                                         (cue.pos == "NOUN" and tok.pos_ == "PROPN")):
                    return cue.role
        return None

    def is_status(self, tok: Token, status: str) -> bool:
        return not lemmas(tok).isdisjoint(self.status[status])


def is_any(tok: Token, words: frozenset[str]) -> bool:
    """Whether the word, under any of its `lemmas`, is one of `words`."""
    return not lemmas(tok).isdisjoint(words)


def lemmas(tok: Token) -> frozenset[str]:
    """The word's lemma and, for verbs, the forms plain de-inflection gives: the model's
    lemmatizer makes "fin" of "fined", so "fined" is looked up as "fine" too (not for
    nouns: "video-sharing" is no "share")."""
    lower = tok.lower_
    forms = {tok.lemma_.lower(), lower}
    if tok.pos_ not in _INFLECTED:
        return frozenset(forms)
    for ending, add in (("ied", "y"), ("ies", "y"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""),
                        ("ing", ""), ("ing", "e")):
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            forms.add(lower[:-len(ending)] + add)
    return frozenset(forms)


def _add_cue(cues: dict[str, list[Cue]], entry: str, role: str, weak: bool) -> None:
    lemma, _, pos = entry.partition("/")
    cues.setdefault(lemma.lower(), []).append(Cue(role, pos or None, weak))
