"""Who imposed a fine and who must pay it, from the parsed sentence and the article's names.

Owns `Names` (the article's people and organisations, from `doc._.mentions`, each known
as an authority or not) and `find_parties`. The parties come from the sentence's
structure first:

* an imposing verb ("fined", "ordered", "imposed", "hit ... with"): its subject is the
  authority and its object the target ("a fine of €8m on X": the "on"); in the passive
  ("X was fined by Y") the other way round;
* a paying verb ("agreed to pay", "will pay", "paid ... to settle"): its subject (or the
  subject or object of the verb it depends on: "Y ordered X to pay") is the target;
* "by"/"of" phrases near the amount ("charges by the FTC", "at the request of Y") name
  the authority when the subject does not.

What the structure leaves open falls back on word order (a name right before the
amount: "fines Streamly €1.2bn"; names in the sentence) and then on the article: the
authority and the target its headline and first lines name. An authority is a name
the gazetteer kind says is one (regulator, court, ministry, ...), or whose last word is
one ("... Commission", "... Authority"), or a person under an authority title ("Judge").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from newsmon.nlp.gazetteer import load_gazetteer
from newsmon.nlp.money.lexicon import MoneyLexicon, is_any
from newsmon.nlp.money.parse import Parsed
from newsmon.nlp.records import Mention

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_OBJECTS = ("dobj", "dative", "iobj", "attr")
_CLAUSE_LINKS = ("xcomp", "ccomp", "conj", "advcl", "relcl", "acl")
_AUTHORITY_PREPS = ("by",)
_FINING_VERBS = frozenset({"fine", "penalise", "penalize"})
_NOT_NAMES = frozenset({"GPE", "LOC", "NORP", "DATE", "TIME", "LAW", "LANGUAGE"})
_INDEFINITE = frozenset({"a", "an", "another", "some"})
_PLACE_TYPES = frozenset({"GPE", "NORP", "LOC"})


@dataclass(frozen=True)
class Party:
    name: str
    label: str  # "person" | "organisation"
    authority: bool
    start: int  # char offset of the mention it came from
    explicit: bool = True  # found by the sentence's structure (not a fallback)


class Names:
    """The article's mentions, by character position, each marked authority or not."""

    def __init__(self, text: str, mentions: list[Mention], lex: MoneyLexicon,
                 amounts: list[tuple[int, int]] = ()) -> None:
        gazetteer = load_gazetteer()
        self.parties: list[Party] = []
        mentions = [m for m in (_without_amount(m, amounts) for m in mentions) if m is not None]
        for m in sorted(mentions, key=lambda m: m.start):
            self.parties.append(Party(m.canonical, m.label, _is_authority(text, m, lex, gazetteer), m.start))
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.text = text

    def at(self, char: int) -> Party | None:
        for party, m in zip(self.parties, self.mentions):
            if m.start <= char < m.end:
                return party
            if m.start > char:
                break
        return None

    def token_indices(self, parsed: Parsed) -> dict[int, Party]:
        """Token index of the parsed copy -> the party whose name covers it: a person or
        organisation the entities found, else a run of capitalised words inside the
        sentence that no entity type claims ("the ticket reseller Encorely": the NER
        knows no invented company, and the payer is still named)."""
        found = {}
        for tok in parsed.doc:
            party = self.at(parsed.char_offset + tok.idx)
            if party is not None:
                found[tok.i] = party
        run: list[int] = []
        for tok in [*parsed.doc, None]:
            if tok is not None and tok.i not in found and _name_shaped(tok, parsed):
                run.append(tok.i)
                continue
            if run:
                first = parsed.doc[run[0]]
                name = parsed.doc[run[0]:run[-1] + 1].text
                party = Party(name, "organisation", False, parsed.char_offset + first.idx)
                for i in run:
                    found[i] = party
                run = []
        return found

    def authority_spans(self) -> list[tuple[int, int]]:
        return [(m.start, m.end) for p, m in zip(self.parties, self.mentions) if p.authority]

    def lead_party(self, authority: bool, end_char: int) -> Party | None:
        """The first authority (or target) named in the article's first lines."""
        for party, m in zip(self.parties, self.mentions):
            if m.start >= end_char:
                break
            if party.authority == authority:
                return Party(party.name, party.label, party.authority, party.start, explicit=False)
        return None

    def most_named(self, authority: bool, label: str | None = None) -> Party | None:
        counts: dict[str, int] = {}
        first: dict[str, Party] = {}
        for party in self.parties:
            if party.authority == authority and (label is None or party.label == label):
                counts[party.name] = counts.get(party.name, 0) + 1
                first.setdefault(party.name, party)
        if not counts:
            return None
        best = max(counts, key=lambda n: (counts[n], -first[n].start))
        p = first[best]
        return Party(p.name, p.label, p.authority, p.start, explicit=False)


def _name_shaped(tok: Token, parsed: Parsed) -> bool:
    """A capitalised word that is not the sentence's first, no number, and no place, date
    or other named thing in the article's own entities."""
    if not tok.text[:1].isupper() or not tok.is_alpha or tok.is_stop:
        return False
    if tok.i == 0 and tok.pos_ != "PROPN":  # "Former Crestline executive", but "Minto has agreed"
        return False
    if parsed.doc[tok.i - 1].text in ("\n", "—", "–", ":", '"', "“"):
        return False
    return tok.ent_type_ not in _NOT_NAMES


def _without_amount(m: Mention, amounts: list[tuple[int, int]]) -> Mention | None:
    """A name the NER ran into an amount ("Maisonneuve €8", "Whisperline 4.2"), cut before it."""
    for start, _ in amounts:
        if m.start < start < m.end:
            text = m.text[:start - m.start].rstrip(" ,")
            if not text:
                return None
            canonical = text if m.canonical == m.text or not m.canonical.startswith(text) else m.canonical
            return replace(m, text=text, canonical=canonical, end=m.start + len(text))
        if start == m.start:
            return None
    return m


def _is_authority(text: str, m: Mention, lex: MoneyLexicon, gazetteer) -> bool:
    entry = gazetteer.by_name.get(m.canonical) or gazetteer.by_form.get(m.text)
    if entry is not None and entry.kind:
        return entry.kind in lex.authority_kinds
    lower = m.canonical.lower()
    before = text[max(0, m.start - 30):m.start].lower().rstrip(" ,")
    if m.label == "organisation":
        last = lower.replace("'s", "").split()[-1] if lower.split() else ""
        described = before.split()[-1] if before.split() else ""  # "the regulator Netwatch"
        return (last in lex.authority_heads or any(w in lower for w in lex.authority_words)
                or described in lex.authority_descriptions)
    return any(before.endswith(title) for title in lex.authority_titles)


@dataclass
class Parties:
    authority: Party | None
    targets: list[Party]  # usually one; several for "X and Y were fined €10m each"
    unnamed_authority: bool = False  # "a federal judge fined ...": someone the text does not name


def find_parties(parsed: Parsed, span: Span, cue: Token | None, names: dict[int, Party],
                 lex: MoneyLexicon) -> Parties:
    """The authority and the target(s) of the fine whose amount is `span`, from the sentence."""
    verb = governing_verb(span, cue, lex)
    authority, targets, unnamed = None, [], False
    if verb is not None:
        authority, targets = _from_verb(verb, span, names, lex, headline=parsed.sent.start == 0)
        unnamed = authority is None and _unnamed_subject(verb, names, lex)
    if cue is not None and cue.pos_ == "NOUN" and not targets:
        targets = _payer_of_noun(cue, span, names, lex)
    if authority is None:
        authority, by_someone = _by_phrase(span, cue, verb, names)
        unnamed = unnamed or by_someone
    if not targets:
        before = _name_right_before(span, names)
        if before is not None and not before.authority:
            targets = [before]
    return Parties(authority, targets, unnamed and authority is None)


def _unnamed_subject(verb: Token, names: dict[int, Party], lex: MoneyLexicon) -> bool:
    """The imposing verb's subject is someone new the text does not name ("A federal judge
    fined ..."): an indefinite noun phrase without a name. ("The regulator fined ...":
    definite, it is the article's authority.)"""
    if not is_any(verb, lex.imposing_verbs):
        return False
    for subject in _child(verb, ("nsubj",)):
        if any(t.i in names for t in subject.subtree):
            return False
        return any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in subject.children)
    return False


def owner_of(span: Span, cue: Token | None, names: dict[int, Party], lex: MoneyLexicon,
             company: Party | None = None) -> Party | None:
    """Whose amount it is, by the sentence's structure: "Streamly's turnover of €38.7bn",
    "Glint reported revenue of $1.9bn", "the company would spend $400m" (the subject of
    the verb over the amount; "it", "its" and "the company" are the article's main
    `company`). None when the owner is no name ("analysts estimated")."""
    if cue is not None and cue.pos_ in ("NOUN", "PROPN"):
        owners = [c for c in cue.children if c.dep_ == "poss"]
        owner = _in(owners, names, False) or (company if _refers_to_company(owners, names, lex) else None)
        if owner is not None and not owner.authority:
            return owner
    for tok in [span.root, *span.root.ancestors][:5]:
        if tok.pos_ in ("VERB", "AUX") and tok.i not in range(span.start, span.end):
            subject = _child(tok, ("nsubj", "nsubjpass"))
            owner = _in(subject, names, False)
            if owner is None and _refers_to_company(subject, names, lex):
                owner = company
            if owner is not None and not owner.authority:
                return owner
            if subject:
                return None  # the first verb with a subject decides
    return None


def _refers_to_company(heads: list[Token], names: dict[int, Party], lex: MoneyLexicon) -> bool:
    """"it", "its", "the company", "the platform": no name, a company word, not "a company"."""
    for head in heads:
        if any(t.i in names for t in head.subtree) or head.lower_ not in lex.company_nouns \
                and head.lemma_.lower() not in lex.company_nouns:
            continue
        if head.pos_ == "PRON" or any(c.dep_ in ("det", "poss") and c.lower_ in ("the", "its") for c in head.children):
            return True
    return False


def governing_verb(span: Span, cue: Token | None, lex: MoneyLexicon) -> Token | None:
    """The nearest verb over the amount that imposes or pays it ("fined", "ordered ... to
    pay", "imposed a fine of"); None when none does ("A fine of a million pounds sounds
    large, said X": no one pays here)."""
    for tok in [span.root, *span.root.ancestors]:
        if tok.pos_ not in ("VERB", "AUX") or tok.i in range(span.start, span.end):
            continue
        if is_any(tok, lex.imposing_verbs) or is_any(tok, lex.paying_verbs):
            return tok
    return None


def _from_verb(verb: Token, span: Span, names: dict[int, Party], lex: MoneyLexicon,
               headline: bool = False) -> tuple[Party | None, list[Party]]:
    amount = set(t.i for t in span)
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        headline and _headline_passive(verb, amount, names, lex))
    if is_any(verb, lex.imposing_verbs):
        if passive:
            agent = [g for a in _child(verb, ("agent",)) for g in a.children if g.dep_ == "pobj"]
            return (_in(agent, names, True) or _described(agent, names, lex),
                    _all_in(_child(verb, ("nsubjpass", "nsubj")), names, amount))
        targets = _all_in(_child(verb, _OBJECTS), names, amount)
        if not targets:
            targets = _all_in(_prep_object(verb, lex.payer_preps), names, amount)
        subject = _child(verb, ("nsubj",))
        authority = _in(subject, names, True)
        if authority is None and is_any(verb, _FINING_VERBS):  # whoever fines is the authority
            authority = _in(subject, names, False)
        if authority is None:
            authority = _described(subject, names, lex)
        return authority, targets
    # a paying verb: its subject pays; "Y ordered X to pay": X pays, Y imposed
    targets = _all_in(_child(verb, _SUBJECTS), names, amount)
    head = verb.head if verb.dep_ in _CLAUSE_LINKS else None
    authority = None
    if head is not None and is_any(head, lex.imposing_verbs):
        head_passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in head.children)
        if head_passive:
            targets = targets or _all_in(_child(head, ("nsubjpass",)), names, amount)
            authority = _in(_child(head, ("agent",)), names, True)
        else:
            targets = targets or _all_in(_child(head, _OBJECTS), names, amount)
            authority = _in(_child(head, ("nsubj",)), names, True)
    elif head is not None and not targets:
        targets = _all_in(_child(head, _SUBJECTS), names, amount)
    return authority, targets


def _described(heads: list[Token], names: dict[int, Party], lex: MoneyLexicon) -> Party | None:
    """An authority the text describes instead of naming: "the Hamburg data protection
    authority", "Italy's competition regulator", "A Moscow court" -- a noun of authority
    with a place or nationality before it. ("The regulator" alone is the article's.)"""
    for head in heads:
        if any(t.i in names for t in head.subtree) or not is_any(head, lex.authority_descriptions):
            continue
        words = [t for t in head.subtree if t.i <= head.i and t.dep_ != "det"]
        if any(t.pos_ == "PROPN" or t.ent_type_ in _PLACE_TYPES for t in words[:-1]):
            doc = head.doc
            name = doc[words[0].i:head.i + 1].text
            return Party(name, "organisation", True, head.idx, explicit=True)
    return None


def _headline_passive(verb: Token, amount: set[int], names: dict[int, Party], lex: MoneyLexicon) -> bool:
    """"Former Crestline executive fined $250,000": a headline drops the "was". The
    subject names or describes no authority and the verb has no object but the amount."""
    subject = _child(verb, ("nsubj",))
    if not subject or _in(subject, names, True) is not None or _described(subject, names, lex):
        return False
    if any(is_any(t, lex.authority_descriptions) for s in subject for t in s.subtree):
        return False  # "Watchdog fined Zelt €1m"
    objects = [c for c in verb.children if c.dep_ in _OBJECTS and c.i not in amount]
    return not objects and verb.tag_ in ("VBN", "VBD")


def _payer_of_noun(noun: Token, span: Span, names: dict[int, Party], lex: MoneyLexicon) -> list[Party]:
    """"a fine of €8m on X", "a $4.5m fine against X", "X's €1.2bn fine"."""
    amount = set(t.i for t in span)
    found = _all_in(_prep_object(noun, lex.payer_preps), names, amount)
    if not found:
        found = _all_in([c for c in noun.children if c.dep_ == "poss"], names, amount)
    return found


def _by_phrase(span: Span, cue: Token | None, verb: Token | None, names: dict[int, Party]
               ) -> tuple[Party | None, bool]:
    """"charges by the Federal Trade Commission", "in proceedings brought by the ACCC": an
    authority in a "by" phrase of the clause; (None, True) when the phrase names no one
    ("claims by all 50 US states")."""
    top = verb or cue or span.root
    unnamed = False
    for tok in top.subtree:
        if tok.dep_ in ("agent", "prep") and tok.lower_ in _AUTHORITY_PREPS:
            objects = [c for c in tok.children if c.dep_ == "pobj"]
            party = _in(objects, names, True)
            if party is not None:
                return party, False
            if tok.lower_ == "by" and objects and not any(t.i in names for o in objects for t in o.subtree):
                unnamed = True
    return None, unnamed


def _name_right_before(span: Span, names: dict[int, Party]) -> Party | None:
    """"fines Streamly €1.2bn", "Arcadeon €32.5 million": a name just before the amount."""
    i = span.start - 1
    return names.get(i) if i >= 0 else None


def _child(tok: Token, deps: tuple[str, ...]) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _prep_object(tok: Token, preps) -> list[Token]:
    return [g for c in tok.children if c.dep_ == "prep" and c.lower_ in preps
            for g in c.children if g.dep_ == "pobj"]


def _in(heads: list[Token], names: dict[int, Party], authority: bool) -> Party | None:
    """The party named in the subtrees of `heads` (the authority, or any when none is)."""
    found = [names[t.i] for h in heads for t in h.subtree if t.i in names]
    if not found:
        return None
    return next((p for p in found if p.authority == authority), found[0] if not authority else None)


def _all_in(heads: list[Token], names: dict[int, Party], amount: set[int]) -> list[Party]:
    """The distinct non-authority parties named in the subtrees of `heads`, in order; not
    the owner in a possessive ("Kurumi's two rivals, Tenpo and Hoshiza": not Kurumi)."""
    seen: dict[str, Party] = {}
    for h in heads:
        owners = {t.i for c in h.children if c.dep_ == "poss" for t in c.subtree}
        for t in h.subtree:
            if t.i in amount or t.i in owners:
                continue
            party = names.get(t.i)
            if party is not None and not party.authority:
                seen.setdefault(party.name, party)
        after = h.right_edge.i + 1  # "The ticket reseller Encorely has ...": a name the parse left out
        if not seen and after < len(h.doc) and after not in amount:
            party = names.get(after)
            if party is not None and not party.authority and h.doc[after].dep_ not in _SUBJECTS + _OBJECTS:
                seen[party.name] = party
    return list(seen.values())
