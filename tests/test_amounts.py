"""Money amounts round-trip through the real pipeline, whatever their written form and place.

A property-based battery (hypothesis): an amount is written in one of many forms (a symbol
or code before, a code or currency word after, a scale word or suffix, thousands separators,
decimals, crore and lakh) and put in one of many places (the end of a sentence, before a
comma, inside quotes or brackets, in a headline, after a company's name), run through
`load_pipeline()` (the real model, loaded once per session) and must come back as one money
figure with the value and currency it was written with, its text and offsets covering it.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import duckdb
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from newsmon.nlp.extract import extract_article
from newsmon.nlp.models import annotatable
from newsmon.nlp.records import Article
from conftest import SHARED

# symbols and codes written before the number, and the currency they mean
BEFORE = {"£": "GBP", "€": "EUR", "$": "USD", "US$": "USD", "A$": "AUD", "C$": "CAD", "HK$": "HKD",
          "₩": "KRW", "¥": "JPY", "₹": "INR", "R$": "BRL", "S$": "SGD", "NZ$": "NZD"}
SPACED_BEFORE = {"Rs": "INR", "Rs.": "INR", "CHF": "CHF", "KRW": "KRW", "USD": "USD", "EUR": "EUR",
                 "GBP": "GBP", "SEK": "SEK", "NOK": "NOK", "INR": "INR"}
# words and codes written after the number
AFTER = {"won": "KRW", "euros": "EUR", "pounds": "GBP", "dollars": "USD", "yen": "JPY", "yuan": "CNY",
         "rupees": "INR", "reais": "BRL", "zlotys": "PLN", "Swiss francs": "CHF", "lira": "TRY",
         "Canadian dollars": "CAD", "Hong Kong dollars": "HKD", "roubles": "RUB", "rand": "ZAR",
         "USD": "USD", "EUR": "EUR", "KRW": "KRW", "CHF": "CHF"}
SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
               "crore": 10**7, "lakh": 10**5}
GLUED_SUFFIXES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "M": 10**6, "B": 10**9}
SPACED_SUFFIXES = {"mn": 10**6, "bn": 10**9}

# "pounds" is also a weight: money only where the sentence says so ("fined", "paid", ...)
WEIGHT_TOO = ("pounds",)
MONEY_WORDS = ("fine", "paid", "pay", "cost", "penalt")

# where the amount stands: {a} is the amount
PLACES = [
    "Regulators fined the company {a}.",
    "The regulator fined Streamly {a}.",
    "The company was fined {a}, the regulator said.",
    'The spokesperson said: "We paid {a}."',
    '"It cost us {a}," she said.',
    "The fine ({a}) was upheld on appeal.",
    "The penalty was upheld (it was {a}).",
    "Watchdog fines Vantor {a} over ads\n\nThe decision came on Monday.",
    "Court orders Ferrule to pay {a}",
    "A fine of {a}! Nobody expected it.",
    "Was the fine really {a}? The court thought so.",
    "The fine: {a}; the appeal: pending.",
    "It must pay {a} within 30 days.",
    "The regulator imposed {a} in penalties and ordered changes.",
    "Lawyers said {a} was a record.\nThe firm did not comment.",
]


@dataclass(frozen=True)
class Amount:
    text: str
    value: Decimal
    unit: str


def _number(draw, big: bool) -> tuple[str, Decimal]:
    """The digits as written and their value: "4.2", "213.14", "33,923", "1,250,000"."""
    if big:
        value = draw(st.integers(1_000, 999_999_999))
        return f"{value:,}", Decimal(value)
    whole = draw(st.integers(1, 999))
    decimals = draw(st.sampled_from(["", "", "1", "5", "25", "75", "14"]))
    text = f"{whole}.{decimals}" if decimals else str(whole)
    return text, Decimal(text)


@st.composite
def amounts(draw) -> Amount:
    form = draw(st.sampled_from(["symbol", "spaced_symbol", "after"]))
    scale_kind = draw(st.sampled_from(["none", "word", "glued", "spaced"]))
    if form == "after" and scale_kind in ("glued", "spaced"):
        scale_kind = "word"  # "4.2bn won" is not how anyone writes it
    digits, value = _number(draw, big=scale_kind == "none")
    scale_text, factor = "", 1
    if scale_kind == "word":
        word = draw(st.sampled_from(sorted(SCALE_WORDS)))
        scale_text, factor = f" {word}", SCALE_WORDS[word]
    elif scale_kind == "glued":
        suffix = draw(st.sampled_from(sorted(GLUED_SUFFIXES)))
        scale_text, factor = suffix, GLUED_SUFFIXES[suffix]
    elif scale_kind == "spaced":
        suffix = draw(st.sampled_from(sorted(SPACED_SUFFIXES)))
        scale_text, factor = f" {suffix}", SPACED_SUFFIXES[suffix]
    number = digits + scale_text
    if form == "symbol":
        symbol = draw(st.sampled_from(sorted(BEFORE)))
        return Amount(symbol + number, value * factor, BEFORE[symbol])
    if form == "spaced_symbol":
        code = draw(st.sampled_from(sorted(SPACED_BEFORE)))
        return Amount(f"{code} {number}", value * factor, SPACED_BEFORE[code])
    word = draw(st.sampled_from(sorted(AFTER)))
    return Amount(f"{number} {word}", value * factor, AFTER[word])


def _check(nlp, amount: Amount, place: str) -> None:
    text = place.format(a=amount.text)
    start = text.index(amount.text)
    doc = nlp(text)
    money = [f for f in doc._.figures if f.kind == "money"]
    assert len(money) == 1, f"{text!r}: {[(f.text, f.value, f.unit) for f in doc._.figures]}"
    (figure,) = money
    assert figure.unit == amount.unit, (text, figure)
    assert Decimal(repr(figure.value)) == pytest.approx(amount.value, rel=Decimal("1e-9")), (text, figure)
    assert (figure.start, figure.end) == (start, start + len(amount.text)), (text, figure)
    assert text[figure.start:figure.end] == figure.text


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(amount=amounts(), place=st.sampled_from(PLACES))
@example(amount=Amount("£18m", Decimal(18_000_000), "GBP"), place="Ofcom fined Streamly {a}.")
@example(amount=Amount("4.2 billion won", Decimal(4_200_000_000), "KRW"),
         place="Privacy regulator fines Whisperline {a} over leak")
@example(amount=Amount("A$49.5m", Decimal(49_500_000), "AUD"),
         place="Platforms face fines of up to {a}. Tattle said it would comply.")
@example(amount=Amount("Rs 213 crore", Decimal(2_130_000_000), "INR"), place="The fine was {a}.")
@example(amount=Amount("KRW 300 million", Decimal(300_000_000), "KRW"), place='"It was {a}."')
def test_amounts_round_trip_in_every_form_and_place(newsmon_nlp, amount, place):
    assume(not amount.text.endswith(WEIGHT_TOO) or any(w in place.lower() for w in MONEY_WORDS))
    _check(newsmon_nlp, amount, place)


def test_a_suffix_at_a_sentence_end_also_ends_the_sentence(newsmon_nlp):
    """The tokenizer's "m." made "£18m." lose its suffix and glued two sentences together."""
    doc = newsmon_nlp("Ofcom fined Streamly £18m. Its revenue was £200m.")
    assert [s.text for s in doc.sents] == ["Ofcom fined Streamly £18m.", "Its revenue was £200m."]
    assert [(f.text, f.value) for f in doc._.figures] == [("£18m", 18e6), ("£200m", 200e6)]


# -- every stored amount against its own text ------------------------------------------------

_SCALES = {"k": 1e3, "thousand": 1e3, "lakh": 1e5, "lakhs": 1e5, "m": 1e6, "mn": 1e6, "mln": 1e6,
           "mil": 1e6, "million": 1e6, "crore": 1e7, "crores": 1e7, "b": 1e9, "bn": 1e9, "bln": 1e9,
           "billion": 1e9, "tn": 1e12, "trn": 1e12, "trillion": 1e12}
_MINOR = ("cent", "cents", "p", "pence", "penny")
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_WORDS = re.compile(r"[A-Za-z]+")
_RANGE_SCALE = re.compile(r"^\s*(?:-|–|to|and)\s*[^\d\s]{0,3}[\d.,]+\s?(k|m|mn|bn|b|thousand|million|billion|trillion|crore|lakh)\b",
                          re.IGNORECASE)
_SCALE_AFTER = re.compile(r"^\s?(k|m|mn|mln|bn|bln|b|tn|trn|thousand|million|billion|trillion|crore|lakh)\b",
                          re.IGNORECASE)


def scale_mismatch(text: str, figure) -> str:
    """Why a money figure's value is not what its own text says ("" when it is): the value
    must be the written digits times the written scale (or over 100 for cents and pence), and
    no scale may follow the figure's text unread ("£18" before "m."). The first end of a range
    takes the second's scale ("$40-50 billion")."""
    after = _SCALE_AFTER.match(text[figure.end:figure.end + 12])
    if after:
        return f"{figure.text!r} is followed by the unread scale {after.group(1)!r}"
    digits = _DIGITS.search(figure.text)
    if digits is None:
        return ""  # spelled out ("half a million dollars"): not a digit amount
    written = float(digits.group().replace(",", ""))
    words = [w.lower() for w in _WORDS.findall(figure.text[digits.end():])]
    for word in words:
        written *= _SCALES.get(word, 1)
    shared = _RANGE_SCALE.match(text[figure.end:figure.end + 30])
    if shared and not any(w in _SCALES for w in words):
        written *= _SCALES[shared.group(1).lower()]
    if words and words[-1] in _MINOR or figure.text.rstrip().endswith(tuple(f"{d}p" for d in "0123456789")):
        written /= 100
    if written <= 0 or figure.value <= 0:
        return ""
    ratio = figure.value / written
    return "" if abs(ratio - 1) < 1e-6 else f"{figure.text!r} stored as {figure.value:g} ({ratio:g} x its text)"


BENCHMARK = SHARED / "corpus" / "article-extraction-benchmark" / "html"


@pytest.mark.slow
@pytest.mark.skipif(not BENCHMARK.exists(), reason=f"{BENCHMARK} is absent (../shared not mounted)")
def test_no_money_value_off_by_a_power_of_a_thousand_on_the_real_pages(newsmon_nlp):
    """The 181 real article pages, extracted and annotated as a crawl would store them."""
    texts = []
    for path in sorted(BENCHMARK.glob("*.html.gz")):
        article = extract_article(gzip.decompress(path.read_bytes()), f"https://example.org/{path.name}")
        if isinstance(article, Article) and annotatable(article.language):
            texts.append(article.text)
    assert len(texts) > 100
    checked, wrong = 0, []
    for text, doc in zip(texts, newsmon_nlp.pipe(texts, batch_size=16)):
        for figure in doc._.figures:
            if figure.kind == "money":
                checked += 1
                reason = scale_mismatch(text, figure)
                if reason:
                    wrong.append(f"{reason} in {figure.sentence[:120]!r}")
    assert checked > 100
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_no_money_value_off_by_a_power_of_a_thousand_in_the_demo_database(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.sql("""select a.text as article, f.text, f.value, f.start_char, f.end_char, f.sentence
                      from figures f join articles a using (article_id) where f.kind = 'money'""").fetchall()
    con.close()
    assert len(rows) > 50
    wrong = []
    for article, text, value, start, end, sentence in rows:
        figure = SimpleNamespace(text=text, value=value, start=start, end=end)
        assert article[start:end] == text
        reason = scale_mismatch(article, figure)
        if reason:
            wrong.append(f"{reason} in {sentence[:120]!r}")
    assert not wrong, "\n".join(wrong)
