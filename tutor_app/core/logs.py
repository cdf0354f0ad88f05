"""Log files under ``TUTOR_HOME/logs``: one JSON object a line, rotated by size.

``setup_model_log(home)`` sends what the model layer's loggers (``tutor_app.engine.models.*``)
record at INFO and above to ``logs/models.jsonl``; the composition root calls it once per set of
services, and a second call for the same home changes nothing. Each line carries the time, level,
logger and message, plus the ``fields`` dict a caller passes as ``extra={"fields": {...}}``. No
traceback is written, so only what a caller chose to record (and cleaned of secrets) reaches the
file. The folder and file appear with the first record. Records still reach the root logger too.
This module does not decide what is logged; ``engine.models.chat`` does.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

MODEL_LOGGER = "tutor_app.engine.models"
MODEL_LOG = "models.jsonl"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5  # models.jsonl.1 ... .5: at most 30 MB in all

_lock = threading.Lock()


class JsonLines(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        return json.dumps(line, ensure_ascii=False, default=str)


class _LogFile(RotatingFileHandler):
    """A rotating file whose folder is made when the first record is written."""

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def setup_model_log(home: Path | str) -> Path:
    """Write the model layer's records to ``home/logs/models.jsonl``; returns that path.

    One handler at a time: a call with another home (tests, a second app) moves the log there.
    """
    path = (Path(home) / "logs" / MODEL_LOG).resolve()
    logger = logging.getLogger(MODEL_LOGGER)
    with _lock:
        current = [h for h in logger.handlers if isinstance(h, _LogFile)]
        if any(Path(h.baseFilename) == path for h in current):
            return path
        for handler in current:
            logger.removeHandler(handler)
            handler.close()
        handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
        handler.setFormatter(JsonLines())
        handler.setLevel(logging.INFO)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    return path
