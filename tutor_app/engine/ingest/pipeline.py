"""Ingestion: files and folders -> loaded documents -> chunks -> index.

Idempotent by content hash: a file whose bytes are unchanged is skipped
without embedding or writing anything; a changed file gets its new chunks
embedded (only those not already stored) and its stale chunks deleted. A bad
file is skipped with a one-line reason; the rest go on, and the report says
what failed. Progress is reported through a callback so the CLI can draw a bar
and a page a progress widget. This module does not search.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tutor_app.engine.ingest.chunking import chunk_document
from tutor_app.core.config import Settings
from tutor_app.core.errors import IngestError, TutorError
from tutor_app.engine.search.index import CourseIndex
from tutor_app.engine.ingest.loaders import SUPPORTED_SUFFIXES, load_bytes

Progress = Callable[[int, int, str], None]  # (done, total, current file)


@dataclass
class IngestReport:
    added: int = 0  # chunks written
    removed: int = 0  # stale chunks deleted
    unchanged_files: int = 0
    changed_files: int = 0
    failed: list[str] = field(default_factory=list)  # one line per bad file
    notices: list[str] = field(default_factory=list)

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
    def __init__(self, settings: Settings, index: CourseIndex) -> None:
        self.settings = settings
        self.index = index

    def ingest_paths(self, paths: list[Path], course: str, progress: Progress | None = None) -> IngestReport:
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
            self.ingest_bytes(data, source, course, report, existing.get(source, {}))
        if progress:
            progress(len(files), len(files), "")
        return report

    def ingest_bytes(self, data: bytes, source: str, course: str, report: IngestReport, stored: dict[str, str] | None = None) -> None:
        """Index one file's bytes under ``source``; record the outcome in ``report``."""
        if stored is None:
            stored = self.index.source_hashes(course).get(source, {})
        try:
            if stored and len(data) <= self.settings.max_file_bytes:
                if set(stored.values()) == {hashlib.sha256(data).hexdigest()}:
                    report.unchanged_files += 1
                    return
            doc = load_bytes(data, source, self.settings.max_file_bytes)
            chunks = chunk_document(doc, course, source, self.settings.chunk_tokens, self.settings.chunk_overlap)
            if not chunks:
                raise IngestError(f"{source}: nothing to index after splitting.", "Check that the file has text content.")
            # Chunks whose text is unchanged keep their ids and vectors; they only need the new file hash.
            kept_chunks, kept_vectors = self.index.get([c.id for c in chunks if c.id in stored], with_embeddings=True)
            kept_ids = {c.id for c in kept_chunks}
            fresh = [c for c in chunks if c.id not in kept_ids]
            vectors = list(self.index.embedder([c.embedding_text() for c in fresh])) if fresh else []
            by_id = {c.id: c for c in chunks}
            self.index.upsert(fresh + [by_id[c.id] for c in kept_chunks], vectors + list(kept_vectors))
            stale = sorted(set(stored) - {c.id for c in chunks})
            self.index.delete(stale)
        except IngestError as exc:
            report.failed.append(str(exc))
            return
        except TutorError:
            raise  # the index itself is unusable: stop, do not skip every file
        report.changed_files += 1
        report.added += len(fresh)
        report.removed += len(stale)
        report.notices.extend(doc.notices)

    def remove_source(self, course: str, source: str) -> int:
        ids = list(self.index.source_hashes(course).get(source, {}))
        self.index.delete(ids)
        return len(ids)
