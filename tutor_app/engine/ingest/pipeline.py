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
not already stored) and its stale chunks deleted. ``prepare`` also records the
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
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from pathlib import Path

from tutor_app.core.config import Settings
from tutor_app.core.errors import IngestError
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
    notices: list[str] = field(default_factory=list)
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

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{self.changed_files} file(s) indexed, {self.unchanged_files} unchanged, {len(self.failed)} failed; "
            f"{self.added} chunk(s) added, {self.removed} removed."
        )


def collect_files(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, source name) pairs; source is relative to the folder given, or the file's name."""
    found: list[tuple[Path, str]] = []
    problems: list[str] = []
    taken: set[str] = set()
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = file.relative_to(path).as_posix()
                if file.suffix.lower() in SUPPORTED_SUFFIXES and not any(part.startswith(".") for part in relative.split("/")):
                    if relative in taken:  # two folders with the same layout: keep them apart
                        relative = f"{path.name}/{relative}"
                    taken.add(relative)
                    found.append((file, relative))
        elif path.is_file():
            found.append((path, path.name))
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
        files, problems = collect_files(paths)
        report = IngestReport(failed=problems)
        existing = self.index.source_hashes(course)
        for done, (file, source) in enumerate(files):
            if progress:
                progress(done, len(files), source)
            try:
                data = file.read_bytes()
            except OSError as exc:
                report.failed.append(f"{source}: cannot read ({exc.strerror}).")
                continue
            self._ingest_file(data, source, course, existing.get(source, {}), report)
        if progress:
            progress(len(files), len(files), "")
        return report

    def _ingest_file(self, data: bytes, source: str, course: str, stored: dict[str, str], report: IngestReport) -> None:
        """Index one file's bytes under ``source``, replacing its ``stored`` chunks; record the outcome in ``report``."""
        if stored and len(data) <= self.settings.max_file_bytes:
            file_hash = hashlib.sha256(data).hexdigest()
            if set(stored.values()) == {file_hash}:
                self.originals.keep(file_hash, data)  # a course indexed before originals were kept gets them now
                report.unchanged_files += 1
                return
        try:
            item = self.prepare(data, source, course)
        except IngestError as exc:
            report.failed.append(str(exc))
            return
        self.embed([item], reusable=stored, batch=None)
        removed = self.commit(course, [item], {source: stored})
        report.changed_files += 1
        report.added += item.embedded
        report.removed += removed
        report.notices.extend(item.notices)
        report.flags.extend((source, finding) for finding in item.flags)
        report.notices.extend(finding.notice(source) for finding in item.flags)

    # --- the three steps -------------------------------------------------
    def prepare(
        self, data: bytes, source: str, course: str, load_as: str | None = None, max_bytes: int | None = None
    ) -> PreparedFile:
        """Load and chunk one file; raises IngestError for a file that cannot be indexed.

        ``load_as`` is the name the loader sees (its extension picks the format; default: ``source``);
        ``max_bytes`` defaults to the configured file size limit."""
        max_bytes = self.settings.max_file_bytes if max_bytes is None else max_bytes
        doc = load_bytes(data, load_as or source, max_bytes)
        chunks = chunk_document(doc, course, source, self.settings.chunk_tokens, self.settings.chunk_overlap)
        if not chunks:
            raise IngestError(f"{source}: nothing to index after splitting.", "Check that the file has text content.")
        flags = find_instructions(doc.text, doc.title)
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
