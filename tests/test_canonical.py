"""Tests for canonical names (nlp/canonical.py) and how the pipeline applies them.

The pure rules are tested on name lists and on Docs from the real tokenizer; the
document-level behaviour (people, acronyms, gazetteer aliases) through the real
pipeline, with the model's entities fixed by hand where the rule needs a given input.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmon.nlp.entities.canonical import (
    company_canonicals, find_acronym_definitions, fullest_form, person_canonicals, same_person, split_name,
    strip_corporate_suffixes,
)
from newsmon.nlp.entities.rules import load_rules
from newsmon.nlp.pipeline import annotate_doc

SUFFIXES = load_rules().suffixes
CORPORATE_SUFFIXES = load_rules().org_cues.corporate_suffixes


@pytest.fixture(scope="module")
def nlp(newsmon_nlp):
    return newsmon_nlp


def canonicals(*names: str) -> list[str]:
    return person_canonicals([(name, i) for i, name in enumerate(names)], SUFFIXES)


# --- people ------------------------------------------------------------------------------


def test_surname_takes_the_full_name():
    assert canonicals("Pavel Durov", "Durov", "Durov") == ["Pavel Durov"] * 3


def test_surname_before_the_full_name_takes_it_too():
    assert canonicals("Durov", "Pavel Durov") == ["Pavel Durov", "Pavel Durov"]


def test_compound_surname_and_first_name_alone():
    assert canonicals("Joel Eriksson Ek", "Eriksson Ek") == ["Joel Eriksson Ek"] * 2
    assert canonicals("Cho Joo-Bin", "Cho") == ["Cho Joo-Bin"] * 2


def test_surname_with_a_capitalised_particle():
    assert canonicals("Alexandre de Moraes", "De Moraes") == ["Alexandre de Moraes"] * 2


def test_variants_of_one_name_take_the_fullest():
    names = ("Patrick Carlineo Jr.", "Carlineo", "Pat Carlineo", "Patrick W. Carlineo")
    assert canonicals(*names) == ["Patrick Carlineo Jr."] * 4


def test_initials_count_less_than_spelled_out_names():
    assert canonicals("Benjamin Nzeribe", "B. U. Nzeribe", "Nzeribe") == ["Benjamin Nzeribe"] * 3


def test_shared_surname_goes_to_the_nearest_earlier_full_name():
    names = ["Hillary Clinton", "Clinton", "Bill Clinton", "Clinton"]
    assert canonicals(*names) == ["Hillary Clinton", "Hillary Clinton", "Bill Clinton", "Bill Clinton"]


def test_different_people_stay_apart():
    assert canonicals("Joe Biden", "Jill Biden") == ["Joe Biden", "Jill Biden"]
    assert canonicals("Trump") == ["Trump"]
    assert not same_person(split_name("Joe Biden", SUFFIXES), split_name("Hunter Biden", SUFFIXES))


_NAME_PART = st.sampled_from(["George", "G.", "H.", "W.", "Walker", "Hye", "Jae", "de", "la", "Bush", "Jin"])


@given(st.lists(_NAME_PART, min_size=2, max_size=5), st.lists(_NAME_PART, min_size=2, max_size=5))
def test_same_person_is_symmetric_and_reflexive(a, b):
    """Generated names: the merge never depends on which name comes first, and a full name is
    always its own person."""
    x, y = split_name(" ".join(a), SUFFIXES), split_name(" ".join(b), SUFFIXES)
    assert same_person(x, y) == same_person(y, x)
    assert same_person(x, x)


@pytest.mark.parametrize("a, b, same", [
    ("George H. W. Bush", "George W. Bush", False),
    ("Jeong Hye Jin", "Jeong Jae Jin", False),  # credits: two people, one family name and one given name
    ("Patrick W. Carlineo", "Patrick Carlineo", True),
    ("John F. Kennedy", "John Fitzgerald Kennedy", True),
    ("Juan Carlos de la Vega", "Juan de la Vega", True),
])
def test_different_middle_names_are_different_people(a, b, same):
    assert same_person(split_name(a, SUFFIXES), split_name(b, SUFFIXES)) is same
    first, second = canonicals(a, b)
    assert (first == second) is same


# --- acronyms ----------------------------------------------------------------------------


def acronyms(nlp, text: str) -> list[tuple[str, str]]:
    return [(d.acronym, d.expansion) for d in find_acronym_definitions(nlp.make_doc(text))]


def test_acronym_definitions(nlp):
    assert acronyms(nlp, "the Federal Trade Commission (FTC) said") == [("FTC", "Federal Trade Commission")]
    assert acronyms(nlp, "the U.S. Securities and Exchange Commission (SEC) said") == [
        ("SEC", "Securities and Exchange Commission")]


def test_acronym_with_a_possessor_expands_to_the_name_given(nlp):
    text = "In a statement to South Korea’s Communications Standards Commission (KCSC), Telegram said"
    assert acronyms(nlp, text) == [("KCSC", "Communications Standards Commission")]


def test_brackets_that_are_not_definitions(nlp):
    assert acronyms(nlp, "Rep. Ilhan Omar (D-Minn.) and the chief executive (CEO) met Apple (AAPL)") == []


# --- organisations -----------------------------------------------------------------------


def test_fullest_form_of_an_organisation():
    ranked = ("Meta Platforms", "Meta")
    assert fullest_form({"Meta"}, ranked) == "Meta"
    assert fullest_form({"Meta", "Meta Platforms"}, ranked) == "Meta Platforms"
    assert fullest_form({"Facebook"}, ranked) is None


def test_corporate_suffixes_are_stripped_only_at_the_end():
    assert strip_corporate_suffixes("Dormand Inc.", CORPORATE_SUFFIXES) == "Dormand"
    assert strip_corporate_suffixes("Zorblat Pty Ltd", CORPORATE_SUFFIXES) == "Zorblat"
    assert strip_corporate_suffixes("Acme, Inc.", CORPORATE_SUFFIXES) == "Acme"
    assert strip_corporate_suffixes("Inc.", CORPORATE_SUFFIXES) == "Inc."
    assert strip_corporate_suffixes("Ltd Holdings", CORPORATE_SUFFIXES) == "Ltd Holdings"


def test_company_named_with_and_without_its_suffix_takes_the_fuller_form():
    names = ["Dormand", "Dormand Inc.", "Dormand Corporation", "Selvana", "Dormandy"]
    assert company_canonicals(names, CORPORATE_SUFFIXES) == {
        "Dormand": "Dormand Corporation", "Dormand Inc.": "Dormand Corporation",
        "Dormand Corporation": "Dormand Corporation", "Selvana": "Selvana", "Dormandy": "Dormandy"}


def org_canonicals(doc) -> dict[str, str]:
    return {m.text: m.canonical for m in doc._.mentions if m.label == "organisation"}


def test_gazetteer_alias_maps_to_the_full_name_only_when_the_text_gives_it(nlp):
    doc = nlp("The FTC sued the company on Monday.")
    assert org_canonicals(doc) == {"FTC": "FTC"}
    doc = nlp("The Federal Trade Commission sued the company. The FTC said it would appeal.")
    assert org_canonicals(doc) == {"Federal Trade Commission": "Federal Trade Commission",
                                   "FTC": "Federal Trade Commission"}


def test_acronym_defined_in_the_text_maps_to_its_expansion(nlp):
    text = "The Zorblat Regulatory Authority (ZRA) fined the firm. ZRA officials said the fine was final."
    doc = nlp(text)
    assert set(org_canonicals(doc).values()) == {"Zorblat Regulatory Authority"}
    assert [m.text for m in doc._.mentions if m.label == "organisation"] == [
        "Zorblat Regulatory Authority", "ZRA", "ZRA"]


def test_people_list_holds_canonical_names(nlp):
    text = ("Telegram founder Pavel Durov was arrested in Paris. Durov's lawyer said Durov "
            "would cooperate with the investigation.")
    annotation = annotate_doc(nlp(text))
    assert annotation.people == ["Pavel Durov"]
    assert {m.text for m in annotation.mentions if m.label == "person"} == {"Pavel Durov", "Durov"}


def test_head_back_references_to_the_one_longer_name():
    from newsmon.nlp.entities.canonical import head_back_references
    assert head_back_references(["European Commission", "Commission", "EU"]) == {
        "Commission": "European Commission"}
    # two longer names end in "Commission": ambiguous, left alone
    assert head_back_references(["European Commission", "Federal Trade Commission",
                                 "Commission"]) == {}
    assert head_back_references(["Court", "General Court", "KCSC"]) == {"Court": "General Court"}
    # the first word of a name built with "of" refers back to it, whatever the word
    assert head_back_references(["Chamber of Deputies", "Chamber", "Senate"], ["Court"]) == {
        "Chamber": "Chamber of Deputies"}
    assert head_back_references(["Court of Appeal", "General Court", "Court"], ["Court"]) == {}


def test_people_who_share_a_surname_are_never_merged_on_it_alone():
    rules = load_rules()
    names = person_canonicals([("Chad Thomas", 0), ("Tavierre Thomas", 5), ("Jo Smith", 9), ("John Smith", 12),
                               ("Thomas", 20)], rules.suffixes)
    assert names == ["Chad Thomas", "Tavierre Thomas", "Jo Smith", "John Smith", "Tavierre Thomas"]
