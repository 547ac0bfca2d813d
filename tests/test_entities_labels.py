"""Tests for the entity pass's label decisions on news text (nlp/entities/judge.py and the
modules it reads: names.py, products.py, shapes.py, cues.py, joins.py): bodies of common words
a cue names, leaders named alone, people and bodies the model missed or mislabelled, given
names alone, shop pages, photo credits, box scores, names joined by "and", countries and
regions, currency marks and acronyms spelt out.

The texts are written for these tests. Where the model would not make the mistake a rule
exists for, ``run`` sets the model's entities by hand and every newsmon component after
``ner`` runs on them for real.
"""

from __future__ import annotations

import pytest

from conftest import annotate_one, mention_names, run_after_ner


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    """The rules' decisions, without the entity check (conftest.rules_nlp)."""
    return rules_nlp


extract, run, names = annotate_one, run_after_ner, mention_names


def test_a_body_of_common_words_named_once_stays_a_body_where_a_cue_says_so(nlp):
    """"The tour, promoted by Quiet Engine, ...": a name of common English words the model calls
    a body and the text names once is a body when any cue around it says so (here a weak one:
    such a name is no person); "Bright Ideas" with no cue is not kept."""
    text = ("The tour, promoted by Quiet Engine, opens in Leeds on March 4. Fans shared Bright Ideas "
            "online.")
    doc = run(nlp, text, [("Quiet Engine", "ORG"), ("Bright Ideas", "ORG")])
    orgs = names(doc, "organisation")
    assert "Quiet Engine" in orgs and "Bright Ideas" not in orgs


def test_a_leader_named_alone_is_a_person_after_a_title_or_before_administration(nlp):
    """"President Hollander tied himself to the outcome ... Hollander said" (the model unsure of
    the lone surname, once a body): a person in every mention, the title being the text's; "the
    Varga administration" names a person too, where "the Varga" alone would not."""
    text = ("In each case, President Hollander tied himself to the outcome. Hollander said at a rally that "
            "voters agreed. Hollander won the state by 30 points.\n\nDoctors said the Varga administration "
            "had cut vaccine funds.")
    doc = run(nlp, text, [("Hollander", "PERSON"), ("Hollander", "ORG", 1), ("Hollander", "PERSON", 2),
                          ("Varga", "PERSON")])
    people = names(doc, "person")
    assert {"Hollander", "Varga"} <= people


def test_a_given_name_that_is_also_a_place_opens_a_person_before_an_unlisted_surname(nlp):
    """"Washington Sundar took two wickets", "Ngozi Adebanjo said": the first word is also a place,
    but the last is in no word or place list, a surname; "Kwara State" stays a place."""
    text = ("Washington Sundar took two wickets. Ngozi Adebanjo, a trader, said prices rose in Kwara State.")
    doc = run(nlp, text, [("Washington Sundar", "PERSON"), ("Ngozi Adebanjo", "PERSON"), ("Kwara State", "PERSON")])
    people = names(doc, "person")
    assert {"Washington Sundar", "Ngozi Adebanjo"} <= people and "Kwara State" not in people


def test_a_name_ending_in_a_plural_common_noun_is_a_body_not_a_product(nlp):
    """"Silverbird Cinemas", which the model calls a person: the plural of what a firm deals in
    ends a body's name; "Shimano Nexus" (singular) stays no body, and "Gift Guides" (a common
    first word) is none."""
    text = ("The film opens at Silverbird Cinemas on Friday. The bike uses a Shimano Nexus hub. "
            "Stay tuned for more Gift Guides.")
    doc = run(nlp, text, [("Silverbird Cinemas", "PERSON"), ("Shimano Nexus", "PERSON"), ("Gift Guides", "PERSON")])
    orgs, people = names(doc, "organisation"), names(doc, "person")
    assert "Silverbird Cinemas" in orgs
    assert not {"Shimano Nexus", "Gift Guides"} & (orgs | people)


def test_a_cue_that_opens_a_sentence_counts_as_in_lower_case(nlp):
    """"Shares in Bruno Kovalta fell": the weak cue opens the sentence, capitalised; with the
    apposition "the Polish owner of" it makes the name the model calls a person a body."""
    text = ("WARSAW — Bruno Kovalta, the Polish owner of the Lidka discount chain, reported weaker sales. "
            "Shares in Bruno Kovalta fell 4% on Wednesday.")
    doc = run(nlp, text, [("Bruno Kovalta", "PERSON"), ("Bruno Kovalta", "PERSON", 1)])
    assert "Bruno Kovalta" in names(doc, "organisation")


def test_a_name_the_model_missed_is_a_body_in_apposition_to_a_company_noun(nlp):
    """"Marevia, the world's biggest fashion retailer," with no model entity; not a sentence's
    opening common word ("Separately, the bank said"), a known place ("Lisbon, the site of") or
    a person's name ("Maria Duarte, the company's lawyer")."""
    text = ("Marevia, the world's biggest fashion retailer, opened its sale early. Separately, the bank "
            "said rates would hold. Lisbon, the site of the talks, was calm. Maria Duarte, the "
            "company's lawyer, declined to comment.")
    doc = run(nlp, text, [])
    assert names(doc, "organisation") == {"Marevia"}


def test_a_common_word_that_is_a_rare_given_name_does_not_make_a_body_a_person(nlp):
    """"Red Chillies" and "Royal Troon", which the model calls a body and a place: "Red" and
    "Royal" are in the given-name dictionary, rarely, and are common English words, so they
    are no evidence of a person; "Karen Whitfield", which the model calls a body, starts
    with a common given name and stays a person."""
    text = ("The film was produced by Red Chillies. The Open returns to Royal Troon next year. "
            "Karen Whitfield said the plan was sound.")
    doc = run(nlp, text, [("Red Chillies", "ORG"), ("Royal Troon", "GPE"), ("Karen Whitfield", "ORG")])
    people = names(doc, "person")
    assert "Karen Whitfield" in people and not {"Red Chillies", "Royal Troon"} & people
    assert "Red Chillies" in names(doc, "organisation")


def test_a_repeated_one_word_name_is_a_person_only_if_it_speaks_or_takes_he_or_she(nlp):
    """"Zembla" twice, which the model calls a person both times, with no given name, title,
    speech or personal pronoun: a brand, no person; "Okafor" twice, who "said" and "his", stays one."""
    text = ("Shoppers rate Zembla highly. Zembla makes a cheaper model too.\n\n"
            "Okafor said the squad was tired. Okafor will miss his first game since May.")
    doc = run(nlp, text, [("Zembla", "PERSON"), ("Zembla", "PERSON", 1), ("Okafor", "PERSON"),
                          ("Okafor", "PERSON", 1)])
    people = names(doc, "person")
    assert "Okafor" in people and "Zembla" not in people


def test_a_full_name_the_model_left_unlabelled_is_a_person_by_its_given_name(nlp):
    """"Rahul Deshpande of the University of Cambridge", with no model entity: a known given
    name, then a word of no word or place list; not "Grace Church" (a common word), "Adelaide
    Thunderbirds" (a city first) or "Goo Goo Dolls" (a plural common noun last)."""
    text = ("Rahul Deshpande of the University of Cambridge was more guarded. Services were held at "
            "Grace Church. Adelaide Thunderbirds won again, and Goo Goo Dolls played the encore.")
    doc = run(nlp, text, [("University of Cambridge", "ORG")])
    assert names(doc, "person") == {"Rahul Deshpande"}


def test_a_given_name_left_out_of_the_model_span_after_it_is_taken(nlp):
    """"Moses" + "Itauma", which the model calls a body: the given name before it joins the
    span, and the full name is a person; "Paris" + "Saint-Germain" (a common word) does not."""
    text = ("RIYADH — Moses Itauma stopped his rival in the seventh round. Paris Saint-Germain "
            "won at home.")
    doc = run(nlp, text, [("Itauma", "ORG"), ("Saint-Germain", "ORG")])
    assert names(doc, "person") == {"Moses Itauma"}


def test_a_name_after_any_company_noun_of_the_cues_is_a_body(nlp):
    """The nouns that make a name the model calls a person a body ("chain", "marketplace")
    also find a name the model missed: "the discount chain Dovira"."""
    doc = run(nlp, "Shoppers flocked to the discount chain Dovira on Friday.", [])
    assert names(doc, "organisation") == {"Dovira"}


def test_a_given_name_alone_is_a_person_only_if_it_acts_as_one(nlp):
    """"Max" (a robot vacuum's name, which the model calls a person): a given name alone, of
    no person the text names in full, that never speaks or takes he/she, is none; "Priya",
    who "said", stays a person."""
    text = ("The Max cleans for two hours. Users say Max struggles on rugs.\n\n"
            "Priya said the kids loved it.")
    doc = run(nlp, text, [("Max", "PERSON", 1), ("Priya", "PERSON")])
    people = names(doc, "person")
    assert "Priya" in people and "Max" not in people


def test_letters_after_a_name_are_cut_from_the_person(nlp):
    """"Jonathan Crowther KC", "Mary Lou McDonald TD": the letters for an office or honour are
    no part of the name, so "Crowther" alone is the same person."""
    text = ("Jonathan Crowther KC, for the family, said the inquiry had failed. Crowther asked for a "
            "review. Mary Lou McDonald TD agreed.")
    doc = run(nlp, text, [("Jonathan Crowther KC", "PERSON"), ("Crowther", "PERSON", 1),
                          ("Mary Lou McDonald TD", "PERSON")])
    assert names(doc, "person") == {"Jonathan Crowther", "Mary Lou McDonald"}


def test_a_one_word_name_that_owns_a_thing_is_a_body_not_nothing(nlp):
    """"Zembla's new cordless model", which the model calls a person once, with no given name,
    title or person cue: no person, and one that owns a thing is a body; "Assassin's Creed" (a
    title built on a possessive) is not."""
    text = "Zembla's new cordless model costs £299. Fans of Assassin's Creed waited."
    doc = run(nlp, text, [("Zembla", "PERSON"), ("Assassin", "PERSON")])
    assert names(doc, "organisation") == {"Zembla"} and not names(doc, "person")


def test_a_photo_credits_name_before_the_slash_is_the_photographer_without_a_known_given_name(nlp):
    """"Photo: Boureima Kaboré/AFP": the credit names the photographer first, whether or not
    the given name is a known one; an agency whose first word is a given name ("Gallo
    Images") stays the agency, and a studio ("Studio Kurobune/Toho") is no photographer."""
    text = ("Farmers wait for rain near Kaya. Photo: Boureima Kaboré/AFP\n\n"
            "Fans sing in Soweto. Photo: Thabo Nkosi/Gallo Images\n\n"
            "A still from the film. Photo: Studio Kurobune/Toho")
    doc = run(nlp, text, [])
    assert names(doc, "person") == {"Boureima Kaboré", "Thabo Nkosi"}
    assert {"Gallo Images", "Toho"} <= names(doc, "organisation")


def test_a_name_a_known_company_owns_is_its_product_not_a_body(nlp):
    """"Google's Stadia": a known organisation, a possessive, then a name the model calls a
    body -- a thing the company runs, wherever the name stands; a body's unit ("NASA's Jet
    Propulsion Laboratory") and a company the text shows acting ("Alphabet's Waymo ... Waymo
    said") stay bodies."""
    text = ("Google's Stadia shut down in January. Stadia had struggled for players. "
            "NASA's Jet Propulsion Laboratory built the rover. Alphabet's Waymo expanded, and Waymo said "
            "more cities would follow.")
    doc = run(nlp, text, [("Google", "ORG"), ("Stadia", "ORG"), ("Stadia", "ORG", 1), ("NASA", "ORG"),
                          ("Jet Propulsion Laboratory", "ORG"), ("Alphabet", "ORG"), ("Waymo", "ORG"),
                          ("Waymo", "ORG", 1)])
    orgs = names(doc, "organisation")
    assert "Stadia" not in orgs
    assert {"Jet Propulsion Laboratory", "Waymo"} <= orgs


def test_a_body_named_only_on_a_shops_listing_lines_is_the_product(nlp):
    """"Cosori Turbo Blaze" on a line of its own, a price on the next: a product the model
    calls a body, named on listing lines only; the shop after "at" ("£40 at Evans Cycles")
    and a name the text also uses in a sentence stay bodies."""
    text = ("Our pick of the air fryers.\n\nCosori Turbo Blaze\n£129.99 at Evans Cycles\n\n"
            "Halden Kitchen Twin, 7.5 L, black\n\nHalden Kitchen said demand had doubled.")
    doc = run(nlp, text, [("Cosori Turbo Blaze", "ORG"), ("Evans Cycles", "ORG"), ("Halden Kitchen", "ORG"),
                          ("Halden Kitchen", "ORG", 1)])
    orgs = names(doc, "organisation")
    assert "Cosori Turbo Blaze" not in orgs
    assert {"Evans Cycles", "Halden Kitchen"} <= orgs


def test_the_author_of_a_report_cited_for_news_is_a_source(nlp):
    """"according to analysis from Poynter", "according to a survey by Kestrel Insight": the
    author of the report the text cites is an organisation, as "according to X" is."""
    text = ("Native ads made up half of display spending, according to analysis from Poynter. Prices rose "
            "4%, according to a survey by Kestrel Insight.")
    doc = run(nlp, text, [])
    assert {"Poynter", "Kestrel Insight"} <= names(doc, "organisation")


def test_a_tally_after_each_name_of_a_box_score_is_cut_from_the_name(nlp):
    """"Sheldon Bryan 1 goal, 1 assist. Duvan Portillo 1 assist.": in a line of names each
    followed by a number and a counted word, the number is a tally, not a model designation
    (the model's "Duvan Portillo 1" had become a product); "PlayStation 5" keeps its number."""
    text = ("Palm Bay (1-0-2): Sheldon Bryan 1 goal, 1 assist. Duvan Portillo 1 assist. Neil Auguste 1 save.\n\n"
            "The PlayStation 5 is cheaper this week.")
    doc = run(nlp, text, [("Sheldon Bryan", "PERSON"), ("Duvan Portillo 1", "ORG"), ("Neil Auguste 1", "ORG"),
                          ("PlayStation 5", "PRODUCT")])
    assert {"Duvan Portillo", "Neil Auguste"} <= names(doc, "person")
    assert not any(name.startswith("PlayStation") for name in names(doc, "person") | names(doc, "organisation"))


def test_a_full_name_the_model_calls_a_body_is_a_person_when_its_surname_alone_speaks(nlp):
    """"Montell Figgins, who represents Thomas" ... "Figgins said": the model calls the full
    name a body and the surname alone a person; the surname speaks, so the full name is that
    person (one person, not a person and a body). A name whose last word the model also calls
    a person but which never speaks or takes he/she stays a body ("Quorvex Halden")."""
    text = ("Montell Figgins, who represents Thomas, said his client would appeal. \"We will fight this,\" Figgins "
            "said.\n\nQuorvex Halden cut 200 jobs on Monday. Halden's shares fell 4%.")
    doc = run(nlp, text, [("Montell Figgins", "ORG"), ("Thomas", "PERSON"), ("Figgins", "PERSON", 1),
                          ("Quorvex Halden", "ORG"), ("Halden", "PERSON", 1)])
    assert "Montell Figgins" in names(doc, "person")
    assert "Montell Figgins" not in names(doc, "organisation")
    assert "Quorvex Halden" in names(doc, "organisation")


def test_on_a_shop_page_an_english_word_name_the_model_calls_a_person_is_no_person(nlp):
    """On a page that lists things for sale, "Smart Keyboard Folio" (English words, no given
    name, title or person cue, never speaking) is a product the model calls a person; a name of
    no English word there ("Tolu Bakare") keeps the model's person, and so does the same name on
    a page that sells nothing."""
    shop = ("Best iPad deals this week\n\niPad Air 11-inch – £499\n\n"
            "The Smart Keyboard Folio adds weight but types well. The range was designed by Tolu Bakare.")
    doc = run(nlp, shop, [("Smart Keyboard Folio", "PERSON"), ("Tolu Bakare", "PERSON")])
    people = names(doc, "person")
    assert "Smart Keyboard Folio" not in people
    assert "Tolu Bakare" in people
    prose = "The Smart Keyboard Folio adds weight but types well, the reviewers wrote."
    assert "Smart Keyboard Folio" in names(run(nlp, prose, [("Smart Keyboard Folio", "PERSON")]), "person")


def test_on_a_shop_page_an_english_word_name_the_model_calls_a_body_is_a_thing(nlp):
    """On a page with listing lines, a name of English words that the model calls a body and
    that never acts as a company ("Face ID for secure sign-in", "Buy Now") is a feature or a
    button, not a body; a shop after "at" and a maker that makes things stay bodies. A wire
    story's single price line ("($1 = 1.38 Canadian dollars)") makes no shop page."""
    shop = ("Apple iPhone 11, 64GB – £399\n\nApple Watch Series 3 – £199\n\nBuy Now\n\n"
            "Face ID for secure sign-in, and the Digital Crown turns smoothly. Both are £20 cheaper at "
            "Evans Cycles. Korvane Audio makes the case.")
    doc = run(nlp, shop, [("Buy Now", "ORG"), ("Face ID", "ORG"), ("Digital Crown", "ORG"),
                          ("Evans Cycles", "ORG"), ("Korvane Audio", "ORG")])
    orgs = names(doc, "organisation")
    assert not orgs & {"Buy Now", "Face ID", "Digital Crown"}
    assert {"Evans Cycles", "Korvane Audio"} <= orgs
    wire = ("The results of Korvane Audio beat forecasts on Tuesday.\n\n"
            "($1 = 1.38 Canadian dollars)")
    assert "Korvane Audio" in names(run(nlp, wire, [("Korvane Audio", "ORG")]), "organisation")


def test_two_known_bodies_joined_by_and_are_two_even_when_their_names_are_common_words(nlp):
    """"Meta, which owns Facebook and Instagram": the model's one span holds two bodies the
    gazetteer knows; each is a body of its own although "Instagram" is by now a common word
    (wordfreq), while "Competition and Markets Authority" stays one name."""
    text = ("Meta, which owns Facebook and Instagram, removed the adverts. The Competition and Markets Authority "
            "said it would look at the deal.")
    doc = run(nlp, text, [("Meta", "ORG"), ("Facebook and Instagram", "ORG"),
                          ("Competition and Markets Authority", "ORG")])
    orgs = names(doc, "organisation")
    assert {"Facebook", "Instagram", "Competition and Markets Authority"} <= orgs
    assert "Facebook and Instagram" not in orgs


def test_a_pair_of_names_closing_a_list_of_examples_is_two_bodies(nlp):
    """"retailers including Morrisons and Asda", "rivals such as Snowflake and Databricks":
    a list word opens a list of examples, so the model's one span "X and Y" at its end is two
    bodies; a name of a lone common word ("Marks and Spencer") is not cut."""
    text = ("The firm runs car parks for retailers including Morrisons and Asda. Growth slowed as rivals such "
            "as Snowflake and Databricks won customers. Suppliers like Marks and Spencer agreed.")
    doc = run(nlp, text, [("Morrisons and Asda", "ORG"), ("Snowflake and Databricks", "ORG"),
                          ("Marks and Spencer", "ORG")])
    orgs = names(doc, "organisation")
    assert {"Morrisons", "Asda", "Snowflake", "Databricks", "Marks and Spencer"} <= orgs


def test_one_word_paired_with_a_known_body_is_a_body(nlp):
    """"at Amazon and Zentrova": one word the model calls a person, with no person cue, paired
    by "and" with a body the gazetteer knows is a body too; the surname of a person the text
    names in full stays the person ("Apple and Cook"), and a place stays a place."""
    text = ("Tim Cook spoke on Monday. You can buy it at Amazon and Zentrova this week. The dispute between "
            "Apple and Cook's critics went on. Samsung and Korea gained.")
    doc = run(nlp, text, [("Tim Cook", "PERSON"), ("Amazon", "ORG"), ("Zentrova", "PERSON"), ("Apple", "ORG"),
                          ("Cook", "PERSON", 1), ("Samsung", "ORG"), ("Korea", "GPE")])
    assert "Zentrova" in names(doc, "organisation")
    assert "Tim Cook" in names(doc, "person")
    assert not {"Cook", "Korea"} & names(doc, "organisation")


def test_a_daily_a_weekly_and_a_band_named_so_are_bodies(nlp):
    """"the business daily Gazettia", "the band Pale Kestrel": a newspaper and a band named by
    the noun before them are bodies, whatever the model says."""
    text = ("The business daily Gazettia first reported the talks. Later the band Pale Kestrel played.")
    doc = run(nlp, text, [("Gazettia", "PERSON"), ("Pale Kestrel", "PERSON")])
    assert {"Gazettia", "Pale Kestrel"} <= names(doc, "organisation")


def test_the_person_rules_do_not_undo_a_body_a_pattern_found(nlp):
    """"according to Comscore": a source cue makes the model's one-word person a body, and the
    person rules ("one word, no given name") only say it is no person, so the body stands;
    the surname of a person named in full stays the person even after "reported"."""
    text = ("Box office rose 4% last year, according to Comscore. A survey by Penelope Muse Abernathy found "
            "newsrooms shrank. \"They were half the size,\" Abernathy reported.")
    doc = run(nlp, text, [("Comscore", "PERSON"), ("Penelope Muse Abernathy", "ORG"), ("Abernathy", "PERSON", 1)])
    assert "Comscore" in names(doc, "organisation")
    assert "Penelope Muse Abernathy" in names(doc, "person")
    assert "Abernathy" not in names(doc, "organisation")


def test_a_maker_or_operator_of_something_named_so_is_a_body(nlp):
    """"the drone maker Zentrova", "grid operator Vellan": a weak descriptor after the noun of
    what is made or run names a business, whatever the model says."""
    text = "Shares in the drone maker Zentrova rose. The grid operator Vellan Nett warned of cuts."
    doc = run(nlp, text, [("Zentrova", "PERSON"), ("Vellan Nett", "PERSON")])
    assert {"Zentrova", "Vellan Nett"} <= names(doc, "organisation")


def test_a_name_the_model_missed_after_a_personal_title_is_a_person(nlp):
    """"Dr Chinwe Okonkwo-Ibe", "Dame Rosalind Archer": a run of capitalised words the model
    left unlabelled right after a personal title is a person, a hyphenated part kept whole;
    not a body's or a place's name after such a title ("Lady Margaret Hall")."""
    text = ("Dr Chinwe Okonkwo-Ibe of the institute said the results were clear. The seat fell vacant after "
            "Dame Rosalind Archer stood down. Students of Lady Margaret Hall protested.")
    doc = run(nlp, text, [])
    people = names(doc, "person")
    assert {"Chinwe Okonkwo-Ibe", "Rosalind Archer"} <= people
    assert not any("Hall" in name for name in people)


def test_a_name_the_model_missed_with_person_cues_around_it_is_a_person(nlp):
    """"Tomiwa Adekanbi, an economist at ...": a run of two capitalised words the model left
    unlabelled, opening with no given name the lists know, is a person where person cues
    around it reach the threshold (a role in apposition; he/she and speech are weaker); a
    run of common words is not ("Market Watch, an analyst said")."""
    text = ("Tomiwa Adekanbi, an economist at the central bank, said rates would rise. Market Watch, the "
            "analyst said, was wrong.")
    people = names(run(nlp, text, []), "person")
    assert "Tomiwa Adekanbi" in people
    assert "Market Watch" not in people


def test_an_unlabelled_name_after_maker_or_chain_is_a_body_but_not_after_a_hyphenated_trade(nlp):
    """"former engineers from drone maker Zentrova", "the supermarket chain Quickmart": a name
    the model missed after "maker" or "chain" is a body; after a trade written with a hyphen
    ("documentary-maker Júlia Menezes") it is the person the trade describes."""
    text = ("It was founded by former engineers from drone maker Zentrova. The supermarket chain Quickmart cut "
            "prices. The prize went to Brazilian documentary-maker Júlia Menezes for her film.")
    doc = run(nlp, text, [("Júlia Menezes", "ORG")])
    assert {"Zentrova", "Quickmart"} <= names(doc, "organisation")
    assert "Júlia Menezes" not in names(doc, "organisation")


def test_a_name_after_a_players_position_is_a_person_in_a_sport_report(nlp):
    """"LB Mack Wilson 74 100%", "Packers: LB Quay Walker was evaluated": in a sport report a
    name right after a position at a line's start or after a colon is a player; outside a
    sport report the same shape is left to the model."""
    text = ("The Packers beat the Lions 24-17 on Sunday, their fourth win of the season after the coach "
            "changed the defense.\n\nPackers: LB Quay Walker was evaluated for a concussion.\n"
            "CB Denzel Ward 74 100% 4 tackles.")
    people = names(run(nlp, text, [("Packers", "ORG"), ("Lions", "ORG")]), "person")
    assert {"Quay Walker", "Denzel Ward"} <= people
    other = "The memo went to all staff.\nCB Denzel Ward 74 100% of the budget."
    assert "Denzel Ward" not in names(run(nlp, other, []), "person")


def test_a_round_ups_result_headings_and_scorers_lines(nlp):
    """"Viera d. Rockledge 3-1" names two sides; "Viera (4-0): K. Hupfer 1 goal. Bozeman 10
    points." names the side before its record and a player before each tally, a town's name
    there included."""
    text = ("The unbeaten sides kept winning this season: the coach called it the best match of the league.\n\n"
            "BOYS SOCCER\n\nViera d. Rockledge 3-1\n\nViera (4-0): K. Hupfer 1 goal. Talorie Crafton 1 goal, "
            "1 assist. Bozeman 10 points.\n")
    doc = run(nlp, text, [("Viera d. Rockledge", "PERSON"), ("Talorie Crafton", "ORG")])
    assert {"K. Hupfer", "Talorie Crafton", "Bozeman"} <= names(doc, "person")
    assert {"Viera", "Rockledge"} <= names(doc, "organisation")
    assert "Talorie Crafton" not in names(doc, "organisation")


def test_a_name_after_the_that_closes_its_phrase_is_no_person(nlp):
    """"the Moon.", "the George Cross.": a person's name takes "the" only before the noun it
    qualifies ("the Trump administration"), so a model "person" right after "the" with
    punctuation after it is none, even where its first word is a given name."""
    text = ("\u201cWe will land humans on the Moon,\u201d he said. The agency would return to the Moon, and the "
            "Trump administration agreed. His grandfather was awarded the George Cross.")
    doc = run(nlp, text, [("Moon", "PERSON"), ("Moon", "PERSON", 1), ("Trump", "PERSON"),
                          ("George Cross", "PERSON")])
    people = names(doc, "person")
    assert "Trump" in people
    assert not {"Moon", "George Cross"} & people


def test_a_country_or_a_region_is_no_person_nor_a_persons_surname(nlp):
    """"Sri Lanka" is a country though "Sri" is a given name; "Lake Malawi" ends in a country
    that is no surname after a word that is no given name, so it is no person and "Malawi"
    alone is not its surname. "Jack Madrid" (a given name first) stays a person."""
    text = ("Sri Lanka's Parliament passed the bill. Fish in Lake Malawi are declining, and Malawi's "
            "fisheries department is worried. The striker Jack Madrid scored twice.")
    doc = run(nlp, text, [("Sri Lanka", "PERSON"), ("Lake Malawi", "PERSON"), ("Malawi", "GPE", 1),
                          ("Jack Madrid", "PERSON")])
    people = names(doc, "person")
    assert "Jack Madrid" in people
    assert not {"Sri Lanka", "Lake Malawi", "Malawi"} & people


def test_a_country_the_model_calls_a_place_does_not_take_a_companys_cues(nlp):
    """"Mercado Livre, ... Brazil's largest e-commerce company", "the Receita Federal, Brazil's
    tax authority": the descriptors are the bodies', so the country stays a place however
    many such phrases the text writes."""
    text = ("Mercado Livre, the marketplace that is Brazil's largest e-commerce company, cut prices. It asked "
            "the Receita Federal, Brazil's tax authority, to check parcels. Investors once bet on the company "
            "Brazil's answer to Amazon.")
    doc = run(nlp, text, [("Mercado Livre", "ORG"), ("Brazil", "GPE"), ("Receita Federal", "ORG"),
                          ("Brazil", "GPE", 1), ("Brazil", "GPE", 2), ("Amazon", "ORG")])
    orgs = names(doc, "organisation")
    assert "Mercado Livre" in orgs and "Brazil" not in orgs


def test_a_companys_ambiguous_name_after_the_is_not_the_company(nlp):
    """"fires in the Brazilian Amazon", "the Amazon basin": an ambiguous one-word company name
    after "the" is not confirmed by the model's label (here a facility); "Amazon said" is the
    company, and "the Fed" (no company) keeps its label."""
    text = "Fires in the Brazilian Amazon burned a record area, and the Amazon basin is drying. The Fed held rates."
    doc = run(nlp, text, [("Amazon", "FAC"), ("Amazon", "FAC", 1), ("Fed", "ORG")])
    orgs = names(doc, "organisation")
    assert "Amazon" not in orgs and "Fed" in orgs
    other = "Amazon said on Monday that it would hire 5,000 workers in Texas."
    assert "Amazon" in names(run(nlp, other, [("Amazon", "ORG")]), "organisation")


def test_a_name_the_model_calls_a_place_that_no_list_knows_takes_every_organisation_cue(nlp):
    """"an analyst at Jefferies": a name the model calls a place but no place list knows takes
    the workplace cue as a body's; a known city ("Lille") takes only the cues that name a body."""
    text = ("\"It is hard to see,\" said Tomás Echeverría, a biotech analyst at Jefferies. Rivals in "
            "Lille were calmer, said Marc Roux, an analyst at Lille.")
    doc = run(nlp, text, [("Tomás Echeverría", "PERSON"), ("Jefferies", "GPE"), ("Lille", "GPE"),
                          ("Marc Roux", "PERSON"), ("Lille", "GPE", 1)])
    orgs = names(doc, "organisation")
    assert "Jefferies" in orgs and "Lille" not in orgs


def test_a_picture_credit_with_several_slashes_credits_each_agency(nlp):
    """"Scott Garfitt/Invision/AP": the photographer, then an agency after each slash; a
    common word there ("Illustration", "File Photo") credits no one."""
    text = ("The singer accepts the award in London. Photo: Scott Garfitt/Invision/AP\n\n"
            "The app on a phone in this illustration. Dado Ruvic/Illustration/File Photo\n\nShares fell.")
    doc = run(nlp, text, [])
    assert {"Invision", "AP"} <= names(doc, "organisation")
    assert "Scott Garfitt" in names(doc, "person")
    assert not {"Illustration", "File Photo"} & (names(doc, "organisation") | names(doc, "person"))


def test_a_field_word_opening_a_sentence_before_a_role_is_no_body(nlp):
    """"Finance chief Ulrica Fearn said", "Artistic director Jo Davies": a common word the text
    capitalises only where it opens a sentence names a field, not the person's employer; a
    club the text names elsewhere ("Thunder coach Mark Daigneault", "... beat the Thunder")
    is a body."""
    text = ("Finance chief Ulrica Fearn said costs fell. Artistic director Jo Davies, who took up the role "
            "last year, agreed.\n\nThunder coach Mark Daigneault praised his side after the Jazz lost to the "
            "Thunder.")
    doc = run(nlp, text, [("Ulrica Fearn", "PERSON"), ("Jo Davies", "PERSON"), ("Mark Daigneault", "PERSON"),
                          ("Jazz", "ORG")])
    orgs = names(doc, "organisation")
    assert "Thunder" in orgs
    assert not {"Finance", "Artistic"} & orgs


def test_a_body_named_after_a_place_with_and_in_its_name_is_one_name(nlp):
    """"Trinidad and Tobago Police Service": the model cuts at the place's "and"; a country or
    region the place lists know joins the body again. Two bodies joined by "and" stay two."""
    text = ("The Trinidad and Tobago Police Service said two men were held. Barclays and BNP Paribas "
            "advised on the deal.")
    doc = run(nlp, text, [("Trinidad", "GPE"), ("Tobago Police Service", "ORG"), ("Barclays", "ORG"),
                          ("BNP Paribas", "ORG")])
    orgs = names(doc, "organisation")
    assert "Trinidad and Tobago Police Service" in orgs and "Tobago Police Service" not in orgs
    assert {"Barclays", "BNP Paribas"} <= orgs


def test_a_currency_mark_before_a_number_is_money_not_a_name(nlp):
    """"Tk 2,450": the taka's mark (currencies.toml) before a number is money in taka, and no
    organisation however often the model calls it one."""
    text = "Cotton panjabis start at Tk 2,450 and saris at Tk 6,800. Aarong sells linen sets from Tk 3,290."
    doc = run(nlp, text, [("Tk", "ORG"), ("Tk", "ORG", 1), ("Tk", "ORG", 2), ("Aarong", "ORG")])
    assert "Tk" not in names(doc, "organisation")
    found = extract(nlp, text)
    assert ("Tk 2,450", "BDT", 2450.0) in {(f.text, f.unit, f.value) for f in found.figures}


def test_an_acronym_spelt_out_in_lower_case_after_it_is_a_thing(nlp):
    """"FIRE (financial independence, retire early)", "PFAS, or per- and polyfluoroalkyl
    substances,": an acronym spelt out after it in lower-case words is a term, not a body;
    "the WHO (which is based there)" is not spelt out so."""
    text = ("Readers fall into one of three FIRE (financial independence, retire early) categories. "
            "PFAS, or per- and polyfluoroalkyl substances, do not break down, and PFAS are in many products.")
    doc = run(nlp, text, [("FIRE", "ORG"), ("PFAS", "ORG"), ("PFAS", "ORG", 1)])
    assert not {"FIRE", "PFAS"} & names(doc, "organisation")
    other = "The WHO (which is based there) said cases rose. The WHO warned again."
    assert "WHO" in names(run(nlp, other, [("WHO", "ORG"), ("WHO", "ORG", 1)]), "organisation")


def test_a_name_after_at_with_no_given_name_or_person_cue_is_a_workplace_or_shop(nlp):
    """"a consultant at Klinikum Bielefeld", "sold at Sephora": a model "person" right after "at"
    with no given name, title or person cue is where someone works or shops; "at Vargas, who
    ..." (a person cue) stays a person."""
    text = ("Dr Lena Vogt, a consultant at Klinikum Bielefeld, led the trial. The serum is sold at Sephora. "
            "The crowd roared at Vargas, who waved back.")
    doc = run(nlp, text, [("Lena Vogt", "PERSON"), ("Klinikum Bielefeld", "PERSON"), ("Sephora", "PERSON"),
                          ("Vargas", "PERSON")])
    orgs = names(doc, "organisation")
    assert {"Klinikum Bielefeld", "Sephora"} <= orgs
    assert "Vargas" in names(doc, "person")
