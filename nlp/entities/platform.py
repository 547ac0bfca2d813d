"""Platforms and sites the NER model cannot name: the social network X, a lone capital letter,
and a site named by its web address.

Owns ``platform_x``: X is named by "said in a post on X", "X, formerly Twitter", "Musk's
X", "X, the social network", "X said", or "TikTok and X" (a lone capital X after a
preposition or platform noun, or beside a body the model or the gazetteer knows; never
before another capitalised word: not "on X Factor"). Once the text names it so, every lone
X of the text that comes after no capitalised word ("Model X", "Generation X", "Malcolm X")
is X too.

Owns ``site_names`` too: a capitalised web address standing alone, "AO.com", "Change.org",
"Daft.ie", "Edmunds.com" (no scheme, "www." or path), names the company or organisation
behind the site (bench/gold/README.md: a company's own shop site is a mention of it).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PATTERN, Candidate, DocContext
from newsmon.nlp.entities.patterns import char_candidate

_PLATFORM_X = re.compile(
    r"\b(?:on|to|via|across|from|platform|site|network|app)\s(?P<after>X)(?![\w\-'’]|\.\w|\s+[A-Z0-9&])"
    r"|(?<![\w.\-])(?P<before>X)(?=,?\s\(?formerly\s(?:known\sas\s)?Twitter)"
    r"|Musk['’]s\s(?P<owned>X)(?![\w\-'’]|\.\w|\s+[A-Z&])"
    r"|(?<![\w.\-])(?P<described>X),\s(?:the|a)\s(?:social|platform|site|network|messaging|company)"
    r"|(?<![A-Za-z]\s)(?<![\w.\-'’])(?P<acting>X)(?=\s(?:said|says|has\sbeen|was\sfined|is\sappealing)\b)"
)
# A site by its address: a capitalised name, a dot and a common top-level domain, standing
# alone (no "www.", scheme, e-mail or path around it; a full stop after it may end a sentence).
_SITE_NAME = re.compile(
    r"(?<![\w.@/:-])(?P<name>[A-Z0-9][\w-]*[A-Za-z][\w-]*\.(?:com|net|org|co\.uk|com\.au|ca|ie|in|io|de|fr|es|it))"
    r"(?![\w@/-]|\.\w)")
# The word right before a position, a space between ("Model " before "X"; not "(X").
_WORD_BEFORE = re.compile(r"(\S+) +$")
# A lone capital X: not inside a word, a code ("X-ray", "X.com") or a longer name ("X Factor").
_LONE_X = re.compile(r"(?<![\w.\-'’])X(?![\w\-]|['’](?!s\b)|\.\w|\s+[A-Z0-9&])")


def platform_x(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"posted on X", "the platform X", "X (formerly Twitter)", "Musk's X", "X, the social
    network", "X said", "TikTok and X" (beside a name the model or the gazetteer knows as an
    organisation): the social network X. Once one of these names it, every lone X of the
    text that no capitalised word comes right before ("Model X", "Malcolm X") is X too."""
    if " X" not in ctx.text and not ctx.text.startswith("X"):
        return []
    starts = {m.start(g) for m in _PLATFORM_X.finditer(ctx.text)
              for g in ("after", "before", "owned", "described", "acting") if m.group(g)}
    lone = [m.start() for m in _LONE_X.finditer(ctx.text)]
    if not starts and lone:
        bodies = {t for s, e in ctx.gazetteer_spans for t in range(s, e)}
        bodies |= {t for ent in ctx.ents if ent.label_ == ORG for t in range(ent.start, ent.end)}
        starts = {i for i in lone if _listed_with_a_body(doc, bodies, i)}
    if starts:
        starts |= {i for i in lone if not _after_capitalised_word(ctx.text, i)}
    found = []
    for start in sorted(starts):
        candidate = char_candidate(doc, start, start + 1, label=ORG, strength=PATTERN, rule="pattern:platform-x")
        if candidate is not None:
            found.append(candidate)
    return found


def _listed_with_a_body(doc: Doc, bodies: set[int], start: int) -> bool:
    """"TikTok and X", "Meta, TikTok, X and Temu": X in a list beside an organisation (`bodies`:
    the tokens of the gazetteer's names and the model's organisations)."""
    span = doc.char_span(start, start + 1)
    if span is None:
        return False
    i = span.start
    before = i - 1 if i >= 1 and doc[i - 1].text in (",", "and", "or") else None
    after = i + 1 if i + 1 < len(doc) and doc[i + 1].text in (",", "and", "or") else None
    return ((before is not None and before - 1 in bodies)
            or (after is not None and after + 1 < len(doc) and after + 1 in bodies))


def _after_capitalised_word(text: str, start: int) -> bool:
    """A capitalised word right before position ``start`` ("Model X"), not after a sentence's end."""
    match = _WORD_BEFORE.search(text, max(0, start - 80), start)
    return match is not None and match.group(1)[:1].isupper() and match.group(1)[-1:].isalpha()


def site_names(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"AO.com", "Change.org": a capitalised web address on its own is the site's organisation,
    unless the text also names the body without it ("9to5Mac", "Live Nation"), which is then
    the name to find."""
    if "." not in ctx.text:
        return []
    found = []
    squeezed = None  # the text without spaces, made at the first address
    for match in _SITE_NAME.finditer(ctx.text):
        site = match.group("name")
        stem = site.split(".", 1)[0]
        squeezed = ctx.text.replace(" ", "") if squeezed is None else squeezed
        if squeezed.count(stem) > ctx.text.count(site):
            continue  # "Live Nation" ... "LiveNation.com": the text names the body itself
        candidate = char_candidate(doc, match.start("name"), match.end("name"), label=ORG, strength=PATTERN,
                                   rule="pattern:site-name")
        if candidate is not None:
            found.append(candidate)
    return found
