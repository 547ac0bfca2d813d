"""Tests for the scorer (nlp/evaluate.py) and the extractor's scores on the gold file.

Part (a) checks every scoring rule of ../shared/gold/GUIDELINES.md on hand-built
gold/prediction pairs; part (b) runs the full pipeline on ../shared/gold/dev.jsonl and
fails when a score drops below its target.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsmon.nlp.evaluate import (GENERALISATION_SET, WRITTEN_SET, default_gold_sets, evaluate, format_side_by_side,
                                  format_table, load_gold, normalise_name, score)

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "gold" / "dev.jsonl"
TARGETS = {"people": 0.95, "organisations": 0.90, "figures": 0.92}
COUNT_OBJECT_TARGET = 0.85


def doc(doc_id="d1", people=(), organisations=(), figures=()) -> dict:
    return {"id": doc_id, "people": list(people), "organisations": list(organisations), "figures": list(figures)}


def item(name, *mentions) -> dict:
    return {"name": name, "mentions": [name, *mentions]}


def fig(kind, value, unit=None, obj=None, text="") -> dict:
    return {"kind": kind, "value": value, "unit": unit, "object": obj, "text": text}


def counts(result: dict, category: str) -> tuple[int, int, int]:
    s = result[category]
    return s["tp"], s["fp"], s["fn"]


# --- (a) the rules -----------------------------------------------------------------------


@pytest.mark.parametrize("raw, folded", [
    ("Pavel Durov", "pavel durov"),
    ("  The   Real\nDeal ", "real deal"),
    ("the KCSC", "kcsc"),
    ("Telegram's", "telegram"),
    ("Telegram’s", "telegram"),
    ("Theresa May", "theresa may"),  # "The" only as a whole word
])
def test_normalise_name(raw, folded):
    assert normalise_name(raw) == folded


def test_case_the_possessive_and_space_are_folded():
    gold = [doc(people=[item("Pavel Durov")], organisations=[item("The Real Deal"), item("Telegram")])]
    pred = [doc(people=["PAVEL  DUROV"], organisations=["the real deal", "Telegram’s"])]
    result = score(gold, pred)
    assert counts(result, "people") == (1, 0, 0)
    assert counts(result, "organisations") == (2, 0, 0)


def test_a_mention_matches_like_the_name():
    gold = [doc(people=[item("Pavel Durov", "Durov")])]
    assert counts(score(gold, [doc(people=["Durov"])]), "people") == (1, 0, 0)


def test_each_gold_item_matches_once_and_aliases_are_not_false():
    gold = [doc(people=[item("Pavel Durov", "Durov")])]
    result = score(gold, [doc(people=["Pavel Durov", "Durov", "durov"])])
    assert counts(result, "people") == (1, 0, 0)


def test_unmatched_names_are_false_and_missed_items_counted():
    gold = [doc(people=[item("Pavel Durov"), item("Cho Joo-Bin")])]
    result = score(gold, [doc(people=["Pavel Durov", "Mauna Kea"])])
    assert counts(result, "people") == (1, 1, 1)
    assert result["per_doc"][0]["people"]["missed"] == ["Cho Joo-Bin"]
    assert result["per_doc"][0]["people"]["spurious"] == ["Mauna Kea"]


def test_matching_is_maximal_whatever_the_order_of_names():
    # "Lee" could take either item; it must leave "Lee Jae-myung"'s item to that name.
    gold = [doc(people=[item("Lee Jae-myung", "Lee"), item("Lee")])]
    result = score(gold, [doc(people=["Lee", "Lee Jae-myung"])])
    assert counts(result, "people") == (2, 0, 0)


def test_scores_are_micro_averaged_over_documents():
    gold = [doc("a", organisations=[item("Ofcom"), item("CNIL"), item("FTC")]),
            doc("b", organisations=[item("KCSC")])]
    pred = [doc("a", organisations=["Ofcom", "CNIL", "FTC"]), doc("b", organisations=["Arcom"])]
    s = score(gold, pred)["organisations"]
    assert (s["tp"], s["fp"], s["fn"]) == (3, 1, 1)
    assert s["precision"] == pytest.approx(0.75) and s["recall"] == pytest.approx(0.75)
    assert s["f1"] == pytest.approx(0.75)


def test_a_gold_document_without_prediction_counts_as_missed():
    gold = [doc("a", people=[item("Pavel Durov")]), doc("b", people=[item("Kim")])]
    result = score(gold, [doc("a", people=["Pavel Durov"])])
    assert counts(result, "people") == (1, 0, 1)


def test_figure_values_within_half_a_percent_match():
    gold = [doc(figures=[fig("money", 1000, "USD")])]
    assert counts(score(gold, [doc(figures=[fig("money", 1005, "USD")])]), "figures") == (1, 0, 0)
    assert counts(score(gold, [doc(figures=[fig("money", 995, "USD")])]), "figures") == (1, 0, 0)
    assert counts(score(gold, [doc(figures=[fig("money", 1006, "USD")])]), "figures") == (0, 1, 1)


def test_figure_kind_and_unit_must_be_equal():
    gold = [doc(figures=[fig("money", 50, "USD"), fig("duration", 5, "year")])]
    pred = [doc(figures=[fig("money", 50, "EUR"), fig("age", 5, "year")])]
    assert counts(score(gold, pred), "figures") == (0, 2, 2)
    gold = [doc(figures=[fig("count", 7, None, "suspect")])]
    assert counts(score(gold, [doc(figures=[fig("count", 7, None, "suspect")])]), "figures") == (1, 0, 0)
    assert counts(score(gold, [doc(figures=[fig("quantity", 7, None)])]), "figures") == (0, 1, 1)


def test_each_gold_figure_matches_once():
    gold = [doc(figures=[fig("duration", 5, "year")])]
    pred = [doc(figures=[fig("duration", 5, "year"), fig("duration", 5, "year")])]
    assert counts(score(gold, pred), "figures") == (1, 1, 0)


def test_count_object_accuracy_over_matched_counts():
    gold = [doc(figures=[fig("count", 118, None, "report"), fig("count", 7, None, "suspect"),
                         fig("money", 5, "USD")])]
    pred = [doc(figures=[fig("count", 118, None, "report"), fig("count", 7, None, "teenager"),
                         fig("money", 5, "USD"), fig("count", 3, None, "day")])]
    result = score(gold, pred)
    assert counts(result, "figures") == (3, 1, 0)
    assert result["count_objects"] == {"matched": 2, "correct": 1}
    assert result["count_object_accuracy"] == pytest.approx(0.5)


def test_same_valued_figures_pair_by_object():
    gold = [doc(figures=[fig("count", 2, None, "requirement"), fig("count", 2, None, "hostage")])]
    pred = [doc(figures=[fig("count", 2, None, "hostage"), fig("count", 2, None, "requirement")])]
    assert score(gold, pred)["count_object_accuracy"] == pytest.approx(1.0)


def test_command_scores_a_predictions_file(tmp_path):
    gold = [{"id": "a", "text": "x", "people": [item("Pavel Durov", "Durov")], "organisations": [item("Telegram")],
             "figures": [fig("count", 118, None, "report")]}]
    pred = [doc("a", people=["Durov"], organisations=["Telegram", "Mauna Kea"],
                figures=[fig("count", 118, None, "report")])]
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text("\n".join(json.dumps(g) for g in gold) + "\n", encoding="utf-8")
    pred_path.write_text("\n".join(json.dumps(p) for p in pred) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "newsmon.nlp.evaluate", str(gold_path), "--predictions", str(pred_path),
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["organisations"]["tp"], result["organisations"]["fp"]) == (1, 1)
    assert result["people"]["f1"] == pytest.approx(1.0)
    assert result["count_object_accuracy"] == pytest.approx(1.0)


def test_a_category_the_gold_leaves_out_is_not_scored():
    gold = [{"id": "a", "people": [item("Pavel Durov")], "organisations": []}]
    result = score(gold, [doc("a", people=["Pavel Durov"], figures=[fig("count", 3, None, "day")])])
    assert result["figures"] is None
    assert counts(result, "people") == (1, 0, 0)
    table = format_table(result)
    assert "not annotated" in table and "count-object" not in table
    rows = format_side_by_side({"a": result, "b": result}).splitlines()
    assert rows[0].split() == ["people", "organisations", "figures", "documents"]
    assert [row.split()[0] for row in rows[2:]] == ["a", "b"]
    assert rows[2].split()[7:] == ["-", "1"]  # people P R F1, organisations P R F1, figures, documents


def test_generalisation_set_holds_ids_and_labels_only():
    """Our own set: free benchmark pages only, no third-party text, every label found in its text."""
    records = [json.loads(line) for line in GENERALISATION_SET.read_text(encoding="utf-8").splitlines() if line]
    assert len(records) >= 30
    assert all("text" not in r for r in records)
    assert {r["part"] for r in records} == {"dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"}
    assert len({r["genre"] for r in records}) >= 5
    free_ids = ROOT.parent / "shared" / "gold" / "free-ids.txt"
    if not free_ids.exists():
        pytest.skip("../shared is not mounted")
    free = set(free_ids.read_text(encoding="utf-8").split())
    assert {r["id"] for r in records} <= free
    for doc_ in load_gold(GENERALISATION_SET):
        for category in ("people", "organisations"):
            for entry in doc_[category]:
                assert all(m in doc_["text"] for m in entry["mentions"]), (doc_["id"], entry)


def test_written_set_holds_our_own_texts_with_labels_found_in_them():
    """Texts written for the project (they ship in the file), split into a part we studied and
    thirty blind batches, in the six genres of the unseen documents; every label is in its text."""
    docs = load_gold(WRITTEN_SET)
    assert len(docs) >= 70
    assert {d["part"] for d in docs} == {"study", "blind", *(f"blind{n}" for n in range(2, 31))}
    assert {d["genre"] for d in docs} == {"sport", "entertainment", "business", "shopping", "politics", "science"}
    assert len({d["id"] for d in docs}) == len(docs)
    for doc_ in docs:
        for category in ("people", "organisations"):
            for entry in doc_[category]:
                assert entry["mentions"] and all(m in doc_["text"] for m in entry["mentions"]), (doc_["id"], entry)
    assert WRITTEN_SET in default_gold_sets()


# --- (b) the extractor on the gold file ---------------------------------------------------


@pytest.fixture(scope="module")
def dev_result(request):
    if not GOLD.exists():
        pytest.skip(f"gold file not found: {GOLD} (../shared is not mounted)")
    return evaluate(GOLD, request.getfixturevalue("newsmon_nlp"))


def test_gold_file_loads():
    if not GOLD.exists():
        pytest.skip(f"gold file not found: {GOLD} (../shared is not mounted)")
    docs = load_gold(GOLD)
    assert docs and all({"id", "text", "people", "organisations", "figures"} <= set(d) for d in docs)


@pytest.mark.parametrize("category", sorted(TARGETS))
def test_dev_scores_meet_targets(dev_result, category):
    print("\n" + format_table(dev_result))
    assert dev_result[category]["f1"] >= TARGETS[category], format_table(dev_result)


def test_dev_count_object_accuracy_meets_target(dev_result):
    assert dev_result["count_object_accuracy"] >= COUNT_OBJECT_TARGET, format_table(dev_result)


def test_eval_command_reports_gold_sets_and_parts_side_by_side(tmp_path):
    from click.testing import CliRunner

    from newsmon.crawler.cli import cli

    text = "Ofcom fined Streamly. Maria Lindqvist, who runs Streamly, said it would appeal."
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "a", "text": text, "people": [item("Maria Lindqvist")],
                                 "organisations": [item("Ofcom"), item("Streamly")], "figures": []}) + "\n")
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps({"id": i, "part": part, "text": text, "people": [item("Maria Lindqvist")],
                                          "organisations": [item("Ofcom")]}) + "\n"
                              for i, part in (("b", "dev"), ("c", "heldout"))))
    run = CliRunner().invoke(cli, ["eval", str(first), str(second)])
    assert run.exit_code == 0, run.output
    rows = {line.split()[0]: line.split()[1:] for line in run.output.splitlines()[2:]}
    assert list(rows) == ["first", "second", "second:dev", "second:heldout"]
    assert rows["first"][-4:] == ["0.000", "0.000", "0.000", "1"]  # figures annotated, none found
    assert [rows[name][-2:] for name in ("second", "second:dev", "second:heldout")] == [["-", "2"], ["-", "1"], ["-", "1"]]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "nowhere", "people": [], "organisations": []}\n')
    run = CliRunner().invoke(cli, ["eval", str(bad)], env={"NEWSMON_SHARED": str(tmp_path)})
    assert run.exit_code == 2 and "benchmark texts not found" in run.output


def test_parts_are_listed_in_their_numbers_order():
    """`newsmon eval` lists "blind9" before "blind10" (a plain sort put "blind10" after "blind")."""
    from newsmon.nlp.evaluate import part_order

    assert sorted(["blind10", "study", "blind9", "blind", "blind2"], key=part_order) == [
        "blind", "blind2", "blind9", "blind10", "study"]
