"""Tests for the `newsmon_figures` spaCy component (nlp/figures/, nlp/numbers.py, nlp/nouns.py).

Every test runs the real en_core_web_sm model (ner only, as in production) plus a
sentencizer and the component, on short sentences written for these tests. The last
tests score the component on the hand-checked gold file in ../shared when it exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmon.nlp.models import DEFAULT_MODEL
import spacy

from newsmon.nlp.figures import RESOURCES  # importing registers "newsmon_figures"
from newsmon.nlp.records import Figure

MODEL = DEFAULT_MODEL
NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev.jsonl"


@pytest.fixture(scope="session")
def nlp_figures():
    """The production shape: the amount-token splitter, only `ner` loaded (the rest excluded),
    a sentencizer, figures."""
    nlp = spacy.load(MODEL, exclude=NOT_NER)
    nlp.add_pipe("newsmon_amount_tokens", first=True)
    nlp.add_pipe("sentencizer", before="ner")
    nlp.add_pipe("newsmon_figures")
    return nlp


def figures(nlp, text: str) -> list[tuple]:
    return [(f.kind, f.value, f.unit, f.object) for f in nlp(text)._.figures]


def assert_figure(nlp, text: str, kind: str, value: float, unit: str | None, obj: str | None = None):
    found = figures(nlp, text)
    for k, v, u, o in found:
        if k == kind and u == unit and v == pytest.approx(value, rel=1e-6) and (kind != "count" or o == obj):
            return
    raise AssertionError(f"{(kind, value, unit, obj)} not in {found} for {text!r}")


def assert_no_figure(nlp, text: str, value: float):
    found = figures(nlp, text)
    assert all(v != pytest.approx(value) for _, v, _, _ in found), f"{value} wrongly found in {found} for {text!r}"


# -- the component contract -------------------------------------------------------------

def test_sets_figure_records_with_offsets_and_sentence(nlp_figures):
    text = "The council met on Monday. It approved a budget of $4.5 million for 12 new parks."
    doc = nlp_figures(text)
    assert all(isinstance(f, Figure) for f in doc._.figures)
    money, count = doc._.figures
    assert (money.kind, money.value, money.unit) == ("money", 4_500_000, "USD")
    assert text[money.start:money.end] == money.text == "$4.5 million"
    assert money.sentence == "It approved a budget of $4.5 million for 12 new parks."
    assert (count.kind, count.value, count.object) == ("count", 12, "park")
    assert text[count.start:count.end] == count.text


def test_empty_text_gives_empty_list(nlp_figures):
    assert nlp_figures("")._.figures == []
    assert nlp_figures("No amounts here at all.")._.figures == []


def test_works_without_sentence_boundaries():
    nlp = spacy.load(MODEL, exclude=NOT_NER)
    nlp.add_pipe("newsmon_figures")
    doc = nlp("First line here.\nThe firm hired 40 engineers last year. Then it stopped.")
    (figure,) = doc._.figures
    assert (figure.kind, figure.value, figure.object) == ("count", 40, "engineer")
    assert figure.sentence == "The firm hired 40 engineers last year."


def test_noun_lists_are_found_when_the_lemmatizer_is_only_disabled():
    nlp = spacy.load(MODEL, disable=NOT_NER)
    nlp.add_pipe("newsmon_figures")
    lexicon = nlp.get_pipe("newsmon_figures").tables.lex
    assert "maintenance" in lexicon.nouns and "catastrophic" in lexicon.adjectives
    assert figures(nlp, "It hired 1,000 maintenance workers.") == [("count", 1000, None, "maintenance worker")]


def test_resources_dir_is_configurable(tmp_path, nlp_figures):
    for path in RESOURCES.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    currencies = (tmp_path / "currencies.toml").read_text(encoding="utf-8")
    (tmp_path / "currencies.toml").write_text(currencies.replace('"₩" = "KRW"', '"₩" = "XXX"'), encoding="utf-8")
    custom = spacy.load(MODEL, exclude=NOT_NER)
    custom.add_pipe("newsmon_figures", config={"resources_dir": str(tmp_path)})
    assert figures(custom, "It cost ₩5,000.") == [("money", 5000, "XXX", None)]
    assert figures(nlp_figures, "It cost ₩5,000.") == [("money", 5000, "KRW", None)]


# -- numbers as written -------------------------------------------------------------------

@pytest.mark.parametrize("text, value, obj", [
    ("The survey reached 505,796 people.", 505_796, "person"),
    ("Officials counted 7 ballots twice.", 7, "ballot"),
    ("Seven suspects were questioned.", 7, "suspect"),
    ("They found twenty-five boxes.", 25, "box"),
    ("Some two hundred and fifty volunteers came.", 250, "volunteer"),
    ("A dozen reporters waited outside.", 12, "reporter"),
    ("The list holds ninety nine names.", 99, "name"),
    ("The app has 45 million users.", 45_000_000, "user"),
    ("About 1.5m people signed it.", 1_500_000, "person"),
    ("There are 10k followers already.", 10_000, "follower"),
    ("A million viewers tuned in.", 1_000_000, "viewer"),
    ("The region has 3 billion residents.", 3_000_000_000, "resident"),
    ("The office spent it on 2.5 thousand chairs.", 2_500, "chair"),
])
def test_numbers_in_digits_words_and_scales(nlp_figures, text, value, obj):
    assert_figure(nlp_figures, text, "count", value, None, obj)


# -- money ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit", [
    ("The deal was worth $1.2bn in cash.", 1.2e9, "USD"),
    ("The fine was US$5 million.", 5e6, "USD"),
    ("They raised C$2.5 million.", 2.5e6, "CAD"),
    ("The grant is A$40,000.", 40_000, "AUD"),
    ("Tickets cost HK$5 each.", 5, "HKD"),
    ("The court imposed a €33,923 penalty.", 33_923, "EUR"),
    ("The club paid £18m for him.", 18e6, "GBP"),
    ("The phone sells for ¥120,000 there.", 120_000, "JPY"),
    ("Entry costs ₹300 a day.", 300, "INR"),
    ("Oxygen costs Rs 299 a session.", 299, "INR"),
    ("The fine was up to 50 million won.", 5e7, "KRW"),
    ("He sold bonds worth 50,000 yuan.", 50_000, "CNY"),
    ("She paid 2.5 million rupees.", 2.5e6, "INR"),
    ("Prizes reach 10,000 euros.", 10_000, "EUR"),
    ("He was fined 500 pounds by the court.", 500, "GBP"),
    ("They spent nearly half a million dollars on it.", 500_000, "USD"),
    ("It raised 88 billion Hong Kong dollars.", 8.8e10, "HKD"),
    ("The bid was 5 million Canadian dollars.", 5e6, "CAD"),
    ("A bar of chocolate costs 99 cents.", 0.99, "USD"),
    ("A stamp costs 50p now.", 0.5, "GBP"),
    ("The budget is EUR 10 million.", 1e7, "EUR"),
    ("Disney's $6.99-a-month service launched.", 6.99, "USD"),
    ("SoftBank put in some $156 billion.", 1.56e11, "USD"),
    ("Chelsea paid the £71.6million fee.", 7.16e7, "GBP"),
    ("VIP seats cost 60,000₩ each.", 60_000, "KRW"),
])
def test_money_symbols_codes_and_words(nlp_figures, text, value, unit):
    assert_figure(nlp_figures, text, "money", value, unit)


def test_pounds_of_something_is_a_weight_not_money(nlp_figures):
    assert figures(nlp_figures, "They detected 5,200 pounds of vapour.") == [("quantity", 5200, "lb", None)]


# -- ranges ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("The fine ranged from $1.2 million to $23.5 million.",
     [("money", 1.2e6, "USD", None), ("money", 23.5e6, "USD", None)]),
    ("Purchases of $40-50 billion were promised.",
     [("money", 4e10, "USD", None), ("money", 5e10, "USD", None)]),
    ("Rates rose 5-7% this year.", [("percent", 5, "%", None), ("percent", 7, "%", None)]),
    ("Sentences run between 10 and 20 years.", [("duration", 10, "year", None), ("duration", 20, "year", None)]),
    ("The jet seats 242 to 330 passengers.",
     [("count", 242, None, "passenger"), ("count", 330, None, "passenger")]),
    ("He expects between four to six services.",
     [("count", 4, None, "service"), ("count", 6, None, "service")]),
    ("Jam sets within 24-48 hours.", [("duration", 24, "hour", None), ("duration", 48, "hour", None)]),
    ("It sold 5, 10, and 20 units.",
     [("count", 5, None, "unit"), ("count", 10, None, "unit"), ("count", 20, None, "unit")]),
    ("Accounts of 13- to 15-year-olds stay private.", [("age", 13, "year", None), ("age", 15, "year", None)]),
    ("Symptoms appear after one-to-seven days.", [("duration", 1, "day", None), ("duration", 7, "day", None)]),
])
def test_ranges_give_two_figures(nlp_figures, text, expected):
    assert figures(nlp_figures, text) == expected


# -- percent, durations, quantities, ages ---------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("Growth was 3.5 percent last year.", 3.5),
    ("Turnout reached 77 per cent.", 77),
    ("Shares fell 15% on Monday.", 15),
    ("Support rose 2.5 percentage points.", 2.5),
    ("Prices fell 3pc in October.", 3),
    ("Only 0.90 percent did so.", 0.9),
])
def test_percent(nlp_figures, text, value):
    assert_figure(nlp_figures, text, "percent", value, "%")


@pytest.mark.parametrize("text, value, unit", [
    ("He was sentenced to 42 years in prison.", 42, "year"),
    ("She faces up to five years in jail.", 5, "year"),
    ("The app was down for two hours.", 2, "hour"),
    ("Police held him for four days.", 4, "day"),
    ("It lasted 12 months.", 12, "month"),
    ("The review takes almost two weeks.", 2, "week"),
    ("Claure presented a five-year plan.", 5, "year"),
    ("A 90-day review began.", 90, "day"),
    ("The export took 38 seconds.", 38, "second"),
    ("Voting closes in 30 minutes.", 30, "minute"),
    ("The feud lasted two decades.", 20, "year"),
    ("He served two and a half years.", 2.5, "year"),
    ("The hearing ran for three full days.", 3, "day"),
    ("He left after five-and-a-half years in charge.", 5.5, "year"),
    ("It simulates a 13.8-billion-year period.", 1.38e10, "year"),
])
def test_durations(nlp_figures, text, value, unit):
    assert_figure(nlp_figures, text, "duration", value, unit)


@pytest.mark.parametrize("text, value, unit", [
    ("Europa lies some 390 million miles away.", 3.9e8, "mi"),
    ("The plant produces 1,500 megawatts.", 1500, "MW"),
    ("The new farm delivers 100MW at peak.", 100, "MW"),
    ("The truck carried 12 tonnes of grain.", 12, "t"),
    ("The route is 60,000 km long.", 60_000, "km"),
    ("The parcel weighs 5 kg.", 5, "kg"),
    ("The phone has 512GB of storage.", 512, "GB"),
    ("Winds reached 55 mph overnight.", 55, "mph"),
    ("It hit 107 degrees Fahrenheit.", 107, "°F"),
    ("The site covers 40,000 square metres.", 40_000, "m2"),
    ("It has a 15.6-inch screen.", 15.6, "in"),
])
def test_quantities(nlp_figures, text, value, unit):
    assert_figure(nlp_figures, text, "quantity", value, unit)


@pytest.mark.parametrize("text, value", [
    ("The leader, Cho, 20, was arrested.", 20),
    ("Patrick Carlineo Jr., 55, pleaded guilty.", 55),
    ("A 35-year-old man was charged.", 35),
    ("The 37-year-old mayor spoke.", 37),
    ("The boy is 12 years old.", 12),
    ("Adults aged 26 or older were surveyed.", 26),
    ("The ring leader was 20 at the time.", 20),
    ("Children under 13 may not sign up.", 13),
    ("The former star, 42, was voted off.", 42),
    ("I have fixed cars since I was 17 (mostly vans).", 17),
    ("At 16, he went to college.", 16),
])
def test_ages(nlp_figures, text, value):
    assert_figure(nlp_figures, text, "age", value, "year")


def test_age_range_gives_two_ages(nlp_figures):
    assert figures(nlp_figures, "Respondents aged between 12 to 17-years-old were asked.") == [
        ("age", 12, "year", None), ("age", 17, "year", None)]


def test_age_in_months_is_a_duration(nlp_figures):
    assert figures(nlp_figures, "It suits an age of 48 months.") == [("duration", 48, "month", None)]


# -- counts and what they count -------------------------------------------------------------

@pytest.mark.parametrize("text, value, obj", [
    ("Jupiter has 79 moons.", 79, "moon"),
    ("Police received 118 reports.", 118, "report"),
    ("The town has 565 municipalities nearby.", 565, "municipality"),
    ("Seven big questions remain.", 7, "question"),
    ("Two catastrophic crashes followed.", 2, "crash"),
    ("They found 25 such videos.", 25, "video"),
    ("The app won 1,000 new users.", 1000, "user"),
    ("Roughly 13,000 US troops remain.", 13_000, "troop"),
    ("More than 2,500 Afghan civilians died.", 2500, "civilian"),
    ("Two United States service members died.", 2, "service member"),
    ("It hired 1,000 maintenance workers.", 1000, "maintenance worker"),
    ("It took close to 1,000 maintenance and cleaning workers.", 1000, "worker"),
    ("The airline bought 30 Boeing jets.", 30, "jet"),
    ("The carrier ordered 50 Airbus A350-900 jets.", 50, "jet"),
    ("It flies roughly 400 737 Max jets.", 400, "jet"),
    ("The fleet has 270 aircraft.", 270, "aircraft"),
    ("Ten Democrats took the stage.", 10, "democrat"),
    ("The EU named 19 very large online platforms.", 19, "platform"),
    ("Two people briefed on the talks spoke.", 2, "person"),
    ("It dropped 16 children's shows.", 16, "show"),
    ("With one billionaire onstage, the debate began.", 1, "billionaire"),
    ("It was a two-goal performance.", 2, "goal"),
    ("They ended a 10-game stretch.", 10, "game"),
    ("The jet uses a two-class layout.", 2, "class"),
    ("Rescuers saved 40 women and children.", 40, "woman"),
])
def test_counts_and_their_objects(nlp_figures, text, value, obj):
    assert_figure(nlp_figures, text, "count", value, None, obj)


@pytest.mark.parametrize("text, expected", [
    ("He said two of the three requirements are met.",
     [("count", 2, None, "requirement"), ("count", 3, None, "requirement")]),
    ("It bought 30 of Boeing's 787-9 Dreamliner jets.", [("count", 30, None, "jet")]),
    ("Police questioned seven suspects, six of whom are teenagers.",
     [("count", 7, None, "suspect"), ("count", 6, None, "suspect")]),
    ("It made five Dreamliner sales this week: two to Biman and three to Ghana.",
     [("count", 5, None, "sale"), ("count", 2, None, "sale"), ("count", 3, None, "sale")]),
    ("With one billionaire onstage and another coming, the field grew. Of the two, only one spoke.",
     [("count", 1, None, "billionaire"), ("count", 2, None, "billionaire")]),
    ("The Sabres lost eight of their nine games.", [("count", 8, None, "game"), ("count", 9, None, "game")]),
    ("Bids came for some 60 of the embattled 737 Max jet.", [("count", 60, None, "jet")]),
    ("Nine companies applied and 12 of the best ones were picked.",
     [("count", 9, None, "company"), ("count", 12, None, "company")]),
])
def test_counts_that_take_their_object_from_context(nlp_figures, text, expected):
    assert figures(nlp_figures, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("He scored four times in a three-game streak.",
     [("count", 4, None, "goal"), ("count", 3, None, "game")]),
    ("Parise had scored just once in a month.", [("count", 1, None, "goal")]),
    ("They won 4-1 in front of 15,522 in the arena.", [("count", 15_522, None, "spectator")]),
])
def test_count_patterns_from_the_data_file(nlp_figures, text, expected):
    assert figures(nlp_figures, text) == expected


def test_bare_number_after_a_percent_list_is_a_percent(nlp_figures):
    text = "Of those, 65 percent were white, 15.36 percent Hispanic, and 7.3 of another race."
    assert figures(nlp_figures, text) == [
        ("percent", 65, "%", None), ("percent", 15.36, "%", None), ("percent", 7.3, "%", None)]


# -- what is not a figure --------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("The law took effect on March 21, 2019.", 21),
    ("The law took effect on March 21, 2019.", 2019),
    ("The hearing is on Dec. 15 in Paris.", 15),
    ("It happened on 1 January in Seoul.", 1),
    ("In 2019, the ring was exposed.", 2019),
    ("Copyright 2019 Hawaii News Now.", 2019),
    ("He scored at 7:14 of the first period.", 7),
    ("Doors open at 9 a.m. sharp.", 9),
    ("It was his 10th outing of the season.", 10),
    ("The Boeing 787 entered service.", 787),
    ("She bought an iPhone 11 yesterday.", 11),
    ("The 777 program has faced delays.", 777),
    ("Its popular 737 Max jet was grounded.", 737),
    ("Call 555-1234 for details.", 555),
    ("Call 555-1234 for details.", 1234),
    ("The Wild earned a 4-1 win.", 4),
    ("The Wild earned a 4-1 win.", 1),
    ("The court ruled 6-3 in the case.", 6),
    ("The 2020 class is large.", 2020),
    ("The 5G rollout was slow.", 5),
    ("Section 230 protects platforms.", 230),
    ("Article 17 was debated.", 17),
    ("The video runs at 720p only.", 720),
    ("The 1990s were different.", 1990),
])
def test_dates_times_ordinals_identifiers_and_scores_are_not_figures(nlp_figures, text, value):
    assert_no_figure(nlp_figures, text, value)


@pytest.mark.parametrize("text", [
    "Dozens of women were blackmailed.",
    "Several hundred moderators complained.",
    "Hundreds of thousands more joined.",
    "It has twice as much water as Earth.",
    "He reports twice a week.",
    "Europa is one of Jupiter's moons.",
    "No one knows how many.",
    "This one is different.",
    "Emirates is the number one buyer.",
    "A phase one deal was signed.",
    "The pass came on a two-on-one.",
    "More than a third of staff left.",
    "One Washington-based trade expert said so.",
    "Sales grew three times faster.",
    "The meeting was one last month.",
])
def test_vague_amounts_pronouns_and_multipliers_are_not_figures(nlp_figures, text):
    assert figures(nlp_figures, text) == []


def test_tables_and_citations_do_not_become_counts(nlp_figures):
    text = "Ten teams entered. Standings: Busch 5040 5 1 17 27. Another study in 20 girls agreed (14, 15)."
    assert figures(nlp_figures, text) == [("count", 10, None, "team"), ("count", 20, None, "girl")]


# -- the gold file ---------------------------------------------------------------------------

def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


@pytest.mark.skipif(not GOLD.exists(), reason=f"gold file {GOLD} is absent (../shared not mounted)")
def test_dev_gold_figures_f1_and_count_objects(nlp_figures):
    tp = fp = fn = objects_right = counts_matched = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        gold, used = doc["figures"], set()
        for f in nlp_figures(doc["text"])._.figures:
            hit = next((i for i, g in enumerate(gold) if i not in used and g["kind"] == f.kind
                        and g["unit"] == f.unit and _close(g["value"], f.value)), None)
            if hit is None:
                fp += 1
                continue
            used.add(hit)
            tp += 1
            if f.kind == "count":
                counts_matched += 1
                objects_right += gold[hit]["object"] == f.object
        fn += len(gold) - len(used)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.92, (precision, recall, f1)
    assert objects_right / counts_matched >= 0.85
