"""Tests for what a name's own words and the words around it say it is (nlp/entities/shapes.py
and the source cues of nlp/entities/patterns.py): venues and facilities, headlines in title
case, publications cited as a source, and organisation words of care ("Clinic").

Each test runs the whole pipeline, the real spaCy model included, on short texts written for
it, and checks the people and organisations that come out and the rule ``--explain`` names.
"""

from __future__ import annotations

import pytest

from newsmon.nlp.pipeline import annotate


@pytest.fixture(scope="module")
def nlp(nlp_no_figures):
    return nlp_no_figures


def extract(nlp, text: str):
    return next(iter(annotate(nlp, [text])))


def test_venues_and_facilities_are_no_organisations(nlp):
    text = ("The trio played the Lakeshore Music Center on Friday and the Harbourfront Arts Centre a week "
            "later. Engineers at the Corvath Assembly Facility built the Halden Space Telescope, and "
            "astronomers at the Merrow Observatory used it. Ostrava Industries paid for the work.")
    found = extract(nlp, text).organisations
    assert "Ostrava Industries" in found
    for venue in ("Lakeshore Music Center", "Harbourfront Arts Centre", "Corvath Assembly Facility",
                  "Halden Space Telescope", "Merrow Observatory"):
        assert venue not in found


def test_a_centre_named_by_its_work_stays_an_organisation(nlp):
    text = "Researchers at the Tallis Research Center said the Tallis Research Center will publish soon."
    assert extract(nlp, text).organisations == ["Tallis Research Center"]
