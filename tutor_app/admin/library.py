"""The course library: create, rename and delete courses; upload, list, delete and re-index documents.

Uploads are checked before anything is read: size limit, empty file, and the
content's own type (PDF, HTML or text are sniffed from the bytes; images,
archives and programs are refused whatever their extension says), and data
files (.json, .csv… or JSON text) are refused as lessons. A file whose bytes
are already in the course is recognised by its SHA-256 and skipped (the
pipeline's check, shared with the command line). An uploaded name is cleaned
by the pipeline's ``document_name`` (NFC, no control or invisible characters,
no folders); uploading a file of the same name again replaces that document,
but a name that only became an existing document's name by cleaning
(``../x.md`` beside ``x.md``) is refused, as is a second file of one upload
stored under the same name, so nothing is replaced by surprise.

Indexing runs through the ingestion pipeline (``engine.ingest.pipeline``),
all files together so that a cancelled or failed upload leaves nothing
half-indexed: every file is prepared and embedded first (reporting progress,
checking for cancellation between batches), and only then are all chunks
committed in one go. The pipeline keeps the originals under TUTOR_HOME/library
(for uploads and command-line ingestion alike), so a course can be re-indexed
from them; this module records each uploaded file in the database and removes
an original once no document holds its content any more. The sentences the
pipeline flags as looking like instructions to an AI are stored per document
(``DocumentFlag``: section, passage, matched pattern) for the administrator:
replaced whenever the document is indexed again from its bytes (a document
rebuilt from stored chunks keeps its flags), deleted with the document or its
course, and listed by ``instruction_flags``. An upload's or a re-index's report
lists them too.

A deleted course keeps its row (with ``deleted_at``) so learners who chatted
about it can be told. This module does not render anything; pages do.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlalchemy import delete, select, update

from tutor_app.core.database import (
    Conversation,
    CourseRecord,
    CurriculumObjective,
    Database,
    DocumentFlag,
    LibraryFile,
    utcnow,
)
from tutor_app.core.errors import IngestError, InputError
from tutor_app.core.i18n import Notice
from tutor_app.engine.ingest.instructions import Finding
from tutor_app.engine.ingest.loaders import SUPPORTED_SUFFIXES, decode_text, size_values
from tutor_app.engine.ingest.pipeline import (
    DuplicateContent,
    EmbedProgress,
    Ingestor,
    PreparedFile,
    content_holders,
    document_name,
)

_NO_LIMIT = 1 << 40  # re-indexing an original accepted once: a size limit lowered since must not drop it
_NAME = re.compile(r"^[\w][\w .\-]{0,79}$", re.UNICODE)
_MAGIC = [
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"PK\x03\x04", "ZIP (.zip, .docx, .pptx)"),
    (b"\x7fELF", "ELF"),
    (b"MZ", "Windows EXE"),
    (b"\xd0\xcf\x11\xe0", "Microsoft Office 97-2003"),
    (b"RIFF", "RIFF (.wav, .avi, .webp)"),
]


@dataclass
class CourseSummary:
    name: str
    documents: int
    chunks: int


@dataclass
class UploadReport:
    indexed: list[tuple[str, int]] = field(default_factory=list)  # (source, chunks)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uploaded name, document already holding the bytes)
    failures: list[IngestError] = field(default_factory=list)  # one per file not indexed, shown in the reader's language
    notices: list[Notice] = field(default_factory=list)
    flags: list[tuple[str, Finding]] = field(default_factory=list)  # (source, sentence that looks like an instruction)
    cancelled: bool = False

    @property
    def failed(self) -> list[str]:
        """The failures in English, one line each (the command line and the log)."""
        return [str(failure) for failure in self.failures]


def sniff(data: bytes, name: str, max_bytes: int) -> str:
    """The file's real kind ('pdf', 'html' or 'text') from its bytes; raises IngestError for anything unusable."""
    if not data:
        raise IngestError.keyed("ingest_empty_upload", "ingest_fix_choose_again", name=name)
    if len(data) > max_bytes:
        raise IngestError.keyed("ingest_too_big", "ingest_fix_split_operator", **size_values(name, data, max_bytes))
    if data.startswith(b"%PDF-"):
        return "pdf"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError.keyed("ingest_not_document", "ingest_fix_upload_types", name=name, what=what)
    text, _ = decode_text(data, name)
    return "html" if re.match(r"\s*(<!doctype html|<html)", text, re.I) else "text"


# Data, not lessons: their rows would be indexed as prose.
DATA_SUFFIXES = {
    ".json", ".jsonl", ".ndjson", ".geojson", ".csv", ".tsv", ".xml", ".yaml", ".yml", ".toml", ".ini", ".sql",
    ".parquet", ".xls", ".xlsx", ".ods", ".db", ".sqlite",
}  # fmt: skip


def refuse_data_file(source: str, data: bytes, kind: str) -> None:
    """Raise IngestError for a data file: a data extension, or JSON text under a name that is not a lesson's."""
    suffix = PurePath(source).suffix.lower()
    if suffix in DATA_SUFFIXES:
        raise IngestError.of("admin_data_file", source=source, kind=suffix)
    if kind == "text" and suffix not in SUPPORTED_SUFFIXES:
        text = decode_text(data, source)[0].strip()
        if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
            try:
                json.loads(text)
            except ValueError:
                return
            raise IngestError.of("admin_data_file", source=source, kind="JSON")


def _shown(name: str) -> str:
    """An uploaded name safe to show: control and invisible format characters spelt out (\\u202e), cut at 120."""
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name[:120])


def _load_name(source: str, kind: str) -> str:
    """The name the loader sees: the content decides the type, not the extension."""
    suffix = PurePath(source).suffix.lower()
    fits = {"pdf": {".pdf"}, "html": {".html", ".htm"}, "text": SUPPORTED_SUFFIXES - {".pdf"}}[kind]
    return source if suffix in fits else source + {"pdf": ".pdf", "html": ".html", "text": ".md"}[kind]


def removed_courses_for(db: Database, user_id: int) -> list[str]:
    """Deleted courses the user has conversations about (so the app can tell them)."""
    with db.session() as s:
        query = (
            select(CourseRecord.name)
            .join(Conversation, Conversation.course == CourseRecord.name)
            .where(Conversation.user_id == user_id, CourseRecord.deleted_at.is_not(None))
            .distinct()
        )
        return sorted(s.scalars(query))


class Library:
    def __init__(self, settings, db: Database, index) -> None:
        self.settings = settings
        self.db = db
        self.index = index
        self.pipeline = Ingestor(settings, index)

    # --- courses ---------------------------------------------------------
    def courses(self) -> list[CourseSummary]:
        counts: dict[str, list[int]] = {}
        for chunks in self.index.iter_chunks():
            for c in chunks:
                entry = counts.setdefault(c.course, [0, 0])
                entry[1] += 1
        for name, entry in counts.items():
            entry[0] = len(self.index.source_hashes(name))
        with self.db.session() as s:
            for record in s.scalars(select(CourseRecord).where(CourseRecord.deleted_at.is_(None))):
                counts.setdefault(record.name, [0, 0])
        return [CourseSummary(name, docs, chunks) for name, (docs, chunks) in sorted(counts.items())]

    def course_names(self) -> list[str]:
        return [c.name for c in self.courses()]

    @staticmethod
    def _valid_name(name: str) -> str:
        name = " ".join((name or "").split())
        if not _NAME.match(name):
            raise InputError(
                f"'{name}' is not a usable course name.",
                "Use 1-80 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.",
            )
        return name

    def _ensure_record(self, s, name: str) -> None:
        record = s.scalar(select(CourseRecord).where(CourseRecord.name == name))
        if record is None:
            s.add(CourseRecord(name=name))
        elif record.deleted_at is not None:
            record.deleted_at, record.created_at = None, utcnow()

    def create_course(self, name: str) -> str:
        name = self._valid_name(name)
        if name in self.course_names():
            raise InputError(f"A course named '{name}' already exists.", "Pick another name, or open the existing course.")
        with self.db.session() as s:
            self._ensure_record(s, name)
        return name

    def rename_course(self, old: str, new: str) -> str:
        new = self._valid_name(new)
        if old not in self.course_names():
            raise InputError(f"There is no course named '{old}'.", "Reload the page to see the current courses.")
        if new == old:
            return new
        if new in self.course_names():
            raise InputError(f"A course named '{new}' already exists.", "Pick another name, or delete that course first.")
        self.index.rename_course(old, new)
        with self.db.session() as s:
            s.execute(delete(CourseRecord).where(CourseRecord.name == new))  # a deleted course of that name
            self._ensure_record(s, old)
            s.flush()
            s.execute(update(CourseRecord).where(CourseRecord.name == old).values(name=new))
            s.execute(update(LibraryFile).where(LibraryFile.course == old).values(course=new))
            s.execute(update(DocumentFlag).where(DocumentFlag.course == old).values(course=new))
            s.execute(update(CurriculumObjective).where(CurriculumObjective.course == old).values(course=new))
            s.execute(update(Conversation).where(Conversation.course == old).values(course=new))  # chats follow the course
        return new

    def delete_course(self, name: str) -> int:
        """Delete the course's chunks, files and objectives; returns how many conversations were about it."""
        self.index.delete_course(name)
        with self.db.session() as s:
            s.execute(delete(LibraryFile).where(LibraryFile.course == name))
            s.execute(delete(DocumentFlag).where(DocumentFlag.course == name))
            s.execute(delete(CurriculumObjective).where(CurriculumObjective.course == name))
            self._ensure_record(s, name)
            s.flush()
            s.execute(update(CourseRecord).where(CourseRecord.name == name).values(deleted_at=utcnow()))
            return len(s.scalars(select(Conversation.id).where(Conversation.course == name)).all())

    def removed_courses_for(self, user_id: int) -> list[str]:
        return removed_courses_for(self.db, user_id)

    # --- documents -------------------------------------------------------
    def documents(self, course: str) -> list[dict]:
        return self.index.documents(course)

    def instruction_flags(self, course: str) -> dict[str, list[Finding]]:
        """The stored passages of ``course`` that read like instructions to an AI, per document in name order."""
        flags: dict[str, list[Finding]] = {}
        with self.db.session() as s:
            rows = s.scalars(
                select(DocumentFlag)
                .where(DocumentFlag.course == course)
                .order_by(DocumentFlag.source, DocumentFlag.position, DocumentFlag.id)
            )
            for row in rows:
                flags.setdefault(row.source, []).append(Finding(row.heading, row.passage, row.pattern))
        return flags

    def delete_document(self, course: str, source: str) -> int:
        hashes = set(self.index.source_hashes(course).get(source, {}).values())
        removed = self.index.delete_source(course, source)
        with self.db.session() as s:
            hashes |= set(
                s.scalars(select(LibraryFile.file_hash).where(LibraryFile.course == course, LibraryFile.source == source))
            )
            s.execute(delete(LibraryFile).where(LibraryFile.course == course, LibraryFile.source == source))
            s.execute(delete(DocumentFlag).where(DocumentFlag.course == course, DocumentFlag.source == source))
            # An original is kept once per content; it goes when no course lists or indexes that content any more
            # (command-line ingestion keeps originals without a row).
            unused = [
                h
                for h in hashes
                if s.scalar(select(LibraryFile.id).where(LibraryFile.file_hash == h).limit(1)) is None
                and not self.index.holds_file(h)
            ]
        for file_hash in unused:
            path = self.pipeline.originals.find(file_hash)
            if path is not None:
                path.unlink(missing_ok=True)
        return removed

    def upload(
        self,
        course: str,
        files: list[tuple[str, bytes]],
        progress: EmbedProgress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> UploadReport:
        """Check, embed, then write ``files`` (name, bytes) into ``course``; see the module docstring."""
        report = UploadReport()
        stored = self.index.source_hashes(course)
        holders = content_holders(stored)
        prepared: list[PreparedFile] = []
        for name, data in files:
            source = document_name(name)
            try:
                kind = sniff(data, source, self.settings.max_file_bytes)
                refuse_data_file(source, data, kind)
                if holders.get(hashlib.sha256(data).hexdigest()) == source:  # the same file again: nothing to do
                    report.duplicates.append((source, source))
                    continue
                if any(p.source == source for p in prepared):
                    raise IngestError.of("admin_upload_name_twice", source=source, name=_shown(name))
                if source in stored and unicodedata.normalize("NFC", name) != source:
                    raise IngestError.of("admin_upload_name_taken", source=source, name=_shown(name))
                item = self.pipeline.prepare(data, source, course, _load_name(source, kind), holders=holders)
            except DuplicateContent as exc:
                report.duplicates.append((exc.source, exc.existing))
                continue
            except IngestError as exc:
                report.failures.append(exc)
                continue
            report.notices.extend(item.notices)
            prepared.append(item)
        stored_ids = {cid for hashes in stored.values() for cid in hashes}
        if not self.pipeline.embed(prepared, stored_ids, progress, cancelled):
            report.cancelled = True
            return report
        self._commit(course, prepared, stored, progress)
        report.indexed = [(p.source, len(p.chunks)) for p in prepared]
        report.flags = [(p.source, finding) for p in prepared for finding in p.flags]
        return report

    def reindex_course(
        self, course: str, progress: EmbedProgress | None = None, cancelled: Callable[[], bool] | None = None
    ) -> UploadReport:
        """Chunk and embed every document again (from its original when kept, else from its stored chunks)."""
        report = UploadReport()
        stored = self.index.source_hashes(course)
        prepared: list[PreparedFile] = []
        for source, hashes in sorted(stored.items()):
            file_hash = next(iter(hashes.values()), "")
            path = self.pipeline.originals.find(file_hash)
            if path is not None:
                data = path.read_bytes()
                prepared.append(
                    self.pipeline.prepare(data, source, course, _load_name(source, sniff(data, source, _NO_LIMIT)), _NO_LIMIT)
                )
            else:
                chunks, _ = self.index.get(sorted(hashes))
                prepared.append(PreparedFile(source, b"", file_hash, chunks))
        if self.pipeline.embed(prepared, progress=progress, cancelled=cancelled):  # nothing reused: every vector is new
            self._commit(course, prepared, stored, progress)
            report.indexed = [(p.source, len(p.chunks)) for p in prepared]
            report.flags = [(p.source, finding) for p in prepared for finding in p.flags]
        else:
            report.cancelled = True
        return report

    def _commit(self, course: str, prepared: list[PreparedFile], stored: dict, progress: EmbedProgress | None) -> None:
        """Write the embedded files into the index, then record each file whose original is kept, and its flags."""
        if progress:
            # Reported before writing: a page's progress call is where Streamlit stops a run, and from here
            # on nothing may stop it half-way.
            progress(1.0, "")
        self.pipeline.commit(course, prepared, stored)
        with self.db.session() as s:
            self._ensure_record(s, course)
            for p in prepared:
                if p.data:
                    s.execute(delete(LibraryFile).where(LibraryFile.course == course, LibraryFile.source == p.source))
                    s.add(LibraryFile(course=course, source=p.source, file_hash=p.file_hash, size=len(p.data)))
                    s.execute(delete(DocumentFlag).where(DocumentFlag.course == course, DocumentFlag.source == p.source))
                    s.add_all(
                        DocumentFlag(
                            course=course, source=p.source, heading=f.heading, passage=f.sentence, pattern=f.pattern, position=i
                        )
                        for i, f in enumerate(p.flags)
                    )
