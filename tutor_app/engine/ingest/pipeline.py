"""Ingestion: the one pipeline from a file's bytes to indexed chunks.

Three steps, shared by the command line and the administrator's course library:

- ``prepare`` loads and chunks one file; it does not touch the index.
- ``embed`` gives every prepared chunk its vector: a chunk whose id is already
  stored keeps its vector, the rest are embedded in batches, reporting progress
  and asking whether to stop between batches. Nothing is written, so a
  cancelled run leaves the index as it was.
- ``commit`` writes the chunks in one go and deletes their sources' stale
  chunks; if writing fails, what was written is removed again. It keeps each
  file's original bytes under TUTOR_HOME/library (once per content) so the
  course can be re-indexed from them later.

``Ingestor.ingest_paths`` runs the steps file by file and is idempotent by
content hash: a file whose bytes are unchanged is skipped without embedding or
writing to the index; a changed file gets its new chunks embedded (only those
not already stored) and its stale chunks deleted. Content is indexed once per
course, on every path (command line, course library, sample course): ``prepare``
given the course's ``content_holders`` refuses a file whose bytes another
document already holds (``DuplicateContent``, naming that document), and
``ingest_paths`` reports the copy as skipped. Files of a folder with an
unsupported type are listed in the report, not silently left out (hidden files,
whose names start with a dot, are). Document names go through
``document_name``: NFC, no control or invisible format characters, and no
path parts unless a folder's layout is kept. ``prepare`` also records the
sentences that look like instructions to an AI (``instructions``) as flags
with their section; they are still indexed, and ``ingest_paths`` reports each
one as a notice for an administrator to judge. A bad file is skipped with a
one-line reason; the rest go on, and the report says what failed. Progress is
reported through a callback so the CLI can draw a bar and a page a progress
widget. This module does not search, check uploads or keep database rows
(the course library does).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from pathlib import Path

from tutor_app.core.config import Settings
from tutor_app.core.errors import IngestError
from tutor_app.core.i18n import Notice
from tutor_app.core.schemas import Chunk
from tutor_app.engine.ingest.chunking import chunk_document
from tutor_app.engine.ingest.instructions import Finding, find_instructions
from tutor_app.engine.ingest.loaders import SUPPORTED_SUFFIXES, load_bytes
from tutor_app.engine.search.index import CourseIndex

FileProgress = Callable[[int, int, str], None]  # (done, total, current file)
EmbedProgress = Callable[[float, str], None]  # (fraction done 0..1, current source)
EMBED_BATCH = 8  # chunks per embedder call, so a caller can report progress and stop between calls


@dataclass
class PreparedFile:
    """One file loaded and chunked, not yet written; ``data`` is empty when it was rebuilt from stored chunks."""

    source: str
    data: bytes
    file_hash: str
    chunks: list[Chunk]
    notices: list[Notice] = field(default_factory=list)
    vectors: list = field(default_factory=list)  # one per chunk, filled by ``embed``
    embedded: int = 0  # chunks that needed a new vector (the others kept their stored one)
    flags: list[Finding] = field(default_factory=list)  # sentences that look like instructions to an AI


class Originals:
    """Ingested files' bytes under TUTOR_HOME/library, one file per content, named by its SHA-256."""

    def __init__(self, home: str | Path) -> None:
        self.folder = Path(home) / "library"

    def keep(self, file_hash: str, data: bytes) -> None:
        path = self.folder / file_hash[:2] / file_hash
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def find(self, file_hash: str) -> Path | None:
        path = self.folder / file_hash[:2] / file_hash if file_hash else None
        return path if path is not None and path.is_file() else None


@dataclass
class IngestReport:
    added: int = 0  # chunks written
    removed: int = 0  # stale chunks deleted
    unchanged_files: int = 0
    changed_files: int = 0
    failed: list[str] = field(default_factory=list)  # one line per bad file
    notices: list[str] = field(default_factory=list)
    flags: list[tuple[str, Finding]] = field(default_factory=list)  # (source, sentence that looks like an instruction)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (skipped source, document already holding its bytes)
    unsupported: list[str] = field(default_factory=list)  # files of a folder left out for their type

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        skipped = "".join(
            f", {count} {what}"
            for count, what in (
                (len(self.duplicates), "duplicate(s) skipped"),
                (len(self.unsupported), "unsupported file(s) left out"),
            )
            if count
        )
        return (
            f"{self.changed_files} file(s) indexed, {self.unchanged_files} unchanged, {len(self.failed)} failed{skipped}; "
            f"{self.added} chunk(s) added, {self.removed} removed."
        )


_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def document_name(name: str, folders: bool = False) -> str:
    """The name a document is stored under, whoever gives it: NFC, without control or invisible format characters
    (bidi overrides, zero-width and tag characters), and without path parts; with ``folders`` the relative folders
    are kept, minus empty, '.' and '..' parts. Names that look alike are then the same name."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = "".join(ch for ch in _NAME_CONTROLS.sub("", name) if unicodedata.category(ch) != "Cf")
    parts = [part.strip() for part in name.split("/")]
    parts = [part for part in parts if part and part not in (".", "..")]
    if not folders:
        parts = parts[-1:]
    return "/".join(parts) or "upload"


class DuplicateContent(IngestError):
    """The file's bytes are already indexed in the course, as ``existing``."""

    def __init__(self, source: str, existing: str) -> None:
        super().__init__(
            f"{source}: the same content as {existing}, already in this course; skipped.",
            f"Nothing to do if it is a copy; otherwise change {source} or delete {existing}.",
        )
        self.source, self.existing = source, existing


def content_holders(stored: dict[str, dict[str, str]], leaving: Container[str] = ()) -> dict[str, str]:
    """Each content (file SHA-256) a course holds and the document holding it, the first by name if several do.

    ``stored`` is the course's ``index.source_hashes``; sources in ``leaving`` are about to be indexed again,
    so their stored content does not count."""
    holders: dict[str, str] = {}
    for source in sorted(stored):
        if source not in leaving:
            for file_hash in stored[source].values():
                holders.setdefault(file_hash, source)
    return holders


def collect_files(paths: list[Path], unsupported: list[str] | None = None) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, source name) pairs; source is relative to the folder given, or the file's name (see ``document_name``).

    A folder's files of a type the loaders do not read are appended to ``unsupported``; hidden ones are not."""
    found: list[tuple[Path, str]] = []
    problems: list[str] = []
    taken: set[str] = set()
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = file.relative_to(path).as_posix()
                if any(part.startswith(".") for part in relative.split("/")):
                    continue
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    if unsupported is not None:
                        unsupported.append(str(file))
                    continue
                source = document_name(relative, folders=True)
                if source in taken:  # two folders with the same layout: keep them apart
                    source = document_name(f"{path.name}/{relative}", folders=True)
                count = 2
                while source in taken:  # names that differ only in invisible characters or normalisation
                    stem, dot, suffix = source.rpartition(".")
                    source, count = f"{stem} ({count}){dot}{suffix}", count + 1
                taken.add(source)
                found.append((file, source))
        elif path.is_file():
            found.append((path, document_name(path.name)))
        else:
            problems.append(f"{path}: no such file or folder.")
    return found, problems


class Ingestor:
    """The ingestion pipeline: ``prepare`` -> ``embed`` -> ``commit`` (see the module docstring)."""

    def __init__(self, settings: Settings, index: CourseIndex) -> None:
        self.settings = settings
        self.index = index
        self.originals = Originals(settings.home)

    def ingest_paths(self, paths: list[Path], course: str, progress: FileProgress | None = None) -> IngestReport:
        report = IngestReport()
        files, report.failed = collect_files(paths, report.unsupported)
        existing = self.index.source_hashes(course)
        holders = content_holders(existing, leaving=self._changing(files, existing))
        for done, (file, source) in enumerate(files):
            if progress:
                progress(done, len(files), source)
            try:
                data = file.read_bytes()
            except OSError as exc:
                report.failed.append(f"{source}: cannot read ({exc.strerror}).")
                continue
            self._ingest_file(data, source, course, existing.get(source, {}), report, holders)
        if progress:
            progress(len(files), len(files), "")
        return report

    @staticmethod
    def _changing(files: list[tuple[Path, str]], existing: dict[str, dict[str, str]]) -> set[str]:
        """The stored sources among ``files`` whose content changed (or cannot be read): what they held may go."""
        changing = set()
        for file, source in files:
            if source in existing:
                try:
                    file_hash = hashlib.sha256(file.read_bytes()).hexdigest()
                except OSError:
                    file_hash = ""
                if set(existing[source].values()) != {file_hash}:
                    changing.add(source)
        return changing

    def _ingest_file(
        self, data: bytes, source: str, course: str, stored: dict[str, str], report: IngestReport, holders: dict[str, str]
    ) -> None:
        """Index one file's bytes under ``source``, replacing its ``stored`` chunks; record the outcome in ``report``."""
        if stored and len(data) <= self.settings.max_file_bytes:
            file_hash = hashlib.sha256(data).hexdigest()
            if set(stored.values()) == {file_hash}:
                self.originals.keep(file_hash, data)  # a course indexed before originals were kept gets them now
                holders.setdefault(file_hash, source)
                report.unchanged_files += 1
                return
        try:
            item = self.prepare(data, source, course, holders=holders)
        except DuplicateContent as exc:
            report.duplicates.append((exc.source, exc.existing))
            return
        except IngestError as exc:
            report.failed.append(str(exc))
            return
        self.embed([item], reusable=stored, batch=None)
        removed = self.commit(course, [item], {source: stored})
        report.changed_files += 1
        report.added += item.embedded
        report.removed += removed
        report.notices.extend(str(notice) for notice in item.notices)
        report.flags.extend((source, finding) for finding in item.flags)
        report.notices.extend(finding.notice(source) for finding in item.flags)

    # --- the three steps -------------------------------------------------
    def prepare(
        self,
        data: bytes,
        source: str,
        course: str,
        load_as: str | None = None,
        max_bytes: int | None = None,
        holders: dict[str, str] | None = None,
    ) -> PreparedFile:
        """Load and chunk one file; raises IngestError for a file that cannot be indexed.

        ``load_as`` is the name the loader sees (its extension picks the format; default: ``source``);
        ``max_bytes`` defaults to the configured file size limit. With ``holders`` (``content_holders``), bytes
        another document already holds raise ``DuplicateContent``, and a prepared file is added to them, so the
        next copy in the same run is caught too."""
        max_bytes = self.settings.max_file_bytes if max_bytes is None else max_bytes
        file_hash = hashlib.sha256(data).hexdigest()
        if holders is not None and holders.get(file_hash, source) != source:
            raise DuplicateContent(source, holders[file_hash])
        doc = load_bytes(data, load_as or source, max_bytes)
        chunks = chunk_document(doc, course, source, self.settings.chunk_tokens, self.settings.chunk_overlap)
        if not chunks:
            raise IngestError.keyed("ingest_nothing_after_split", "ingest_fix_has_text", name=source)
        flags = find_instructions(doc.text, doc.title)
        if holders is not None:
            holders[file_hash] = source
        return PreparedFile(source, data, doc.file_hash, chunks, list(doc.notices), flags=flags)

    def embed(
        self,
        items: list[PreparedFile],
        reusable: Container[str] = (),
        progress: EmbedProgress | None = None,
        cancelled: Callable[[], bool] | None = None,
        batch: int | None = EMBED_BATCH,
    ) -> bool:
        """Fill every item's ``vectors``; False if ``cancelled`` said stop. Writes nothing.

        A chunk whose id is in ``reusable`` keeps its stored vector; the rest are embedded ``batch`` chunks per
        call (None: a file's chunks in one call). Before each call ``cancelled`` is asked, after it ``progress``
        gets the fraction done."""
        total = sum(len(item.chunks) for item in items) or 1
        done = 0
        if progress:
            progress(0.0, "")
        for item in items:
            reused_chunks, reused_vectors = self.index.get([c.id for c in item.chunks if c.id in reusable], with_embeddings=True)
            vectors = dict(zip([c.id for c in reused_chunks], reused_vectors))
            fresh = [c for c in item.chunks if c.id not in vectors]
            item.embedded = len(fresh)
            done += len(item.chunks) - len(fresh)
            step = batch or len(fresh) or 1
            for start in range(0, len(fresh), step):
                if cancelled and cancelled():
                    return False
                part = fresh[start : start + step]
                vectors.update(zip([c.id for c in part], self.index.embedder([c.embedding_text() for c in part])))
                done += len(part)
                if progress:
                    progress(min(done / total, 0.99), item.source)
            item.vectors = [vectors[c.id] for c in item.chunks]
        return not (cancelled and cancelled())

    def commit(self, course: str, items: list[PreparedFile], stored: dict[str, dict[str, str]]) -> int:
        """Write the embedded ``items`` and delete their sources' stale chunks; returns how many were deleted.

        ``stored`` is the course's ``index.source_hashes`` read before preparing. If writing fails, the chunks
        it added are removed again, so nothing is left half-indexed. Items with bytes keep their original."""
        chunks = [c for item in items for c in item.chunks]
        new_ids = {c.id for c in chunks}
        old_ids = {cid for item in items for cid in stored.get(item.source, {})}
        try:
            self.index.upsert(chunks, [v for item in items for v in item.vectors])
        except BaseException:
            self.index.delete(sorted(new_ids - old_ids))  # chunk ids name their course and source: these were new
            raise
        stale = sorted(old_ids - new_ids)
        self.index.delete(stale)
        for item in items:
            if item.data:
                self.originals.keep(item.file_hash, item.data)
        return len(stale)
