"""The model log: JSON lines under TUTOR_HOME/logs, one handler at a time, nothing written before a record."""

from __future__ import annotations

import json
import logging

from tutor_app.core.logs import MODEL_LOGGER, setup_model_log


def _handlers():
    return [h for h in logging.getLogger(MODEL_LOGGER).handlers if type(h).__name__ == "_LogFile"]


def test_records_of_the_model_loggers_become_json_lines(tmp_path):
    path = setup_model_log(tmp_path / "home")
    assert path == (tmp_path / "home" / "logs" / "models.jsonl").resolve()
    assert not path.parent.exists(), "nothing is created before the first record"

    logging.getLogger(MODEL_LOGGER + ".chat").warning("it failed", extra={"fields": {"kind": "timeout", "latency_s": 1.5}})
    for handler in _handlers():
        handler.flush()

    line = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == MODEL_LOGGER + ".chat" and line["message"] == "it failed"
    assert line["kind"] == "timeout" and line["latency_s"] == 1.5 and line["time"].endswith("+00:00")


def test_a_second_call_keeps_one_handler_and_another_home_moves_it(tmp_path):
    first = setup_model_log(tmp_path / "a")
    setup_model_log(tmp_path / "a")
    assert [h.baseFilename for h in _handlers()] == [str(first)]
    second = setup_model_log(tmp_path / "b")
    assert [h.baseFilename for h in _handlers()] == [str(second)]
