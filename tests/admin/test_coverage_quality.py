"""Coverage on the sample course with the real e5 embedder, against hand labels; and the `coverage` CLI."""

import csv
import io
import json
import subprocess
import sys

import pytest
import yaml

from tests.support.paths import ROOT
from tutor_app.admin.coverage import build_coverage, score_against_labels
from tutor_app.core.config import load_settings

pytestmark = pytest.mark.slow
LABELS = yaml.safe_load((ROOT / "data" / "coverage_labels.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    from tutor_app.services import build_services

    home = tmp_path_factory.mktemp("coverage-home")
    services = build_services(load_settings(env={}, home=home))
    assert services.ingestor.ingest_paths([ROOT / LABELS["folder"]], LABELS["course"]).ok
    return home, services


def test_precision_and_recall_on_the_hand_labels(sample_home):
    _, services = sample_home
    report = build_coverage(services.index, None, LABELS["course"])
    scores = score_against_labels(report, LABELS)
    print(
        f"\ncoverage vs hand labels: precision {scores['precision']:.3f}, recall {scores['recall']:.3f}, "
        f"missed {scores['missed']}, wrong {scores['wrong']}"
    )
    assert scores["true_positive"] + scores["false_negative"] >= 40 and scores["true_negative"] + scores["false_positive"] >= 50
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.9
    assert report.gaps == []  # every objective of the sample course is taught by its own lesson
    own = [report.cell(o.id.rsplit("-", 1)[0], o.id) for o in report.objectives]
    assert all(c.chunk_ids for c in own)  # and each rating links to the passages behind it


def test_cli_prints_the_matrix_as_json_and_csv(sample_home):
    home, _ = sample_home
    run = lambda fmt: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tutor_app", "--home", str(home), "coverage", "--course", LABELS["course"], "--format", fmt],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    as_json = run("json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert len(data["lessons"]) == 8 and len(data["objectives"]) == 36 and len(data["cells"]) == 8 * 36
    rows = list(csv.DictReader(io.StringIO(run("csv").stdout)))
    assert len(rows) == 8 * 36 and rows[0].keys() >= {"lesson", "objective", "level", "score", "chunk_ids"}
    missing = subprocess.run(
        [sys.executable, "-m", "tutor_app", "--home", str(home), "coverage", "--course", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2 and "no indexed documents" in missing.stderr
