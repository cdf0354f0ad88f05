"""The bundled sample course, indexed in the background on a new TUTOR_HOME.

The first app start on an empty index would otherwise wait a minute for the
e5 embedder before it could answer its health check. Instead one daemon thread
per process ingests ``data/course`` as ``genai-beginners`` while the pages
already work, and reports its progress for the library and tutor pages to show.
A marker file in TUTOR_HOME records that the sample was offered once, so a
course library the administrator emptied on purpose is not filled again.
This module does not draw anything; ``ui`` does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from tutor_app.core.config import PROJECT_ROOT, Settings
from tutor_app.core.errors import TutorError
from tutor_app.engine.ingest.pipeline import Ingestor, IngestReport

SAMPLE_COURSE = "genai-beginners"
SAMPLE_FOLDER = PROJECT_ROOT / "data" / "course"


def marker_file(settings: Settings) -> Path:
    return Path(settings.home) / "sample-course-indexed"


@dataclass
class SampleIngest:
    """Progress of the background ingestion; read by pages, written by its thread."""

    state: str = "idle"  # idle | skipped | running | done | failed
    done: int = 0
    total: int = 0
    current: str = ""
    error: str = ""
    report: IngestReport | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def running(self) -> bool:
        return self.state == "running"

    def start_if_needed(self, settings: Settings, ingestor: Ingestor, courses: list[str]) -> bool:
        """Start the thread when the index has no course and the sample was never offered; True if started.

        Decided once per process: later calls return at once."""
        with self._lock:
            if self.state != "idle":
                return False
            if not settings.sample_course or courses or marker_file(settings).exists() or not SAMPLE_FOLDER.is_dir():
                self.state = "skipped"
                return False
            self.state = "running"
        threading.Thread(target=self._run, args=(settings, ingestor), name="sample-course-ingest", daemon=True).start()
        return True

    def _progress(self, done: int, total: int, current: str) -> None:
        self.done, self.total, self.current = done, total, current

    def _run(self, settings: Settings, ingestor: Ingestor) -> None:
        try:
            self.report = ingestor.ingest_paths([SAMPLE_FOLDER], SAMPLE_COURSE, self._progress)
            marker_file(settings).parent.mkdir(parents=True, exist_ok=True)
            marker_file(settings).write_text(SAMPLE_COURSE + "\n", encoding="utf-8")
            self.state = "done"
        except (TutorError, OSError) as exc:
            self.error = str(exc)
            self.state = "failed"
