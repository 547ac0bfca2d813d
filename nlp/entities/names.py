"""Full person names the NER model left unlabelled or cut wrong.

Owns four readings:

* a given name the model left out of the name after it ("Moses" + "Itauma", which the
  model calls a body): the span takes it, so that it is judged as the full name;
* a run of two or three capitalised words that no candidate covers, opening with a known
  given name (gender-guesser; not a rare one, not a common English word: "Rahul Deshpande of
  the University of Cambridge") or with person cues around it that reach the threshold of
  ``[person_evidence]`` and no organisation cue ("Tomiwa Adekanbi, an economist at"), whose other
  words are no common English word, place or name word of a body, product, event or venue
  ("Grace Church", "Lucas Oil Stadium" are not people), whose first word is no city of note
  ("Adelaide Thunderbirds") and whose last is no plural of a common noun that is no surname
  ("Goo Goo Dolls"; "Sarah Williams" stays);
* a run of one to three capitalised words that no candidate covers, right after a personal
  title ("Dr Chinwe Okonkwo-Ibe", "Dame Rosalind Archer"), with no word that ends a body's,
  place's, product's or venue's name and no place first ("Lady Margaret Hall");
* a sentence-initial word glued to a person's name ("Will Warren continue?", "Questioning
  Vindman's ..."): dropped where the rest names a person the text names.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Doc

from newsmon.nlp.entities.context import PERSON, RULE, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.cues import organisation_weight, person_weight
from newsmon.nlp.entities.knowledge import RARE_GIVEN_NAME, Knowledge
from newsmon.nlp.entities.patterns import taken_tokens
from newsmon.nlp.entities.rules import EntityRules
from newsmon.nlp.entities.shapes import plural_of_common_word


def unlabelled_people(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Person candidates for full names no candidate covers (see the module's docstring)."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return []
    rules = ctx.rules
    name_words = _name_words(rules)
    taken = taken_tokens(doc, candidates)
    created = []
    i = 0
    while i < len(doc):
        run = None if taken[i] or not ctx.texts[i][:1].isupper() else ctx.title_run_starting_at(i)
        if run is None:
            i += 1
            continue
        start, end = run
        i = end
        if not 2 <= end - start <= 3 or any(taken[start:end]) or (start > 0 and doc[start - 1].text in ("'", "’")):
            continue
        words = [t.text for t in doc[start:end]]
        if words[0] in rules.personal_titles and (titled := _titled_name(doc, ctx, start + 1, end)) is not None:
            rule = f"pattern: a name the model left unlabelled, after the title {words[0]!r}"
            created.append(make_candidate(doc, start + 1, titled, "pattern", label=PERSON, strength=RULE, rule=rule))
            taken[start:titled] = b"\x01" * (titled - start)
            continue
        if words[0] in rules.title_words or any(t.is_upper or any(ch.isdigit() for ch in t.text)
                                                 for t in doc[start:end]):
            continue
        if knowledge.major_place(words[0]) is not None:  # "Adelaide Thunderbirds"
            continue
        given = knowledge.plain_given_name(words[0])
        if given is not None and given.detail <= RARE_GIVEN_NAME:
            given = None
        if given is None and (knowledge.common_word(words[0]) is not None or knowledge.place(words[0]) is not None
                              or words[0] in name_words):
            continue
        if any(w in name_words or knowledge.common_word(w) is not None or knowledge.place(w) is not None
               for w in words[1:]):
            continue
        if _plural_of_common_noun(knowledge, words[-1]):  # "Goo Goo Dolls"; not "Williams"
            continue
        if given is None:
            weight = person_weight(ctx, " ".join(words))
            if weight < ctx.rules.person_cues.threshold or organisation_weight(ctx, " ".join(words)):
                continue
            rule = f"pattern: a full name the model left unlabelled, with person cues around it (weight {weight})"
        else:
            rule = f"pattern: a full name the model left unlabelled, opening with a given name ({given})"
        created.append(make_candidate(doc, start, end, "pattern", label=PERSON, strength=RULE, rule=rule))
        taken[start:end] = b"\x01" * (end - start)
    return created


def _titled_name(doc: Doc, ctx: DocContext, start: int, end: int) -> int | None:
    """The end of a name of one to three capitalised words after a personal title, a hyphenated
    part kept ("Dr Chinwe Okonkwo-Ibe", "Dame Rosalind Archer"), or None: not a body's, place's,
    product's or venue's name ("Lady Margaret Hall"), no place first, no capitals or digits,
    not one common word alone. A brand named after a title ("Dr Martens") is taken for a
    person: no list here tells it apart."""
    while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ and not doc[end].whitespace_ \
            and doc[end + 1].is_title:
        end += 2
    words = [t for t in doc[start:end] if t.text != "-"]
    knowledge = ctx.knowledge
    if not 1 <= len(words) <= 3 or any(t.is_upper or any(ch.isdigit() for ch in t.text) for t in words):
        return None
    if any(t.text in _name_words(ctx.rules) for t in words) or knowledge.place(words[0].text) is not None:
        return None
    if len(words) == 1 and knowledge.common_word(words[0].text) is not None:
        return None  # "Mr Big": one common word alone names no one here
    return end


def _plural_of_common_noun(knowledge: Knowledge, word: str) -> bool:
    """"Dolls", "Giants": the plural of a common English word, and no known surname."""
    return plural_of_common_word(knowledge, word) and knowledge.surname(word) is None


def take_given_names(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> None:
    """"Moses" + "Itauma" -> "Moses Itauma": a model span of one or two words right after an
    unlabelled capitalised word that is a known given name (not a common English word)
    opening its run takes that word."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return
    taken = taken_tokens(doc, candidates)
    for c in candidates:
        i = c.start - 1
        if c.source != "model" or c.length > 2 or i < 0 or taken[i] or not doc[i].is_title or i in ctx.blocked:
            continue
        if not all(t.is_title for t in doc[c.start:c.end]) or (i > 0 and ctx.title_run_ending_at(i - 1) is not None):
            continue  # "New York Giants" is not built here
        given = knowledge.plain_given_name(doc[i].text)
        if given is None or doc[i].text in ctx.rules.title_words:
            continue
        c.note(f"span: took the given name {doc[i].text!r} before it ({given})")
        c.start, c.text = i, doc[i:c.end].text
        taken[i] = 1


@lru_cache(maxsize=8)
def _name_words(rules: EntityRules) -> frozenset[str]:
    """Words that end the name of a body, place, product, event or venue, not a person's."""
    return rules.org_heads | rules.place_heads | rules.product_heads | rules.event_heads | rules.facility_heads


def strip_sentence_word(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """"Will Warren ...?", "Questioning Vindman's ...": a sentence-initial word glued to a surname."""
    first = doc[c.start]
    starts_clause = ctx.sentence_initial(c.start) or (c.start > 0 and not doc[c.start - 1].is_alpha)
    if c.length < 2 or c.text in ctx.people or not starts_clause:
        return
    if not (first.text in ctx.rules.question_words or ctx.common_word(first.text) or first.lower_.endswith("ing")):
        return
    rest = doc[c.start + 1:c.end].text
    if rest in ctx.people or ctx.names_person(rest):
        c.note(f"span: dropped the sentence-initial word {first.text!r}")
        c.start, c.text = c.start + 1, rest
