"""Credit lines: who reported a story, who took its pictures and who issued it, by news conventions.

Owns the patterns of credits and bylines that the NER model does not know:

* a wire service's credit line, "(Reporting by A in Lagos and B; Editing by C)": each
  part names a journalist (a person); the place each reported from is not a name;
* a picture's credit at the end of a caption or on a line of its own, "Photo: Steve
  Bell/Getty Images", "Eirik Hagen/NTB via AP", "AP Photo/Aidan Kelly": the side of the
  slash that starts with a known given name is the photographer (a person), the other the
  agency (an organisation), as is one after "via" and each after a further slash ("Scott
  Garfitt/Invision/AP"); a credit of one name, "Photo: Lenovo", "(Image credit: All About
  Space)", is the photographer if it opens with a given name, else the company or agency;
* a byline on a line of its own, "By Ellie Marsh", "By MIKE HOLLOWAY AP Sports Writer", "By
  A and B": the writers, people, unless the name reads as a desk or an agency ("By Reuters
  Staff": an organisation word or common words only);
* a press release's closing note on its issuer, "About Acme Robotics" on a line of its own
  and a paragraph that opens with the same name, "Acme Robotics is ...": the issuer, an
  organisation (a person where the name opens with a given name: "About Jane Doe"), whatever
  its shape ("my6sense").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PATTERN, PERSON, Candidate, DocContext
from newsmon.nlp.entities.patterns import char_candidate

# A wire service's credit line: "(Reporting by A in Lagos and B in Abuja; Writing by C;
# Editing by D and E)", each part after "(", ";" or a line's start ("first reported by The
# Athletic" names an outlet, not a journalist). Each name: two to four capitalised words
# (initials, particles and hyphens allowed), then the place it reported from, if any.
_CREDIT_NAME = r"[A-Z][\w'’.\-]*(?:\s(?:(?:de|da|van|von|der|bin|al|el|la|le)\s)?[A-Z][\w'’.\-]*){1,3}"
_CREDIT = re.compile(
    r"(?:^|(?<=[(;\n])\s?)(?:(?:[Aa]dditional\s)?[Rr]eporting|[Ww]riting|[Ee]diting)"
    rf"\sby\s(?P<names>{_CREDIT_NAME}(?:\sin\s[A-Z][\w\-]*(?:\s[A-Z][\w\-]*)?)?"
    rf"(?:(?:,\s|,?\sand\s){_CREDIT_NAME}(?:\sin\s[A-Z][\w\-]*(?:\s[A-Z][\w\-]*)?)?)*)"
)
# An English noun this common (wordfreq) and no surname is no word of a photographer's name.
PHOTOGRAPHER_WORD_ZIPF = 3.0
_CREDIT_SPLIT = re.compile(r",\s|,?\sand\s")
_CREDIT_PLACE = re.compile(r"\sin\s[A-Z].*$")


# A picture's credit: "Name Surname/Agency [via Agency]" closing a line or a bracket.
_AGENCY = r"[A-Z][\w&'’.\-]*(?:\s[A-Z][\w&'’.\-]*){0,3}"
_PHOTO_CREDIT = re.compile(
    rf"(?P<person>{_CREDIT_NAME})\s?/\s?(?P<agency>{_AGENCY})(?P<more>(?:\s?/\s?{_AGENCY}){{0,3}})"
    rf"(?:\svia\s(?P<via>{_AGENCY}))?(?=\)?[ \t]*(?:\n|$))", re.M)
_SLASH = re.compile(r"\s?/\s?")


# A credit naming one source, closing its line or bracket: "Photo: Lenovo", "(Image credit: X)".
_SINGLE_CREDIT = re.compile(
    r"\b(?:Photo|Photos|Image|Images|Picture|Photograph)(?: credit| courtesy)?:[ \t]*(?:courtesy of[ \t]+)?"
    r"(?P<name>[A-Z][\w&.'’-]*(?:[ \t][A-Z][\w&.'’-]*){0,3})[ \t]*(?=\)|\.?[ \t]*(?:\n|$))")

# A press release's note on its issuer: "About X" alone on its line, the next paragraph
# opening with X. X: one to five words, the first starting with a letter or digit.
_ABOUT_ISSUER = re.compile(
    r"(?m)^About[ \t]+(?P<name>[\w][\w&.'’-]*(?:[ \t][\w&.'’-]+){0,4})[ \t]*\n\s*(?P=name)(?=[\s,’'(])")

# A byline: "By" and one to three names of two to four capitalised (or all-capital) words
# joined by "," or "and", alone on its line or before an agency or a role ("AP Sports Writer").
_BYLINE_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]+|[A-ZÀ-ÖØ-Þ]\.)"
_BYLINE_NAME = rf"{_BYLINE_WORD}(?:[ \t](?:(?:de|da|van|von|der|bin|al|el|la|le|di|du|dos)[ \t])?{_BYLINE_WORD}){{1,3}}"
_BYLINE = re.compile(
    rf"(?m)^By[ \t]+(?P<names>{_BYLINE_NAME}(?:(?:,[ \t]+|,?[ \t]+and[ \t]+){_BYLINE_NAME}){{0,2}})"
    r"(?P<tail>[ \t]*(?:[,|–—-][ \t]*)?[^\n]*)$")
_BYLINE_SPLIT = re.compile(r",[ \t]+|,?[ \t]+and[ \t]+")


def wire_credits(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"(Reporting by Ayodele Fashanu in Ado-Ekiti; Editing by Alexandra Hudson)": the wire
    services' credit line names the journalists; the place each reported from is not a name."""
    if " by " not in ctx.text:
        return []
    found = []
    for match in _CREDIT.finditer(ctx.text):
        pos = match.start("names")
        for part in _CREDIT_SPLIT.split(match.group("names")):
            start = ctx.text.index(part, pos)
            pos = start + len(part)
            name = _CREDIT_PLACE.sub("", part)
            candidate = char_candidate(doc, start, start + len(name), label=PERSON, strength=PATTERN,
                                       rule="pattern:credit-line")
            if candidate is not None:
                found.append(candidate)
    return found


def photo_credits(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"Photo: Steve Bell/Getty Images", "AP Photo/Aidan Kelly", "REUTERS/Kwame Addo Boakye":
    the side of the slash that starts with a known given name is the photographer (a person),
    the other the agency (an organisation), as is one after "via". A side in capitals or
    ending in "Photo" is the agency. With no given name on either side the name before the
    slash is the photographer where it reads as a person's (``_photographer_named``:
    "Boureima Kaboré/AFP"; not "Harbourlight Films/BBC"), and the agency after it; with one
    on both nothing."""
    if "/" not in ctx.text or ctx.knowledge is None:
        return []
    found = []
    for match in _PHOTO_CREDIT.finditer(ctx.text):
        left_start = match.start("person")
        cut = match.group("person").rfind(". ")  # "... in Italy. REUTERS/..."
        if cut >= 0:
            left_start += cut + 2
        left_text = ctx.text[left_start:match.end("person")]
        words = left_text.split()
        while len(words) > 1 and words[-1] in ctx.rules.byline_words:  # "AP Photo" -> "AP"
            words.pop()
        left_end = left_start + len(" ".join(words))
        agency = match.group("agency")
        left_given = ctx.knowledge.given_name(left_text.split()[0].title()) is not None
        right_given = (ctx.knowledge.given_name(agency.split()[0].title()) is not None
                       and agency.split()[-1] not in ctx.rules.org_heads)  # not "Gallo Images"
        left_agency = right_given or left_text.isupper() or len(words) < len(left_text.split())
        if left_given and (right_given or left_agency):
            continue
        spans = [(match.start("via"), match.end("via"), ORG)] if match.group("via") else []
        spans += _further_credits(ctx, match)
        if left_agency:
            spans += [(left_start, left_end, ORG), (match.start("agency"), match.end("agency"), PERSON)]
        else:
            if not (match.group("more") and " " not in agency and _no_ones_name(ctx, [agency])):  # "/Illustration/"
                spans.append((match.start("agency"), match.end("agency"), ORG))
            if left_given or _photographer_named(ctx, words):
                spans.append((left_start, left_end, PERSON))
        for start, end, label in spans:
            candidate = char_candidate(doc, start, end, label=label, strength=PATTERN, rule="pattern:photo-credit")
            if candidate is not None:
                found.append(candidate)
    return found


def _further_credits(ctx: DocContext, match: re.Match) -> list[tuple[int, int, str]]:
    """"Scott Garfitt/Invision/AP", "NASA/JPL-Caltech/ASU/MSSS": each name after the second
    slash credits an agency, or a photographer where it opens with a given name ("BBC/Kite
    Lane Films/Ian West"); common words only name no one ("Illustration", "File Photo")."""
    found = []
    pos = match.start("more")
    for part in _SLASH.split(match.group("more"))[1:]:
        start = ctx.text.index(part, pos)
        pos = start + len(part)
        words = part.split()
        if _no_ones_name(ctx, words):
            continue
        person = len(words) >= 2 and ctx.knowledge.given_name(words[0]) is not None
        found.append((start, pos, PERSON if person else ORG))
    return found


def _no_ones_name(ctx: DocContext, words: list[str]) -> bool:
    """"Illustration", "File Photo", "Handout": common English nouns (or a credit's "Photo")
    that no surname shares; an acronym ("AP", "APA") is a name."""
    knowledge = ctx.knowledge
    return all(w in ctx.rules.byline_words or (knowledge.common_word(w) is not None and not w.isupper())
               or knowledge.thing_word(w, PHOTOGRAPHER_WORD_ZIPF) is not None for w in words)


def single_credits(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"Photo: Lenovo", "(Image credit: All About Space)", "Photograph: Curzon": a credit that
    names one source and closes its line or bracket: the photographer (``_photographer``),
    else the company or agency that handed the picture out. A lone common word ("Photo:
    Supplied") names nobody."""
    if ctx.knowledge is None or ":" not in ctx.text:
        return []
    found = []
    for match in _SINGLE_CREDIT.finditer(ctx.text):
        name = match.group("name").rstrip(".")
        words = name.split()
        if len(words) == 1 and ctx.knowledge.common_word(name) is not None:
            continue
        person = _photographer(doc, ctx, match.start("name"), words)
        candidate = char_candidate(doc, match.start("name"), match.start("name") + len(name),
                                   label=PERSON if person else ORG, strength=PATTERN, rule="pattern:credit")
        if candidate is not None:
            found.append(candidate)
    return found


def _photographer_named(ctx: DocContext, words: list[str]) -> bool:
    """The name before the slash of "Name/Agency" whose first word is no known given name
    ("Boureima Kaboré/AFP"): the photographer, by the credit's order, unless a word of it is
    an organisation word or an English noun that is no surname ("Harbourlight Films",
    "Studio Kurobune", "Northlight Foundry"), or the last a country, region or large city."""
    knowledge, rules = ctx.knowledge, ctx.rules
    return (2 <= len(words) <= 4 and all(w[:1].isupper() and not w.isupper() for w in words)
            and not any(w in rules.org_heads or w in rules.byline_words or w in rules.desk_words for w in words)
            and knowledge.major_place(words[-1]) is None
            and not any(knowledge.thing_word(w, PHOTOGRAPHER_WORD_ZIPF) for w in words))


def _photographer(doc: Doc, ctx: DocContext, start: int, words: list[str]) -> bool:
    """Two words or more, not ending in an organisation word, a country, region or large city,
    or a common English noun that is no surname (wordfreq, Faker), that open with a given name
    or that the model calls a person ("Kolawole Ajayi")."""
    knowledge = ctx.knowledge
    if (len(words) < 2 or words[-1] in ctx.rules.org_heads or knowledge.major_place(words[-1]) is not None
            or knowledge.thing_word(words[-1]) is not None):
        return False  # "Huw Evans Agency", "Kia Australia", "Gilmour Space", "Healy Racing"
    if words[0].istitle() and knowledge.given_name(words[0]) is not None:
        return True
    token = doc.char_span(start, start + len(words[0]), alignment_mode="expand")
    return token is not None and token[0].ent_type_ == PERSON


def issuers(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"About my6sense" then "my6sense offers ...": the issuer a press release describes at
    its end is an organisation, unless its name opens with a given name and reads as a
    person's (``_photographer``'s test)."""
    if "About" not in ctx.text or ctx.knowledge is None:
        return []
    found = []
    for match in _ABOUT_ISSUER.finditer(ctx.text):
        name = match.group("name")
        words = name.split()
        if len(words) == 1 and ctx.knowledge.common_word(name) is not None:
            continue  # "About Us", "About Cookies"
        person = _photographer(doc, ctx, match.start("name"), words)
        for start in (match.start("name"), match.end() - len(name)):
            candidate = char_candidate(doc, start, start + len(name), label=PERSON if person else ORG,
                                       strength=PATTERN, rule="pattern:issuer")
            if candidate is not None:
                found.append(candidate)
    return found


def bylines(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"By Ellie Marsh", "By NICOLA RUGGIERO and DANIEL HAINES", "By MIKE HOLLOWAY AP Sports
    Writer": each name a writer (a person). An all-capital name runs into the agency after it
    ("HOLLOWAY AP"): a last word of three letters or fewer before more text is the agency's.
    A name with an organisation word, or of common English words only, is a desk or an agency
    ("By Reuters Staff", "By Staff Reporter") and left to the other rules."""
    if "By " not in ctx.text or ctx.knowledge is None:
        return []
    found = []
    for match in _BYLINE.finditer(ctx.text):
        tail = match.group("tail").strip()
        if tail and tail[0].islower():
            continue  # "By then the ..." opens a sentence
        offset = match.start("names")
        for part in _BYLINE_SPLIT.split(match.group("names")):
            start = ctx.text.index(part, offset)
            offset = start + len(part)
            words = part.split()
            if words[0].isupper():  # "MIKE HOLLOWAY" + "AP Sports Writer": the name is in capitals
                words = words[:next((k for k, w in enumerate(words) if not w.isupper()), len(words))]
                if (tail or len(words) < len(part.split())) and len(words) > 2 and len(words[-1]) <= 3:
                    words = words[:-1]
            if not _writer(ctx, words):
                continue
            name = " ".join(words)
            candidate = char_candidate(doc, start, start + len(name), label=PERSON, strength=PATTERN,
                                       rule="pattern:byline")
            if candidate is not None:
                found.append(candidate)
    return found


def _writer(ctx: DocContext, words: list[str]) -> bool:
    """Words that may name a person: no organisation or byline word, and not common English
    words only (wordfreq), unless the first is a known given name."""
    rules, knowledge = ctx.rules, ctx.knowledge
    titled = [w.title() if w.isupper() else w for w in words]
    if len(words) < 2 or any(w in rules.org_heads or w in rules.byline_words or w in rules.desk_words
                             for w in titled):
        return False
    return (knowledge.given_name(titled[0]) is not None
            or not all(knowledge.common_word(w) is not None for w in titled))
