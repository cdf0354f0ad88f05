"""The tutor's care and safety screen, run on a learner's message before any search or model call.

``screen(message, lang)`` is deterministic: the English and Chinese patterns of
``data/safety/screening.yaml`` (reviewable data, both languages tried on every message) put a message
in one category: ``self_harm``, ``sexual_minors``, ``harm_others``, ``impersonation`` (deepfakes,
voice cloning, posing as a teacher or principal, words or pictures made up for a real person),
``phishing`` (including messages that pose as IT, a bank or the school to ask for passwords or codes),
``cheating``, or ``none``. Word lists shared by several patterns (the file's ``terms``: who can be
impersonated, which authorities are posed as) are written ``{name}`` inside a pattern. A category's
``unless`` patterns keep questions about recognising or defending against the thing (how to spot a
deepfake, how to recognise phishing) in the course. ``check`` adds the provider's moderation
endpoint when it has one (``engine.models.moderation``) and keeps the gravest category of the two.

``safety_reply`` writes the reply in the learner's language: care and help lines
(``Settings.help_lines_file``) for a self-harm disclosure, a short refusal that says what the tutor can
do instead for the rest. ``record_flag`` stores a self-harm disclosure for the learner's educator
(who, where, which category; never the text), ``list_flags`` shows flags to the viewers the class
rules allow, and ``acknowledge_flag`` lets one of them mark a flag as seen. This module does not
store conversations or draw anything; ``chat`` and ``coach`` call it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tutor_app.accounts.classes import visible_students
from tutor_app.core.config import PROJECT_ROOT, Settings
from tutor_app.core.database import Database, SafetyFlag, User, utcnow
from tutor_app.core.errors import TutorError
from tutor_app.core.i18n import t
from tutor_app.engine.models.moderation import moderate, moderation_client

log = logging.getLogger(__name__)

SCREENING_FILE = PROJECT_ROOT / "data" / "safety" / "screening.yaml"
DEFAULT_HELP_LINES = PROJECT_ROOT / "data" / "safety" / "help_lines.yaml"
NONE = "none"
TERMS = "terms"  # the file's shared word lists, written {name} inside a pattern
TERM = re.compile(r"\{([a-z_]+)\}")  # never a repetition such as {0,40}
# Gravest first: when the rules and the moderation endpoint disagree, the graver category answers.
CATEGORIES = ("self_harm", "sexual_minors", "harm_others", "impersonation", "phishing", "cheating")
FLAGGED = frozenset({"self_harm"})  # what the learner's educator is told about
# The moderation endpoint's categories (as the API spells them) that map to ours; the rest are left to the rules.
MODERATION_CATEGORIES = {
    "self-harm": "self_harm",
    "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm",
    "sexual/minors": "sexual_minors",
    "harassment/threatening": "harm_others",
    "hate/threatening": "harm_others",
    "illicit/violent": "harm_others",
    "violence": "harm_others",
}


@dataclass(frozen=True)
class Screening:
    category: str = NONE
    lang: str = "en"
    source: str = ""  # "rules" or "moderation"
    pattern: str = ""  # the rule that matched, for review; never shown or stored

    @property
    def flagged(self) -> bool:
        return self.category != NONE


@dataclass(frozen=True)
class Rule:
    category: str
    match: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]


@lru_cache(maxsize=4)
def load_rules(path: Path = SCREENING_FILE) -> tuple[Rule, ...]:
    """The categories' patterns, in the order of ``CATEGORIES``, with the file's ``terms`` filled in.

    An unknown category, or a ``{name}`` that is not one of the terms, is an error.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    terms = {name: "(?:" + "|".join(parts) + ")" for name, parts in (data.pop(TERMS, None) or {}).items()}
    unknown = set(data) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path}: unknown safety categories {sorted(unknown)}; use {CATEGORIES}")
    return tuple(
        Rule(
            name,
            _compiled((data.get(name) or {}).get("match"), terms, path),
            _compiled((data.get(name) or {}).get("unless"), terms, path),
        )
        for name in CATEGORIES
    )


def _compiled(by_lang: dict | None, terms: dict[str, str], path: Path) -> tuple[re.Pattern, ...]:
    def term(found: re.Match) -> str:
        if found[1] not in terms:
            raise ValueError(f"{path}: unknown term {{{found[1]}}}; define it under {TERMS}")
        return terms[found[1]]

    return tuple(re.compile(TERM.sub(term, p), re.IGNORECASE) for patterns in (by_lang or {}).values() for p in patterns or [])


def screen(message: str, lang: str = "en") -> Screening:
    """The first category whose patterns match ``message`` and none of whose ``unless`` patterns do."""
    text = " ".join((message or "").split()).replace("’", "'")
    for rule in load_rules():
        found = next((p for p in rule.match if p.search(text)), None)
        if found is not None and not any(p.search(text) for p in rule.unless):
            return Screening(rule.category, lang, "rules", found.pattern)
    return Screening(NONE, lang)


def from_moderation(flagged: list[str] | None, lang: str) -> Screening:
    """The gravest of our categories among the endpoint's flagged ones."""
    ours = {MODERATION_CATEGORIES[name] for name in flagged or [] if name in MODERATION_CATEGORIES}
    category = next((c for c in CATEGORIES if c in ours), NONE)
    return Screening(category, lang, "moderation" if category != NONE else "")


def check(message: str, lang: str = "en", settings: Settings | None = None, client=None) -> Screening:
    """``screen``, plus the provider's moderation endpoint when it has one (``client``, else from ``settings``)."""
    by_rules = screen(message, lang)
    if by_rules.category == CATEGORIES[0]:
        return by_rules  # nothing is graver: no need to wait for the endpoint
    if client is None and settings is not None:
        client = moderation_client(settings)
    if client is None:
        return by_rules
    by_model = from_moderation(moderate(client, message), lang)
    return min((by_rules, by_model), key=_gravity)


def _gravity(screening: Screening) -> int:
    return CATEGORIES.index(screening.category) if screening.flagged else len(CATEGORIES)


# --------------------------------------------------------------------------- replies


def help_lines(lang: str, path: Path | None = None) -> list[tuple[str, str]]:
    """(name, contact) of the help lines for ``lang`` (English ones when the file has none for it).

    An unreadable file falls back to the bundled defaults: a learner in distress always gets a referral.
    """
    try:
        data = _read_help_lines(Path(path or DEFAULT_HELP_LINES))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        log.error("Cannot read the help lines file %s (%s); using the bundled defaults.", path, exc)
        data = _read_help_lines(DEFAULT_HELP_LINES)
    entries = data.get(lang) or data.get("en") or []
    return [(str(e["name"]), str(e["contact"])) for e in entries if isinstance(e, dict) and e.get("name")]


def _read_help_lines(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of language to a list of help lines")
    return data


def safety_reply(screening: Screening, help_lines_file: Path | None = None) -> str:
    """What the tutor says instead of an answer, in the screening's language."""
    lang = screening.lang
    if screening.category == "self_harm":
        lines = "\n".join(t("safety_help_line", lang, name=n, contact=c) for n, c in help_lines(lang, help_lines_file))
        return t("safety_care", lang, lines=lines)
    return t(f"safety_refuse_{screening.category}", lang)


def help_lines_file(settings) -> Path | None:
    """The configured help lines file (``None``: the bundled defaults); ``settings`` may be ``None`` in tools and tests."""
    return getattr(settings, "help_lines_file", None)


# --------------------------------------------------------------------------- flags for the educator


@dataclass(frozen=True)
class FlagView:
    id: int
    student_id: int
    student: str  # display name, else username
    category: str
    mode: str
    conversation_id: int | None
    created_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None  # display name, else username, of who marked it seen

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class FlagNotFound(TutorError):
    """No such flag among those the viewer may see."""


def record_flag(
    db: Database, user_id: int, screening: Screening, conversation_id: int | None = None, mode: str = "explain"
) -> int | None:
    """Store a flag when the category is one educators are told about; returns its id (``None``: not flagged)."""
    if screening.category not in FLAGGED:
        return None
    with db.session() as s:
        row = SafetyFlag(user_id=user_id, conversation_id=conversation_id, category=screening.category, mode=mode)
        s.add(row)
        s.flush()
        return row.id


def list_flags(db: Database, viewer: User) -> list[FlagView]:
    """Flags of the students ``viewer`` may see (their own classes; an administrator: all), newest first.

    A student sees none, not even their own: the flag is for the adults who can help.
    """
    if viewer.role not in ("educator", "administrator"):
        return []
    by = aliased(User)
    query = _visible(db, viewer, select(SafetyFlag, User, by)).outerjoin(by, by.id == SafetyFlag.acknowledged_by)
    with db.session() as s:
        rows = s.execute(query.order_by(SafetyFlag.created_at.desc(), SafetyFlag.id.desc())).all()
    return [_view(f, u, b) for f, u, b in rows]


def acknowledge_flag(db: Database, viewer: User, flag_id: int) -> FlagView:
    """Mark flag ``flag_id`` as seen by ``viewer``, who must be allowed to see it (``FlagNotFound`` otherwise).

    Idempotent: a flag already acknowledged keeps who saw it first and when.
    """
    if viewer.role not in ("educator", "administrator"):
        raise FlagNotFound.of("safety_flag_not_found")
    query = _visible(db, viewer, select(SafetyFlag)).where(SafetyFlag.id == flag_id)
    with db.session() as s:
        row = s.execute(query).scalar_one_or_none()
        if row is None:
            raise FlagNotFound.of("safety_flag_not_found")
        if row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = utcnow(), viewer.id
        student, by = s.get(User, row.user_id), s.get(User, row.acknowledged_by) if row.acknowledged_by else None
        return _view(row, student, by)


def _visible(db: Database, viewer: User, query):
    """``query`` (over ``SafetyFlag``) narrowed to the students' flags ``viewer`` may see."""
    query = query.join(User, User.id == SafetyFlag.user_id).where(User.role == "student")
    if viewer.role != "administrator":
        query = query.where(SafetyFlag.user_id.in_(visible_students(db, viewer) - {viewer.id}))
    return query


def _view(flag: SafetyFlag, student: User, by: User | None) -> FlagView:
    return FlagView(
        flag.id,
        student.id,
        student.display_name or student.username,
        flag.category,
        flag.mode,
        flag.conversation_id,
        flag.created_at,
        flag.acknowledged_at,
        (by.display_name or by.username) if by is not None else None,
    )
