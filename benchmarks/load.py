"""Load on the app database: many learners signing up, signing in and chatting at once.

N simulated learners (default 50), spread over several processes (default 5, like several
Streamlit servers sharing one database) and run as threads inside each process (as Streamlit runs
one thread per browser tab). All of them start together. Each learner signs up, signs in (password
check plus a remembered session), then saves some chat turns (default 3) the way the chat page
does: a new conversation on the first turn, the history read, the question saved, the answer
"streamed" in pieces with a short pause between them, then the answer saved.

No model server is needed: the answer is canned text. The point is the database, so the figures
are about writes under contention: sign-ups and sign-ins that failed, turns whose question or
answer was not saved, seconds per turn (p50/p95, streaming pauses included), and the lock errors
seen (failures whose text says locked/busy, plus retries that ``tutor_app.core.database`` logs).

By default the database is a fresh SQLite file in a temporary TUTOR_HOME. ``--database-url``
points the run at another database (e.g. PostgreSQL); usernames carry a random run prefix, so a
run never collides with an earlier one. ``--hold-lock SECONDS`` makes one extra connection hold
the SQLite write lock that long while the learners chat (a backup, a slow admin job).
Passwords are hashed at the server's argon2 cost, so sign-ups and sign-ins load the CPU as they
would; ``--cheap-hashes`` leaves the CPU to the database.

``--browsers N`` runs real browsers instead: a fresh TUTOR_HOME with the sample course indexed and N
student accounts (the index is built once in ~/.cache/open-tutor/load-template, or TUTOR_LOAD_HOME, and
copied), the app under ``streamlit run`` on a free loopback port (the real-browser tests'
helpers in ``tests/support``), and N headless pages of Debian's Chromium, one thread each, that all
sign in at once as different learners and ask their questions (``--turns``) in the tutor chat. One
extra learner asks a question first, so the models are loaded before the timed learners start.
Printed: sign-ins ok/failed, turns ok/lost as the pages showed them, questions and finished answers
stored per learner in the database, seconds per turn (p50/p95, from pressing Enter to the saved
answer shown on the page), pages that showed a Traceback or an error box, and the load average.
With ``--database-url`` the app (and the accounts made for the run) use that database, e.g. PostgreSQL,
instead of an SQLite file in the temporary TUTOR_HOME; the usernames then carry a random run prefix too.

Run: .venv/bin/python benchmarks/load.py [--learners 50] [--processes 5] [--turns 3] [--database-url URL]
     .venv/bin/python benchmarks/load.py --browsers 5 [--database-url URL]   (needs /usr/bin/chromium and Playwright)
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import case, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tutor_app.accounts.sessions import start_session  # noqa: E402
from tutor_app.accounts.users import authenticate, create_user  # noqa: E402
from tutor_app.core.config import load_settings  # noqa: E402
from tutor_app.core.database import Conversation, Message, User, default_database_url, open_database  # noqa: E402
from tutor_app.tutoring.conversations import ConversationStore, auto_title  # noqa: E402

PASSWORD = "load test password"
QUESTION = "What is a large language model, and how does it use tokens? (turn {turn})"
ANSWER = (
    "A large language model predicts the next token from the ones before it. Tokens are pieces of words; "
    "the model reads the prompt as tokens and writes its answer one token at a time [1]. "
)
LOCK_WORDS = ("locked", "busy", "serializ", "deadlock")
# --browsers: the sample course indexed once (again only when it changed) and copied into each run's home.
BROWSER_TEMPLATE = Path(os.environ.get("TUTOR_LOAD_HOME", Path.home() / ".cache" / "open-tutor" / "load-template"))


class _LockCounter(logging.Handler):
    """Counts the retries the database module logs (warnings about a busy database)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING and any(word in record.getMessage().lower() for word in LOCK_WORDS):
            with self._lock:
                self.count += 1


def _is_lock_error(exc: BaseException) -> bool:
    return any(word in str(exc).lower() for word in LOCK_WORDS)


def _learner(db, prefix: str, index: int, turns: int, pieces: int, pause: float) -> dict:
    out = {"signup": False, "signin": False, "turns_ok": 0, "turns_lost": 0, "turn_seconds": [], "lock_errors": 0, "errors": []}

    def failed(exc: BaseException) -> None:
        out["lock_errors"] += _is_lock_error(exc)
        out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])

    name = f"{prefix}{index:03d}"
    try:
        user = create_user(db, name, PASSWORD, "student")
        out["signup"] = True
    except Exception as exc:  # noqa: BLE001 - a benchmark counts every failure
        failed(exc)
        out["turns_lost"] = turns
        return out
    try:
        user = authenticate(db, name, PASSWORD)
        start_session(db, user.id)
        out["signin"] = True
    except Exception as exc:  # noqa: BLE001
        failed(exc)
        out["turns_lost"] = turns
        return out
    store = ConversationStore(db)
    conversation_id = None
    for turn in range(1, turns + 1):
        started = time.perf_counter()
        question = QUESTION.format(turn=turn)
        try:
            if conversation_id is None:
                conversation_id = store.create(user.id, "genai-beginners", auto_title(question)).id
            store.messages(user.id, conversation_id)
            store.add_message(user.id, conversation_id, "user", question)
            shown = []
            for piece in range(pieces):  # the answer streams while other learners write
                shown.append(ANSWER[piece * len(ANSWER) // pieces : (piece + 1) * len(ANSWER) // pieces])
                time.sleep(pause)
            store.add_message(user.id, conversation_id, "assistant", "".join(shown), model="canned", complete=True)
            out["turns_ok"] += 1
            out["turn_seconds"].append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001
            failed(exc)
            out["turns_lost"] += 1
    return out


def _process(args: tuple) -> list[dict]:
    url, prefix, indexes, turns, pieces, pause, start_at, cheap_hashes = args
    if cheap_hashes:  # the CPU then goes to the database, not to argon2
        from argon2 import PasswordHasher

        from tutor_app.accounts import users

        users._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    counter = _LockCounter()
    logging.getLogger("tutor_app").addHandler(counter)
    logging.getLogger("tutor_app").setLevel(logging.DEBUG)
    try:
        db = open_database(url)
    except Exception as exc:  # noqa: BLE001
        return [
            {"signup": False, "signin": False, "turns_ok": 0, "turns_lost": turns, "turn_seconds": [], "lock_errors": 0}
            | {"errors": [f"open: {type(exc).__name__}: {exc} <- {exc.__cause__!r}"[:300]]}
            for _ in indexes
        ]
    time.sleep(max(0.0, start_at - time.time()))  # every process starts its learners at the same moment
    with ThreadPoolExecutor(max_workers=len(indexes)) as pool:
        results = list(pool.map(lambda i: _learner(db, prefix, i, turns, pieces, pause), indexes))
    db.close()
    if results:
        results[0]["logged_lock_errors"] = counter.count
    return results


def _hold_lock(path: str, after: float, seconds: float) -> None:
    time.sleep(after)
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print(f"(holding the write lock for {seconds:.1f} s)", flush=True)
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


BROWSER_QUESTIONS = ("What is temperature?", "What is a few-shot prompt?", "What is retrieval-augmented generation?")
# A turn is over when the page has been drawn again from the database after the answer was saved: the Stop
# button of the stream is gone, and the saved answer carries its thumbs widget (keys chat_stop, chat_fb_<id>).
TURN_DONE_JS = """turn => document.querySelectorAll('[data-testid="stChatMessage"]').length >= 2 * turn
    && !document.querySelector('.st-key-chat_stop')
    && document.querySelectorAll('[class*="st-key-chat_fb_"]').length >= turn"""
ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _browser_learner(url: str, name: str, turns: int, timeout_s: float, barrier: threading.Barrier | None) -> dict:
    """One learner in their own headless Chromium: sign in, ask ``turns`` questions, note what the page showed."""
    from playwright import sync_api

    from tests.support.browser import browser_page, sign_in

    out = {"name": name, "signin": False, "turns_ok": 0, "turns_lost": 0, "turn_seconds": [], "errors": [], "page_errors": []}
    with browser_page(sync_api, timeout_ms=int(timeout_s * 1000)) as page:
        if barrier is not None:
            try:
                barrier.wait()  # every browser is up: the learners start together
            except threading.BrokenBarrierError:
                pass  # a browser did not start (its thread raised) or took too long: go on without it
        try:
            sign_in(page, url, name)
            page.get_by_role("heading", name="Tutor").wait_for()
            out["signin"] = True
        except Exception as exc:  # noqa: BLE001 - a benchmark counts every failure
            out["errors"].append(f"sign-in: {type(exc).__name__}: {exc}"[:300])
        for turn in range(1, turns + 1) if out["signin"] else ():
            try:
                box = page.get_by_placeholder("Ask about the course…")
                box.fill(BROWSER_QUESTIONS[(turn - 1) % len(BROWSER_QUESTIONS)])
                started = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(TURN_DONE_JS, arg=turn)
                out["turn_seconds"].append(time.perf_counter() - started)
                out["turns_ok"] += 1
            except Exception as exc:  # noqa: BLE001
                out["errors"].append(f"turn {turn}: {type(exc).__name__}: {exc}"[:300])
                out["turns_lost"] += 1
        out["turns_lost"] += 0 if out["signin"] else turns
        try:
            if "Traceback" in page.content():
                out["page_errors"].append("Traceback")
            out["page_errors"] += [shown.inner_text()[:200] for shown in page.locator(ERROR_BOXES).all()]
        except Exception as exc:  # noqa: BLE001
            out["errors"].append(f"reading the page: {type(exc).__name__}: {exc}"[:300])
    return out


def _stored_turns(db, names: list[str]) -> dict[str, tuple[int, int]]:
    """Per learner: questions stored, and answers stored complete (from the app database)."""
    with db.session() as s:
        rows = s.execute(
            select(
                User.username,
                func.sum(case((Message.role == "user", 1), else_=0)),
                func.sum(case(((Message.role == "assistant") & Message.complete, 1), else_=0)),
            )
            .join(Conversation, Conversation.user_id == User.id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(User.username.in_(names))
            .group_by(User.username)
        ).all()
    found = {name: (int(questions or 0), int(answers or 0)) for name, questions, answers in rows}
    return {name: found.get(name, (0, 0)) for name in names}


def _run_browsers(options) -> int:
    """The ``--browsers`` mode: N real browsers against the real app (see the module docstring)."""
    from tests.support.apptest import add_user, app_database, index_course
    from tests.support.browser import running_app

    n, turns = options.browsers, options.turns
    home = Path(tempfile.mkdtemp(prefix="tutor-load-browsers-"))
    # Another database may hold earlier runs' learners: this run's names are its own.
    env = {"TUTOR_DATABASE_URL": options.database_url} if options.database_url else {}
    prefix = "b" + secrets.token_hex(3) + "_" if options.database_url else ""
    names = [f"{prefix}learner{i:02d}" for i in range(1, n + 1)]
    app_url = make_url(default_database_url(load_settings(env=env, home=home)))
    print(
        f"{n} browsers x {turns} turns against the app on {app_url.get_backend_name()}; load average at the start {_load()}",
        flush=True,
    )
    try:
        began = time.perf_counter()
        index_course(BROWSER_TEMPLATE, [ROOT / "data" / "course"], "genai-beginners", env={})  # no app database rows
        shutil.copytree(BROWSER_TEMPLATE, home, ignore=shutil.ignore_patterns("tutor.sqlite3*", "logs"), dirs_exist_ok=True)
        db = app_database(home, env=env)
        add_user(db, f"{prefix}admin", "administrator")  # without one the app opens its first-run page
        for name in [*names, f"{prefix}warmup"]:
            add_user(db, name, "student")
        print(f"course indexed and {n + 1} learners added in {time.perf_counter() - began:.1f} s", flush=True)
        with running_app(home, env=env, timeout_s=180) as url:
            began = time.perf_counter()
            warm = _browser_learner(url, f"{prefix}warmup", 1, options.browser_timeout, None)
            print(f"warm-up turn (models loading): {warm['turns_ok']} ok in {time.perf_counter() - began:.1f} s", flush=True)
            barrier = threading.Barrier(n, timeout=120)
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=n) as pool:
                results = list(pool.map(lambda name: _browser_learner(url, name, turns, options.browser_timeout, barrier), names))
            wall = time.perf_counter() - began
            load_after = _load()
        stored = _stored_turns(db, names)
        db.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    seconds = [s for r in results for s in r["turn_seconds"]]
    signins = sum(r["signin"] for r in results)
    turns_ok = sum(r["turns_ok"] for r in results)
    turns_lost = sum(r["turns_lost"] for r in results)
    short = {name: counts for name, counts in stored.items() if counts != (turns, turns)}
    bad_pages = [r for r in results if r["page_errors"]]
    print(f"sign-ins  ok {signins:4d}  failed {n - signins}")
    print(f"turns     ok {turns_ok:4d}  lost {turns_lost}   (on the pages)")
    print(
        f"stored    {n - len(short)} of {n} learners with {turns} questions and {turns} finished answers"
        + "".join(f"\n  {name}: {q} questions, {a} answers" for name, (q, a) in short.items())
    )
    print(
        f"seconds per turn  p50 {_percentile(seconds, 0.5):.2f}  p95 {_percentile(seconds, 0.95):.2f}  max {max(seconds or [0]):.2f}"
    )
    print(f"pages with a Traceback or an error box: {len(bad_pages)}")
    for r in bad_pages:
        print(f"  {r['name']}: {' | '.join(r['page_errors'])}")
    print(f"wall time {wall:.1f} s; load average at the end {load_after} ({os.cpu_count()} CPUs)")
    print(f"app database: {app_url.render_as_string(hide_password=True)}")
    for r in results:
        for text in r["errors"][: options.show_errors]:
            print(f"  {r['name']}: {text}")
    ok = signins == n and turns_lost == 0 and not short and not bad_pages
    return 0 if ok else 1


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--pieces", type=int, default=20, help="pieces each answer streams in")
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between streamed pieces")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary TUTOR_HOME")
    parser.add_argument("--hold-lock", type=float, default=0.0, help="SQLite only: seconds one connection holds the write lock")
    parser.add_argument("--hold-after", type=float, default=1.0, help="seconds after the start the lock is taken")
    parser.add_argument("--cheap-hashes", action="store_true", help="test-cost argon2 (the server's cost: ~0.5 s of CPU a hash)")
    parser.add_argument("--show-errors", type=int, default=5, help="how many distinct failure texts to print")
    parser.add_argument(
        "--browsers", type=int, default=0, help="N real browsers against the running app instead (see the module docstring)"
    )
    parser.add_argument("--browser-timeout", type=float, default=300.0, help="--browsers: seconds a sign-in or a turn may take")
    options = parser.parse_args()
    if options.browsers > 0:
        return _run_browsers(options)

    home = Path(tempfile.mkdtemp(prefix="tutor-load-"))
    url = options.database_url or default_database_url(load_settings(env={}, home=home))
    shown_url = make_url(url).render_as_string(hide_password=True)
    prefix = "l" + secrets.token_hex(3) + "_"
    open_database(url).close()  # the schema exists before the servers start, as in a running deployment
    per_process = [list(range(p, options.learners, options.processes)) for p in range(options.processes)]
    start_at = time.time() + 5.0 + 1.0 * options.processes  # spawned processes import the app first
    jobs = [
        (url, prefix, idx, options.turns, options.pieces, options.pause, start_at, options.cheap_hashes)
        for idx in per_process
        if idx
    ]
    print(
        f"{options.learners} learners x {options.turns} turns in {len(jobs)} processes against {shown_url}",
        flush=True,
    )
    holder = None
    if options.hold_lock > 0:
        database = make_url(url).database
        holder = threading.Thread(
            target=_hold_lock, args=(database, start_at - time.time() + options.hold_after, options.hold_lock)
        )
        holder.start()
    began = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = [row for rows in pool.map(_process, jobs) for row in rows]
    wall = time.perf_counter() - began
    if holder is not None:
        holder.join()

    seconds = [s for r in results for s in r["turn_seconds"]]
    signups = sum(r["signup"] for r in results)
    signins = sum(r["signin"] for r in results)
    turns_ok = sum(r["turns_ok"] for r in results)
    turns_lost = sum(r["turns_lost"] for r in results)
    lock_failures = sum(r["lock_errors"] for r in results)
    lock_logged = sum(r.get("logged_lock_errors", 0) for r in results)
    db = open_database(url)
    with db.session() as s:  # this run's learners only: the database may hold earlier runs
        stored = (
            s.scalar(
                select(func.count(Message.id))
                .join(Conversation, Conversation.id == Message.conversation_id)
                .join(User, User.id == Conversation.user_id)
                .where(User.username.startswith(prefix))
            )
            or 0
        )
    db.close()
    shutil.rmtree(home, ignore_errors=True)
    print(f"sign-ups  ok {signups:4d}  failed {len(results) - signups}")
    print(f"sign-ins  ok {signins:4d}  failed {signups - signins}")
    print(f"turns     ok {turns_ok:4d}  lost {turns_lost}   (messages stored: {stored}, expected {2 * turns_ok})")
    print(
        f"seconds per turn  p50 {_percentile(seconds, 0.5):.3f}  p95 {_percentile(seconds, 0.95):.3f}  max {max(seconds or [0]):.3f}"
    )
    print(f"lock errors seen  {lock_failures} failed, {lock_logged} retried (logged)")
    print(f"wall time {wall:.1f} s")
    errors: dict[str, int] = {}
    for r in results:
        for text in r["errors"]:
            errors[text] = errors.get(text, 0) + 1
    for text, count in sorted(errors.items(), key=lambda item: -item[1])[: options.show_errors]:
        print(f"  {count} x {text}")
    return 0 if turns_lost == 0 and signups == len(results) and signins == signups else 1


if __name__ == "__main__":
    raise SystemExit(main())
