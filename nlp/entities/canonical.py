"""Canonical names within one document: the fullest form the text gives.

Owns three pure rules (GUIDELINES: "``name`` is the fullest form the text gives"):

* people: variants of one full name ("Pat Carlineo", "Patrick W. Carlineo",
  "Patrick Carlineo Jr.") cluster on surname and compatible first names, and take
  the longest variant; a surname or a first name alone ("Durov", "Cho") takes the
  full name it refers to, the nearest one mentioned before it when several fit;
* acronyms the text defines ("Communications Standards Commission (KCSC)") map to
  their expansion (``find_acronym_definitions``);
* gazetteer aliases map to the fullest form of the same organisation that the text
  itself spells out, otherwise the text's own form stays;
* other organisations named with and without a corporate suffix ("Vantor",
  "Vantor Inc.") take the form with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

ACRONYM_FILLERS = frozenset({"of", "for", "and", "the", "on", "in", "to", "&", "de", "des", "du", "la", "le"})
POSSESSIVE_S = frozenset({"'s", "’s"})  # "Ofcom's": the tokenizer's possessive after a name
POSSESSIVES = POSSESSIVE_S | {"'", "’"}  # and after a plural: "European Shoppers' Alliance"
MAX_EXPANSION_TOKENS = 14
OF_WORDS = frozenset({"of", "for", "on"})


# --- people ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    """A person name split for matching: given names, surname, and an optional suffix."""
    text: str
    tokens: tuple[str, ...]  # without the suffix
    suffix: str | None

    @property
    def is_full(self) -> bool:
        return len(self.tokens) >= 2


def split_name(text: str, suffixes: frozenset[str]) -> PersonName:
    tokens = text.split()
    suffix = None
    if len(tokens) > 1 and tokens[-1] in suffixes:
        suffix = tokens.pop()
    return PersonName(text, tuple(t.rstrip(",") for t in tokens), suffix)


def _given_compatible(a: str, b: str) -> bool:
    """"Pat"/"Patrick", "P."/"Patrick", "Joe"/"Joe" are compatible given names; "Jo"/"John" are not."""
    a, b = a.rstrip(".").casefold(), b.rstrip(".").casefold()
    if a == b:
        return True
    shorter = min(len(a), len(b))
    # an initial ("P."), or a short form of three letters or more ("Pat"); "Jo" is not "John"
    return (shorter == 1 or shorter >= 3) and (a.startswith(b) or b.startswith(a))


def same_person(a: PersonName, b: PersonName) -> bool:
    """Two full names for one person: same surname, compatible first given names, and no two
    middle names that differ ("George H. W. Bush" is not "George W. Bush", "Jeong Hye Jin" not
    "Jeong Jae Jin"; "Patrick W. Carlineo" is "Patrick Carlineo")."""
    if not (a.is_full and b.is_full) or a.tokens[-1] != b.tokens[-1]:
        return False
    return _given_compatible(a.tokens[0], b.tokens[0]) and all(
        _given_compatible(x, y) for x, y in zip(_middle_names(a), _middle_names(b)))


def _middle_names(name: PersonName) -> list[str]:
    """The capitalised words between the first given name and the surname (not the particles of
    "Juan Carlos de la Vega")."""
    return [t for t in name.tokens[1:-1] if t[:1].isupper()]


def _fullness(name: PersonName) -> tuple[int, int]:
    """Spelled-out words (initials do not count) plus the suffix, then length."""
    words = sum(1 for t in name.tokens if not _is_initial(t))
    return words + (1 if name.suffix else 0), len(name.text)


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) <= 1 or (token.endswith(".") and token[:-1].replace(".", "").isupper()
                                           and len(token) <= 4)


def refers_to(short: PersonName, full: PersonName) -> bool:
    """A shorter name that can stand for ``full``: its surname part, or its first name alone."""
    if short.is_full and len(short.tokens) >= len(full.tokens):
        return False
    k = len(short.tokens)
    if _folded(full.tokens[-k:]) == _folded(short.tokens):  # "De Moraes" for "Alexandre de Moraes"
        return True
    return k == 1 and full.tokens[0] == short.tokens[0]


def _folded(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.casefold() for t in tokens)


def person_canonicals(
    occurrences: Sequence[tuple[str, int]], suffixes: frozenset[str]
) -> list[str]:
    """Canonical name for every (name, position) occurrence of a person in one document."""
    names = {text: split_name(text, suffixes) for text, _ in occurrences}
    first_seen: dict[str, int] = {}
    for text, pos in occurrences:
        first_seen[text] = min(pos, first_seen.get(text, pos))

    # Cluster the full names; each cluster's canonical is its fullest, earliest variant.
    # A two-word name that ends a longer one ("Eriksson Ek" in "Joel Eriksson Ek") is a short form.
    fulls = sorted((n for n in names.values() if n.is_full), key=lambda n: first_seen[n.text])
    fulls = [n for n in fulls if not any(
        len(m.tokens) > len(n.tokens) and _folded(m.tokens[-len(n.tokens):]) == _folded(n.tokens) for m in fulls)]
    cluster_of: dict[str, str] = {}
    clusters: list[list[PersonName]] = []
    for name in fulls:
        for cluster in clusters:
            if any(same_person(name, member) for member in cluster):
                cluster.append(name)
                break
        else:
            clusters.append([name])
    for cluster in clusters:
        best = max(cluster, key=lambda n: (*_fullness(n), -first_seen[n.text]))
        for member in cluster:
            cluster_of[member.text] = best.text

    positions = {text: sorted(p for t, p in occurrences if t == text) for text in names}
    result = []
    for text, pos in occurrences:
        if text in cluster_of:
            result.append(cluster_of[text])
            continue
        result.append(_resolve_short(names[text], pos, fulls, positions, cluster_of) or text)
    return result


def _resolve_short(short: PersonName, pos: int, fulls: Sequence[PersonName],
                   positions: dict[str, list[int]], cluster_of: dict[str, str]) -> str | None:
    """The cluster a short name refers to: the one mentioned last before ``pos``, else the first after."""
    targets = {cluster_of[f.text] for f in fulls if refers_to(short, f)}
    if not targets:
        surname_only = [f for f in fulls if short.is_full and f.tokens[-1] == short.tokens[-1]]
        targets = {cluster_of[f.text] for f in surname_only if _given_compatible(f.tokens[0], short.tokens[0])}
    if len(targets) <= 1:
        return next(iter(targets), None)
    best_before, best_after = None, None
    for f in fulls:
        canonical = cluster_of[f.text]
        if canonical not in targets:
            continue
        for p in positions[f.text]:
            if p <= pos and (best_before is None or p > best_before[0]):
                best_before = (p, canonical)
            if p > pos and (best_after is None or p < best_after[0]):
                best_after = (p, canonical)
    chosen = best_before or best_after
    return chosen[1] if chosen else None


# --- acronyms ----------------------------------------------------------------------


@dataclass(frozen=True)
class AcronymDefinition:
    acronym: str
    start: int  # token span of the expansion
    end: int
    expansion: str


def lower_case_acronyms(doc: Doc, texts: list[str] | None = None) -> dict[str, str]:
    """An acronym of lower-case words names a thing: ``very large online platform (VLOP)``,
    ``hypersensitivity pneumonitis, or HP``, and at a sentence's start ``Binge eating disorder
    (BED)``. A name's words are capitalised, so these define a term, not a body. `texts`: each
    token's text, if the caller has read them already."""
    found = {}
    texts = texts if texts is not None else [t.text for t in doc]
    for i in range(1, len(doc) - 2):
        if texts[i] == "(" and texts[i + 2] == ")":
            at, before = i + 1, i  # "... platform (VLOP)"
        elif texts[i] == "," and texts[i + 1].lower() == "or":
            at, before = i + 2, i  # "... pneumonitis, or HP"
        else:
            continue
        acronym_token = doc[at]
        if not (acronym_token.is_upper and acronym_token.is_alpha):
            continue
        acronym = acronym_token.text.rstrip("s")
        start = before - len(acronym)
        words = list(doc[max(0, start):before])
        if not (len(words) == len(acronym) >= 2 and all(t.is_alpha for t in words)
                and "".join(t.text[0] for t in words).upper() == acronym):
            continue
        if all(t.is_lower for t in words) or (words[0].is_sent_start and words[0].is_title
                                               and all(t.is_lower for t in words[1:])):
            found[acronym_token.text] = " ".join(t.text for t in words)
    found.update(_acronyms_spelt_out_after(doc, texts))
    return found


def _acronyms_spelt_out_after(doc: Doc, texts: list[str]) -> dict[str, str]:
    """``FIRE (financial independence, retire early)``, ``PFAS, or per- and polyfluoroalkyl
    substances``: an acronym followed by "(" or ", or" and two to eight lower-case words (a comma
    or hyphen between them) spelt out in those words, whose first letter is the acronym's and
    whose first word is no function word ("the WHO (which is based there)")."""
    found = {}
    for i in range(len(doc) - 3):
        if texts[i + 1] not in ("(", ","):  # read first: most tokens are followed by neither
            continue
        token = doc[i]
        if not (token.is_upper and token.is_alpha and len(token) >= 2):
            continue
        if doc[i + 1].text == "(":
            start, inside, closing = i + 2, (",", "-"), (")",)  # commas inside the brackets
        elif doc[i + 1].text == "," and doc[i + 2].lower_ == "or":
            start, inside, closing = i + 3, ("-",), (",", ".", ";", ")")
        else:
            continue
        end = start
        while end < len(doc) and end - start < 12 and (doc[end].is_lower or doc[end].text in inside):
            end += 1
        words = [t for t in doc[start:end] if t.is_lower]
        if 2 <= len(words) <= 8 and words[0].text[0] == token.text[0].lower() and not words[0].is_stop and (
                end >= len(doc) or doc[end].text in closing):
            found[token.text] = doc[start:end].text
    return found


def find_acronym_definitions(doc: Doc, place: Callable[[Span], bool] | None = None,
                             texts: list[str] | None = None) -> list[AcronymDefinition]:
    """``Full Name (ACR)`` where the acronym's letters are the initials of the words before.

    The words may include fillers ("of", "and") and a possessor the acronym also
    abbreviates. A place as possessor ("Korea's Communications Standards Commission
    (KCSC)") is no part of the name: the expansion is the part after the possessive, the
    name the text actually gives. Any other possessor ("People's Liberation Army (PLA)")
    stays in it; without ``place`` (is this possessor a place?) every possessor is cut.
    """
    found = []
    texts = texts if texts is not None else [t.text for t in doc]  # each token's text, if read already
    for i in range(1, len(doc) - 2):
        if texts[i] != "(" or texts[i + 2] != ")":
            continue
        acronym = doc[i + 1].text
        letters = [c for c in acronym if c.isupper()]
        if not (2 <= len(letters) <= 8) or not acronym[0].isupper() or not acronym.isalpha():
            continue
        span = _match_initials(doc, i, letters, place) or _match_skipping(doc, i, letters)
        if span:
            start, end = span
            found.append(AcronymDefinition(acronym, start, end, doc[start:end].text))
    return found


def _match_skipping(doc: Doc, paren: int, letters: list[str]) -> tuple[int, int] | None:
    """Initials that skip a word: "Ministry of Internal Affairs and Communications (MIC)".

    The run of capitalised words and fillers right before the "(" must start with the
    acronym's first letter and end with its last, and the acronym's letters must be a
    subsequence of the words' initials, with at most one word left out.
    """
    j = paren - 1
    words: list[int] = []
    while j >= 0 and paren - j <= MAX_EXPANSION_TOKENS:
        text = doc[j].text
        if text[:1].isupper() and text.isalpha():
            words.append(j)
        elif not (text.lower() in ACRONYM_FILLERS and words):
            break
        j -= 1
    for k in range(len(words), 1, -1):  # the longest run whose first word starts the acronym
        run = list(reversed(words[:k]))
        initials = [doc[w].text[0] for w in run]
        if initials[0] != letters[0] or initials[-1] != letters[-1] or len(run) - len(letters) != 1:
            continue
        it = iter(initials)
        if all(letter in it for letter in letters):
            return run[0], paren
    return None


def _match_initials(doc: Doc, paren: int, letters: list[str],
                    place: Callable[[Span], bool] | None = None) -> tuple[int, int] | None:
    """Walk back from the "(" at ``paren`` matching ``letters`` right to left."""
    remaining = list(letters)
    j = paren - 1
    first_word = None
    possessive_after = None  # index of the first token after a possessive inside the run
    while remaining and j >= 0 and paren - j <= MAX_EXPANSION_TOKENS:
        token = doc[j]
        text = token.text
        if text in POSSESSIVE_S:  # "Korea's Communications ..."; not "European Shoppers' Alliance"
            possessive_after = possessive_after or j + 1
        elif text in POSSESSIVES:
            pass
        elif text.lower() in ACRONYM_FILLERS and first_word is not None:
            pass
        elif text[:1].isupper():
            capitals = [c for c in text if c.isupper()] if len(text) > 1 else [text]
            # A word gives its initial, or all its capitals ("eSafety" gives "S", "PayPal" "PP").
            if remaining[-len(capitals):] == capitals and len(capitals) > 1:
                del remaining[-len(capitals):]
            elif remaining[-1] == text[0]:
                remaining.pop()
            else:
                return None
            first_word = j
        else:
            return None
        j -= 1
    if remaining or first_word is None:
        return None
    cut = (possessive_after and possessive_after > first_word
           and (place is None or place(doc[first_word:possessive_after - 1])))
    start = possessive_after if cut else first_word
    if start >= paren:
        return None
    return start, paren


# --- organisations -----------------------------------------------------------------


def fullest_form(forms_present: Iterable[str], ranked: Sequence[str]) -> str | None:
    """Of the forms of one organisation found in the text, the one ranked fullest."""
    order = {form: i for i, form in enumerate(ranked)}
    present = [f for f in forms_present if f in order]
    return min(present, key=order.__getitem__) if present else None


def strip_corporate_suffixes(name: str, suffixes: Iterable[str]) -> str:
    """"Vantor Inc." -> "Vantor", "Zorblat Pty Ltd" -> "Zorblat", "Acme, Inc." -> "Acme"."""
    suffixes = frozenset(suffixes)
    words = name.split()
    while len(words) > 1 and words[-1] in suffixes:
        words.pop()
        words[-1] = words[-1].rstrip(",")
    return " ".join(words)


def company_canonicals(names: Iterable[str], suffixes: Iterable[str]) -> dict[str, str]:
    """Every organisation name -> its fullest form in the text, the names being the same
    but for corporate suffixes ("Vantor" -> "Vantor Inc." when the text has both)."""
    suffixes = frozenset(suffixes)
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        groups.setdefault(strip_corporate_suffixes(name, suffixes), []).append(name)
    return {name: max(group, key=len) for group in groups.values() for name in group}


def head_back_references(canonicals: Iterable[str], heads: Iterable[str] | None = None) -> dict[str, str]:
    """A one-word organisation name that is the last word of exactly one longer
    organisation name in the same text refers back to it ("the Commission" after
    "the European Commission"; "the Court" after "the General Court").  With two
    candidates ("European Commission" and "Federal Trade Commission") it stays as it is,
    and so do acronyms ("EU"). With ``heads``, only a generic head word refers back ("Court",
    "Commission"): "Tribune" (the company) is not "Chicago Tribune".
    The first word of a name built with "of" refers back too, whatever it is ("the Chamber"
    after "the Chamber of Deputies")."""
    heads = frozenset(heads) if heads is not None else None
    names = list(dict.fromkeys(canonicals))
    longer: dict[str, set[str]] = {}
    heads_of: dict[str, set[str]] = {}  # "Chamber" -> {"Chamber of Deputies"}
    for name in names:
        words = name.split()
        if len(words) > 1:
            longer.setdefault(words[-1], set()).add(name)
        if len(words) > 2 and words[1] in OF_WORDS:
            heads_of.setdefault(words[0], set()).add(name)
    out = {}
    for name in names:
        if " " in name or name.isupper():
            continue
        fits = longer.get(name, set()) if heads is None or name in heads else set()
        fits = fits | heads_of.get(name, set())
        if len(fits) == 1:
            out[name] = next(iter(fits))
    return out
