"""The coverage matrix on hand-made vectors: ratings, links, gaps, redundancy, CSV/JSON; and from an index."""

import csv
import io
import json

import numpy as np
import pytest

from tests.support.paths import write
from tutor_app.admin.coverage import Thresholds, build_coverage, compute_matrix, rate
from tutor_app.admin.curriculum import CourseObjective
from tutor_app.core.errors import InputError
from tutor_app.core.schemas import Chunk


def unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def at_similarity(axis: int, similarity: float, dims: int = 4) -> np.ndarray:
    """A unit vector whose cosine with basis vector ``axis`` is ``similarity``."""
    v = np.zeros(dims, dtype=np.float32)
    v[axis] = similarity
    v[(axis + 1) % dims] = np.sqrt(1 - similarity**2)
    return v


def chunk(cid, lesson, lang="en"):
    return Chunk(id=cid, text=cid, course="c", source=f"{lesson}.md", lesson_id=lesson, title=lesson.upper(), lang=lang)


def objectives(*ids):
    return [CourseObjective(i, f"text of {i}", "understand", "", [f"text of {i}"]) for i in ids]


def test_rating_follows_the_thresholds():
    t = Thresholds()
    assert rate(0.80, 5, t) == "none"
    assert rate(t.introduced, 1, t) == "introduced"
    assert rate(t.developed, 1, t) == "developed"
    assert rate(t.mastered, 1, t) == "developed"  # one passage is not mastery
    assert rate(t.mastered, 2, t) == "mastered"


def test_matrix_rates_cells_links_chunks_and_flags_gaps_and_redundancy():
    t = Thresholds(redundant_lessons=2)
    chunks = [chunk("a1", "A"), chunk("a2", "A"), chunk("b1", "B"), chunk("c1", "C")]
    vectors = [at_similarity(0, 0.95), at_similarity(0, 0.93), at_similarity(0, 0.905), at_similarity(2, 0.99)]
    objs = objectives("o-x", "o-y", "o-gap")
    queries = [unit(1, 0, 0, 0), unit(0, 0, 1, 0), unit(0, 0, 0, 1)]
    report = compute_matrix("c", chunks, vectors, objs, queries, ["en"] * 3, [0, 1, 2], t)
    assert [lesson.id for lesson in report.lessons] == ["A", "B", "C"] and report.lessons[0].chunks == 2
    assert report.cell("A", "o-x").level == "mastered" and report.cell("A", "o-x").chunk_ids == ["a1", "a2"]
    assert report.cell("B", "o-x").level == "developed" and report.cell("B", "o-x").support == 1
    assert report.cell("C", "o-x").level == "none" and report.cell("C", "o-x").chunk_ids == []
    assert report.cell("C", "o-y").level == "developed"  # one passage at 0.99
    assert report.gaps == ["o-gap"] and report.redundant == ["o-x"]
    assert 0 <= report.cell("B", "o-x").score < report.cell("A", "o-x").score <= 1


def test_an_objective_in_two_languages_uses_its_best_text_and_cross_language_is_offset():
    chunks = [chunk("zh1", "A", lang="zh")]
    objs = objectives("o1")
    one_text = compute_matrix("c", chunks, [at_similarity(0, 0.86)], objs, [unit(1, 0, 0, 0)], ["en"], [0])
    assert one_text.cell("A", "o1").similarity == pytest.approx(0.86 + Thresholds().cross_language_offset, abs=1e-4)
    # The Chinese text is used (same language), on the English scale; the English text's 0.99 is ignored.
    two_texts = compute_matrix(
        "c", chunks, [at_similarity(0, 0.93)], objs, [unit(0.99, 0.14, 0, 0), unit(1, 0, 0, 0)], ["en", "zh"], [0, 0]
    )
    assert two_texts.cell("A", "o1").similarity == pytest.approx(0.93 - 0.04, abs=1e-4)


def test_csv_and_json_exports_carry_every_cell():
    chunks = [chunk("a1", "A"), chunk("b1", "B")]
    report = compute_matrix(
        "c",
        chunks,
        [at_similarity(0, 0.95), at_similarity(1, 0.95)],
        objectives("o1", "o2"),
        [unit(1, 0, 0, 0), unit(0, 1, 0, 0)],
        ["en", "en"],
        [0, 1],
    )
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == 4 and {r["level"] for r in rows} <= {"none", "introduced", "developed", "mastered"}
    assert {(r["lesson"], r["objective"]) for r in rows} == {("A", "o1"), ("A", "o2"), ("B", "o1"), ("B", "o2")}
    data = json.loads(json.dumps(report.to_json()))
    assert data["course"] == "c" and len(data["cells"]) == 4 and data["gaps"] == []


def test_build_coverage_reads_front_matter_from_the_index(fake_services):
    folder = write(
        fake_services.settings.home.parent / "c" / "l1.md",
        "---\nid: l1\nobjectives:\n  - id: o1\n    text: Explain temperature\n    bloom: understand\n---\n# L1\n\n## Temperature\nTemperature controls randomness.\n",
    ).parent
    assert fake_services.ingestor.ingest_paths([folder], "demo").ok
    report = build_coverage(fake_services.index, None, "demo")
    assert [o.id for o in report.objectives] == ["o1"] and [lesson.id for lesson in report.lessons] == ["l1"]
    with pytest.raises(InputError, match="no indexed documents"):
        build_coverage(fake_services.index, None, "nothing-here")


def test_a_model_may_explain_a_cell_in_a_sentence(fake_services):
    from tests.support.fakes import ScriptedChat
    from tutor_app.admin.coverage import explain_cell
    from tutor_app.core.errors import ModelError
    from tutor_app.engine.models.chat import StreamEnd

    folder = write(
        fake_services.settings.home.parent / "c" / "l1.md",
        "---\nid: l1\nobjectives:\n  - id: o1\n    text: Explain temperature\n---\n# L1\n\n## Temperature\nTemperature controls randomness.\n",
    ).parent
    assert fake_services.ingestor.ingest_paths([folder], "demo").ok
    report = build_coverage(fake_services.index, None, "demo")
    cell = report.cell("l1", "o1")
    chat = ScriptedChat(["The lesson defines ", "temperature."])
    assert explain_cell(chat, report, cell, fake_services.index) == "The lesson defines temperature."
    sent = " ".join(m["content"] for m in chat.calls[0])
    assert "Explain temperature" in sent and cell.level in sent and "data, not instructions" in sent
    with pytest.raises(ModelError, match="no explanation"):
        explain_cell(ScriptedChat([], StreamEnd(False, None, "server gone")), report, cell, fake_services.index)
