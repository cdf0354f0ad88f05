"""Fault injection on the real set-up: what a learner sees, how long it takes, and what is lost.

Every fault runs on its own copy of a small home folder (TUTOR_HOME) holding the sample course
(``data/course``, ingested once with the bundled e5 embedder into a cache folder and reused), with
its own app database. Chat faults play one turn exactly as the chat page does
(``tutoring.chat.start_turn``, then ``stream_turn`` read to the end, which calls ``finish_turn``)
with the generative answer style and an OpenAI-compatible model server on loopback that misbehaves:

* ``http_429`` / ``http_429_retry_after`` / ``http_500`` / ``http_401``: the server answers with that status
  (the second 429 asks the client to retry after 30 s: not waited out, the learner reads at once that the
  model is busy and to try again in 30 s);
* ``hang``: the server accepts the connection and never answers;
* ``trickle``: a few characters every 2 s (``tests/support/scripted_server.py`` with a delay) with
  TUTOR_ANSWER_DEADLINE=5, to see the answer deadline close the stream at the deadline, between two chunks;
* ``stream_cut``: the connection closes mid-answer (the body is shorter than the length it announced);
* ``garbage_sse`` / ``garbage_html``: non-JSON events, or a proxy's HTML page instead of a stream;
* ``server_killed``: the scripted server runs in a subprocess that gets ``kill -9`` mid-answer;
* ``db_locked`` / ``db_locked_long``: a second sqlite3 connection holds the app database's write lock
  (``BEGIN IMMEDIATE``) for 8 s / 25 s from the first streamed piece, while the answer is saved;
* ``fts_locked_search``: the keyword index's SQLite file is held locked (``BEGIN EXCLUSIVE``) during a turn;
* ``disk_full_chat``: a question asked when the disk holding TUTOR_HOME (index and app database) is full,
  then asked again once space is freed (root only: a small tmpfs);
* ``none``: no fault, the baseline turn.

Index faults:

* ``readonly_start``: the home folder is read-only when the services are built, then made writable again
  without a restart (a read-only tmpfs remounted read-write when run as root, else chmod);
* ``disk_full``: a new lesson is ingested into a home on a full disk (a small tmpfs filled up when run as
  root, else Chroma's upsert patched to raise ENOSPC), then ingested again once space is freed;
* ``fts_locked_ingest``: a new lesson is ingested while the keyword index's write lock is held, then again;
* ``ingest_killed``: ``python -m tutor_app ingest`` in a subprocess gets ``kill -9`` once some chunks are in;
  the two indexes are compared as found (no repair on opening), the same ingest runs again, they are
  compared again, then ``python -m tutor_app doctor`` runs (its report, and the keyword-index rows on disk
  before and after it);
* ``embedder_mismatch``: the index (built with e5) is opened with an OpenAI key set and no base URL, which
  makes the "auto" embedder OpenAI's.

For each fault the table gives: the seconds it took, the start of what the user saw (reply or error text;
for a long reply its start and its end), whether the question and the answer (or the part shown) were saved
as shown, whether ``CourseIndex.check_consistency()`` holds afterwards, and a verdict against the targets:
nothing lost, a clear message, bounded seconds. Each fault runs in its own thread with a time limit, so a
hang is reported rather than blocking the rest.

The answer column: "full" (saved complete), "partial" (the part shown, saved marked incomplete), "notice only"
(no model text, the failure notice saved as the reply), "NO" (nothing saved). The first run ingests the sample
course into ~/.cache/open-tutor/faults-template (about a minute; TUTOR_FAULTS_HOME moves it); a whole run then
takes about four minutes on 2 cores. The tmpfs faults need root; without it they fall back as described.

Run: .venv/bin/python benchmarks/faults.py [--only NAME[,NAME...]] [--list] [--verbose]
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.scripted_server import ScriptedServer  # noqa: E402
from tutor_app.accounts.users import create_user  # noqa: E402
from tutor_app.core.config import load_settings  # noqa: E402
from tutor_app.core.database import default_database_url, open_database  # noqa: E402
from tutor_app.core.errors import TutorError  # noqa: E402
from tutor_app.core.i18n import t  # noqa: E402
from tutor_app.engine.models.chat import busy_message  # noqa: E402
from tutor_app.engine.search.index import CourseIndex  # noqa: E402
from tutor_app.services import build_services  # noqa: E402
from tutor_app.tutoring.chat import start_turn, stream_turn  # noqa: E402
from tutor_app.tutoring.conversations import ConversationStore  # noqa: E402

COURSE = "genai-beginners"
QUESTION = "What is a few-shot prompt, and why do the examples help?"
ANSWER = (
    "A few-shot prompt puts a handful of worked examples before the task [1]. The examples show the model the "
    "format and the kind of answer wanted, so it copies the pattern instead of guessing [1]. Zero-shot prompts "
    "give no examples at all [2]."
)
TEMPLATE = Path(os.environ.get("TUTOR_FAULTS_HOME", Path.home() / ".cache" / "open-tutor" / "faults-template"))
NEW_LESSON = (
    "# Temperature\n\n## What temperature does\nTemperature scales the model's token probabilities before sampling: "
    "a low temperature makes the most likely token win almost every time, a high one spreads the choice.\n\n"
    "## When to lower it\nLower it for factual answers and grading; raise it for brainstorming.\n"
)
MODEL_GIVE_UP_S = 20.0  # what a learner should wait at most to hear that the model is down
FAKE_KEY = "bench-placeholder"


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    fault: str
    seconds: float = 0.0
    saw: str = ""
    seen: str = ""  # the whole of it
    model_s: float = 0.0  # the longest model failure's latency in the model log
    first_s: float = 0.0  # when the first piece of the reply was shown (seconds from the start of the turn)
    last_s: float = 0.0  # when the last one was
    stall_s: float = 0.0  # the longest pause between two pieces shown
    question: str = "-"  # "yes" / "NO" / "-" (not a chat fault)
    answer: str = "-"  # "full" / "partial" / "error text" / "NO" / "-"
    index_ok: str = "-"
    verdict: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def show(self, text: str) -> None:
        self.seen, self.saw = text, _short(text)

    def fail(self, problem: str) -> None:
        self.problems.append(problem)


def _short(text: str, width: int = 100) -> str:
    flat = " ".join((text or "").split())
    if len(flat) <= width:
        return flat
    half = (width - 5) // 2
    return f"{flat[:half]} ... {flat[-half:]}"


# --------------------------------------------------------------------------- the sample-course home


def prepare_template() -> int:
    """Ingest the sample course into the cached template home (a no-op when nothing changed); its chunk count."""
    settings = _settings(TEMPLATE)
    services = build_services(settings)
    report = services.ingestor.ingest_paths([ROOT / "data" / "course"], COURSE)
    if report.failed:
        sys.exit(f"the sample course did not ingest: {report.failed}")
    return services.index.count()


def _settings(home: Path, **env: str):
    return load_settings(env=env, secrets_file=home / "no-secrets.toml", home=home)


def _copy_template(target: Path) -> Path:
    shutil.copytree(TEMPLATE, target, ignore=shutil.ignore_patterns("tutor.sqlite3*", "logs"), dirs_exist_ok=True)
    return target


def _model_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "TUTOR_ANSWER_STYLE": "generative",
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": FAKE_KEY,
        "TUTOR_CHAT_MODEL": "bench-model",
        **extra,
    }


# --------------------------------------------------------------------------- a misbehaving model server


def _event(text: str, finish: str | None = None) -> bytes:
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "bench-model",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


class FaultServer:
    """An OpenAI-compatible endpoint on loopback that fails in one way (``mode``); counts the requests.

    The scripted server (``tests/support/scripted_server.py``) only streams good answers, so the failing
    responses are made here: a status code with an error body, a silent connection, a cut stream, garbage."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests += 1
                try:
                    outer._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        mode = self.mode
        if mode.startswith("status"):
            code = int(mode.split(":")[1])
            body = json.dumps({"error": {"message": f"scripted failure {code}", "type": "bench", "code": code}}).encode()
            h.send_response(code)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            if mode.endswith(":retry-after"):
                h.send_header("Retry-After", str(RETRY_AFTER_S))
            h.end_headers()
            h.wfile.write(body)
        elif mode == "hang":
            self.release.wait(120)  # accepted, read, never answered
        elif mode == "cut":
            pieces = [ANSWER[i : i + 12] for i in range(0, 60, 12)]
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.send_header("Content-Length", "100000")  # announces far more than it will send
            h.end_headers()
            for piece in pieces:
                h.wfile.write(_event(piece))
                h.wfile.flush()
                time.sleep(0.1)
            h.close_connection = True  # then the connection closes mid-answer
        elif mode == "garbage_sse":
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.end_headers()
            h.wfile.write(b"data: {this is not json\n\ndata: <html>oops</html>\n\n")
        elif mode == "garbage_html":
            body = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------- one chat turn, as the page plays it


class ChatRig:
    """The chat page's collaborators on a copy of the template home, with the model at ``url``."""

    def __init__(self, home: Path, url: str, **env: str) -> None:
        _copy_template(home)
        self.settings = _settings(home, **_model_env(url, **env))
        self.services = build_services(self.settings)
        self.db = open_database(default_database_url(self.settings))
        self.store = ConversationStore(self.db)
        self.user = create_user(self.db, "learner", "Bench-pass-2026!", "student").id
        self.db_path = home / "tutor.sqlite3"

    def turn(self, row: Row, on_first_piece=None, question: str = QUESTION) -> None:
        """Play one turn, fill ``row`` with what the learner saw and what was saved."""
        shown: list[str] = []
        times: list[float] = []
        error = ""
        conversation = None
        started = time.perf_counter()
        try:
            turn = start_turn(self.store, self.services.tutor, self.user, None, COURSE, question, "en")
            conversation = turn.conversation_id
            row.notes.append(f"start_turn (question saved, search) took {time.perf_counter() - started:.1f} s")
            with closing(stream_turn(self.store, self.settings, self.user, turn)) as pieces:
                for piece in pieces:
                    if not shown and on_first_piece is not None:
                        on_first_piece()
                    shown.append(piece)
                    times.append(time.perf_counter() - started)
        except TutorError as exc:  # the page shows it with st.error
            error = exc.message("en")
        except Exception as exc:  # the page would show a traceback
            error = f"CRASH {type(exc).__name__}: {exc}"
            row.fail("an unexpected exception reached the page")
            row.notes.append(traceback.format_exc(limit=4))
        row.seconds = time.perf_counter() - started
        if times:
            row.first_s, row.last_s = times[0], times[-1]
            row.stall_s = max((b - a for a, b in zip(times, times[1:])), default=0.0)
            row.notes.append(
                f"pieces shown: {len(times)}, the first at {times[0]:.1f} s, the last at {times[-1]:.1f} s; "
                f"the turn ended at {row.seconds:.1f} s; the longest pause between pieces {row.stall_s:.1f} s"
            )
        text = "".join(shown)
        row.show(text + (" | ERROR: " + error if error else ""))
        self._check_saved(row, conversation, text, error)
        self._check_index(row)
        self._logged(row)

    def _logged(self, row: Row) -> None:
        """The model failures the model log recorded (kind, latency), as an administrator would read them."""
        log = Path(self.settings.home) / "logs" / "models.jsonl"
        kinds = []
        for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("event") == "model_failure":
                row.model_s = max(row.model_s, float(record.get("latency_s") or 0))
                kinds.append(f"{record.get('kind')} after {record.get('latency_s')} s (HTTP {record.get('status_code')})")
        if kinds:
            row.notes.append("model log: " + "; ".join(kinds))

    def _check_saved(self, row: Row, conversation: int | None, text: str, error: str) -> None:
        if conversation is None:
            conversations = self.store.list(self.user)
            conversation = conversations[0].id if conversations else None
        messages = self.store.messages(self.user, conversation) if conversation is not None else []
        questions = [m for m in messages if m.role == "user"]
        answers = [m for m in messages if m.role == "assistant"]
        row.question = "yes" if any(QUESTION in m.content or m.content in QUESTION for m in questions) else "NO"
        if row.question == "NO":
            row.fail("the question was not saved")
        if not answers:
            row.answer = "NO"
            if text.strip():
                row.fail(f"the reply shown ({len(text)} chars) was not saved")
            return
        saved = answers[-1]
        body = text.strip()
        kept = saved.content.strip()
        same = bool(body) and _without_claim_flags(kept) == body
        model_text = kept
        for notice in NOTICES:
            model_text = model_text.replace(notice, "")
        kind = "full" if saved.complete else ("partial" if model_text.strip() else "notice only")
        row.answer = kind + ("" if same or not body else " (differs)")
        row.notes.append(
            f"saved answer: {len(kept)} chars, complete={saved.complete}, model={saved.model!r}, style={saved.style!r}"
        )
        if body and not same:
            row.fail(f"the saved answer ({len(kept)} chars) is not what was shown ({len(body)} chars)")
        if error:
            row.notes.append(f"the page's error: {error}")

    def _check_index(self, row: Row) -> None:
        try:
            report = self.services.index.check_consistency()
            row.index_ok = "yes" if report.ok else "NO"
            if not report.ok:
                row.fail(f"index inconsistent: {report.differing}")
        except TutorError as exc:
            row.index_ok = "error"
            row.fail(f"check_consistency failed: {exc}")

    def close(self) -> None:
        self.db.close()
        self.services.close()


def _without_claim_flags(text: str) -> str:
    """A saved answer without the flags ``finish_turn`` adds to sentences the course does not support."""
    text = text.replace(f" ⚠️ _{t('claim_unsupported', 'en')}_", "")
    summary = re.escape(t("claim_summary", "en", count=999)).replace("999", r"\d+")
    return re.sub(r"\s*" + summary, "", text).strip()


def _expect_message(row: Row, *words: str) -> None:
    low = (row.seen or row.saw).lower()
    if not any(word.lower() in low for word in words):
        row.fail(f"no clear message (expected one of {words})")


def _expect_within(row: Row, seconds: float) -> None:
    if row.seconds > seconds:
        row.fail(f"took {row.seconds:.1f} s (target <= {seconds:g} s)")


@contextmanager
def _rig(tmp: Path, url: str, **env: str):
    rig = ChatRig(tmp / "home", url, **env)
    try:
        yield rig
    finally:
        rig.close()


@contextmanager
def _fault_server(mode: str):
    server = FaultServer(mode)
    try:
        yield server
    finally:
        server.close()


STUDENT_FAILED = ("could not answer", "took too long", "question is saved")
NOTICES = (t("model_student_failed", "en"), t("model_student_deadline", "en"), busy_message(None), busy_message(30))
RETRY_AFTER_S = 30  # what the server asks for in http_429_retry_after
BUSY_TOLD_S = 2.0  # the model layer's share of a turn refused with a long Retry-After: one request, no wait


def fault_none(tmp: Path, row: Row) -> None:
    """The baseline: a good server and no fault, for the seconds the others add."""
    server = ScriptedServer([ANSWER])
    try:
        with _rig(tmp, server.url) as rig:
            rig.turn(row)
    finally:
        server.close()
    if row.answer != "full":
        row.fail("no full answer without a fault")


def _status_fault(tmp: Path, row: Row, mode: str, bound: float, *words: str) -> int:
    with _fault_server(mode) as server, _rig(tmp, server.url) as rig:
        rig.turn(row)
        row.notes.append(f"model requests made: {server.requests}")
    _expect_message(row, *(words or STUDENT_FAILED))
    _expect_within(row, bound)
    return server.requests


def fault_http_429(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "status:429", MODEL_GIVE_UP_S, "model is busy")


def fault_http_429_retry_after(tmp: Path, row: Row) -> None:
    requests = _status_fault(tmp, row, "status:429:retry-after", MODEL_GIVE_UP_S, f"try again in {RETRY_AFTER_S} s")
    if requests != 1:
        row.fail(f"{requests} requests: a server asking for a {RETRY_AFTER_S} s pause was asked again")
    if row.model_s > BUSY_TOLD_S:  # the rest of the turn is the search before the model is asked
        row.fail(f"the model layer took {row.model_s:.1f} s to report the busy server (target <= {BUSY_TOLD_S:g} s)")


def fault_http_500(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "status:500", MODEL_GIVE_UP_S)


def fault_http_401(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "status:401", 5.0)


def fault_hang(tmp: Path, row: Row) -> None:
    with _fault_server("hang") as server, _rig(tmp, server.url) as rig:
        rig.turn(row)
        row.notes.append(f"model requests made: {server.requests}")
    _expect_message(row, *STUDENT_FAILED)
    if not 0 < row.model_s <= MODEL_GIVE_UP_S:
        row.fail(f"the model layer gave up after {row.model_s:.1f} s (target <= {MODEL_GIVE_UP_S:g} s)")
    _expect_within(row, MODEL_GIVE_UP_S + 5.0)  # the whole turn: the search comes first


def fault_stream_cut(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "cut", 5.0)
    if not row.answer.startswith("partial"):
        row.fail("the part shown before the cut was not kept as a partial answer")


def fault_garbage_sse(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "garbage_sse", 5.0)


def fault_garbage_html(tmp: Path, row: Row) -> None:
    _status_fault(tmp, row, "garbage_html", 5.0)


def fault_trickle(tmp: Path, row: Row) -> None:
    deadline = 5.0
    server = ScriptedServer([ANSWER], delay_s=2.0)  # 7 characters every 2 s
    try:
        with _rig(tmp, server.url, TUTOR_ANSWER_DEADLINE=str(deadline)) as rig:
            rig.turn(row)
    finally:
        server.close()
    row.notes.append(f"TUTOR_ANSWER_DEADLINE={deadline:g}; the scripted server sends 7 characters every 2 s")
    _expect_message(row, "took too long")
    # A timer closes the stream at the deadline, between two chunks (one every 2 s); the model log holds when.
    # The claim check of the part shown comes after, before the notice is shown.
    streamed = row.last_s - row.first_s
    row.notes.append(f"first piece to the deadline notice: {streamed:.1f} s; the model call ended at {row.model_s:.1f} s")
    if not deadline <= row.model_s <= deadline + 0.5:
        row.fail(f"the answer was closed {row.model_s:.1f} s after the request (deadline {deadline:g} s, target within 0.5 s)")
    if not row.answer.startswith("partial"):
        row.fail("the answer cut by the deadline was not kept as a partial answer")


SERVER_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from tests.support.scripted_server import ScriptedServer
server = ScriptedServer([{answer!r}] * 3, delay_s=0.4)
print(server.url, flush=True)
time.sleep(600)
"""


def fault_server_killed(tmp: Path, row: Row) -> None:
    script = SERVER_SCRIPT.format(root=str(ROOT), answer=ANSWER)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the scripted server did not start: {url!r}")

        def kill_soon():
            threading.Timer(1.5, lambda: os.kill(process.pid, signal.SIGKILL)).start()

        with _rig(tmp, url) as rig:
            rig.turn(row, on_first_piece=kill_soon)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    row.notes.append(f"the server process (pid {process.pid}) got SIGKILL 1.5 s after the first piece; exit {process.returncode}")
    _expect_message(row, *STUDENT_FAILED)
    _expect_within(row, 10.0)
    if not row.answer.startswith("partial"):
        row.fail("the part shown before the kill was not kept as a partial answer")


def _hold_lock(path: Path, seconds: float, statement: str = "BEGIN IMMEDIATE", started: list | None = None) -> threading.Thread:
    """A second connection that takes ``path``'s lock at once and keeps it ``seconds`` (in a thread)."""
    ready = threading.Event()

    def hold():
        other = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            other.execute(statement)
            if started is not None:
                started.append(time.perf_counter())
            ready.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
        finally:
            ready.set()
            other.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(35)
    return thread


def _db_locked(tmp: Path, row: Row, hold_s: float) -> None:
    server = ScriptedServer([ANSWER], delay_s=0.15)  # about 4 s of streaming
    holders: list[threading.Thread] = []
    try:
        with _rig(tmp, server.url) as rig:
            rig.turn(row, on_first_piece=lambda: holders.append(_hold_lock(rig.db_path, hold_s)))
            for holder in holders:
                holder.join()
            # What the page shows after its rerun: the conversation read back.
            row_after = Row(row.fault)
            rig._check_saved(row_after, None, "", "")
            row.notes.append(f"after the lock: question saved={row_after.question}, answer saved={row_after.answer}")
    finally:
        server.close()
    row.notes.append(f"the app database's write lock was held {hold_s:g} s from the first streamed piece")
    after_first = row.seconds - row.first_s
    if after_first > hold_s + 8.0:
        row.fail(f"the turn ended {after_first:.1f} s after its first piece (lock held {hold_s:g} s)")
    # The scripted answer streams a piece every 0.15 s; saving it must not freeze what the learner reads.
    if row.stall_s > 2.0:
        row.fail(f"the answer froze {row.stall_s:.1f} s mid-stream while a save of it waited for the lock")
    if row.answer == "NO":
        _expect_message(row, "database is busy", "not saved")


def fault_db_locked(tmp: Path, row: Row) -> None:
    _db_locked(tmp, row, 8.0)


def fault_db_locked_long(tmp: Path, row: Row) -> None:
    _db_locked(tmp, row, 25.0)


def fault_fts_locked_search(tmp: Path, row: Row) -> None:
    server = ScriptedServer([ANSWER])
    try:
        with _rig(tmp, server.url) as rig:
            holder = _hold_lock(rig.services.index.lexical.path, 8.0, "BEGIN EXCLUSIVE")
            rig.turn(row)
            holder.join()
            row.notes.append("keyword index held with BEGIN EXCLUSIVE for 8 s from the start of the turn")
    finally:
        server.close()
    _expect_within(row, 10.0)
    if row.answer != "full":
        row.fail("no full answer while the keyword index was locked")


# --------------------------------------------------------------------------- index faults


def _lesson_folder(tmp: Path) -> Path:
    folder = tmp / "new-lesson"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "09-temperature.md").write_text(NEW_LESSON, encoding="utf-8")
    return folder


def _ingest(services, folder: Path) -> tuple[str, float, bool]:
    """Ingest ``folder`` into the course; (what the admin saw, seconds, ok)."""
    started = time.perf_counter()
    try:
        report = services.ingestor.ingest_paths([folder], COURSE)
        seen = report.summary() + ("; failed: " + "; ".join(report.failed) if report.failed else "")
        ok = not report.failed
    except TutorError as exc:
        seen, ok = f"ERROR: {exc.message('en')}", False
    except Exception as exc:
        seen, ok = f"CRASH {type(exc).__name__}: {exc}", False
    return seen, time.perf_counter() - started, ok


def _consistent(services, row: Row, when: str) -> bool:
    try:
        report = services.index.check_consistency()
    except Exception as exc:
        row.notes.append(f"{when}: check_consistency failed: {exc}")
        return False
    row.notes.append(f"{when}: consistent={report.ok}, per course (Chroma, keyword)={report.courses}")
    return report.ok


def _has_lesson(services) -> bool:
    return any("09-temperature" in source for source in services.index.source_hashes(COURSE))


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return run.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fault_readonly_start(tmp: Path, row: Row) -> None:
    home = tmp / "home"
    mounted = _mount_tmpfs(home, "32m")
    try:
        _copy_template(home)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(home)], check=True)
            how = "a read-only tmpfs, remounted read-write"
        else:
            for path in [home, *home.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
            how = "chmod a-w, then u+w"
        settings = _settings(home)
        started = time.perf_counter()
        try:
            build_services(settings)
            row.saw = "(the services were built on a read-only folder)"
            row.fail("build_services did not report the read-only folder")
        except TutorError as exc:
            row.show("ERROR: " + exc.message("en"))
        except Exception as exc:
            row.show(f"CRASH {type(exc).__name__}: {exc}")
            row.fail("not a TutorError")
        row.seconds = time.perf_counter() - started
        if mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(home)], check=True)
        else:
            for path in [home, *home.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
        try:
            services = build_services(settings)  # same process, no restart
            hits = services.retriever.search(QUESTION, course=COURSE).hits
            row.notes.append(f"after the fix ({how}): built, {services.index.count()} chunks, {len(hits)} hits for the question")
            row.index_ok = "yes" if _consistent(services, row, "after the fix") else "NO"
            if not hits or row.index_ok != "yes":
                row.fail("the index did not work after the fix")
        except Exception as exc:
            row.index_ok = "NO"
            row.fail(f"still failing after the fix, without a restart: {type(exc).__name__}: {exc}")
    finally:
        if mounted:
            _umount(home)
    _expect_message(row, "not writable", "read-only", "readonly")


def _fill(path: Path) -> None:
    """Write ``path`` until the disk is full (unbuffered, so nothing is left to flush on close)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)


def fault_disk_full(tmp: Path, row: Row) -> None:
    home = tmp / "home"
    folder = _lesson_folder(tmp)
    mounted = _mount_tmpfs(home, "24m")
    try:
        _copy_template(home)
        services = build_services(_settings(home))
        before = services.index.count()
        filler = home / "filler.bin"
        if mounted:
            _fill(filler)
            row.notes.append("a 24 MB tmpfs home, filled with a filler file (real ENOSPC)")
            seen, seconds, ok = _ingest(services, folder)
        else:
            real = services.index.collection.upsert

            def no_space(**kwargs):
                raise OSError(errno.ENOSPC, "No space left on device")

            services.index.collection.upsert = no_space
            row.notes.append("Chroma's upsert patched to raise OSError(ENOSPC)")
            seen, seconds, ok = _ingest(services, folder)
            services.index.collection.upsert = real
        row.show(seen)
        row.seconds = seconds
        if ok:
            row.fail("the ingest reported success on a full disk")
        _expect_message(row, "space", "full", "disk")
        full_ok = _consistent(services, row, "on the full disk")
        after_count = services.index.count()
        if after_count != before:
            row.notes.append(f"chunks before {before}, after the failed ingest {after_count}")
        filler.unlink(missing_ok=True)
        seen2, seconds2, ok2 = _ingest(services, folder)
        row.notes.append(f"space freed, same process: {seen2} ({seconds2:.1f} s)")
        freed_ok = _consistent(services, row, "after freeing space")
        try:
            reopened = build_services(_settings(home))  # a restart sees what is on disk
            reopened_ok = _consistent(reopened, row, "reopened after a restart")
            lesson = _has_lesson(reopened)
        except Exception as exc:
            reopened_ok, lesson = False, False
            row.notes.append(f"reopening failed: {type(exc).__name__}: {exc}")
        row.index_ok = "yes" if full_ok and freed_ok and reopened_ok else "NO"
        if row.index_ok != "yes":
            row.fail("the index is inconsistent after the full disk")
        if not (ok2 and lesson):
            row.fail("the lesson could not be ingested once space was freed")
    finally:
        if mounted:
            _umount(home)


def fault_disk_full_chat(tmp: Path, row: Row) -> None:
    home = tmp / "home"
    if not _mount_tmpfs(home, "24m"):
        row.show("(skipped: needs root to mount a small tmpfs)")
        return
    server = ScriptedServer([ANSWER, ANSWER])
    try:
        with _rig(tmp, server.url) as rig:
            _fill(home / "filler.bin")
            row.notes.append("a 24 MB tmpfs home (index and app database), filled before the question")
            rig.turn(row)
            (home / "filler.bin").unlink()
            retry = Row(row.fault)
            rig.turn(retry)  # the learner asks again once space is free
            row.notes.append(f"asked again after freeing space: question={retry.question}, answer={retry.answer}")
            if retry.problems:
                row.fail("after freeing space: " + "; ".join(retry.problems))
    finally:
        server.close()
        _umount(home)
    if row.question == "NO":
        # Nothing can be written: the least is that the learner is told that the question was not saved, or why.
        row.problems.remove("the question was not saved")
        row.notes.append("the question could not be saved (no space)")
        low = row.seen.lower()
        if not any(word in low for word in ("not saved", "was not", "disk", "space", "full")):
            row.fail("the question was lost and the message says neither that it was not saved nor why")
    _expect_within(row, 10.0)


def fault_fts_locked_ingest(tmp: Path, row: Row) -> None:
    home = _copy_template(tmp / "home")
    folder = _lesson_folder(tmp)
    services = build_services(_settings(home))
    holder = _hold_lock(services.index.lexical.path, 8.0)
    seen, row.seconds, ok = _ingest(services, folder)
    row.show(seen)
    locked_ok = _consistent(services, row, "right after the locked ingest")
    holder.join()
    row.notes.append("the keyword index's write lock was held 8 s (BEGIN IMMEDIATE) from the start of the ingest")
    if ok:
        row.notes.append("the ingest waited for the lock and succeeded")
    else:
        _expect_message(row, "locked")
    seen2, seconds2, ok2 = _ingest(services, folder)
    row.notes.append(f"again after the lock: {seen2} ({seconds2:.1f} s)")
    row.index_ok = "yes" if locked_ok and _consistent(services, row, "after the second ingest") else "NO"
    if row.index_ok != "yes":
        row.fail("the index is inconsistent")
    if not _has_lesson(services):
        row.fail("the lesson is not in the index after the second ingest")
    _expect_within(row, 15.0)


def _cli(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTOR_", "OPENAI_", "AZURE_"))}
    return subprocess.run(
        [sys.executable, "-m", "tutor_app", "--home", str(home), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _doctor_line(run: subprocess.CompletedProcess) -> str:
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "index" in line.lower() or "differ" in line.lower()]
    return f"exit {run.returncode}: " + (" / ".join(lines[-3:]) if lines else _short(run.stdout + run.stderr, 160))


def _as_found(home: Path, row: Row, when: str) -> bool:
    """Compare the two indexes as they are on disk (no repair on opening), with the app's segmenter."""
    index = CourseIndex(_settings(home), sync=False)
    report = index.check_consistency()
    row.notes.append(f"{when}: consistent={report.ok}, per course (Chroma, keyword)={report.courses}")
    return report.ok


def _keyword_rows(home: Path) -> int:
    with closing(sqlite3.connect(home / "lexical-course.sqlite")) as db:
        return db.execute("SELECT count(*) FROM chunks").fetchone()[0]


def fault_ingest_killed(tmp: Path, row: Row) -> None:
    home = tmp / "home"
    home.mkdir()
    source = ROOT / "data" / "course" / "en"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTOR_", "OPENAI_", "AZURE_"))}
    command = [sys.executable, "-m", "tutor_app", "--home", str(home), "ingest", str(source), "--course", COURSE, "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lexical = home / "lexical-course.sqlite"
    while time.perf_counter() - started < 120 and process.poll() is None:  # kill once some chunks are in
        time.sleep(0.5)
        try:
            with closing(sqlite3.connect(f"file:{lexical}?mode=ro", uri=True, timeout=1)) as db:
                if db.execute("SELECT count(*) FROM chunks").fetchone()[0] > 0:
                    time.sleep(3.0)
                    break
        except sqlite3.Error:
            continue
    killed_at = time.perf_counter() - started
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait()
        row.notes.append(f"ingest got SIGKILL after {killed_at:.1f} s (exit {process.returncode})")
    else:
        row.notes.append(f"the ingest finished before the kill (exit {process.returncode}); the fault did not happen")
        row.fail("the ingest was not killed mid-way")
    _as_found(home, row, "after the kill, as found")
    again_started = time.perf_counter()
    rerun = _cli(home, "ingest", str(source), "--course", COURSE, "--json")
    row.seconds = time.perf_counter() - again_started
    try:
        summary = json.loads(rerun.stdout.strip().splitlines()[-1])["summary"]
    except (ValueError, IndexError, KeyError):
        summary = _short(rerun.stdout + rerun.stderr, 200)
        row.fail(f"the re-run of ingest failed (exit {rerun.returncode})")
    row.show(f"re-run: {summary}")
    row.index_ok = "yes" if _as_found(home, row, "after the re-run, as found") else "NO"
    template = build_services(_settings(TEMPLATE))
    expected = len(template.index.collection.get(where={"$and": [{"course": COURSE}, {"lang": "en"}]}, include=[])["ids"])
    got = CourseIndex(_settings(home), sync=False).count()
    row.notes.append(f"chunks after the re-run: {got}; a clean ingest of the same files: {expected}")
    if got != expected:
        row.fail(f"{got} chunks after the re-run, {expected} in a clean ingest")
    if row.index_ok != "yes":
        row.fail("the index is inconsistent after the re-run")
    before_doctor = _keyword_rows(home)
    doctor = _cli(home, "doctor")
    after_doctor = _keyword_rows(home)
    row.notes.append(f"doctor after the re-run: {_doctor_line(doctor)}")
    row.notes.append(f"keyword-index rows on disk: {before_doctor} before doctor, {after_doctor} after it")
    if doctor.returncode != 0 or "agree" not in doctor.stdout.lower():
        row.fail("doctor did not report the (consistent) index consistent")
    if after_doctor < before_doctor:
        row.fail(f"doctor itself emptied the keyword index ({before_doctor} -> {after_doctor} rows)")


def fault_embedder_mismatch(tmp: Path, row: Row) -> None:
    home = _copy_template(tmp / "home")
    settings = _settings(home, OPENAI_API_KEY=FAKE_KEY)  # no base URL: the "auto" embedder becomes OpenAI's
    row.notes.append(f"embedder_kind with only OPENAI_API_KEY set: {settings.embedder_kind}")
    started = time.perf_counter()
    try:
        services = build_services(settings)
        row.saw = "(the index opened with another embedder)"
        row.fail("the mismatch was not detected")
        services.close()
    except TutorError as exc:
        row.show("ERROR: " + exc.message("en"))
    except Exception as exc:
        row.show(f"CRASH {type(exc).__name__}: {exc}")
        row.fail("not a TutorError")
    row.seconds = time.perf_counter() - started
    services = build_services(_settings(home))  # the configured e5 again: the index is as it was
    row.index_ok = "yes" if _consistent(services, row, "reopened with e5") else "NO"
    before = build_services(_settings(TEMPLATE)).index.count()
    if services.index.count() != before:
        row.fail(f"the index lost chunks: {services.index.count()} of {before}")
    _expect_message(row, "embedding model", "embedder", "built with")


# --------------------------------------------------------------------------- running


FAULTS = {
    "none": (fault_none, 60),
    "http_429": (fault_http_429, 60),
    "http_429_retry_after": (fault_http_429_retry_after, 90),
    "http_500": (fault_http_500, 60),
    "http_401": (fault_http_401, 60),
    "hang": (fault_hang, 60),
    "trickle": (fault_trickle, 60),
    "stream_cut": (fault_stream_cut, 60),
    "garbage_sse": (fault_garbage_sse, 60),
    "garbage_html": (fault_garbage_html, 60),
    "server_killed": (fault_server_killed, 60),
    "db_locked": (fault_db_locked, 60),
    "db_locked_long": (fault_db_locked_long, 90),
    "fts_locked_search": (fault_fts_locked_search, 60),
    "disk_full_chat": (fault_disk_full_chat, 120),
    "fts_locked_ingest": (fault_fts_locked_ingest, 90),
    "readonly_start": (fault_readonly_start, 60),
    "disk_full": (fault_disk_full, 120),
    "ingest_killed": (fault_ingest_killed, 420),
    "embedder_mismatch": (fault_embedder_mismatch, 60),
}


def run_fault(name: str, verbose: bool) -> Row:
    function, limit = FAULTS[name]
    row = Row(name)
    tmp = Path(tempfile.mkdtemp(prefix=f"tutor-fault-{name}-"))
    done = threading.Event()

    def work():
        try:
            function(tmp, row)
        except Exception as exc:
            row.fail(f"the fault's set-up or check crashed: {type(exc).__name__}: {exc}")
            row.notes.append(traceback.format_exc(limit=6))
        finally:
            done.set()

    started = time.perf_counter()
    threading.Thread(target=work, daemon=True, name=f"fault-{name}").start()
    if not done.wait(limit):
        row.seconds = time.perf_counter() - started
        row.fail(f"still running after {limit} s: abandoned (its thread is left behind)")
        row.saw = row.saw or "(nothing: it hung)"
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    row.verdict = "ok" if not row.problems else "FAIL"
    if verbose:
        print(f"  {name}: {row.verdict} in {row.seconds:.1f} s", flush=True)
    return row


def print_table(rows: list[Row]) -> None:
    print()
    print(f"{'fault':<21} {'s':>6}  {'question':<8} {'answer':<16} {'index':<5} {'verdict':<7} user saw")
    for r in rows:
        print(f"{r.fault:<21} {r.seconds:6.1f}  {r.question:<8} {r.answer:<16} {r.index_ok:<5} {r.verdict:<7} {r.saw}")
    print()
    for r in rows:
        if r.problems or r.notes or r.seen != r.saw:
            print(f"[{r.fault}] {r.verdict}")
            for problem in r.problems:
                print(f"   ! {problem}")
            if r.seen and r.seen != r.saw:
                print("   - the whole text: " + " ".join(r.seen.split()))
            for note in r.notes:
                print("   - " + note.rstrip().replace("\n", "\n     "))
    failed = [r.fault for r in rows if r.problems]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} faults met the targets"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated fault names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the faults and exit")
    parser.add_argument("--verbose", action="store_true", help="print each fault's verdict as it ends")
    args = parser.parse_args()
    if args.list:
        print("\n".join(FAULTS))
        return
    names = args.only.split(",") if args.only else list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        sys.exit(f"unknown fault(s): {', '.join(unknown)}; see --list")
    for key in list(os.environ):  # the faults set their own model and home; nothing from this shell
        if key.startswith(("TUTOR_", "OPENAI_", "AZURE_")):
            del os.environ[key]
    started = time.perf_counter()
    print(f"template home {TEMPLATE}: {prepare_template()} chunks of the sample course", flush=True)
    rows = [run_fault(name, args.verbose) for name in names]
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
