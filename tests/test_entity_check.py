"""The entity check (nlp/entities/check.py): the sentence encoder's second opinion on each name.

Its decisions with a stand-in encoder (no weights needed: which names are read in context,
which are dropped, what the trace says), then the real encoder and model in the production
pipeline: a product the rules keep as a company is dropped, companies stay, batches of
documents read as single ones, and the check never adds a name.
"""

from __future__ import annotations

import numpy as np
import pytest
import spacy

from newsmon.nlp.entities.check import EVIDENCE, LABELS, SOURCES, CheckModel, EntityCheck, source_key, window
from newsmon.nlp.entities.context import ORG, OTHER, PERSON, Candidate

HIDDEN = 4
ROW = len(SOURCES) + len(EVIDENCE) + 1  # an occurrence's evidence columns


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def write_model(path, alone: dict[str, float], context: dict[str, float], threshold: float = 0.3,
                band: tuple[float, float] = (0.15, 0.7), overrules: tuple[str, ...] = ()) -> str:
    """A check model whose chances are constants: weights zero, biases the logits of `alone`
    and `context` (by label)."""
    arrays = {"width": np.array(30), "max_length": np.array(32), "band": np.array(band),
              "occurrences": np.array(1), "overrules": np.array(overrules, dtype=str)}
    size = 2 * HIDDEN + ROW
    for label in LABELS.values():
        arrays[f"{label}_threshold"] = np.array(threshold)
        for kind, chances in (("alone", alone), ("context", context)):
            arrays[f"{kind}_{label}_weights"] = np.zeros(size - (HIDDEN if kind == "alone" else 0), np.float32)
            arrays[f"{kind}_{label}_bias"] = np.array(logit(chances[label]))
    np.savez(path, **arrays)
    return str(path)


class StandInEncoder:
    """Zeros for every reading; remembers which spans it read in context."""

    def __init__(self):
        self.read: list[str] = []

    def names(self, names):
        return np.zeros((len(names), HIDDEN), np.float32)

    def in_context(self, texts, spans, width):
        self.read += [text[start:end] for text, (start, end) in zip(texts, spans)]
        return np.zeros((len(spans), HIDDEN), np.float32)


def names_of(text: str, *found: tuple[str, str]):
    doc = spacy.blank("en")(text)
    candidates = []
    for name, label in found:
        start = text.index(name)
        span = doc.char_span(start, start + len(name))
        candidates.append(Candidate(span.start, span.end, name, "model", model_label=label, label=label))
    return doc, candidates, {name: label for name, label in found}


def check_with(tmp_path, alone, context, overrules=()) -> tuple[EntityCheck, StandInEncoder]:
    check = EntityCheck(write_model(tmp_path / "check.npz", alone, context, overrules=overrules))
    check._encoder = encoder = StandInEncoder()
    return check, encoder


TEXT = "Ada Quell of Vantor said the Orbix 4 ships in May."


def test_a_name_read_alone_as_sure_is_kept_without_a_reading_in_context(tmp_path):
    check, encoder = check_with(tmp_path, {"person": 0.9, "organisation": 0.9}, {"person": 0.01, "organisation": 0.01})
    doc, candidates, labels = names_of(TEXT, ("Ada Quell", PERSON), ("Vantor", ORG))
    check([(doc, candidates, labels)])
    assert labels == {"Ada Quell": PERSON, "Vantor": ORG}
    assert encoder.read == []


def test_a_name_read_alone_as_no_name_is_dropped_with_the_reason_in_its_trace(tmp_path):
    check, encoder = check_with(tmp_path, {"person": 0.9, "organisation": 0.05}, {"person": 0.9, "organisation": 0.9})
    doc, candidates, labels = names_of(TEXT, ("Ada Quell", PERSON), ("Orbix", ORG))
    check([(doc, candidates, labels)])
    assert labels == {"Ada Quell": PERSON, "Orbix": OTHER}
    assert encoder.read == []
    assert any("reading 'Orbix' alone, finds no organisation (chance 0.05 < 0.30)" in step
               for step in candidates[1].trace)


def test_an_unsure_name_is_read_in_its_sentence_and_that_reading_decides(tmp_path):
    check, encoder = check_with(tmp_path, {"person": 0.5, "organisation": 0.5}, {"person": 0.8, "organisation": 0.1})
    doc, candidates, labels = names_of(TEXT, ("Ada Quell", PERSON), ("Orbix", ORG))
    check([(doc, candidates, labels)])
    assert labels == {"Ada Quell": PERSON, "Orbix": OTHER}
    assert sorted(encoder.read) == ["Ada Quell", "Orbix"]
    assert any("in its sentence" in step for step in candidates[1].trace)


def test_a_name_a_rule_labelled_is_checked_only_for_the_labels_the_model_overrules(tmp_path):
    from newsmon.nlp.entities.context import RULE
    for overrules, read in (((), []), (("person",), ["Ada Quell"])):
        check, encoder = check_with(tmp_path, {"person": 0.5, "organisation": 0.5},
                                    {"person": 0.1, "organisation": 0.1}, overrules=overrules)
        doc, candidates, labels = names_of(TEXT, ("Ada Quell", PERSON), ("Vantor", ORG))
        for c in candidates:
            c.strength = RULE  # a given name, an organisation word: a rule said the label
        check([(doc, candidates, labels)])
        assert encoder.read == read
        assert labels == {"Ada Quell": OTHER if read else PERSON, "Vantor": ORG}


def test_a_kept_name_s_trace_gives_the_chance_that_kept_it(tmp_path):
    check, _ = check_with(tmp_path, {"person": 0.5, "organisation": 0.5}, {"person": 0.8, "organisation": 0.1})
    doc, candidates, labels = names_of(TEXT, ("Ada Quell", PERSON))
    check([(doc, candidates, labels)])
    assert candidates[0].trace[-1] == ("check: the encoder, reading 'Ada Quell' in its sentence, finds a person "
                                       "(chance 0.80 >= 0.30)")


def test_documents_checked_together_are_decided_each_on_its_own_names(tmp_path):
    check, encoder = check_with(tmp_path, {"person": 0.5, "organisation": 0.5}, {"person": 0.8, "organisation": 0.1})
    first = names_of(TEXT, ("Vantor", ORG))
    second = names_of("Nobody here but Bo Lind.", ("Bo Lind", PERSON))
    empty = names_of("No names at all.")
    check([first, empty, second])
    assert first[2] == {"Vantor": OTHER} and second[2] == {"Bo Lind": PERSON} and empty[2] == {}
    assert sorted(encoder.read) == ["Bo Lind", "Vantor"]


def test_the_check_model_file_holds_what_the_check_reads(tmp_path):
    model = CheckModel.load(write_model(tmp_path / "m.npz", {"person": 0.2, "organisation": 0.6},
                                        {"person": 0.7, "organisation": 0.4}, band=(0.1, 0.8)))
    assert model.band == (0.1, 0.8) and model.width == 30 and model.occurrences == 1
    assert model.chance("alone", "person", np.zeros((2, HIDDEN + ROW))) == pytest.approx(0.2)
    assert model.chance("context", "organisation", np.zeros((1, 2 * HIDDEN + ROW))) == pytest.approx(0.4)


def test_a_context_model_with_a_hidden_layer_reads_through_its_rectified_units(tmp_path):
    path = write_model(tmp_path / "m.npz", {"person": 0.5, "organisation": 0.5}, {"person": 0.5, "organisation": 0.5})
    with np.load(path) as data:
        arrays = dict(data)
    size = 2 * HIDDEN + ROW
    hidden = np.zeros((size, 2), np.float32)
    hidden[0, 0], hidden[0, 1] = 1.0, -1.0  # unit 0 passes the first column, unit 1 its negative
    arrays.update({"context_organisation_hidden_weights": hidden,
                   "context_organisation_hidden_bias": np.zeros(2, np.float32),
                   "context_organisation_weights": np.array([2.0, 3.0], np.float32),
                   "context_organisation_bias": np.array(0.0), "layers": np.array(2)})
    np.savez(path, **arrays)
    model = CheckModel.load(path)
    assert model.layers == 2 and "context_person" not in model.hidden
    row = np.zeros((1, size), np.float32)
    for first, logit_ in ((1.0, 2.0), (-1.0, 3.0), (0.0, 0.0)):  # max(0, x) per unit: 2*1, 3*1, nothing
        row[0, 0] = first
        assert model.chance("context", "organisation", row) == pytest.approx(1 / (1 + np.exp(-logit_)))
    assert CheckModel.load(write_model(tmp_path / "old.npz", {"person": 0.5, "organisation": 0.5},
                                       {"person": 0.5, "organisation": 0.5})).layers == 6  # all, when unsaid


def test_an_ensemble_of_context_models_gives_its_members_mean_chance(tmp_path):
    path = write_model(tmp_path / "m.npz", {"person": 0.5, "organisation": 0.5}, {"person": 0.5, "organisation": 0.5})
    with np.load(path) as data:
        arrays = dict(data)
    size = 2 * HIDDEN + ROW
    hidden = np.zeros((2, size, 1), np.float32)
    hidden[:, 0, 0] = 1.0  # each member's one unit passes the first column
    arrays.update({"context_person_hidden_weights": hidden, "context_person_hidden_bias": np.zeros((2, 1), np.float32),
                   "context_person_weights": np.array([[1.0], [3.0]], np.float32),
                   "context_person_bias": np.array([0.0, -1.0])})
    np.savez(path, **arrays)
    model = CheckModel.load(path)
    rows = np.zeros((2, size), np.float32)
    rows[:, 0] = (1.0, 2.0)  # logits: member one 1 and 2, member two 2 and 5
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    expected = np.mean([sigmoid(1), sigmoid(2), sigmoid(2), sigmoid(5)])
    assert model.chance("context", "person", rows) == pytest.approx(expected)


def test_the_encoder_runs_only_the_layers_the_model_asks_for():
    check = EntityCheck()
    assert 1 <= check.model.layers < 6  # the shipped model reads the encoder's middle
    encoder = check.encoder  # the layers before the last one read run on every token, the last one on the names
    assert len(encoder.model.encoder.layer) == check.model.layers - 1


def test_the_last_layer_read_on_the_names_tokens_only_gives_the_full_layers_reading():
    import torch

    encoder = EntityCheck().encoder
    texts = ["The European Commission fined Streamly on Friday.", "Ofcom said so.", "x " * 40 + "Vantor Inc"]
    spans = [(30, 38), (0, 5), (len(texts[2]) - 10, len(texts[2]))]  # the last one cut off by the window's length
    fast = encoder.spans(texts, spans, 24)
    model, layers = encoder.model, encoder.model.encoder.layer
    model.encoder.layer = torch.nn.ModuleList([*layers, encoder.last])  # every token through every layer read
    try:
        enc = encoder.tokenizer(texts, return_offsets_mapping=True, padding="max_length", truncation=True,
                                max_length=24, return_tensors="pt")
        offsets = enc.pop("offset_mapping")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
    finally:
        model.encoder.layer = layers
    for k, (start, end) in enumerate(spans):
        inside = (offsets[k, :, 0] < end) & (offsets[k, :, 1] > start) & (offsets[k, :, 1] > offsets[k, :, 0])
        if not bool(inside.any()):
            inside = enc["attention_mask"][k].bool()
        assert np.abs(hidden[k][inside].mean(0).numpy() - fast[k]).max() < 1e-4


def test_a_window_stays_inside_its_sentence_and_line():
    text = "First sentence here. Then Vantor Inc. said so\nNext line."
    start = text.index("Vantor")
    a, b = window(text, start, start + 6, 100)
    assert text[a:b] == "Then Vantor Inc"  # "Inc. " ends a sentence for this cheap cut: a short window is fine
    a, b = window(text, start, start + 6, 3)
    assert text[a:b] == "en Vantor In"
    assert source_key("model", "ORG") == "model ORG" and source_key("pattern") == "pattern"


# --- the real encoder and model ---------------------------------------------------------

SHOP = ("Shoppers can pre-order the Galaxy Buds at Best Buy. Samsung says the Galaxy Buds last eight hours, "
        "and Spotify works with them out of the box.")
TEXTS = [
    SHOP,
    "Kraviq, the ride-hailing start-up, said its app now reaches Lagos. Its chief executive, Adaeze Mbah, "
    "told Reuters the service would come to Accra next.",
    "The European Commission fined Streamly EUR 18m under the Digital Services Act, Commissioner Anneli "
    "Virtanen said in Brussels.",
    "Medicaid covers about 80 million Americans. The Centers for Medicare and Medicaid Services said on Friday "
    "that enrolment fell, while Senator Lara Quint called the cuts cruel.",
]


@pytest.fixture(scope="module")
def unchecked():
    from newsmon.nlp.pipeline import load_pipeline
    return load_pipeline(figures=False, money=False, check=False)


def orgs(doc) -> set[str]:
    return {m.text for m in doc._.mentions if m.label == "organisation"}


def test_a_product_the_rules_keep_as_a_company_is_dropped_and_the_companies_stay(newsmon_nlp, unchecked):
    assert "Galaxy Buds" in orgs(unchecked(SHOP))
    assert orgs(newsmon_nlp(SHOP)) >= {"Samsung", "Spotify"}
    assert "Galaxy Buds" not in orgs(newsmon_nlp(SHOP))


def test_explain_names_the_check_as_the_last_word_on_a_dropped_name():
    from newsmon.nlp.pipeline import load_pipeline

    nlp = load_pipeline(figures=False, money=False, explain=True)
    rows = [r for r in nlp(SHOP)._.entity_trace if r["text"] == "Galaxy Buds"]
    assert rows and all(r["label"] == "none" for r in rows)
    for r in rows:
        if r["source"] != "spread":
            assert r["rules"][-1].startswith("check: the encoder, reading 'Galaxy Buds'")


def test_documents_in_a_batch_get_what_they_get_one_by_one(newsmon_nlp):
    alone = [sorted((m.label, m.text, m.start) for m in newsmon_nlp(t)._.mentions) for t in TEXTS]
    batched = [sorted((m.label, m.text, m.start) for m in d._.mentions) for d in newsmon_nlp.pipe(TEXTS, batch_size=3)]
    assert batched == alone


def test_the_check_only_takes_names_away(newsmon_nlp, unchecked):
    for checked, plain in zip(newsmon_nlp.pipe(TEXTS), unchecked.pipe(TEXTS)):
        assert {(m.label, m.text) for m in checked._.mentions} <= {(m.label, m.text) for m in plain._.mentions}


def test_annotate_without_the_check_keeps_what_the_rules_kept(tmp_path):
    import json

    from click.testing import CliRunner

    from newsmon.crawler.cli import cli

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "shop", "text": SHOP}) + "\n")
    run_ = CliRunner().invoke(cli, ["annotate", str(source), "--no-check"])
    assert run_.exit_code == 0, run_.output
    assert "Galaxy Buds" in json.loads(run_.output.strip().splitlines()[-1])["organisations"]


def test_an_occurrence_s_evidence_says_where_it_came_from_and_how_sure_the_rules_were():
    from newsmon.nlp.entities.check import evidence
    from newsmon.nlp.entities.context import RULE, WEAK

    said = Candidate(0, 1, "Vantor", "model", model_label="ORG", label=ORG, strength=RULE)
    other = Candidate(3, 4, "Vantor", "pattern", label=OTHER, strength=WEAK)
    rows = evidence([said, other], ORG)
    assert rows.shape == (2, ROW)
    assert rows[0, SOURCES.index("model ORG")] == 1 and rows[0, len(SOURCES) + EVIDENCE.index(RULE)] == 1
    assert rows[0, -1] == 0 and rows[0].sum() == 2
    assert rows[1, SOURCES.index("pattern")] == 1 and rows[1, -1] == 1 and rows[1].sum() == 2
