"""Joining and splitting the model's name spans where its cut is wrong: at "for" ("Czech
Office" + "for the Protection of Competition"), at "and" (two names
the text names alone are two; a list of common words ending in a body's word is one; a body
named after a place whose name holds "and", "Trinidad and Tobago Police Service"), at a
hyphen ("Browns-Steelers"), at name particles ("Dolf van" + "den Brink", "Ludwig van
Beethoven") and at the commas of a body's list of subjects ("Ministry of Fisheries" + ",
Animal Husbandry and Dairying", "National Solidarity" + ", Brotherhood and Democracy
Commission"); and East Asian names around a hyphenated given name ("Han" + "So-yeon")."""

from __future__ import annotations

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PATTERN, PERSON, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.cues import occurrences


def join_and_pairs(doc: Doc, ctx: DocContext, found: list[Candidate]) -> list[Candidate]:
    """"Customs" + "and" + "Border Protection", "Culture" + "," + "Media" + "and" + "Sport
    Committee": one name of common words (wordfreq) that the model cut at "and" (and at the
    commas of a list, when the last piece ends in a body's head word), when no part is named
    anywhere on its own (outside the list and every longer name) and none is a known body; a
    one-word common noun, then two or three: "Apple and Google", "Sprint and Verizon" and
    "Google and Amazon Web Services" stay apart."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return found
    by_end = {c.end: c for c in found if c.model_label == ORG}
    names = [(e.start, e.end) for e in ctx.ents] + sorted(ctx.gazetteer_spans)  # before any cleaning
    joined = []
    for last in sorted(found, key=lambda c: c.start):
        start = _list_start(doc, ctx, last, by_end)
        if start is None:
            continue
        words = [t for t in doc[start:last.end] if t.text not in ("and", ",")
                 and not (t.text == "-" and not t.whitespace_ and not doc[t.i - 1].whitespace_)]  # "Anti-Corruption"
        if not all(t.is_title and t.is_alpha and knowledge.common_word(t.text) and knowledge.place(t.text) is None
                   for t in words):
            continue
        if any((i, i + 1) in ctx.gazetteer_spans for i in range(start, last.start - 1)):
            continue  # a known body is a name of its own: "Google and Amazon Web Services"
        parts = [t.text for t in doc[start:last.start - 1] if t.text != ","] + [last.text]
        wholes = list(occurrences(ctx.text, doc[start:last.end].text))
        longer = wholes + [(doc[a:b].start_char, doc[a:b].end_char) for a, b in
                           [(c.start, c.end) for c in found] + names]
        if not any(_named_alone_in(ctx.text, part, longer) for part in parts):
            joined.append((start, last))
    for start, last in joined:
        inside = [c for c in found if start <= c.start and c.end <= last.end]
        for c in inside:
            found.remove(c)
        found.append(make_candidate(doc, start, last.end, "model", model_label=ORG,
                                    rule=f"model: ORG, {len(inside)} pieces joined at 'and'"))
    return found


def join_place_pairs(doc: Doc, ctx: DocContext, found: list[Candidate]) -> list[Candidate]:
    """"Trinidad and" + "Tobago Police Service", "Jammu and" + "Kashmir Cricket Association": a
    body named after a place whose own name holds "and" (a country or region the place lists
    know), which the model cut at that "and"; whatever the model made of the place's first
    part goes."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return found
    for last in [c for c in found if c.model_label == ORG and c.length >= 2]:
        start = _place_with_and(doc, ctx, last) if last in found else None  # not one joined away already
        if start is None:
            continue
        for c in [c for c in found if start <= c.start and c.end <= last.start - 1]:
            found.remove(c)
        rule = "model: ORG, joined to the place before 'and' it is named after"
        found[found.index(last)] = make_candidate(doc, start, last.end, "model", model_label=ORG, rule=rule)
    return found


def _place_with_and(doc: Doc, ctx: DocContext, last: Candidate) -> int | None:
    """Where the place named "A and B" that `last` continues begins, or None."""
    at = last.start - 1
    if at < 1 or doc[at].lower_ != "and":
        return None
    for left in (1, 2):
        for right in (1, 2):
            start = at - left
            if start < 0 or right >= last.length or not all(t.is_title for t in doc[start:at]):
                continue
            if ctx.knowledge.region(doc[start:last.start + right].text) is not None:
                return start
    return None


def join_comma_lists(doc: Doc, ctx: DocContext, found: list[Candidate]) -> list[Candidate]:
    """"National Solidarity" + "," + "Brotherhood and Democracy Commission": a body named by a
    list of subjects ("A, B and C <head>") that the model cut at the comma. The piece before
    the comma is one to three capitalised English words (wordfreq) that the model called an
    organisation; the piece after it one word, "and", and one or two words ending in a body's
    head word; neither piece a known name, nor named on its own elsewhere in the text."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return found
    by_end = {c.end: c for c in found if c.model_label == ORG}
    joined = []
    for last in [c for c in found if c.model_label == ORG]:
        words = [t.text for t in doc[last.start:last.end]]
        first = by_end.get(last.start - 1)
        if (first is None or doc[last.start - 1].text != "," or not 4 <= len(words) <= 5 or words[1] != "and"
                or words[-1] not in ctx.rules.org_heads or not 1 <= first.length <= 3):
            continue
        pieces = [first, last]
        if any((c.start, c.end) in ctx.gazetteer_spans for c in pieces):
            continue
        if not all(t.is_title and knowledge.word_zipf(t.text) >= LIST_WORD_ZIPF and knowledge.place(t.text) is None
                   for t in doc[first.start:last.end] if t.text not in (",", "and")):
            continue
        wholes = list(occurrences(ctx.text, doc[first.start:last.end].text))
        if not any(_named_alone_in(ctx.text, c.text, wholes) for c in pieces):
            joined.append((first, last))
    return _merge_pairs(doc, found, joined, "model: ORG, 2 pieces joined at the comma of its list")


def join_for_pairs(doc: Doc, ctx: DocContext, found: list[Candidate]) -> list[Candidate]:
    """"Czech Office" + "for the" + "Protection of Competition", "Higher Administrative Court" +
    "for" + "North Rhine-Westphalia": a body whose name the model cut at "for": its first piece
    ends in a body's head word, what follows "for (the)" is the model's next name (of one to
    four capitalised words and "of", "the", "-"), and that name is not named on its own
    elsewhere in the text."""
    by_start = {c.start: c for c in found if c.model_label in (ORG, "GPE", "LOC")}
    joined = []
    for first in [c for c in found if c.model_label == ORG and doc[c.end - 1].text in ctx.rules.org_heads]:
        i = first.end
        if i >= len(doc) or doc[i].text != "for":
            continue
        i += 2 if i + 1 < len(doc) and doc[i + 1].lower_ == "the" else 1
        second = by_start.get(i)
        if second is None or second in (c for pair in joined for c in pair):
            continue
        words = [t for t in doc[second.start:second.end] if t.text not in ("of", "the", "-", "and")]
        if not (1 <= len(words) <= 4 and all(t.is_title or t.is_upper for t in words)):
            continue
        wholes = list(occurrences(ctx.text, doc[first.start:second.end].text))
        if not _named_alone_in(ctx.text, second.text, wholes):
            joined.append((first, second))
    return _merge_pairs(doc, found, joined, "model: ORG, 2 pieces joined at 'for'")


def _merge_pairs(doc: Doc, found: list[Candidate], pairs: list[tuple[Candidate, Candidate]],
                 rule: str) -> list[Candidate]:
    """Each pair of candidates, side by side, replaced by one organisation from the first's
    start to the second's end."""
    for first, second in pairs:
        found.remove(second)
        found[found.index(first)] = make_candidate(doc, first.start, second.end, "model", model_label=ORG, rule=rule)
    return found


def _named_alone_in(text: str, name: str, spans: list[tuple[int, int]]) -> bool:
    """`name` occurs somewhere outside every longer span of `spans` (its joined list, the other
    names the model or the gazetteer found): "Culture" inside "Department for Culture, Media and
    Sport" is not alone."""
    return any(not any(s <= a and b <= e and e - s > b - a for s, e in spans) for a, b in occurrences(text, name))


def _list_start(doc: Doc, ctx: DocContext, last: Candidate, by_end: dict[int, Candidate]) -> int | None:
    """Where the list that `last` (a model organisation of two or three words after "and")
    ends begins: the model's one-word organisation before "and", or, in a list of one-word
    names joined by commas (or one word in no entity), its first word when `last` ends in a
    body's head word ("Culture, Media and Sport Committee", "Ethics and Anti-Corruption
    Commission"); None when `last` ends no such list."""
    words = sum(1 for t in doc[last.start:last.end] if t.text != "-")  # "Anti-Corruption Commission": 3
    if last.model_label != ORG or not 2 <= words <= 3 or last.start < 2 or doc[last.start - 1].text != "and":
        return None
    before = last.start - 2
    start = before
    while start >= 2 and doc[start - 1].text == "," and doc[start - 2].is_title:
        start -= 2
    if doc[last.end - 1].text in ctx.rules.strong_heads and doc[before].is_title and (
            start < before or not doc[before].ent_type_):  # "Brain and Mind Centre"
        return start
    first = by_end.get(last.start - 1)  # two names: the model's own ("..., California, Customs and")
    return first.start if first is not None and first.length == 1 else None


def split_pairing(doc: Doc, ctx: DocContext, start: int, end: int) -> list[tuple[int, int]]:
    """"Browns-Steelers" (a game), "Gannett-Gatehouse" (a merger): two names joined by a hyphen,
    each of which the text also names on its own, are two names."""
    if end - start != 3 or doc[start + 1].text != "-" or doc[start].whitespace_ or doc[start + 1].whitespace_:
        return [(start, end)]
    first, second = doc[start].text, doc[start + 2].text
    if not all(w[:1].isupper() and w.isalpha() and not w.isupper() and len(w) >= 3 for w in (first, second)):
        return [(start, end)]  # "Procon-SP": a code is no name of its own
    folded = ctx.text.casefold()
    pairings = sum(1 for _ in occurrences(folded, f"{first}-{second}".casefold()))
    alone = [sum(1 for _ in occurrences(folded, w.casefold())) - pairings for w in (first, second)]
    if all(n >= 1 for n in alone):  # every pairing is an occurrence of each: "Rose-Lynn" twice is no "Lynn"
        return [(start, start + 1), (start + 2, end)]
    return [(start, end)]


def particle_tail(doc: Doc, ctx: DocContext, end: int) -> int:
    """"Dolf van" + "den Brink", "Ursula von der" + "Leyen": a person's name (from a given
    name) that the model cut after a name particle goes on to the capitalised word after the
    particles."""
    particles = ctx.rules.particles
    if doc[end - 1].text not in particles:
        return end
    j = end
    while j < len(doc) and doc[j].text in particles:
        j += 1
    return j + 1 if j < len(doc) and doc[j].is_title and doc[j].is_alpha else end


def given_name_before(doc: Doc, ctx: DocContext, start: int) -> int:
    """"Titus" + "Kipruto Rotich", "Ana" + "Carolina Rezende": a person's name that the model
    began late, after a known given name that is no common English word
    (``knowledge.common_word``) and no place, that no entity of the model's holds, on the same
    line; two such words at most ("Ana Beatriz" + "Souza"). The start of the whole name, or
    `start` when no such word comes before it."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return start
    for _ in range(2):  # "Ana" + "Beatriz" + "Souza"
        word = doc[start - 1] if start > 0 else None
        if not (word is not None and word.is_title and word.is_alpha and word.whitespace_ == " "
                and not word.ent_type_ and word.text not in ctx.rules.title_words
                and knowledge.given_name(word.text) is not None
                and knowledge.common_word(word.text) is None and knowledge.place(word.text) is None):
            break
        start -= 1
    return start


def split_and_pair(doc: Doc, ctx: DocContext, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """"Facebook and Instagram", "Palma and Funchal": one span of two names joined by "and",
    each of which the model also found on its own elsewhere in the text, or the text writes
    again elsewhere (neither one common word: "Core Lithium and Liontown Resources"), is two names
    ("Procter and Gamble", "Culture and Tourism" are never found alone; "Johnson and
    Johnson" is one name twice). A body's name is also two where one part is a name the
    gazetteer or the listed companies know and the other is no lone common word ("Goldman
    Sachs and Evercore", "Disney and Marvel Studios"; not "Competition and Markets
    Authority", whose parts are known to neither), or is known too, however common a word
    its name has become ("Facebook and Instagram"). Two names that close a list of examples
    are two, where neither is one common word ("retailers including Morrisons and Asda")."""
    ands = [i for i in range(start + 1, end - 1) if doc[i].text == "and"]
    if len(ands) != 1 or not all(t.is_title or t.is_upper or t.i == ands[0] for t in doc[start:end]):
        return [(start, end)]
    first, second = doc[start:ands[0]], doc[ands[0] + 1:end]
    if first.text == second.text:
        return [(start, end)]
    alone = {e.text for e in ctx.ents if not (e.start <= start and end <= e.end)}
    if first.text in alone and second.text in alone:
        return [(start, ands[0]), (ands[0] + 1, end)]
    if (_named_elsewhere(ctx, first.text) and _named_elsewhere(ctx, second.text)
            and _name_like(ctx, first) and _name_like(ctx, second)):
        return [(start, ands[0]), (ands[0] + 1, end)]
    if label == ORG and _after_list_word(doc, start) and _name_like(ctx, first) and _name_like(ctx, second):
        return [(start, ands[0]), (ands[0] + 1, end)]
    known_first = _known_body(ctx, first.start, first.end, first.text)
    known_second = _known_body(ctx, second.start, second.end, second.text)
    if label == ORG and not _known_body(ctx, start, end, doc[start:end].text) and (
            known_first and (known_second or _name_like(ctx, second)) or known_second and _name_like(ctx, first)):
        return [(start, ands[0]), (ands[0] + 1, end)]
    return [(start, end)]


# The words that open a list of examples: "retailers including Morrisons and Asda", "rivals such
# as Snowflake and Databricks", "brands like Sephora, Ulta and Boots".
_LIST_WORDS = frozenset({"including", "include", "includes", "like"})


def _after_list_word(doc: Doc, start: int) -> bool:
    """The span closes a list of names that a list word opens ("including", "such as"; only
    names and commas between)."""
    k = start - 1
    while k >= 0 and (doc[k].text == "," or doc[k].is_title or doc[k].is_upper):
        k -= 1
    return k >= 0 and (doc[k].lower_ in _LIST_WORDS
                       or (doc[k].lower_ == "as" and k > 0 and doc[k - 1].lower_ == "such"))


def _named_elsewhere(ctx: DocContext, text: str) -> bool:
    """The text writes ``text`` more than once, so also outside the joined span."""
    return sum(1 for _ in occurrences(ctx.text, text)) > 1


def _known_body(ctx: DocContext, start: int, end: int, text: str) -> bool:
    """The gazetteer matched these tokens, or the listed companies name them."""
    return (start, end) in ctx.gazetteer_spans or (ctx.knowledge is not None
                                                    and ctx.knowledge.company(text) is not None)


def _name_like(ctx: DocContext, part) -> bool:
    """A part that can stand as a name: not one common English word ("Competition")."""
    return len(part) > 1 or ctx.knowledge is None or ctx.knowledge.common_word(part.text) is None


def given_name_then_particles(doc: Doc, ctx: DocContext, start: int, end: int) -> bool:
    """"Ludwig van Beethoven" (which the model may call an organisation): a given name, name
    particles and capitalised words; kept whole like a person's name."""
    words = doc[start:end]
    return (ctx.knowledge is not None and len(words) >= 3 and words[0].is_title
            and ctx.knowledge.given_name(words[0].text) is not None and ctx.knowledge.place(words[0].text) is None
            and words[-1].is_title
            and any(t.text in ctx.rules.particles for t in words)
            and all(t.is_title or t.text in ctx.rules.particles for t in words))


def hyphenated_given_names(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"Han So-yeon", "Dr Ji-woo Seo": a given name of the East Asian form (a known given name,
    hyphenated, its second part in lower case: "So-yeon", "Min-jun"; gender-guesser lists
    them) with one capitalised word after it, or a known surname or given name before it,
    is a person's name, whatever the model made of it ("Han" a nationality, "Seo" alone)."""
    knowledge = ctx.knowledge
    if knowledge is None or "-" not in ctx.text:
        return []
    found = []
    for i in (k - 1 for k in range(1, len(doc) - 1) if ctx.texts[k] == "-"):
        first, dash, second = doc[i], doc[i + 1], doc[i + 2]
        if not (not first.whitespace_ and not dash.whitespace_ and first.is_title
                and first.is_alpha and second.is_lower and second.is_alpha
                and knowledge.given_name(doc[i:i + 3].text) is not None):
            continue
        after = doc[i + 3] if i + 3 < len(doc) and second.whitespace_ else None
        before = doc[i - 1] if i > 0 and doc[i - 1].whitespace_ else None
        if after is not None and _one_word_name(doc, after.i):
            span = (i, i + 4)  # "Ji-woo Seo"
        elif before is not None and _one_word_name(doc, before.i) and knowledge.personal_name(before.text):
            span = (i - 1, i + 3)  # "Han So-yeon"
        else:
            continue
        found.append(make_candidate(doc, *span, "pattern", label=PERSON, strength=PATTERN,
                                    rule="pattern:hyphenated-given-name"))
    return found


def _one_word_name(doc: Doc, i: int) -> bool:
    """Token ``i`` is a capitalised word standing alone (no hyphen joins it to the next)."""
    token = doc[i]
    return (token.is_title and token.is_alpha and len(token) >= 2
            and not (i + 1 < len(doc) and doc[i + 1].text == "-" and not token.whitespace_))


LIST_WORD_ZIPF = 2.0  # an English word at least this frequent (wordfreq): a subject, not a firm's name


def join_subject_lists(doc: Doc, ctx: DocContext, found: list[Candidate]) -> list[Candidate]:
    """"Department of Enterprise" + ", Tourism and Employment", "Ministry of Fisheries" + ",
    Animal Husbandry and Dairying", "Department of Public Works" + "and Highways": a body named
    "<Ministry|Department|...> of <subject>" (or ending so: "Cinema Department of the Ministry
    of Culture, Sports" + "and Tourism") that the model cut inside its list of subjects goes on
    to the list's end (", A, B and C" or "and C", one to three capitalised English words each,
    a lone "and C" too), unless a piece is a known body, a place,
    or named on its own elsewhere in the text, outside the whole name ("the Ministry of Defence,
    Google and Meta")."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return found
    prefixes = [p for p in ctx.rules.org_prefixes if p[-1] in ("of", "for", "on")]
    heads = ctx.rules.strong_heads | {p[0] for p in prefixes if len(p) == 2}
    for c in [c for c in found if c.model_label == ORG]:
        words = tuple(t.text for t in doc[c.start:c.end])
        if c not in found or not (any(words[:len(p)] == p and len(words) > len(p) for p in prefixes)
                                  or _ends_in_body_of(words, heads)):
            continue
        listed = _subject_list(doc, ctx, c.end)
        if listed is None:
            continue
        end, pieces = listed
        wholes = list(occurrences(ctx.text, doc[c.start:end].text))
        if any(_named_alone_in(ctx.text, doc[a:b].text, wholes) for a, b in pieces):
            continue
        for other in [o for o in found if o is not c and c.end <= o.start and o.end <= end]:
            found.remove(other)
        found[found.index(c)] = make_candidate(doc, c.start, end, "model", model_label=ORG,
                                               rule="model: ORG, its list of subjects joined")
    return found


def _ends_in_body_of(words: tuple[str, ...], heads: frozenset[str] | set[str]) -> bool:
    """"Cinema Department of the Ministry of Culture, Sports", "National Association of
    Self-Service": the name ends in "<a body's word> of|for|on <capitalised words>"."""
    for k in range(len(words) - 2, 0, -1):
        if words[k] in ("of", "for", "on"):
            return words[k - 1] in heads and all(w[:1].isupper() or w in (",", "-", "the") for w in words[k + 1:])
    return False


def _subject_list(doc: Doc, ctx: DocContext, i: int) -> tuple[int, list[tuple[int, int]]] | None:
    """(the end, the pieces' token spans) of ", A, B and C" starting at token `i`, or None
    when no such list of subjects follows."""
    pieces, ended = [], False
    while i < len(doc) and not ended and doc[i].text in (",", "and"):
        ended = doc[i].text == "and"
        j = i + 1
        while j < len(doc) and j - i <= 3 and doc[j].is_title and doc[j].is_alpha:
            j += 1
        if j == i + 1:
            return None
        pieces.append((i + 1, j))
        i = j
    if not ended or (i < len(doc) and doc[i].is_title):
        return None
    knowledge, names = ctx.knowledge, ctx.gazetteer_spans
    for start, stop in pieces:
        if (any(knowledge.word_zipf(t.text) < LIST_WORD_ZIPF or knowledge.place(t.text) for t in doc[start:stop])
                or any(a <= start and stop <= b for a, b in names)
                or stop - start > 1 and (doc[start].ent_type_ == PERSON or knowledge.given_name(doc[start].text) is not None
                                         and not knowledge.common_word(doc[start].text))
                or doc[stop - 1].text in ctx.rules.strong_heads):
            return None  # "... and Alex Azar", "... and Jesus College": a name of its own
    if i + 1 < len(doc) and doc[i].text == "of" and doc[i + 1].is_title and knowledge.place(doc[i + 1].text):
        return i + 2, pieces  # "... Techniques and Technologies" + "of Bamako"
    return i, pieces
