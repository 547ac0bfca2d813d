"""The figures extractor's data files, loaded once per component.

Owns reading nlp/resources/ (currencies.toml, units.toml, figure_context.toml,
figure_patterns.jsonl, numbers.toml, nouns.toml) into a `Tables` record; the
rules in the sibling modules only look things up in it.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from newsmon.nlp.nouns import NounLexicon
from newsmon.nlp.numbers import NumberVocab

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class PhraseTable(dict):
    """A dict keyed by lower-case phrases ("per cent", "km / h") that knows their first words."""

    def __init__(self, entries) -> None:
        super().__init__(entries)
        self.first_words = frozenset(key.split(" ")[0] for key in self)
        self.longest = max((key.count(" ") + 1 for key in self), default=1)


@dataclass
class Tables:
    """The data files, loaded once per component."""
    vocab: NumberVocab
    lex: NounLexicon
    currency_symbols: dict[str, str]
    currency_codes: dict[str, str]
    currency_words: dict[str, str]
    currency_qualified: PhraseTable
    currency_minor: dict[str, tuple[str, float]]
    ambiguous_money: frozenset[str]
    currency_verbs: frozenset[str]
    money_cues: frozenset[str]
    durations: PhraseTable  # word -> (unit, factor)
    quantities: PhraseTable  # word -> symbol
    glued_only: frozenset[str]
    percent: PhraseTable
    percent_glued: frozenset[str]
    months: frozenset[str]
    ambiguous_months: frozenset[str]
    weekdays: frozenset[str]
    year_range: tuple[int, int]
    time_words: frozenset[str]
    not_identifiers: frozenset[str]
    range_connectors: frozenset[str]
    score_words: frozenset[str]
    ellipsis_cues: frozenset[str]
    antecedent_chars: int
    no_antecedent_after: frozenset[str]
    temporal_modifiers: frozenset[str]
    patterns: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path, nlp: Language) -> "Tables":
        cur, units, ctx = (_toml(folder / f) for f in ("currencies.toml", "units.toml", "figure_context.toml"))
        codes = {c: cur["code_aliases"].get(c, c) for c in cur["codes"]["names"]}
        with (folder / "figure_patterns.jsonl").open(encoding="utf-8") as fh:
            patterns = [json.loads(line) for line in fh if line.strip()]
        return cls(
            vocab=NumberVocab.from_file(folder / "numbers.toml"),
            lex=NounLexicon.load(folder / "nouns.toml", nlp),
            currency_symbols=dict(cur["symbols"]), currency_codes=codes,
            currency_words=dict(cur["words"]), currency_qualified=PhraseTable(cur["qualified"]),
            currency_minor={k: (v[0], float(v[1])) for k, v in cur["minor"].items()},
            ambiguous_money=frozenset(cur["ambiguous"]["words"]),
            currency_verbs=frozenset(cur["ambiguous"].get("verbs", [])),
            money_cues=frozenset(cur["ambiguous"]["money_cues"]),
            durations=PhraseTable({k: (v[0], float(v[1])) for k, v in units["duration"].items()}),
            quantities=PhraseTable(units["quantity"]), glued_only=frozenset(units["glued_only"]["names"]),
            percent=PhraseTable(dict.fromkeys(units["percent"]["names"], "%")), percent_glued=frozenset(units["percent"]["glued"]),
            months=frozenset(ctx["dates"]["months"]), ambiguous_months=frozenset(ctx["dates"]["ambiguous_months"]),
            weekdays=frozenset(ctx["dates"]["weekdays"]),
            year_range=(ctx["dates"]["year_min"], ctx["dates"]["year_max"]),
            time_words=frozenset(ctx["times"]["after"]),
            not_identifiers=frozenset(ctx["names"]["not_identifiers"]),
            range_connectors=frozenset(ctx["ranges"]["connectors"]),
            score_words=frozenset(ctx["scores"]["words"]), ellipsis_cues=frozenset(ctx["ellipsis"]["cues"]),
            antecedent_chars=int(ctx["ellipsis"]["antecedent_chars"]),
            no_antecedent_after=frozenset(ctx["ellipsis"]["not_after"]),
            temporal_modifiers=frozenset(ctx["times"]["temporal_modifiers"]), patterns=patterns,
        )


def _toml(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)
