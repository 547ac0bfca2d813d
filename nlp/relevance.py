"""Topic relevance: a topic profile (a TOML data file) scores a title and a text in [0, 1].

This module owns the profile file format, its validation and the scoring rule.
Profiles live in nlp/topics/NAME.toml. The format:

    name, description, threshold          threshold in [0, 1]: the default relevance cut-off
    [scoring]
      title_weight     a term in the title adds title_weight x its weight (once)
      group_scale      a group's summed weight that gives a group score of 1 - 1/e
      reference_words  body weights are divided by sqrt(words / reference_words) above it
    [[scoring.slots]]     one table per slot: name, groups = [group names], floor in [0, 1)
    [groups.NAME]         optional: max_score = 0.25 caps the group's score (generic vocabulary)
    [groups.NAME.terms]   "variant|variant|..." = weight   (case-insensitive)
    [groups.NAME.exact]   "variant|variant|..." = weight   (case-sensitive: acronyms, brand names)
                          "Name" = { weight = 1.0, match = ["variant", ...] }
                                   (reported as Name, matched only by the listed variants)

A term matches on word boundaries; a space in a variant also matches a hyphen or a
line break; the first variant (or the key of a table entry) names the term in results.
Body mentions saturate (log2(1 + count)) and are length-normalised. A group's score
is 1 - exp(-weight / group_scale), capped by its max_score; a slot's score combines
its groups (noisy-or). The score is the geometric mean over slots of
floor + (1 - floor) x slot: a slot with floor 0 is required (no match, score 0),
a slot with a floor only lowers the score when it is empty. So a story needs what
(a regulation concept) and, to score high, who (a regulator or a platform); capped
generic groups alone cannot lift it far.

All terms of one case class are compiled into one regular expression, so scoring
a page is two regex scans and some arithmetic.
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsmon.nlp.records import Relevance

log = logging.getLogger(__name__)

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
_SEPARATOR = re.compile(r"[\s\-]+")
_WORD = re.compile(r"\w+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


class ProfileError(ValueError):
    """A topic profile file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Term:
    group: str
    name: str  # as reported in Relevance.terms
    weight: float


@dataclass(frozen=True)
class TermEntry:
    """One term as the profile file declares it."""
    name: str
    variants: tuple[str, ...]
    weight: float
    ignore_case: bool


@dataclass(frozen=True)
class Group:
    entries: tuple[TermEntry, ...]
    max_score: float = 1.0


@dataclass(frozen=True)
class Slot:
    name: str
    groups: tuple[str, ...]
    floor: float  # 0: the slot is required


@dataclass(frozen=True)
class Scoring:
    title_weight: float
    group_scale: float
    reference_words: int
    slots: tuple[Slot, ...]


class _CaseClass:
    """All variants of one case class as a single regex, and the terms each surface names."""

    def __init__(self, groups: dict[str, Group], ignore_case: bool):
        self.ignore_case = ignore_case
        self.terms: dict[str, list[Term]] = {}  # surface key -> terms (a surface may serve several groups)
        for group_name, group in groups.items():
            for entry in group.entries:
                if entry.ignore_case == ignore_case:
                    term = Term(group=group_name, name=entry.name, weight=entry.weight)
                    for variant in entry.variants:
                        bucket = self.terms.setdefault(self.key(variant), [])
                        if term not in bucket:
                            bucket.append(term)
        flags = re.IGNORECASE if ignore_case else 0
        body = _trie_pattern(_trie(self.terms))
        self.pattern = re.compile(rf"(?<!\w){body}(?!\w)", flags) if self.terms else None

    def key(self, surface: str) -> str:
        key = _SEPARATOR.sub(" ", surface.strip())
        return key.lower() if self.ignore_case else key

    def spans(self, text: str) -> Iterator[tuple[int, int, list[Term]]]:
        if self.pattern is not None:
            for match in self.pattern.finditer(text):
                yield match.start(), match.end(), self.terms.get(self.key(match.group(0)), [])


def _trie(variants: Iterable[str]) -> dict:
    """A character trie of the variants; "" marks the end of a variant."""
    root: dict = {}
    for variant in variants:
        node = root
        for char in variant:
            node = node.setdefault(char, {})
        node[""] = {}
    return root


def _trie_pattern(node: dict) -> str:
    """A regex for the trie: shared prefixes are matched once and longer variants are
    tried first (greedy), so scanning costs about one step per text character."""
    ends_here = "" in node
    branches = [("[\\s\\-]+" if char == " " else re.escape(char)) + _trie_pattern(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if ends_here:
        return f"(?:{body})?"
    return body


class TopicProfile:
    """A topic as weighted terms in groups, and the rule that turns matches into a score."""

    def __init__(self, name: str, threshold: float, scoring: Scoring, groups: dict[str, Group],
                 description: str = ""):
        self.name = name
        self.description = description
        self.threshold = threshold
        self.scoring = scoring
        self.groups = dict(groups)
        self._classes = (_CaseClass(groups, ignore_case=True), _CaseClass(groups, ignore_case=False))

    @property
    def term_names(self) -> list[str]:
        """Every term's name, as `Relevance.terms` reports it (and articles store it)."""
        return [e.name for g in self.groups.values() for e in g.entries]

    @classmethod
    def load(cls, path_or_name: str | Path) -> TopicProfile:
        """Load a profile from a .toml path, or by name from nlp/topics ("platform-regulation"
        and "platform_regulation" both name nlp/topics/platform_regulation.toml)."""
        path = _profile_path(path_or_name)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ProfileError(f"{path}: cannot read topic profile: {err}") from err
        except tomllib.TOMLDecodeError as err:
            raise ProfileError(f"{path}: invalid TOML: {err}") from err
        try:
            profile = cls._from_data(data, default_name=path.stem)
        except (KeyError, TypeError, ValueError, re.error) as err:
            raise ProfileError(f"{path}: malformed topic profile: {err}") from err
        log.debug("loaded topic profile %s from %s: %d terms in %d groups", profile.name, path,
                  sum(len(g.entries) for g in profile.groups.values()), len(profile.groups))
        return profile

    @classmethod
    def _from_data(cls, data: dict, default_name: str) -> TopicProfile:
        threshold = _number(data, "threshold", "threshold")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        scoring = _scoring(data["scoring"])
        groups = _groups(data["groups"])
        unknown = {g for slot in scoring.slots for g in slot.groups} - set(groups)
        if unknown:
            raise ValueError(f"scoring.slots name unknown groups: {sorted(unknown)}")
        return cls(name=str(data.get("name", default_name)), threshold=threshold, scoring=scoring,
                   groups=groups, description=str(data.get("description", "")))

    # -- scoring ------------------------------------------------------------------

    def score(self, title: str | None, text: str | None) -> Relevance:
        """Relevance of an article: a score in [0, 1] and the matched terms, weightiest first."""
        group_scores, contributions = self.breakdown(title, text)
        return Relevance(score=round(self._combine(group_scores), 4), terms=_ranked_names(contributions))

    def is_relevant(self, title: str | None, text: str | None, threshold: float | None = None) -> bool:
        cut = self.threshold if threshold is None else threshold
        return self.score(title, text).score >= cut

    def breakdown(self, title: str | None, text: str | None) -> tuple[dict[str, float], dict[Term, float]]:
        """Each group's score and each matched term's contribution (for tuning and explanations)."""
        title = (title or "").translate(_APOSTROPHES)
        text = (text or "").translate(_APOSTROPHES)
        contributions = self._contributions(self._find(text), set(self._find(title)), len(_WORD.findall(text)))
        raw = dict.fromkeys(self.groups, 0.0)
        for term, value in contributions.items():
            raw[term.group] += value
        scores = {name: min(self.groups[name].max_score, 1.0 - math.exp(-weight / self.scoring.group_scale))
                  for name, weight in raw.items()}
        return scores, contributions

    def _find(self, text: str) -> Counter[Term]:
        """Term mentions; where matches of the two case classes overlap, the longer one counts
        ("European Commission" is not also "Commission")."""
        spans = sorted((span for case_class in self._classes for span in case_class.spans(text)),
                       key=lambda span: (span[0], span[0] - span[1]))
        found: Counter[Term] = Counter()
        covered_to = 0
        for start, end, terms in spans:
            if start >= covered_to:
                found.update(terms)
                covered_to = end
        return found

    def _contributions(self, body: Counter[Term], title: set[Term], words: int) -> dict[Term, float]:
        """Each matched term's weight: saturated, length-normalised body mentions plus a title bonus."""
        length_factor = max(1.0, math.sqrt(words / self.scoring.reference_words))
        values: dict[Term, float] = {}
        for term in body.keys() | title:
            value = term.weight * math.log2(1 + body.get(term, 0)) / length_factor
            if term in title:
                value += term.weight * self.scoring.title_weight
            values[term] = value
        return values

    def slot_scores(self, group_scores: dict[str, float]) -> dict[str, float]:
        """Each slot's score: the noisy-or of its groups' scores."""
        return {slot.name: 1.0 - math.prod(1.0 - group_scores[g] for g in slot.groups) for slot in self.scoring.slots}

    def _combine(self, group_scores: dict[str, float]) -> float:
        if not self.scoring.slots:
            return 1.0 - math.prod(1.0 - s for s in group_scores.values())
        scores = self.slot_scores(group_scores)
        lifted = [slot.floor + (1.0 - slot.floor) * scores[slot.name] for slot in self.scoring.slots]
        return math.prod(lifted) ** (1 / len(lifted))

    def __repr__(self) -> str:
        return f"TopicProfile({self.name!r}, threshold={self.threshold}, groups={list(self.groups)})"


# -- the profile file ---------------------------------------------------------------

def _profile_path(path_or_name: str | Path) -> Path:
    candidate = Path(path_or_name)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    name = str(path_or_name)
    for stem in (name, name.replace("-", "_")):
        path = TOPICS_DIR / f"{stem}.toml"
        if path.is_file():
            return path
    raise ProfileError(f"{TOPICS_DIR / (name + '.toml')}: no topic profile named {name!r}")


def _number(table: dict, key: str, where: str) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{where} must be a number, got {value!r}")
    return float(value)


def _scoring(table: dict) -> Scoring:
    scoring = Scoring(
        title_weight=_number(table, "title_weight", "scoring.title_weight"),
        group_scale=_number(table, "group_scale", "scoring.group_scale"),
        reference_words=int(_number(table, "reference_words", "scoring.reference_words")),
        slots=tuple(_slot(i, slot) for i, slot in enumerate(table.get("slots", []))),
    )
    if scoring.group_scale <= 0 or scoring.reference_words <= 0:
        raise ValueError("scoring.group_scale and scoring.reference_words must be positive")
    return scoring


def _slot(index: int, table: object) -> Slot:
    where = f"scoring.slots[{index}]"
    if not isinstance(table, dict) or not set(table) <= {"name", "groups", "floor"}:
        raise TypeError(f"{where} must be a table with name, groups and floor")
    groups = table.get("groups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
        raise TypeError(f"{where}.groups must be a non-empty list of group names, got {groups!r}")
    floor = _number(table, "floor", f"{where}.floor") if "floor" in table else 0.0
    if not 0 <= floor < 1:
        raise ValueError(f"{where}.floor must be in [0, 1), got {floor}")
    return Slot(name=str(table.get("name", f"slot{index}")), groups=tuple(groups), floor=floor)


def _groups(table: object) -> dict[str, Group]:
    if not isinstance(table, dict) or not table:
        raise KeyError("groups (at least one [groups.NAME.terms] or [groups.NAME.exact] table)")
    groups: dict[str, Group] = {}
    for name, sections in table.items():
        if not isinstance(sections, dict) or not set(sections) <= {"terms", "exact", "max_score"}:
            raise ValueError(f"groups.{name} may only hold 'terms' and 'exact' tables and 'max_score'")
        entries = tuple(_term_entry(f"groups.{name}.{section}", key, value, ignore_case)
                        for section, ignore_case in (("terms", True), ("exact", False))
                        for key, value in sections.get(section, {}).items())
        if not entries:
            raise ValueError(f"groups.{name} has no terms")
        cap = _number(sections, "max_score", f"groups.{name}.max_score") if "max_score" in sections else 1.0
        if not 0 < cap <= 1:
            raise ValueError(f"groups.{name}.max_score must be in (0, 1], got {cap}")
        groups[name] = Group(entries=entries, max_score=cap)
    return groups


def _term_entry(where: str, key: str, value: object, ignore_case: bool) -> TermEntry:
    if isinstance(value, dict):
        if set(value) != {"weight", "match"} or not isinstance(value["match"], list):
            raise ValueError(f"{where}: {key!r} must be a number or {{ weight = ..., match = [...] }}")
        name, variants, weight = key, value["match"], value["weight"]
    else:
        variants = key.split("|")
        name, weight = variants[0], value
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise ValueError(f"{where}: weight of {key!r} must be a positive number, got {weight!r}")
    if not variants or any(not isinstance(v, str) or not v.strip() for v in variants):
        raise ValueError(f"{where}: empty variant in {key!r}")
    return TermEntry(name=" ".join(name.split()), variants=tuple(" ".join(v.split()) for v in variants),
                     weight=float(weight), ignore_case=ignore_case)


def _ranked_names(contributions: dict[Term, float]) -> list[str]:
    """Term names by their largest contribution, weightiest first, each once."""
    best: dict[str, float] = {}
    for term, value in contributions.items():
        best[term.name] = max(value, best.get(term.name, 0.0))
    return sorted(best, key=lambda name: (-best[name], name))
