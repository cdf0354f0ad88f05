"""The course library: create, rename and delete courses; upload, list, delete and re-index documents.

Uploads are checked before anything is read: size limit, empty file, and the
content's own type (PDF, HTML or text are sniffed from the bytes; images,
archives and programs are refused whatever their extension says). A file whose
bytes are already in the course is recognised by its SHA-256 and skipped.

Ingesting is two-phase so that a cancelled or failed upload leaves nothing
half-indexed: first every file is loaded, chunked and embedded (reporting
progress, checking for cancellation between batches), and only then are all
chunks written in one go; if writing fails, what was written is removed again.
Originals are kept under TUTOR_HOME/library so a course can be re-indexed.

A deleted course keeps its row (with ``deleted_at``) so learners who chatted
about it can be told. This module does not render anything; pages do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Callable

from sqlalchemy import delete, select, update

from tutor_app.engine.ingest.chunking import chunk_document
from tutor_app.core.errors import IngestError, InputError
from tutor_app.engine.ingest.loaders import SUPPORTED_SUFFIXES, decode_text, load_bytes
from tutor_app.core.schemas import Chunk
from tutor_app.core.database import Conversation, CourseRecord, CurriculumObjective, Database, LibraryFile, utcnow

Progress = Callable[[float, str], None]  # (fraction done 0..1, what is happening)
_EMBED_BATCH = 8
_NAME = re.compile(r"^[\w][\w .\-]{0,79}$", re.UNICODE)
_MAGIC = [
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive (or a .docx/.pptx file)"),
    (b"\x7fELF", "a program"), (b"MZ", "a Windows program"), (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"), (b"RIFF", "a media file"),
]


class Cancelled(Exception):
    """The administrator cancelled an upload; nothing was written."""


@dataclass
class CourseSummary:
    name: str
    documents: int
    chunks: int


@dataclass
class UploadReport:
    indexed: list[tuple[str, int]] = field(default_factory=list)  # (source, chunks)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uploaded name, document already holding the bytes)
    failed: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    cancelled: bool = False


@dataclass
class _Prepared:
    source: str
    data: bytes
    file_hash: str
    chunks: list[Chunk]
    vectors: list = field(default_factory=list)


def sniff(data: bytes, name: str, max_bytes: int) -> str:
    """The file's real kind ('pdf', 'html' or 'text') from its bytes; raises IngestError for anything unusable."""
    if not data:
        raise IngestError(f"{name}: the file is empty (0 bytes).", "Choose the file again; it may not have finished saving.")
    if len(data) > max_bytes:
        raise IngestError(f"{name}: {len(data) / 1048576:.2f} MB is over the {max_bytes / 1048576:g} MB limit.",
                          "Split the file, or ask the operator to raise TUTOR_MAX_FILE_MB.")
    if data.startswith(b"%PDF-"):
        return "pdf"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{name}: this is {what}, not a course document.", "Upload Markdown, text, HTML or PDF.")
    text, _ = decode_text(data, name)
    return "html" if re.match(r"\s*(<!doctype html|<html)", text, re.I) else "text"


def _load_name(source: str, kind: str) -> str:
    """The name the loader sees: the content decides the type, not the extension."""
    suffix = PurePath(source).suffix.lower()
    fits = {"pdf": {".pdf"}, "html": {".html", ".htm"}, "text": SUPPORTED_SUFFIXES - {".pdf"}}[kind]
    return source if suffix in fits else source + {"pdf": ".pdf", "html": ".html", "text": ".md"}[kind]


def removed_courses_for(db: Database, user_id: int) -> list[str]:
    """Deleted courses the user has conversations about (so the app can tell them)."""
    with db.session() as s:
        query = (select(CourseRecord.name).join(Conversation, Conversation.course == CourseRecord.name)
                 .where(Conversation.user_id == user_id, CourseRecord.deleted_at.is_not(None)).distinct())
        return sorted(s.scalars(query))


class Library:
    def __init__(self, settings, db: Database, index) -> None:
        self.settings = settings
        self.db = db
        self.index = index
        self.originals = Path(settings.home) / "library"

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
            raise InputError(f"'{name}' is not a usable course name.",
                             "Use 1-80 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.")
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
            s.execute(update(CurriculumObjective).where(CurriculumObjective.course == old).values(course=new))
            s.execute(update(Conversation).where(Conversation.course == old).values(course=new))  # chats follow the course
        return new

    def delete_course(self, name: str) -> int:
        """Delete the course's chunks, files and objectives; returns how many conversations were about it."""
        self.index.delete_course(name)
        with self.db.session() as s:
            s.execute(delete(LibraryFile).where(LibraryFile.course == name))
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

    def delete_document(self, course: str, source: str) -> int:
        removed = self.index.delete_source(course, source)
        with self.db.session() as s:
            hashes = set(s.scalars(select(LibraryFile.file_hash).where(LibraryFile.course == course,
                                                                      LibraryFile.source == source)))
            s.execute(delete(LibraryFile).where(LibraryFile.course == course, LibraryFile.source == source))
            # An original is kept once per content; it goes when no course lists that content any more.
            unused = [h for h in hashes if s.scalar(select(LibraryFile.id).where(LibraryFile.file_hash == h).limit(1)) is None]
        for file_hash in unused:
            path = self._original(file_hash)
            if path is not None:
                path.unlink(missing_ok=True)
        return removed

    def upload(self, course: str, files: list[tuple[str, bytes]], progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> UploadReport:
        """Check, embed, then write ``files`` (name, bytes) into ``course``; see the module docstring."""
        report = UploadReport()
        stored = self.index.source_hashes(course)
        by_hash = {h: source for source, hashes in stored.items() for h in set(hashes.values())}
        prepared: list[_Prepared] = []
        for name, data in files:
            source = PurePath(name.replace("\\", "/")).name or "upload"
            try:
                kind = sniff(data, source, self.settings.max_file_bytes)
                file_hash = hashlib.sha256(data).hexdigest()
                if file_hash in by_hash:
                    report.duplicates.append((source, by_hash[file_hash]))
                    continue
                doc = load_bytes(data, _load_name(source, kind), self.settings.max_file_bytes)
                chunks = chunk_document(doc, course, source, self.settings.chunk_tokens, self.settings.chunk_overlap)
                if not chunks:
                    raise IngestError(f"{source}: nothing to index after splitting.", "Check that the file has text content.")
            except IngestError as exc:
                report.failed.append(str(exc))
                continue
            by_hash[file_hash] = source
            report.notices.extend(doc.notices)
            prepared.append(_Prepared(source, data, file_hash, chunks))
        self._embed(prepared, progress, cancelled, report)
        if report.cancelled:
            return report
        self._write(course, prepared, stored, progress)
        report.indexed = [(p.source, len(p.chunks)) for p in prepared]
        return report

    def reindex_course(self, course: str, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> UploadReport:
        """Chunk and embed every document again (from its original when kept, else from its stored chunks)."""
        report = UploadReport()
        stored = self.index.source_hashes(course)
        with self.db.session() as s:
            originals = {f.source: f.file_hash for f in s.scalars(select(LibraryFile).where(LibraryFile.course == course))}
        prepared: list[_Prepared] = []
        for source, hashes in sorted(stored.items()):
            path = self._original(originals.get(source, ""))
            if path is not None:
                data = path.read_bytes()
                doc = load_bytes(data, _load_name(source, sniff(data, source, 1 << 40)), 1 << 40)
                chunks = chunk_document(doc, course, source, self.settings.chunk_tokens, self.settings.chunk_overlap)
                prepared.append(_Prepared(source, data, doc.file_hash, chunks))
            else:
                chunks, _ = self.index.get(sorted(hashes))
                prepared.append(_Prepared(source, b"", next(iter(hashes.values()), ""), chunks))
        self._embed(prepared, progress, cancelled, report, reuse=False)
        if not report.cancelled:
            self._write(course, prepared, stored, progress)
            report.indexed = [(p.source, len(p.chunks)) for p in prepared]
        return report

    # --- the two phases --------------------------------------------------
    def _embed(self, prepared: list[_Prepared], progress, cancelled, report: UploadReport, reuse: bool = True) -> None:
        known = set(self.index.all_ids()) if reuse else set()
        total = sum(len(p.chunks) for p in prepared) or 1
        done = 0
        if progress:
            progress(0.0, "")
        for item in prepared:
            reused_chunks, reused_vectors = self.index.get([c.id for c in item.chunks if c.id in known], with_embeddings=True)
            vectors = dict(zip([c.id for c in reused_chunks], reused_vectors))
            fresh = [c for c in item.chunks if c.id not in vectors]
            done += len(item.chunks) - len(fresh)
            for start in range(0, len(fresh), _EMBED_BATCH):
                if cancelled and cancelled():
                    report.cancelled = True
                    return
                batch = fresh[start:start + _EMBED_BATCH]
                vectors.update(zip([c.id for c in batch], self.index.embedder([c.embedding_text() for c in batch])))
                done += len(batch)
                if progress:
                    progress(min(done / total, 0.99), item.source)
            item.vectors = [vectors[c.id] for c in item.chunks]
        if cancelled and cancelled():
            report.cancelled = True

    def _write(self, course: str, prepared: list[_Prepared], stored: dict, progress) -> None:
        if progress:
            # Reported before writing: a page's progress call is where Streamlit stops a run, and from here
            # on nothing may stop it half-way.
            progress(1.0, "")
        chunks = [c for p in prepared for c in p.chunks]
        before = set(self.index.all_ids())
        try:
            self.index.upsert(chunks, [v for p in prepared for v in p.vectors])
        except BaseException:
            self.index.delete(sorted({c.id for c in chunks} - before))  # leave nothing half-indexed
            raise
        new_ids = {c.id for c in chunks}
        self.index.delete(sorted({cid for p in prepared for cid in stored.get(p.source, {})} - new_ids))
        with self.db.session() as s:
            self._ensure_record(s, course)
            for p in prepared:
                if p.data:
                    self._keep(p)
                    s.execute(delete(LibraryFile).where(LibraryFile.course == course, LibraryFile.source == p.source))
                    s.add(LibraryFile(course=course, source=p.source, file_hash=p.file_hash, size=len(p.data)))

    def _keep(self, item: _Prepared) -> None:
        path = self.originals / item.file_hash[:2] / item.file_hash
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.data)

    def _original(self, file_hash: str) -> Path | None:
        path = self.originals / file_hash[:2] / file_hash if file_hash else None
        return path if path is not None and path.is_file() else None
