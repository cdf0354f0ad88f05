"""The sample course indexed in the background on a new TUTOR_HOME, once, and never over a library in use."""

from __future__ import annotations

import time

import pytest

from tutor_app.engine.ingest import sample_course
from tutor_app.engine.ingest.sample_course import SAMPLE_COURSE, SampleIngest, marker_file


def wait_until_finished(job: SampleIngest, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not job.running, "the background ingestion did not finish"


@pytest.fixture
def small_sample(tmp_path, monkeypatch):
    folder = tmp_path / "sample"
    for n in range(3):
        (folder / "en").mkdir(parents=True, exist_ok=True)
        (folder / "en" / f"lesson-{n}.md").write_text(f"# Lesson {n}\n\n## Part\n\nTokens and prompts, part {n}.\n")
    monkeypatch.setattr(sample_course, "SAMPLE_FOLDER", folder)
    return folder


def test_an_empty_index_gets_the_sample_course_in_the_background(fake_services, small_sample):
    settings = fake_services.settings.model_copy(update={"sample_course": True})
    job = SampleIngest()
    seen: list[tuple[int, int]] = []
    original = job._progress
    job._progress = lambda done, total, current: (seen.append((done, total)), original(done, total, current))

    assert job.start_if_needed(settings, fake_services.ingestor, list(fake_services.index.courses())) is True
    assert job.state in ("running", "done")
    wait_until_finished(job)

    assert job.state == "done", job.error
    assert fake_services.index.courses()[SAMPLE_COURSE] == 3
    assert seen[0] == (0, 3) and seen[-1] == (3, 3) and job.fraction == 1.0
    assert marker_file(settings).exists()
    # Decided once per process: a second call does nothing.
    assert job.start_if_needed(settings, fake_services.ingestor, []) is False


@pytest.mark.parametrize("why", ["courses exist", "offered before", "switched off"])
def test_no_sample_over_a_library_in_use_or_when_switched_off(fake_services, small_sample, why):
    settings = fake_services.settings.model_copy(update={"sample_course": why != "switched off"})
    courses = ["physics"] if why == "courses exist" else []
    if why == "offered before":  # the administrator deleted every course after the first start
        marker_file(settings).parent.mkdir(parents=True, exist_ok=True)
        marker_file(settings).write_text(SAMPLE_COURSE)

    job = SampleIngest()
    assert job.start_if_needed(settings, fake_services.ingestor, courses) is False
    assert job.state == "skipped"
    assert not fake_services.index.courses()


def test_a_failure_is_reported_not_raised(fake_services, small_sample, monkeypatch):
    from tutor_app.core.errors import TutorError

    def broken(*args, **kwargs):
        raise TutorError("The index folder is read-only.", "Make TUTOR_HOME writable.")

    monkeypatch.setattr(fake_services.ingestor, "ingest_paths", broken)
    settings = fake_services.settings.model_copy(update={"sample_course": True})
    job = SampleIngest()
    job.start_if_needed(settings, fake_services.ingestor, [])
    wait_until_finished(job)
    assert job.state == "failed" and "read-only" in job.error
    assert not marker_file(settings).exists()  # offered again on the next start


def test_a_duplicate_in_the_sample_folder_is_indexed_once(fake_services, small_sample):
    (small_sample / "zh").mkdir()
    (small_sample / "zh" / "copy.md").write_bytes((small_sample / "en" / "lesson-1.md").read_bytes())
    (small_sample / "notes.csv").write_text("a,b\n1,2\n")
    settings = fake_services.settings.model_copy(update={"sample_course": True})
    job = SampleIngest()
    assert job.start_if_needed(settings, fake_services.ingestor, []) is True
    wait_until_finished(job)
    assert job.state == "done" and job.report.duplicates == [("zh/copy.md", "en/lesson-1.md")]
    assert job.report.unsupported == [str(small_sample / "notes.csv")]
    sources = {c.source for chunks in fake_services.index.iter_chunks() for c in chunks}
    assert sources == {f"en/lesson-{n}.md" for n in range(3)}
