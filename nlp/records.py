"""Plain records that leave the nlp package: what extraction and annotation produce.

They are dataclasses of built-in types only, so they cross process boundaries
(pickling into a process pool) and turn into DataFrame rows without glue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Article:
    """What trafilatura made of one page."""
    url: str
    canonical_url: str
    title: str | None
    authors: list[str]
    published_at: str | None  # ISO date "YYYY-MM-DD" (trafilatura's granularity)
    language: str | None  # ISO 639-1 code, e.g. "en"
    sitename: str | None
    description: str | None
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NotArticle:
    """A page that extraction rejected, and why (the reason is a counted stat key)."""
    url: str
    reason: str  # e.g. "empty_page", "not_html", "too_short", "index_page", "unparseable"
    detail: str = ""


@dataclass
class Relevance:
    score: float
    terms: list[str] = field(default_factory=list)


@dataclass
class Mention:
    """A person or organisation named in a text."""
    label: str  # "person" | "organisation"
    text: str  # surface form as it stands in the text
    canonical: str  # the fullest form the document gives (Durov -> Pavel Durov)
    start: int  # char offsets into the text
    end: int
    sentence: str


@dataclass
class Figure:
    """An amount the text states, normalised."""
    kind: str  # money | percent | count | duration | quantity | age
    value: float
    unit: str | None  # ISO 4217 for money, "%" for percent, "year"/"day"... for durations and ages
    object: str | None  # for counts: the counted thing, singular, lower case
    text: str
    start: int
    end: int
    sentence: str
    # money only: fine | revenue | cost | funding | price | compensation | maximum | other
    role: str | None = None
    # money only: whose amount it is (who pays a fine, earns a revenue, spends a cost), canonical;
    # None when the sentence does not say
    party: str | None = None
    party_label: str | None = None  # "organisation" | "person"


@dataclass
class Fine:
    """A penalty the text reports: who imposed it on whom, how much, under which law.
    One per distinct fine of an article (its repetitions, conversions and parts folded in)."""
    authority: str | None  # canonical name of the regulator or court; None when the text names none
    target: str | None  # canonical name of who must pay; None when the text names no one
    value: float  # the final amount (after a reduction)
    unit: str  # ISO 4217
    status: str  # imposed | proposed | agreed | reduced
    basis: str | None  # the law it was imposed under ("Digital Services Act"), when stated
    text: str  # the amount as written, at its most precise mention
    start: int  # char offsets of that mention
    end: int
    sentence: str
    authority_label: str | None = None  # "organisation" | "person"
    target_label: str | None = None
    precision: float = 0.0  # place value of the amount's last written digit (€5.1m: 100000)


@dataclass
class Annotation:
    """Everything the spaCy pipeline found in one text."""
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    explain: list[dict] | None = None  # the entity decisions' trace, when asked for

    @property
    def people(self) -> list[str]:
        return _unique(m.canonical for m in self.mentions if m.label == "person")

    @property
    def organisations(self) -> list[str]:
        return _unique(m.canonical for m in self.mentions if m.label == "organisation")


def _unique(names) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        seen.setdefault(n, None)
    return list(seen)
