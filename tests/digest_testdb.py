"""A small hand-made newsmon database for the digest, named-query and export tests.

Written through the real `data.store.Store.write_batch`, so the schema, the
entity resolver and the write rules are the production ones.  Three ISO weeks
(2025-W09, W10, W11; W11 is the latest) and four sources:

W11 (2025-03-10 .. 03-16)
  * "probe": one wire story syndicated to alpha, beta and gamma: near-identical
    text (different trailing credit line) and different titles;
  * "dup": one text published twice by delta under two URLs (same text_hash);
  * "hostile": gamma, title and text carry <script> and markup, a mention and a
    figure sentence carry markup too, and a title starts with =HYPERLINK(;
  * "solo": a single-source story with the week's highest relevance;
  * "offtopic": relevance 0.05, matched terms ["weather"].
W10: three articles that mention the European Commission, one Meta-free.
W09: one article mentioning Meta (so Meta is not new in W11), the only one
matching the term "political ads".
Money carries roles and fines are recorded (as nlp.money gives them): the Meta fine
in the three syndicated copies (one fine, three reports), the hostile article's fine
(the payer's name carries markup); the solo story's funding and statutory maximum.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from newsmon.data.store import Store

HOSTILE_TITLE = '<script>alert(1)</script> Regulators & "friends" <b>bold</b>'
HOSTILE_TEXT_MARK = "<img src=x onerror=alert(3)>"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/","click me")'
HOSTILE_ENTITY = "<i>Evil</i> Corp"

PROBE_TEXT = (
    "Regulators in Brussels opened a formal investigation into the messaging service Telegram over "
    "its handling of illegal content on Monday, officials said. Pavel Durov, the founder, said the "
    "company would cooperate fully with the European Commission. The company could face fines of up "
    "to six percent of its global turnover if the investigation finds that it breached the Digital "
    "Services Act, which requires very large platforms to assess and mitigate systemic risks. "
    "The Commission fined Meta 1.2 billion euros last year in a separate case about data transfers."
)
DUP_TEXT = (
    "The national media regulator published new guidance on age verification for adult websites, "
    "asking operators to adopt double-blind systems within six months. About 45 million users "
    "visit such sites every month, the regulator estimated, and the European Commission welcomed the move."
)
SOLO_TEXT = (
    "Ofcom opened an investigation into a video sharing platform over its protection of children, "
    "the first such case under the Online Safety Act. The platform raised 300 million dollars from "
    "investors in January. Ofcom can impose penalties of up to 18 million pounds."
)


def _article(url: str, source: str, title: str, text: str, published: str, relevance: float,
             terms: list[str] | None = None) -> dict:
    return {
        "url": url, "canonical_url": url, "source": source, "title": title, "text": text,
        "text_hash": hashlib.sha1(text.encode()).hexdigest(), "published_at": published,
        "fetched_at": "2025-03-17T08:00:00", "language": "en", "authors": ["Staff"],
        "word_count": len(text.split()), "relevance": relevance,
        "matched_terms": terms if terms is not None else ["digital services act"], "annotated": True,
    }


def _mention(url: str, text: str, name: str, label: str, needle: str | None = None,
             canonical: str | None = None) -> dict:
    start = text.find(needle or name)
    assert start >= 0, (needle or name, url)
    sentence = next(s for s in text.split(". ") if (needle or name) in s)
    return {"canonical_url": url, "label": label, "text": needle or name, "canonical": canonical or name,
            "start": start, "end": start + len(needle or name), "sentence": sentence}


def _figure(url: str, text: str, needle: str, kind: str, value: float, unit: str | None,
            obj: str | None = None, role: str | None = None) -> dict:
    start = text.find(needle)
    assert start >= 0, (needle, url)
    sentence = next(s for s in text.split(". ") if needle in s)
    return {"canonical_url": url, "kind": kind, "value": value, "unit": unit, "object": obj,
            "text": needle, "start": start, "end": start + len(needle), "sentence": sentence, "role": role}


def _fine(figure: dict, authority: str | None, target: str, basis: str | None = None) -> dict:
    return {"canonical_url": figure["canonical_url"], "authority": authority, "authority_label": "organisation",
            "target": target, "target_label": "organisation", "value": figure["value"], "unit": figure["unit"],
            "precision": 1e8 if figure["value"] >= 1e9 else 1e6, "status": "imposed", "basis": basis,
            "text": figure["text"], "start": figure["start"], "end": figure["end"], "sentence": figure["sentence"]}


def build_articles() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The articles, mentions, figures and fines frames (canonical_url-keyed)."""
    arts, ments, figs, fines = [], [], [], []

    probe_titles = {
        "alpha": "EU opens Telegram probe over illegal content - Alpha News",
        "beta": "Brussels investigates Telegram under the DSA | Beta",
        "gamma": "Telegram faces EU investigation",
    }
    for i, (source, title) in enumerate(probe_titles.items()):
        url = f"https://{source}.example/2025/03/telegram-probe"
        text = PROBE_TEXT + (f" Reporting by {source.title()} staff." if i else "")
        arts.append(_article(url, source, title, text, f"2025-03-1{i}T09:00:00", 0.8 - 0.05 * i))
        ments += [_mention(url, text, "Pavel Durov", "person"),
                  _mention(url, text, "European Commission", "organisation"),
                  _mention(url, text, "Meta", "organisation")]
        figs += [_figure(url, text, "1.2 billion euros", "money", 1.2e9, "EUR", role="fine"),
                 _figure(url, text, "six percent", "percent", 6.0, "%")]
        fines.append(_fine(figs[-2], "European Commission", "Meta"))

    for n in (1, 2):
        url = f"https://delta.example/news/age-checks-{n}"
        arts.append(_article(url, "delta", "Regulator sets age verification deadline", DUP_TEXT,
                             "2025-03-12T15:30:00", 0.6))
        ments.append(_mention(url, DUP_TEXT, "European Commission", "organisation"))
        figs.append(_figure(url, DUP_TEXT, "45 million users", "count", 45e6, None, "user"))

    hostile_url = "https://gamma.example/2025/03/hostile"
    hostile_text = (f"Critics wrote {HOSTILE_TEXT_MARK} and <script>alert(2)</script> in comments. "
                    f"{HOSTILE_ENTITY} was fined 5 million euros for the <b>markup</b> stunt. "
                    "Nothing else happened that week in the small town by the river.")
    arts.append(_article(hostile_url, "gamma", HOSTILE_TITLE, hostile_text, "2025-03-13T11:00:00", 0.5))
    ments.append(_mention(hostile_url, hostile_text, HOSTILE_ENTITY, "organisation"))
    figs.append(_figure(hostile_url, hostile_text, "5 million euros", "money", 5e6, "EUR", role="fine"))
    fines.append(_fine(figs[-1], None, HOSTILE_ENTITY))

    formula_url = "https://beta.example/2025/03/formula"
    formula_text = ("-1 is how a spreadsheet trick starts, said @someone on Tuesday. "
                    "+44 callers reported problems to the regulator about the platform's app store.")
    arts.append(_article(formula_url, "beta", FORMULA_TITLE, formula_text, "2025-03-14T10:00:00", 0.4))
    figs.append(_figure(formula_url, formula_text, "+44 callers", "count", 44, None, "caller"))

    solo_url = "https://alpha.example/2025/03/ofcom-video"
    arts.append(_article(solo_url, "alpha", "Ofcom opens first Online Safety Act case", SOLO_TEXT,
                         "2025-03-15T07:00:00", 0.95, ["online safety act"]))
    ments.append(_mention(solo_url, SOLO_TEXT, "Ofcom", "organisation"))
    figs += [_figure(solo_url, SOLO_TEXT, "300 million dollars", "money", 3e8, "USD", role="funding"),
             _figure(solo_url, SOLO_TEXT, "18 million pounds", "money", 1.8e7, "GBP", role="maximum")]

    off_url = "https://delta.example/weather/sunny"
    off_text = "A sunny weekend is expected across the region, with temperatures rising to 20 degrees."
    arts.append(_article(off_url, "delta", "Sunny weekend ahead", off_text, "2025-03-16T06:00:00", 0.05,
                         ["weather"]))

    for day in (3, 4, 5):  # W10: the Commission three times
        url = f"https://beta.example/2025/03/0{day}/commission"
        text = (f"The European Commission sent a request for information to an online marketplace on "
                f"day {day} of the month, asking about its recommender systems and advertising repository.")
        arts.append(_article(url, "beta", f"Commission questions marketplace, part {day}", text,
                             f"2025-03-0{day}T12:00:00", 0.5))
        ments.append(_mention(url, text, "European Commission", "organisation"))

    w09_url = "https://alpha.example/2025/02/meta-ads"
    w09_text = "Meta changed its advertising policy for political ads in the union after pressure from lawmakers."
    arts.append(_article(w09_url, "alpha", "Meta changes political ads policy", w09_text,
                         "2025-02-26T12:00:00", 0.45, ["political ads"]))
    ments.append(_mention(w09_url, w09_text, "Meta", "organisation"))

    return pd.DataFrame(arts), pd.DataFrame(ments), pd.DataFrame(figs), pd.DataFrame(fines)


def build_db(path: Path) -> Path:
    """Create the test database at `path` through the real writer and return the path."""
    store = Store(path)
    articles, mentions, figures, fines = build_articles()
    run_id = store.start_run(["alpha", "beta", "gamma", "delta"])
    store.write_batch(run_id, articles, mentions, figures, fines=fines)
    store.finish_run(run_id, "ok", {"articles": len(articles)})
    return path
