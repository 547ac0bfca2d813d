"""The newsmon spaCy pipeline: which parts of the model run, in which order, and its output.

Owns ``load_pipeline`` (the tokenizer's fixes for amounts at a sentence end, the platform X
and a name after an underscore, then the NER
model with only what its ``ner`` needs run -- the tagger, parser and lemmatizer are loaded
disabled for the money component, which runs them on the sentences that hold money only;
the rest is excluded -- then the organisation gazetteer, a rule-based sentencizer, the
entity corrections with their check by a sentence encoder, the figures and the money roles
and fines) and the functions that turn
texts into ``nlp.records.Annotation`` records and those into evaluator predictions, and
``warm``, which loads ahead what a component would load on its first document.
Nothing here downloads anything: the model must be an installed package or a path.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from newsmon.nlp import entities as _entities  # noqa: F401  (registers "newsmon_entities")
from newsmon.nlp.figures import tokens as _amount_tokens  # noqa: F401  (registers "newsmon_amount_tokens")
from newsmon.nlp import gazetteer as _gazetteer  # noqa: F401  (registers "newsmon_gazetteer")
from newsmon.nlp import sentences as _sentences  # noqa: F401  (registers "newsmon_sentences")
from newsmon.nlp import money as _money  # noqa: F401  (registers "newsmon_money")
from newsmon.nlp import record_codec  # noqa: F401  (docs with records cross processes)
from newsmon.nlp.money.parse import PARSE_COMPONENTS
from newsmon.nlp.models import DEFAULT_MODEL, model_dir
from newsmon.nlp.records import Annotation, Figure, Fine

log = logging.getLogger(__name__)

NEEDED_COMPONENTS = ("ner",)
FIGURES_MODULE = "newsmon.nlp.figures"
FIGURES_FACTORY = "newsmon_figures"
# Paragraph breaks end sentences too (headings and datelines carry no full stop).
#: an underscore between a letter and a capitalised word: the tokenizer splits there ("Go_A" stays)
UNDERSCORE_BEFORE_CAPITAL = r"(?<=[^\W\d_])_(?=[A-Z][a-z])"
LINE_BREAKS = ["\n", "\n\n", "\n\n\n", " \n", "\n ", "\r\n", "\r\n\r\n", "\n \n"]


def load_pipeline(model: str = DEFAULT_MODEL, *, figures: bool = True, money: bool = True,
                  explain: bool = False, check: bool = True, check_path: str | None = None) -> Language:
    """The full newsmon extractor: amount tokens + ``ner`` + gazetteer + sentencizer + entities
    (+ figures, + money roles and fines). With ``explain``, each Doc also carries the entity
    decisions' trace (``doc._.entity_trace``); ``check=False`` leaves out the entity check
    (``nlp.entities.check``), ``check_path`` names another model for it.

    For the money roles the model's tagger, parser and lemmatizer are loaded but disabled:
    ``newsmon_money`` runs them on the sentences that hold money only."""
    money = money and figures
    parse = _parse_components(model) if money else []
    nlp = spacy.load(model, exclude=_unneeded_components(model, keep=parse), disable=parse)
    # "he wrote on X.": the tokenizer keeps a capital and a full stop together as an initial,
    # which hides the platform X at a sentence's end from the entity patterns
    nlp.tokenizer.add_special_case("X.", [{"ORTH": "X"}, {"ORTH": "."}])
    # "Composer_Kim Cheol Hwan": an underscore before a capitalised word joins a label to a name
    # in credits and captions; the tokenizer kept "Composer_Kim" one word, which hid the name
    nlp.tokenizer.infix_finditer = re.compile(
        rf"{nlp.tokenizer.infix_finditer.__self__.pattern}|{UNDERSCORE_BEFORE_CAPITAL}").finditer
    nlp.add_pipe("newsmon_amount_tokens", first=True)
    nlp.add_pipe("newsmon_gazetteer", after="ner")
    nlp.add_pipe("sentencizer", config={"punct_chars": list(Sentencizer.default_punct_chars) + LINE_BREAKS})
    nlp.add_pipe("newsmon_sentences")
    nlp.add_pipe("newsmon_entities", config={"explain": explain, "check": check, "check_path": check_path})
    if figures:
        _add_figures(nlp)
    if money and FIGURES_FACTORY in nlp.pipe_names:
        nlp.add_pipe("newsmon_money", config={"parse": "parser" in parse})
    log.info("loaded %s with components %s", model, nlp.pipe_names)
    return nlp


def warm(nlp: Language) -> None:
    """Load now what a component would load on its first document (the entity check's sentence
    encoder, about 2 s), so that no document's time -- a crawl's per-page limit -- pays for it."""
    for _, component in nlp.pipeline:
        if hasattr(component, "warm"):
            component.warm()


def load_ner_only(model: str = DEFAULT_MODEL) -> Language:
    """The bare model with only its ``ner`` (the speed baseline)."""
    return spacy.load(model, exclude=_unneeded_components(model))


def _add_figures(nlp: Language) -> None:
    try:
        importlib.import_module(FIGURES_MODULE)
    except ImportError as exc:
        log.warning("no figures: %s is not importable (%s)", FIGURES_MODULE, exc)
        return
    if FIGURES_FACTORY not in Language.factories:
        log.warning("no figures: %s does not register %r", FIGURES_MODULE, FIGURES_FACTORY)
        return
    nlp.add_pipe(FIGURES_FACTORY)


def _parse_components(model: str) -> list[str]:
    """The model's components that parse money sentences (those it has of PARSE_COMPONENTS)."""
    config = spacy.util.load_config(model_dir(model) / "config.cfg")
    return [name for name in config["nlp"]["pipeline"] if name in PARSE_COMPONENTS]


def _unneeded_components(model: str, keep: Iterable[str] = ()) -> list[str]:
    """Every component of the model that ``ner`` (and the components in `keep`) do not need
    (read from its config)."""
    config = spacy.util.load_config(model_dir(model) / "config.cfg")
    pipeline = list(config["nlp"]["pipeline"])
    needed = set(NEEDED_COMPONENTS) | set(keep)
    for name in NEEDED_COMPONENTS:
        upstream = _listened_upstream(config["components"].get(name, {}))
        if upstream == "*":
            needed.update(n for n in pipeline if n in ("tok2vec", "transformer"))
        elif upstream:
            needed.add(upstream)
    return [name for name in pipeline if name not in needed]


def _listened_upstream(component_config: dict) -> str | None:
    """The upstream name when the component listens to a shared tok2vec/transformer."""
    tok2vec = component_config.get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        return tok2vec.get("upstream", "*")
    return None


# --- output ------------------------------------------------------------------------


def annotate_doc(doc: Doc) -> Annotation:
    """The people, organisations and figures a processed Doc carries."""
    mentions = doc._.mentions if Doc.has_extension("mentions") else None
    figures = doc._.figures if Doc.has_extension("figures") else None
    fines = doc._.fines if Doc.has_extension("fines") else None
    trace = doc._.entity_trace if Doc.has_extension("entity_trace") else None
    return Annotation(mentions=list(mentions or []), figures=list(figures or []),
                      fines=list(fines or []), explain=trace)


def annotate(nlp: Language, texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Annotation]:
    """Annotations for texts, in order (``nlp.pipe``; ``n_process`` > 1 uses worker processes)."""
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        yield annotate_doc(doc)


def to_prediction(doc_id: str, annotation: Annotation, explain: bool = False) -> dict:
    """The evaluator's / annotate command's format for one document (``explain``: with the
    entity decisions' trace)."""
    prediction = {
        "id": doc_id,
        "people": annotation.people,
        "organisations": annotation.organisations,
        "figures": [_figure_dict(f) for f in annotation.figures],
        "fines": [_fine_dict(f) for f in annotation.fines],
    }
    if explain:
        prediction["explain"] = annotation.explain or []
    return prediction


def _figure_dict(figure: Figure) -> dict:
    return {"kind": figure.kind, "value": figure.value, "unit": figure.unit, "object": figure.object,
            "role": figure.role, "text": figure.text, "start": figure.start, "end": figure.end}


def _fine_dict(fine: Fine) -> dict:
    return {"authority": fine.authority, "target": fine.target, "value": fine.value, "unit": fine.unit,
            "basis": fine.basis, "status": fine.status, "text": fine.text, "start": fine.start,
            "end": fine.end}
