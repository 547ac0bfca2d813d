"""What each entity rule changes on text it was not written from: its firings, and our verdicts.

A rule is named by the commit that added it, or by a name (``RULES``). Its firings on a set of
benchmark pages are found by ablation: the extractor runs once as it is and once with that rule switched
off (``ABLATIONS``: the rule's function replaced by what the code did before the commit), and
every mention whose label or canonical name differs (a person or organisation that appears,
disappears, changes label or refers to another name) is one firing of that rule. A rule whose
code is gone (it was removed) is reported as such.

The pages are by default the free benchmark pages of ``../shared/gold/free-ids.txt`` less the
``dev`` part of our generalisation set (``bench/gold/generalisation.jsonl``): text no rule was
written from (the pages we never annotated, and our ``heldout`` and ``heldout2`` parts). Our verdicts are in
``bench/gold/rule_firings.jsonl``, one a line: id, rule, span, label with and without the rule
(as this script prints them) and "right" (the rule's label is the one of
``../shared/gold/GUIDELINES.md`` and ``bench/gold/README.md``), "wrong" (the label without it
is), "neither" (both are wrong) or "same" (both are right: "The Doobie Brothers" for "Doobie
Brothers"). A firing with no verdict yet is printed as "?". One change of a name can be
several firings (a name split in two: the pair, and each part).

    python bench/rule_firings.py [--ids FILE] [--rules SHA,SHA] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSMON_SHARED", ROOT.parent / "shared"))
BENCHMARK = SHARED / "corpus" / "article-extraction-benchmark" / "ground-truth.json"
FREE_IDS = SHARED / "gold" / "free-ids.txt"
GENERALISATION = ROOT / "bench" / "gold" / "generalisation.jsonl"
VERDICTS = ROOT / "bench" / "gold" / "rule_firings.jsonl"

#: the entity rules of issue 15, by the commit on main that added them (short sha: what it
#: does), or by a name for those of the issue-15 branch; the removed ones stay listed, so that
#: their verdicts keep their names
RULES = {
    "b1aaf66": "names listed together are of one kind",
    "91394bc": "a name before the noun of a thing",
    "fb0af0b": "a hyphenated given name makes a full name ('Choi')",
    "5e42c55": "an abbreviated corporate suffix keeps its full stop",
    "12b17e1": "a head in -ism names a doctrine",
    "c215720": "a town before a state's postal code",
    "ab6c6d3": "a name cut in pieces that the text spells in full",
    "9ec6162": "a possessive name + an organisation word",
    "a5cbfa1": "a name + an organisation word the model split off",
    "87ab021": "positions of sport are roles",
    "dbe1940": "a one-word name always written with 's is a shop",
    "e2cf728": "a given name after a name's possessive",
    "1cc1916": "a defined acronym before the noun of a thing",
    "2db00a2": "common English words called a person",
    "d7664c0": "a name before an index number / a known organisation before a thing noun",
    "ac88a77": "two names joined by a hyphen",
    "baf5820": "an organisation word before a single capital ('Group E')",
    "a1cf64b": "a common word that starts longer names counts once ('Digital')",
    "253c6bc": "the first word of the only 'of' name refers to it ('the Chamber')",
    "8ba7090": "a grouping of teams named by a compass point",
    "venue-address": "a name before a town and a state's postal code is a venue (added and reverted on issue-15)",
    "possessive-owner": "a possessive's owner that the text names alone is a name of its own (issue-15)",
    "and-pair": "a one-word and a two- or three-word name of common words cut at 'and', never named apart, are one ('Customs and Border Protection') (issue-15)",
    "unit-symbol": "a unit of units.toml in capitals that the text writes after a number is that unit everywhere ('FPS') (issue-15)",
    "owner-and-line": "a company's name before a rare name, both named alone elsewhere, is its product ('Amazon Alexa') (issue-15)",
    "demonym": "one plural word whose stem is a large place is its people, no person ('Delhiites') (issue-15)",
    "lower-case-acronym": "an acronym defined by lower-case words after ', or' or at a sentence's start names a thing (issue-15)",
    "venue-words": "a name ending in a facility's word ('Observatory', 'Telescope') or a venue's ('Music Center') is no body (issue-15)",
    "headline": "a title-case span with an -ed word before a capitalised function word, or two such words, is a headline, no name (issue-15)",
    "news-source": "a capitalised name cited as a source of news ('told X', 'according to X', 'X reported') is an organisation unless a person's or a place's (issue-15)",
    "care-heads": "Clinic, Hospital, Infirmary are organisation words ('Mayo Clinic' is no person) (issue-15)",
    "plural-name": "one word the model calls an organisation that is the plural of a word the text writes ('MacBooks') is no body (issue-15)",
    "product-name": "a model designation after or inside a name ('Quest 2', 'Hero 9'), or a maker the model calls an organisation opening a name it calls a person ('Razer BlackWidow'), makes a product (issue-15, shopping)",
    "possessive-body": "capitalised words, a common noun's possessive and words opening with an organisation word are one organisation ('Westminster Magistrate's Court', 'Bartholomew County Sheriff's Department') (issue-15)",
    "person-owner": "a possessive after an owner that opens with a given name ends the name ('Darren Rowse’s Problogger' is Darren Rowse) (issue-15)",
    "hashtag-word": "a word written as a hashtag opens no longer name ('#Browns Greedy Williams') (issue-15)",
    "place-company": "a listed company's one-word name that is also a city, no common word, stays the model's organisation ('Toyota', 'Nokia') (issue-15)",
    "campus": "a body of a region, a comma and a city is one name ('University of California, San Francisco') (issue-15)",
    "side-club": "in a sport report, capitalised words no entity covers, used as a side in a game ('beat Aston Villa 3-1'), are a club (issue-15)",
    "title-case-lines": "three words or more the model calls an organisation, found only on lines written in title case (headings, headlines, table heads), are no name (issue-15)",
    "venue-short-name": "one word that starts a venue's or facility's name elsewhere in the text ('Hubble') is that place (tried and dropped on issue-15: it fired only on the held-out page it was found from)",
    "police-force": "a place's or a body's police force named in lower case ('Forest Hill police') is an organisation (tried and dropped on issue-15: it fired only on the two held-out pages of one story it was found from)",
}


def default_ids() -> list[str]:
    """The free pages, less the ``dev`` part of our generalisation set (the rules were written from it)."""
    taken = {doc["id"] for doc in map(json.loads, filter(str.strip, GENERALISATION.read_text().splitlines()))
             if doc.get("part") == "dev"}
    free = [line.strip() for line in FREE_IDS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return [i for i in free if i not in taken]


def _set(module, name: str, value) -> None:
    if not hasattr(module, name):
        raise AttributeError(f"{module.__name__}.{name} is gone: the rule was removed")
    setattr(module, name, value)


def _knowledge_class():
    from newsmon.nlp.entities.knowledge import Knowledge
    return Knowledge


def _off_lists(m) -> None:
    """b1aaf66 replaced "a name listed between two organisations is one": that rule again."""
    from newsmon.nlp.entities.context import ORG, RULE, STRONG

    def between(doc, candidates):
        ordered = sorted(candidates, key=lambda c: c.start)
        gaps = ([","], ["and"], ["or"], [",", "and"], [",", "or"])
        for left, middle, right in zip(ordered, ordered[1:], ordered[2:]):
            if middle.label == ORG or middle.strength >= STRONG or middle.source == "gazetteer":
                continue
            if left.label == ORG and right.label == ORG and \
                    [t.lower_ for t in doc[left.end:middle.start]] in gaps and \
                    [t.lower_ for t in doc[middle.end:right.start]] in gaps:
                middle.decide(ORG, RULE, "pattern:listed between organisations")
    _set(m.lists, "lists", between)


def _thing_noun(m, keep) -> None:
    original = m.judge._thing_noun_after

    def wrapped(doc, ctx, c):
        noun = original(doc, ctx, c)
        return noun if noun is None or keep(c, noun) else None
    _set(m.judge, "_thing_noun_after", wrapped)


def _off_full_name(m) -> None:
    """fb0af0b: before it, every token of a full name (so not "-", "jung") had to be capitalised."""
    original = m.judge._full_person_name

    def wrapped(doc, ctx, c):
        return original(doc, ctx, c) and all(t.text[:1].isupper() or t.text in ctx.rules.particles
                                             for t in doc[c.start:c.end])
    _set(m.judge, "_full_person_name", wrapped)


SPORT_ROLES = frozenset("end tackle cornerback safety lineman kicker punter shortstop closer diver swimmer "
                        "sprinter runner wrestler golfer cyclist skater gymnast setter hitter freshman "
                        "sophomore".split())
SPORT_MODIFIERS = frozenset("defensive offensive tight running wide starting backup reserve".split())


def _drop_words(m, what: str, removals: dict[str, frozenset[str]]) -> None:
    """The rules loaded without ``removals`` (field -> words); the first field must hold them."""
    import dataclasses
    original = m.entities.load_rules

    def without(path):
        rules = original(path)
        first, words = next(iter(removals.items()))
        if not words & getattr(rules, first):
            raise AttributeError(f"{what} are gone from {first}: the rule was removed")
        return dataclasses.replace(rules, **{field: getattr(rules, field) - words for field, words in removals.items()})
    _set(m.entities, "load_rules", without)


def _off_sport_roles(m) -> None:
    _drop_words(m, "the positions of sport", {"roles": SPORT_ROLES, "role_modifiers": SPORT_MODIFIERS})


CARE_HEADS = frozenset({"Clinic", "Clinics", "Hospital", "Hospitals", "Infirmary"})


def _off_care_heads(m) -> None:
    _drop_words(m, "the words of care", {"org_heads": CARE_HEADS, "strong_heads": CARE_HEADS})


def _old_lower_case_acronyms(doc, texts=None):
    """Before "lower-case-acronym": only "words in lower case (ACR)"."""
    found = {}
    for i in range(1, len(doc) - 2):
        if doc[i].text != "(" or doc[i + 2].text != ")" or not doc[i + 1].is_upper or not doc[i + 1].is_alpha:
            continue
        acronym = doc[i + 1].text.rstrip("s")
        words = list(doc[max(0, i - len(acronym)):i])
        if (len(words) == len(acronym) >= 2 and all(t.is_lower and t.is_alpha for t in words)
                and "".join(t.text[0] for t in words).upper() == acronym):
            found[doc[i + 1].text] = " ".join(t.text for t in words)
    return found


#: how to switch each rule off, given the modules (m.judge, m.candidates, ...)
ABLATIONS = {
    "b1aaf66": _off_lists,
    "91394bc": lambda m: _thing_noun(m, lambda c, noun: c.source == "gazetteer" or " " in noun),
    "fb0af0b": _off_full_name,
    "5e42c55": lambda m: _set(m.candidates, "_suffix_stop_after", lambda doc, ctx, end: False),
    "12b17e1": lambda m: _set(m.judge, "_doctrine", lambda head, c: False),
    "c215720": lambda m: _set(m.judge, "_before_place_code", lambda doc, ctx, c: False),
    "ab6c6d3": lambda m: _set(m.entities, "join_pieces", lambda doc, ctx, labels, candidates: candidates),
    "9ec6162": lambda m: _set(m.candidates, "_joins_after_possessive", lambda: False),
    "a5cbfa1": lambda m: _set(m.candidates, "_joins_after_name", lambda: False),
    "87ab021": _off_sport_roles,
    "dbe1940": lambda m: _set(m.judge, "_possessive_name", lambda ctx, text: False),
    "e2cf728": lambda m: _set(m.patterns, "possessed_people", lambda doc, ctx, candidates: []),
    "1cc1916": lambda m: _set(m.patterns, "_names_a_thing", lambda doc, ctx, definition: False),
    "2db00a2": lambda m: _set(m.judge, "_common_words_only", lambda doc, ctx, c: False),
    "d7664c0": lambda m: _thing_noun(m, lambda c, noun: c.source != "gazetteer" and " " not in noun),
    "ac88a77": lambda m: _set(m.candidates, "_split_pairing", lambda doc, ctx, start, end: [(start, end)]),
    "baf5820": lambda m: _set(m.judge, "_single_capital", lambda text: False),
    "a1cf64b": lambda m: _set(m.judge, "_starts_longer_name", lambda doc, i: False),
    "253c6bc": lambda m: _set(m.canonical, "OF_WORDS", frozenset()),
    "8ba7090": lambda m: _set(m.judge, "_compass_grouping", lambda doc, ctx, c: False),
    "venue-address": lambda m: _set(m.judge, "_before_address", lambda doc, ctx, c: False),
    "possessive-owner": lambda m: _set(m.possessives, "named_alone", lambda ctx, owner: False),
    "possessive-body": lambda m: _set(m.candidates, "possessive_bodies", lambda doc, ctx: []),
    "and-pair": lambda m: _set(m.candidates, "_join_and_pairs", lambda doc, ctx, found: found),
    "unit-symbol": lambda m: _set(m.judge, "_unit_symbol", lambda ctx, c: False),
    "owner-and-line": lambda m: _set(m.judge, "_owner_and_line", lambda doc, ctx, c: False),
    "demonym": lambda m: _set(m.judge, "_demonym", lambda ctx, word: None),
    "lower-case-acronym": lambda m: _set(m.patterns, "lower_case_acronyms", _old_lower_case_acronyms),
    "venue-words": lambda m: _set(m.judge, "venue_name", lambda doc, ctx, c: None),
    "headline": lambda m: _set(m.judge, "headline", lambda doc, ctx, c: None),
    "news-source": lambda m: _set(m.patterns, "sources", lambda doc, ctx, candidates: []),
    "care-heads": _off_care_heads,
    "police-force": lambda m: _set(m.patterns, "police_forces", lambda doc, ctx, candidates: []),
    "plural-name": lambda m: _set(m.judge, "plural_of", lambda doc, ctx, c: None),
    "person-owner": lambda m: _set(m.possessives, "_person_owner", lambda doc, ctx, owner, i: False),
    "hashtag-word": lambda m: _set(m.candidates, "_hashtag", lambda doc, start, end: False),
    "place-company": lambda m: _set(_knowledge_class(), "place_company", lambda self, text: None),
    "campus": lambda m: _set(m.candidates, "_campus", lambda doc, ctx, ents, k: 0),
    "side-club": lambda m: _set(m.judge, "side_clubs", lambda doc, ctx, candidates: []),
    "title-case-lines": lambda m: _set(m.judge, "title_case_lines_only", lambda ctx, name: False),
    "venue-short-name": lambda m: _set(m.judge, "venue_short_name", None),
    "product-name": lambda m: (_set(m.judge, "product", lambda doc, ctx, c: None),
                               _set(m.judge, "product_decision", lambda doc, ctx, c, kind: None)),
}


def worker(rule: str, ids: list[str], out: str) -> None:
    """Annotate the pages, with ``rule`` switched off (none if empty); write the mentions."""
    import types

    import newsmon.nlp.entities as entities
    from newsmon.nlp.entities import candidates, canonical, judge, lists, patterns, possessives
    from newsmon.nlp.pipeline import annotate, load_pipeline
    if rule:
        ABLATIONS[rule](types.SimpleNamespace(entities=entities, candidates=candidates, canonical=canonical,
                                              judge=judge, lists=lists, patterns=patterns, possessives=possessives))
    texts = json.loads(BENCHMARK.read_text(encoding="utf-8"))
    nlp = load_pipeline(figures=False, money=False)  # figures come after the entities and never move them
    bodies = [texts[i].get("articleBody") or "" for i in ids]
    rows = {}
    for doc_id, annotation in zip(ids, annotate(nlp, bodies, batch_size=16)):
        rows[doc_id] = [[m.start, m.end, m.label, m.text, m.canonical] for m in annotation.mentions]
    Path(out).write_text(json.dumps(rows))


def firings(base: dict, without: dict) -> list[dict]:
    """Mentions whose label differs between the extractor as it is and without one rule."""
    found = []
    for doc_id, mentions in base.items():
        now = {(s, e): (text, f"{label} {canonical!r}" if canonical != text else label)
               for s, e, label, text, canonical in mentions}
        before = {(s, e): (text, f"{label} {canonical!r}" if canonical != text else label)
                  for s, e, label, text, canonical in without.get(doc_id, [])}
        changed = Counter()
        for span in set(now) | set(before):
            if now.get(span, (None, None))[1] == before.get(span, (None, None))[1]:
                continue
            # a span only re-cut (same label, other edges) shows as one removal and one addition
            text = (now.get(span) or before.get(span))[0]
            changed[(text, now.get(span, ("", "none"))[1], before.get(span, ("", "none"))[1])] += 1
        for (text, with_rule, without_rule), n in sorted(changed.items()):
            found.append({"id": doc_id, "span": text, "with": with_rule, "without": without_rule, "mentions": n})
    return found


def load_verdicts() -> dict[tuple, str]:
    if not VERDICTS.exists():
        return {}
    verdicts = {}
    for line in VERDICTS.read_text().splitlines():
        if line.strip():
            v = json.loads(line)
            verdicts[(v["id"], v["rule"], v["span"], v["with"], v["without"])] = v["verdict"]
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", help="a file of benchmark page ids, one a line (default: the free pages less our dev part)")
    parser.add_argument("--rules", help="comma-separated short shas (default: all of RULES)")
    parser.add_argument("--json", action="store_true", help="print the firings as JSON lines")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--ids-list", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker, args.ids_list.split(","), args.out)
        return 0
    ids = ([line.split()[0] for line in Path(args.ids).read_text().splitlines() if line.strip()
            and not line.startswith("#")] if args.ids else default_ids())
    shas = args.rules.split(",") if args.rules else list(RULES)
    verdicts = load_verdicts()
    outputs, gone = {}, set()
    with tempfile.TemporaryDirectory() as tmp:
        for rule in ["", *shas]:  # one at a time: the machine's cores are shared
            out = Path(tmp) / f"{rule or 'base'}.json"
            run = subprocess.run([sys.executable, __file__, "--worker", rule, "--out", str(out),
                                  "--ids-list", ",".join(ids)], capture_output=True, text=True)
            if run.returncode != 0:
                if "the rule was removed" in run.stderr:
                    gone.add(rule)
                    continue
                raise SystemExit(f"the extractor failed for {rule or 'the base run'}:\n{run.stderr}")
            outputs[rule] = json.loads(out.read_text())
    print(f"{len(ids)} pages")
    for sha in shas:
        if sha in gone:
            print(f"\n{sha} {RULES.get(sha, '')}: removed")
            continue
        found = firings(outputs[""], outputs[sha])
        tally = Counter(verdicts.get((f["id"], sha, f["span"], f["with"], f["without"]), "?") for f in found)
        pages = len({f["id"] for f in found})
        print(f"\n{sha} {RULES.get(sha, '')}: {len(found)} firings on {pages} pages; "
              + ", ".join(f"{k} {tally[k]}" for k in ("right", "wrong", "neither", "same", "?") if tally[k]))
        for f in found:
            verdict = verdicts.get((f["id"], sha, f["span"], f["with"], f["without"]), "?")
            if args.json:
                print(json.dumps({"rule": sha, **f, "verdict": verdict}, ensure_ascii=False))
            else:
                print(f"  {f['id'][:10]} {f['span']!r}: {f['without']} -> {f['with']} (x{f['mentions']}) {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
