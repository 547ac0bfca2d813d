"""Tests for nlp/relevance.py and the platform-regulation profile, on texts written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.nlp.records import Relevance
from newsmon.nlp.relevance import TOPICS_DIR, ProfileError, TopicProfile


@pytest.fixture(scope="module")
def profile() -> TopicProfile:
    return TopicProfile.load("platform-regulation")


ON_TOPIC = {
    "ofcom": (
        "Ofcom fines forum operator £1m under the Online Safety Act",
        "The communications regulator Ofcom has fined the operator of an anonymous discussion forum "
        "£1m for failing to assess the risk of illegal content on its service. Investigators found "
        "that the platform had no working system for users to report child sexual abuse material, "
        "and that moderators reviewed reports only once a week. The company has 20 working days to "
        "comply with the decision or face further penalties. It said it would appeal.",
    ),
    "dsa": (
        "Brussels opens DSA proceedings against TikTok over protection of minors",
        "The European Commission has opened formal proceedings against TikTok under the Digital "
        "Services Act, saying the video platform may have failed to protect children from harmful "
        "content and addictive design. The Commission will examine age verification tools, default "
        "privacy settings and the recommender system. Under the DSA, very large online platforms "
        "can be fined up to 6% of their global annual turnover.",
    ),
    "antitrust": (
        "FTC antitrust case against Meta heads to trial",
        "The Federal Trade Commission's antitrust lawsuit against Meta went to trial on Monday. The "
        "agency argues that Meta bought Instagram and WhatsApp to neutralise rivals and maintain a "
        "monopoly in personal social networking. Meta says the acquisitions benefited users and that "
        "it faces fierce competition from TikTok and YouTube.",
    ),
    "deepfake": (
        "Korean regulator asks Telegram to remove sexual deepfakes",
        "The Korea Communications Standards Commission said on Tuesday it had asked Telegram to take "
        "down 25 channels sharing sexually explicit deepfake videos of women and girls. The messaging "
        "app, which has been criticised for slow responses, said it had removed the content and "
        "appointed a contact person for Korean regulators.",
    ),
}

OFF_TOPIC = {
    "football": (
        "City fined £40,000 after crowd trouble as appeal fails",
        "City were fined £40,000 by an independent regulatory Commission on Thursday after fans threw "
        "objects onto the pitch during last month's derby. The club's appeal against a touchline ban "
        "for their manager was also rejected. City said in a statement on social media that they "
        "would work with the police to identify those responsible. On the pitch, a late header from "
        "the captain earned a 2-1 win over United, lifting the side to fourth in the table.",
    ),
    "product_launch": (
        "Meta unveils smart glasses with a built-in display",
        "Meta on Wednesday unveiled a pair of smart glasses with a small display in the right lens, "
        "letting users read WhatsApp messages and Instagram notifications without taking out their "
        "phones. Mark Zuckerberg said the glasses, which go on sale next month for $799, were the "
        "company's most important hardware launch. The app that pairs with the glasses stores some "
        "personal data on the phone. Analysts said Meta faces strong competition from Apple and Google.",
    ),
    "weather": (
        "Storm brings gales and flooding to the coast",
        "Gusts of up to 80mph battered the coast overnight, bringing down trees and power lines. "
        "Authorities closed two bridges and the council opened emergency shelters. Forecasters said "
        "the wind would ease by Sunday afternoon but warned of further rain.",
    ),
    "recipe": (
        "A quick apple and walnut cake",
        "Apple cakes are best made with tart fruit. Peel and chop three apples, toss them with sugar "
        "and cinnamon, and fold them into the batter with a handful of walnuts. Bake for 45 minutes "
        "and leave to cool before slicing.",
    ),
}


# -- the profile separates on-topic from off-topic -----------------------------------

@pytest.mark.parametrize("key", sorted(ON_TOPIC))
def test_on_topic_texts_pass_the_threshold(profile, key):
    title, text = ON_TOPIC[key]
    relevance = profile.score(title, text)
    assert relevance.score >= profile.threshold + 0.15, relevance
    assert profile.is_relevant(title, text)


@pytest.mark.parametrize("key", sorted(OFF_TOPIC))
def test_off_topic_texts_stay_below_the_threshold(profile, key):
    title, text = OFF_TOPIC[key]
    relevance = profile.score(title, text)
    assert relevance.score < profile.threshold, relevance
    assert not profile.is_relevant(title, text)


def test_every_on_topic_text_outscores_every_off_topic_text(profile):
    lowest_on = min(profile.score(*pair).score for pair in ON_TOPIC.values())
    highest_off = max(profile.score(*pair).score for pair in OFF_TOPIC.values())
    assert lowest_on - highest_off > 0.2


def test_score_is_a_relevance_in_unit_interval(profile):
    for title, text in [*ON_TOPIC.values(), *OFF_TOPIC.values(), ("", ""), (None, None)]:
        relevance = profile.score(title, text)
        assert isinstance(relevance, Relevance)
        assert 0.0 <= relevance.score <= 1.0


def test_empty_text_scores_zero(profile):
    assert profile.score("", "") == Relevance(score=0.0, terms=[])


def test_concept_without_any_actor_is_only_moderately_relevant(profile):
    concept_only = ("New rules on deepfakes and age verification",
                    "The new law makes creating sexual deepfakes a crime and requires age verification.")
    with_actor = ("New rules on deepfakes and age verification",
                  "The new law makes creating sexual deepfakes a crime and requires age verification. "
                  "Ofcom will enforce it against platforms such as TikTok.")
    alone, together = profile.score(*concept_only).score, profile.score(*with_actor).score
    assert 0.0 < alone <= 0.5
    assert together > alone + 0.2


def test_actors_without_a_concept_cannot_reach_the_threshold(profile):
    title = "Meta, TikTok and Google executives meet Ofcom, the FTC and the European Commission"
    text = ("Executives from Meta, TikTok, Google, YouTube and Instagram met Ofcom, the FTC and the "
            "European Commission at a dinner in Brussels, and the court and the police were there too. ") * 3
    assert profile.score(title, text).score < profile.threshold


DEMO_DIR = Path(__file__).resolve().parents[1] / "crawler" / "demo"


def demo_articles() -> list[tuple[str, str, bool]]:
    """(title, body, on_topic) for the demo site's articles, read as data files."""
    import tomllib

    site = tomllib.loads((DEMO_DIR / "site.toml").read_text(encoding="utf-8"))
    on_topic = {section["slug"]: bool(section["on_topic"]) for section in site["sections"]}
    articles = []
    for path in sorted((DEMO_DIR / "articles").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("+++", 2)
        meta = tomllib.loads(front)
        articles.append((meta["title"], body, on_topic[meta["section"]]))
    return articles


def test_threshold_separates_the_demo_articles(profile):
    try:
        articles = demo_articles()
    except (OSError, KeyError, ValueError) as err:
        pytest.skip(f"demo articles not readable under {DEMO_DIR}: {err}")
    on = [profile.score(title, body).score for title, body, relevant in articles if relevant]
    off = [profile.score(title, body).score for title, body, relevant in articles if not relevant]
    assert on and off
    assert min(on) >= profile.threshold + 0.1, sorted(on)[:3]
    assert max(off) <= profile.threshold - 0.1, sorted(off)[-3:]


# -- threshold ---------------------------------------------------------------------

def test_threshold_comes_from_the_file_and_can_be_overridden(profile, tmp_path):
    assert profile.threshold == pytest.approx(0.4)
    title, text = ON_TOPIC["dsa"]
    score = profile.score(title, text).score
    assert profile.is_relevant(title, text, threshold=score)
    assert not profile.is_relevant(title, text, threshold=min(1.0, score + 0.01))

    stricter = tmp_path / "strict.toml"
    stricter.write_text((TOPICS_DIR / "platform_regulation.toml").read_text(encoding="utf-8")
                        .replace("threshold = 0.4", "threshold = 0.99"), encoding="utf-8")
    strict = TopicProfile.load(stricter)
    assert strict.threshold == pytest.approx(0.99)
    assert not strict.is_relevant(title, text)


# -- title weighting, saturation, length ----------------------------------------------

def test_title_match_weighs_more_than_a_body_match(profile):
    body = "The regulator published its annual report on Tuesday. It said platforms had made progress."
    in_title = profile.score("Ofcom report on online safety", body)
    in_body = profile.score("Annual report published", body + " Ofcom said online safety had improved.")
    assert in_title.score > in_body.score
    assert in_title.terms[:2] == ["Ofcom", "online safety"]


def test_terms_are_ordered_weightiest_first(profile):
    relevance = profile.score(*ON_TOPIC["ofcom"])
    assert relevance.terms[0] in {"Ofcom", "Online Safety Act"}
    assert "users" in relevance.terms
    assert relevance.terms.index("Ofcom") < relevance.terms.index("users")


def test_repetition_saturates(profile):
    text = "Ofcom opened an Online Safety Act investigation into the platform."

    def ofcom_weight(copies: int) -> float:
        _, contributions = profile.breakdown("Update", " ".join([text] * copies))
        return next(v for term, v in contributions.items() if term.name == "Ofcom")

    assert ofcom_weight(10) < 4 * ofcom_weight(1)  # ten mentions weigh less than four single ones
    scores = [profile.score("Update", " ".join([text] * n)).score for n in (1, 2, 10, 20)]
    assert scores == sorted(scores)
    assert scores[3] - scores[2] < scores[1] - scores[0]  # diminishing returns


def test_long_texts_do_not_win_by_length(profile):
    focused = "Ofcom fined the platform under the Online Safety Act for failing to remove illegal content."
    filler = " ".join(["The town's summer fair drew crowds to the park, with stalls, music and a dog show."] * 150)
    short_score = profile.score("News", focused).score
    long_score = profile.score("News", focused + " " + filler).score
    assert long_score < short_score


# -- case rules and the "X" problem --------------------------------------------------

@pytest.mark.parametrize("text, term", [
    ("The DMA obliges gatekeepers to open their app stores.", "DMA"),
    ("Regulators used the DSA against the platform.", "DSA"),
    ("The company breached the GDPR, the regulator said.", "GDPR"),
])
def test_acronyms_match_in_capitals(profile, text, term):
    assert term in profile.score("", text).terms


@pytest.mark.parametrize("text", [
    "The driver uses dma transfers to move data.",     # direct memory access, lower case
    "The dsa of the engine was recalibrated.",
    "Dma and dsa are not acronyms when written like this.",
])
def test_acronyms_do_not_match_other_cases(profile, text):
    terms = profile.score("", text).terms
    assert "DMA" not in terms and "DSA" not in terms


def test_words_match_in_any_case_and_across_hyphens_and_line_breaks(profile):
    terms = profile.score("", "CONTENT MODERATION failures and Age-Verification rules and online\nsafety").terms
    assert {"content moderation", "age verification", "online safety"} <= set(terms)


def test_the_longest_term_wins(profile):
    terms = profile.score("", "Fines under the Online Safety Act are set by the regulator.").terms
    assert "Online Safety Act" in terms
    assert "online safety" not in terms


def test_overlapping_matches_of_both_case_classes_count_once(profile):
    terms = profile.score("", "The European Commission opened proceedings.").terms
    assert "European Commission" in terms
    assert "Commission" not in terms  # the case-sensitive "Commission" inside it does not count again
    assert "Commission" in profile.score("", "The Commission opened proceedings.").terms


def test_word_boundaries(profile):
    # "fined" inside "refined", "ban" inside "urban", "app" inside "happy" must not count
    assert profile.score("", "The refined urban design made everyone happy.").terms == []


@pytest.mark.parametrize("text", [
    "X, formerly Twitter, was fined under the DSA.",
    "X Corp was fined under the DSA.",
    "Elon Musk's platform X was fined under the DSA.",
    "Musk's X was fined under the DSA.",
    "The minister said in a post on X that the DSA applies.",
])
def test_x_counts_in_platform_contexts(profile, text):
    assert "X" in profile.score("", text).terms


@pytest.mark.parametrize("text", [
    "The X Factor final drew 9 million viewers.",
    "Doctors took an X-ray and found no fracture.",
    "Let x be the number of users; solve for X.",
    "Malcolm X was born in 1925.",
    "Section X of the report covers the DSA.",
])
def test_bare_x_is_not_the_platform(profile, text):
    assert "X" not in profile.score("", text).terms


def test_curly_apostrophes_match(profile):
    assert "children's data" in profile.score("", "The app processed children’s data unlawfully.").terms


# -- loading and malformed files ---------------------------------------------------------

def test_load_by_name_or_path():
    by_dash = TopicProfile.load("platform-regulation")
    by_underscore = TopicProfile.load("platform_regulation")
    by_path = TopicProfile.load(TOPICS_DIR / "platform_regulation.toml")
    assert by_dash.name == by_underscore.name == by_path.name == "platform-regulation"
    assert set(by_path.groups) >= {"concepts", "regulators", "platforms"}


def test_unknown_profile_name_is_a_clear_error():
    with pytest.raises(ProfileError, match="no_such_topic"):
        TopicProfile.load("no_such_topic")


MINIMAL = """
threshold = 0.5
[scoring]
title_weight = 2.0
group_scale = 2.0
reference_words = 300
[[scoring.slots]]
name = "what"
groups = ["g"]
[groups.g.terms]
"alpha" = 1.0
"""


def test_minimal_profile_loads_and_scores(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    profile = TopicProfile.load(path)
    assert profile.name == "mini"
    assert profile.score("", "alpha beta").score > 0
    assert profile.score("", "beta gamma").score == 0


@pytest.mark.parametrize("content, complaint", [
    ("threshold = [unclosed", "invalid TOML"),
    (MINIMAL.replace("threshold = 0.5", ""), "threshold"),
    (MINIMAL.replace("threshold = 0.5", "threshold = 1.5"), "threshold"),
    (MINIMAL.replace('"alpha" = 1.0', '"alpha" = -1'), "weight of 'alpha'"),
    (MINIMAL.replace('"alpha" = 1.0', '"alpha" = "heavy"'), "weight of 'alpha'"),
    (MINIMAL.replace('"alpha" = 1.0', '"alpha||beta" = 1.0'), "empty variant"),
    (MINIMAL.replace('groups = ["g"]', 'groups = ["nope"]'), "unknown groups"),
    (MINIMAL.replace("[groups.g.terms]", "[groups.g.words]"), "groups.g"),
    (MINIMAL.replace("group_scale = 2.0", "group_scale = 0"), "group_scale"),
])
def test_malformed_profile_names_the_file(tmp_path, content, complaint):
    path = tmp_path / "broken_profile.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as excinfo:
        TopicProfile.load(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert complaint in message


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(ProfileError, match="absent.toml"):
        TopicProfile.load(path)
