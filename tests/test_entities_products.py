"""Tests for products the model takes for people or organisations (nlp/entities/products.py):
a model designation after or inside the name, and a maker's name opening a "person".

The model's entities are fixed by hand (``run``), so each test shows the rule on the mistake it
exists for, whatever the model would do; every newsmon component after ``ner`` runs for real.
"""

from __future__ import annotations

import pytest

from spacy.tokens import Doc

from newsmon.nlp.pipeline import annotate_doc


@pytest.fixture(scope="module")
def nlp(nlp_no_figures):
    return nlp_no_figures


def run(nlp, text: str, ents: list[tuple[str, str]]) -> Doc:
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(s), text.index(s) + len(s), label=label) for s, label in ents]
    for name, component in nlp.pipeline:
        if name != "ner":
            doc = component(doc)
    return doc


def test_a_model_number_makes_a_product_not_a_person_or_a_body(nlp):
    text = ("The Korva Quest 3 headset costs $299, and Vantor Hero 9 cameras are down to $349. "
            "Lumi Kart 8 Deluxe comes in the bundle. Ingrid Solberg, who reviewed them, prefers the Hero.")
    doc = run(nlp, text, [("Korva Quest", "PERSON"), ("Vantor Hero 9", "ORG"), ("Lumi Kart", "PERSON"),
                          ("Ingrid Solberg", "PERSON")])
    found = annotate_doc(doc)
    assert found.people == ["Ingrid Solberg"]
    assert found.organisations == []


def test_numbers_that_are_scores_counts_or_a_stations_name_keep_the_label(nlp):
    text = ("Halvard United beat Ostrava Rovers 2-1, and Tomas Reyes 3 points ahead of the rest. "
            "Channel 4 and KBTV 5 covered it; Marren Vale 30 years ago had no club.")
    doc = run(nlp, text, [("Halvard United", "ORG"), ("Ostrava Rovers", "ORG"), ("Tomas Reyes", "PERSON"),
                          ("Channel 4", "ORG"), ("KBTV 5", "ORG"), ("Marren Vale", "PERSON")])
    found = annotate_doc(doc)
    assert {"Halvard United", "Ostrava Rovers", "Channel 4", "KBTV 5"} <= set(found.organisations)
    assert {"Tomas Reyes", "Marren Vale"} <= set(found.people)


def test_a_makers_name_opening_a_person_makes_a_product(nlp):
    text = ("Zarnik makes loud keyboards. The Zarnik Blackfin is its best, says Ada Quist. "
            "Dale sells them too, and Dale Ford runs the shop.")
    doc = run(nlp, text, [("Zarnik", "ORG"), ("Zarnik Blackfin", "PERSON"), ("Ada Quist", "PERSON"),
                          ("Dale", "ORG"), ("Dale Ford", "PERSON")])
    found = annotate_doc(doc)
    assert "Zarnik Blackfin" not in found.people and "Zarnik" not in found.people
    assert "Zarnik" in found.organisations
    assert {"Ada Quist", "Dale Ford"} <= set(found.people)  # "Dale": a given name, not a maker

