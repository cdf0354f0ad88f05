"""Shared set-up for the benchmarks: a bench index of the sample course and the shared samples.

The index lives in a cache folder (not the repo) and is reused across runs;
ingestion is idempotent, so a rerun only pays for files that changed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor_app.core.config import load_settings  # noqa: E402
from tutor_app.services import build_services  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "course-samples"
BENCH_HOME = Path(os.environ.get("TUTOR_BENCH_HOME", Path.home() / ".cache" / "open-tutor" / "bench-home-v2"))


def bench_services(**overrides):
    settings = load_settings(env={}, home=BENCH_HOME, **overrides)
    services = build_services(settings)
    services.ingestor.ingest_paths([ROOT / "data" / "course"], "genai-beginners")
    if SAMPLES.is_dir():
        services.ingestor.ingest_paths([SAMPLES / "en", SAMPLES / "zh"], "course-samples")
    return services


def load_questions(*names: str) -> list[dict]:
    out: list[dict] = []
    for name in names:
        path = ROOT / "data" / "questions" / name
        if path.exists():
            out.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out
