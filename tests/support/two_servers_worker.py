"""One app server for the two-server test: builds the services once, then answers requests on stdin.

Run as ``python -m tests.support.two_servers_worker`` with ``TUTOR_HOME``, ``TUTOR_CHROMA_URL`` and
``TUTOR_DATABASE_URL`` set; settings come from ``load_settings()`` as in the app. Each request is one JSON
line, each answer one JSON line on stdout (everything else the libraries print goes to stderr):

- ``{"op": "search", "query": ..., "mode": "lexical" | "dense", "course": ...}``: the hits (source, course,
  text), both indexes' counts and the course names, the way a page's search would see them;
- ``{"op": "upload", "course": ..., "name": ..., "text": ...}`` and ``{"op": "delete", "course": ...,
  "source": ...}``: through the library, as the administrator's library page does (index and app database).

It does not start Streamlit or a language model.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr  # only answers go to the real stdout
    from tutor_app.admin.library import Library
    from tutor_app.core.config import load_settings
    from tutor_app.core.database import default_database_url, open_database
    from tutor_app.services import build_services

    settings = load_settings()
    services = build_services(settings)
    library = Library(settings, open_database(default_database_url(settings)), services.index)
    answers.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = _handle(request, services, library)
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")


def _handle(request: dict, services, library) -> dict:
    op = request["op"]
    if op == "search":
        started = time.perf_counter()
        result = services.retriever.search(request["query"], k=5, course=request.get("course"), mode=request["mode"])
        seconds = time.perf_counter() - started
        return {
            "hits": [{"source": h.chunk.source, "course": h.chunk.course, "text": h.chunk.text} for h in result.hits],
            "seconds": seconds,
            "chroma": services.index.count(),
            "keyword": services.index.lexical.count(),
            "courses": library.course_names(),
        }
    if op == "upload":
        report = library.upload(request["course"], [(request["name"], request["text"].encode("utf-8"))])
        return {"indexed": report.indexed, "failed": report.failed, "chroma": services.index.count()}
    if op == "delete":
        return {"removed": library.delete_document(request["course"], request["source"]), "chroma": services.index.count()}
    raise ValueError(f"unknown op {op!r}")


if __name__ == "__main__":
    main()
