"""The bilingual activity-pattern library that lesson plans built from the course text are filled from.

``load_patterns`` reads ``data/studio/activity_patterns.yaml`` and checks it
before anything is filled: every text has an English and a Chinese version,
every Bloom level has at least one activity pattern (and one that needs no
worked example), no key is unknown, and every ``{field}`` is one the slot may
use, so a filled text never keeps a placeholder. A broken file raises
``ConfigError`` naming the file and the key. This module does not choose
sections, sentences or objectives; ``plan_builder`` does.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.core.errors import ConfigError
from tutor_app.core.schemas import BLOOM_LEVELS

PATTERNS_FILE = PROJECT_ROOT / "data" / "studio" / "activity_patterns.yaml"
LANGUAGES = ("en", "zh")
SECTION_FIELDS = frozenset({"topic", "section", "lesson", "quote"})
ACTIVITY_FIELDS = SECTION_FIELDS | {"example"}
_FIX = "Restore the file from the repository, or fix it as its header comment describes."


@dataclass(frozen=True)
class Text:
    """One template in both languages."""

    en: str
    zh: str
    fields: frozenset[str]

    def fill(self, lang: str, **values: str) -> str:
        return getattr(self, lang).format(**values).strip()


@dataclass(frozen=True)
class Pattern:
    title: Text
    description: Text

    @property
    def needs_example(self) -> bool:
        return "example" in self.title.fields | self.description.fields


@dataclass(frozen=True)
class Level:
    objective: Text  # for lessons whose front matter names no objectives
    activities: tuple[Pattern, ...]


@dataclass(frozen=True)
class ActivityPatterns:
    title: Text
    opening: Pattern
    closing: Pattern
    support_weaker: Text
    challenge_stronger: Text
    homework: Text
    assessment_lead: Text
    term_question: Text
    section_question: Text
    levels: dict[str, Level]


class _Reader:
    """Walks the parsed YAML, naming the key of the first problem."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"Activity patterns file {self.origin}: {key} {problem}", _FIX)

    def mapping(self, data: object, key: str, required: tuple[str, ...]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a mapping of keys to values.")
        for name in required:
            if name not in data:
                raise self.fail(f"{key}.{name}" if key else name, "is missing.")
        unknown = sorted(set(map(str, data)) - set(required))
        if unknown:
            raise self.fail(
                f"{key}.{unknown[0]}" if key else unknown[0], f"is not a known key (expected one of {', '.join(required)})."
            )
        return data

    def text(self, data: object, key: str, allowed: frozenset[str]) -> Text:
        data = self.mapping(data, key, LANGUAGES)
        used: set[str] = set()
        for lang in LANGUAGES:
            value = data[lang]
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{key}.{lang}", "must be a non-empty text.")
            used |= self._fields(value, f"{key}.{lang}", allowed)
        return Text(data["en"], data["zh"], frozenset(used))

    def _fields(self, template: str, key: str, allowed: frozenset[str]) -> set[str]:
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise self.fail(key, f"is not a valid template ({exc}); write a literal brace as {{{{ or }}}}.") from exc
        used = set()
        for _, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                raise self.fail(
                    key,
                    f"uses {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}; "
                    f"it may use only {', '.join('{' + f + '}' for f in sorted(allowed))}.",
                )
            used.add(name)
        return used

    def pattern(self, data: object, key: str, allowed: frozenset[str]) -> Pattern:
        data = self.mapping(data, key, ("title", "description"))
        return Pattern(
            self.text(data["title"], f"{key}.title", allowed), self.text(data["description"], f"{key}.description", allowed)
        )

    def level(self, data: object, key: str) -> Level:
        data = self.mapping(data, key, ("objective", "activities"))
        raw = data["activities"]
        if not isinstance(raw, list) or not raw:
            raise self.fail(f"{key}.activities", "must list at least one activity pattern.")
        activities = tuple(self.pattern(item, f"{key}.activities[{n}]", ACTIVITY_FIELDS) for n, item in enumerate(raw))
        if all(p.needs_example for p in activities):
            raise self.fail(f"{key}.activities", "needs one pattern without {example}, for sections that have no example.")
        return Level(self.text(data["objective"], f"{key}.objective", SECTION_FIELDS - {"quote"}), activities)


def parse_patterns(text: str, origin: str) -> ActivityPatterns:
    read = _Reader(origin)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"Activity patterns file {origin} is not valid YAML: {exc}", _FIX) from exc
    top = read.mapping(
        data, "", ("title", "opening", "closing", "support_weaker", "challenge_stronger", "homework", "assessment", "levels")
    )
    assessment = read.mapping(top["assessment"], "assessment", ("lead", "term_question", "section_question"))
    levels = read.mapping(top["levels"], "levels", BLOOM_LEVELS)
    return ActivityPatterns(
        title=read.text(top["title"], "title", frozenset({"topic"})),
        opening=read.pattern(top["opening"], "opening", SECTION_FIELDS),
        closing=read.pattern(top["closing"], "closing", SECTION_FIELDS),
        support_weaker=read.text(top["support_weaker"], "support_weaker", SECTION_FIELDS),
        challenge_stronger=read.text(top["challenge_stronger"], "challenge_stronger", SECTION_FIELDS),
        homework=read.text(top["homework"], "homework", SECTION_FIELDS),
        assessment_lead=read.text(assessment["lead"], "assessment.lead", frozenset({"questions"})),
        term_question=read.text(assessment["term_question"], "assessment.term_question", frozenset({"term"})),
        section_question=read.text(assessment["section_question"], "assessment.section_question", SECTION_FIELDS - {"quote"}),
        levels={level: read.level(levels[level], f"levels.{level}") for level in BLOOM_LEVELS},
    )


@lru_cache(maxsize=8)
def load_patterns(path: Path = PATTERNS_FILE) -> ActivityPatterns:
    if not path.is_file():
        raise ConfigError(f"Activity patterns file {path} is missing.", "Restore it from the repository.")
    return parse_patterns(path.read_text(encoding="utf-8"), str(path))
