"""Versions of the role prompts in the app database: validate, save, diff, activate, roll back, export.

The YAML files in ``prompts/`` are version 0 of each prompt ("from the file");
an administrator's edits are saved as versions 1, 2, ... of that prompt in the
``prompt_versions`` table, each with its worked examples (for the test bench),
a note and its author. Saving changes nothing a learner sees: only the active
version is used, at most one per prompt, and with none active the app uses the
file. ``DatabasePromptSource`` is the ``PromptSource`` the running app gets: the
active versions, read at most every ``ttl_s`` seconds (so an activation on one
app server reaches the others within seconds), or the file.

A version may use only the variables its file declares (the code passes
exactly those), and may leave out one only if nothing depends on it: every
call site formats with keyword arguments, which tolerates a variable the
template no longer uses, but a template without the learner's question or the
course passages would answer something else, so ``REQUIRED`` keeps those.
Validation errors name the problem in English and Chinese. This module does not
render or run prompts on a model; ``prompt_bench`` does.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tutor_app.core.config import Settings
from tutor_app.core.database import Database, PromptVersion, StoreError, User, default_database_url, open_database, utcnow
from tutor_app.core.errors import TutorError
from tutor_app.engine.models.prompts import (
    FilePromptSource,
    PromptFile,
    PromptSource,
    all_prompt_files,
    jinja_blocks,
    parse_prompt,
)

log = logging.getLogger(__name__)

FILE_VERSION = 0
NOTE_LIMIT = 500
# Variables a version must keep although the code would format it without them: the request itself.
REQUIRED = {
    "student_tutor": {"question", "passages"},
    "student_coach": {"exercise", "message"},
    "educator_lesson_plan": {"topic", "passages"},
    "educator_quiz": {"questions", "passages"},
    "educator_quiz_rewrite": {"questions"},
    "coverage_explain": {"objective", "passages"},
    "lab_model_alone": {"question"},
}
SAVE_ATTEMPTS = 3  # two administrators saving the same prompt at once: the loser takes the next number


class PromptLabError(TutorError):
    """A prompt version cannot be saved, found or activated; the message says why and what to do."""


@dataclass(frozen=True)
class PromptSummary:
    name: str
    role: str
    description: str
    active_version: int  # 0: the file
    versions: int  # saved in the database
    description_zh: str = ""

    def description_in(self, lang: str) -> str:
        return self.description_zh if lang == "zh" and self.description_zh else self.description


@dataclass(frozen=True)
class VersionInfo:
    version: int
    note: str
    author: str
    created_at: datetime | None
    activated_at: datetime | None
    active: bool


@dataclass(frozen=True)
class Saved:
    version: int
    previous: int
    diff: str


# --------------------------------------------------------------------------- worked examples


class WorkedExample(BaseModel):
    """One worked example for the test bench: a learner's (or teacher's) message and the answer wanted."""

    model_config = ConfigDict(extra="forbid")
    human: str = Field(min_length=1)
    ai: str = Field(min_length=1)


@dataclass(frozen=True)
class ExamplesFile:
    """``prompts/examples/<name>.yaml``: the file version's worked examples and the bench's sample inputs."""

    examples: list[WorkedExample] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)


def parse_examples(text: str) -> list[WorkedExample]:
    """A version's examples: a YAML list of {human, ai} (empty text: none)."""
    try:
        data = yaml.safe_load(text or "") or []
        if not isinstance(data, list):
            raise ValueError("write a list: each item with human: and ai:")
        return [WorkedExample.model_validate(item) for item in data]
    except (yaml.YAMLError, ValidationError, ValueError) as exc:
        raise PromptLabError.of("lab_prompts_err_examples", detail=" ".join(str(exc).split())[:300]) from exc


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, so examples read in the editor as they were written."""


_BlockDumper.add_representer(
    str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)
)


def examples_yaml(examples: list[WorkedExample]) -> str:
    if not examples:
        return ""
    dumped = [e.model_dump() for e in examples]
    return yaml.dump(dumped, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=120)


def examples_file(name: str, folder: Path) -> ExamplesFile:
    """The examples file of prompt ``name`` in ``folder`` (the prompts folder); empty when there is none."""
    path = folder / "examples" / f"{name}.yaml"
    if not path.is_file():
        return ExamplesFile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PromptLabError.of("lab_prompts_err_examples", detail=f"{path.name}: {exc}") from exc
    if not isinstance(data, dict) or set(data) - {"examples", "inputs"}:
        raise PromptLabError.of("lab_prompts_err_examples", detail=f"{path.name}: only examples: and inputs: are read")
    examples = parse_examples(yaml.safe_dump(data.get("examples") or [], allow_unicode=True))
    return ExamplesFile(examples, dict(data.get("inputs") or {}))


def prompt_names(files: FilePromptSource | None = None) -> list[str]:
    files = files or FilePromptSource()
    return [path.stem for path in all_prompt_files(files.folder)]


# --------------------------------------------------------------------------- validation


def _sample_values(prompt: PromptFile) -> dict:
    return {name: [] if name == "history" else f"<{name}>" for name in prompt.input_variables}


def validate(name: str, content: str, files: FilePromptSource | None = None) -> PromptFile:
    """The prompt ``content`` (YAML) as a version of ``name``, or a ``PromptLabError`` saying what is wrong."""
    files = files or FilePromptSource()
    base = files.get(name)
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise PromptLabError.of("lab_prompts_err_yaml", detail=" ".join(str(exc).split())[:300]) from exc
    if not isinstance(data, dict):
        raise PromptLabError.of("lab_prompts_err_yaml", detail="the text is not a mapping of fields")
    try:
        prompt = PromptFile.model_validate(data)
    except ValidationError as exc:
        roles = [e["input"] for e in exc.errors() if e["loc"][:1] == ("messages",) and e["loc"][-1:] == ("role",)]
        if roles:
            raise PromptLabError.of("lab_prompts_err_role", role=roles[0]) from exc
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise PromptLabError.of("lab_prompts_err_invalid", detail=detail) from exc
    jinja = jinja_blocks(prompt)
    if jinja:
        raise PromptLabError.of("lab_prompts_err_jinja", block=jinja[0])
    if prompt.name != name:
        raise PromptLabError.of("lab_prompts_err_name", name=name, found=prompt.name)
    try:
        template = prompt.template()
    except ValueError as exc:
        raise PromptLabError.of("lab_prompts_err_template", detail=str(exc)[:300]) from exc
    used = set(template.input_variables) | set(template.optional_variables)
    allowed = set(base.input_variables)
    unknown = sorted(used - allowed)
    if unknown:
        raise PromptLabError.of("lab_prompts_err_unknown", names=", ".join(unknown), allowed=", ".join(sorted(allowed)))
    if used != set(prompt.input_variables):
        raise PromptLabError.of(
            "lab_prompts_err_declared",
            declared=", ".join(sorted(prompt.input_variables)) or "-",
            used=", ".join(sorted(used)) or "-",
        )
    missing = sorted(REQUIRED.get(name, set()) - used)
    if missing:
        raise PromptLabError.of("lab_prompts_err_required", names=", ".join(missing))
    try:  # as the code formats it: every variable of the file, by keyword
        template.format_messages(**_sample_values(base))
    except Exception as exc:
        raise PromptLabError.of("lab_prompts_err_template", detail=str(exc)[:300]) from exc
    return parse_prompt(content, f"{name} (edited)")


# --------------------------------------------------------------------------- reading


def _rows(session, name: str) -> list[PromptVersion]:
    return list(session.scalars(select(PromptVersion).where(PromptVersion.name == name).order_by(PromptVersion.version)))


def _file_text(name: str, files: FilePromptSource) -> str:
    files.get(name)  # a missing file raises its ConfigError
    return (files.folder / f"{name}.yaml").read_text(encoding="utf-8")


def content_of(db: Database, name: str, version: int, files: FilePromptSource | None = None) -> str:
    """The whole prompt YAML of ``version`` (0: the file)."""
    files = files or FilePromptSource()
    if version == FILE_VERSION:
        return _file_text(name, files)
    return _row(db, name, version).content


def examples_of(db: Database, name: str, version: int, files: FilePromptSource | None = None) -> str:
    """The worked examples (a YAML list) of ``version``; for the file, those in ``prompts/examples/<name>.yaml``."""
    files = files or FilePromptSource()
    if version == FILE_VERSION:
        return examples_yaml(examples_file(name, files.folder).examples)
    return _row(db, name, version).examples


def export_yaml(db: Database, name: str, version: int, files: FilePromptSource | None = None) -> str:
    """The version as a prompt file (what goes back into ``prompts/<name>.yaml``)."""
    text = content_of(db, name, version, files)
    return text if text.endswith("\n") else text + "\n"


def _row(db: Database, name: str, version: int) -> PromptVersion:
    with db.session() as s:
        row = s.scalar(select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version))
    if row is None:
        raise PromptLabError.of("lab_prompts_err_no_version", name=name, version=version)
    return row


def active_version(db: Database, name: str) -> int:
    with db.session() as s:
        found = s.scalar(select(PromptVersion.version).where(PromptVersion.name == name, PromptVersion.active))
    return found or FILE_VERSION


def list_prompts(db: Database, files: FilePromptSource | None = None) -> list[PromptSummary]:
    files = files or FilePromptSource()
    with db.session() as s:
        counts = dict(s.execute(select(PromptVersion.name, func.count()).group_by(PromptVersion.name)).all())
        active = dict(s.execute(select(PromptVersion.name, PromptVersion.version).where(PromptVersion.active)).all())
    summaries = []
    for name in prompt_names(files):
        prompt = files.get(name)
        summaries.append(
            PromptSummary(
                name,
                prompt.role,
                prompt.description.strip(),
                active.get(name, FILE_VERSION),
                counts.get(name, 0),
                prompt.description_zh.strip(),
            )
        )
    return summaries


def history(db: Database, name: str) -> list[VersionInfo]:
    """Every saved version, newest first, then the file (version 0, active when no saved one is)."""
    with db.session() as s:
        rows = s.execute(
            select(PromptVersion, User.username)
            .outerjoin(User, User.id == PromptVersion.author_id)
            .where(PromptVersion.name == name)
            .order_by(PromptVersion.version.desc())
        ).all()
    versions = [
        VersionInfo(row.version, row.note, username or "", row.created_at, row.activated_at, row.active) for row, username in rows
    ]
    versions.append(VersionInfo(FILE_VERSION, "", "", None, None, not any(v.active for v in versions)))
    return versions


def diff(db: Database, name: str, a: int, b: int, files: FilePromptSource | None = None) -> str:
    """A unified diff from version ``a`` to ``b`` (0: the file) of the prompt and, when they differ, its examples."""
    files = files or FilePromptSource()
    label = {a: f"{name} v{a}", b: f"{name} v{b}"}
    parts = [_unified(content_of(db, name, a, files), content_of(db, name, b, files), label[a], label[b])]
    parts.append(
        _unified(examples_of(db, name, a, files), examples_of(db, name, b, files), f"{label[a]} examples", f"{label[b]} examples")
    )
    return "".join(parts)


def _normalised(text: str) -> str:
    """Line ends and trailing blank space do not count as changes (a browser's text box drops the last newline)."""
    text = text.replace("\r\n", "\n").rstrip()
    return text + "\n" if text else ""


def _unified(old: str, new: str, old_label: str, new_label: str) -> str:
    old, new = _normalised(old), _normalised(new)
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# --------------------------------------------------------------------------- writing


def save(
    db: Database,
    name: str,
    content: str,
    examples: str = "",
    note: str = "",
    author_id: int | None = None,
    files: FilePromptSource | None = None,
) -> Saved:
    """Validate and store a new, inactive version of ``name``, numbered after its newest one.

    Returns its number and the diff against the previous version (the newest saved one, else the file).
    """
    files = files or FilePromptSource()
    validate(name, content, files)
    parse_examples(examples)  # raises PromptLabError with the line at fault
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with db.session() as s:
                previous = s.scalar(select(func.max(PromptVersion.version)).where(PromptVersion.name == name)) or 0
                s.add(
                    PromptVersion(
                        name=name,
                        version=previous + 1,
                        content=_normalised(content),
                        examples=examples.strip(),
                        note=note.strip()[:NOTE_LIMIT],
                        active=False,
                        author_id=author_id,
                    )
                )
            break
        except IntegrityError:  # another save took this number between our read and our insert
            if attempt == SAVE_ATTEMPTS:
                raise PromptLabError.of("lab_prompts_err_busy") from None
    return Saved(previous + 1, previous, diff(db, name, previous, previous + 1, files))


def activate(db: Database, name: str, version: int, files: FilePromptSource | None = None) -> None:
    """Make ``version`` the one the app uses (0: back to the file); every other version of ``name`` goes inactive.

    One transaction that first locks the prompt's rows (PostgreSQL; SQLite takes its write lock), so two
    administrators activating at once leave exactly one active version. A version that no longer fits the
    code (its file now declares other variables) is refused.
    """
    files = files or FilePromptSource()
    files.get(name)

    def work(s) -> None:
        # Rows locked in one order (by id), so racing activations wait for each other instead of deadlocking;
        # a deadlock or serialization failure that still happens runs the whole transaction again.
        query = select(PromptVersion).where(PromptVersion.name == name).order_by(PromptVersion.id).with_for_update()
        rows = list(s.scalars(query))
        target = next((row for row in rows if row.version == version), None)
        if version != FILE_VERSION:
            if target is None:
                raise PromptLabError.of("lab_prompts_err_no_version", name=name, version=version)
            validate(name, target.content, files)
        s.execute(update(PromptVersion).where(PromptVersion.name == name).values(active=False))
        if target is not None:
            s.execute(update(PromptVersion).where(PromptVersion.id == target.id).values(active=True, activated_at=utcnow()))

    db.run_transaction(work)


# --------------------------------------------------------------------------- the running app's source


class DatabasePromptSource:
    """The active version of each prompt, else its file; read from the database at most every ``ttl_s`` seconds.

    One query fetches every active version; a version's parse is kept by its content, so a refresh that finds
    nothing new costs one small query. A database that cannot be read, or an active version that no longer fits
    the code, falls back to the file (logged): answering with the file beats not answering.
    """

    def __init__(self, db: Database, files: FilePromptSource | None = None, ttl_s: float = 2.0, clock=time.monotonic):
        self.db = db
        self.files = files or FilePromptSource()
        self.ttl_s = ttl_s
        self.clock = clock
        self._lock = threading.Lock()
        self._active: dict[str, PromptFile] = {}
        self._parsed: dict[tuple[str, int, str], PromptFile | None] = {}
        self._read_at: float | None = None

    def get(self, name: str) -> PromptFile:
        return self._current().get(name) or self.files.get(name)

    def _current(self) -> dict[str, PromptFile]:
        now = self.clock()
        with self._lock:
            if self._read_at is not None and now - self._read_at < self.ttl_s:
                return self._active
        try:
            with self.db.session() as s:
                rows = s.execute(
                    select(PromptVersion.name, PromptVersion.version, PromptVersion.content).where(PromptVersion.active)
                ).all()
        except StoreError as exc:
            log.warning("Prompt versions unreadable, using the prompt files: %s", exc)
            rows = None
        with self._lock:
            if rows is not None:
                self._active = {name: p for name, version, content in rows if (p := self._parse(name, version, content))}
            self._read_at = now
            return self._active

    def _parse(self, name: str, version: int, content: str) -> PromptFile | None:
        key = (name, version, content)
        if key not in self._parsed:
            try:
                self._parsed[key] = validate(name, content, self.files)
            except TutorError as exc:
                log.error("Active version %d of prompt %s does not fit the code; using the file: %s", version, name, exc)
                self._parsed[key] = None
        return self._parsed[key]


def database_prompts(settings: Settings) -> PromptSource:
    """The database source on the configured app database, or the files when it cannot be opened (logged)."""
    try:
        return DatabasePromptSource(open_database(default_database_url(settings)))
    except StoreError as exc:
        log.warning("App database unavailable, answering with the prompt files: %s", exc)
        return FilePromptSource()
