"""Bounded waits and honest records for model calls, through the real ``openai`` client.

A silent server (accepts the connection, never answers) must fail within 20 s with the default
settings; a trickling server (one token every 0.2 s, never finishing) is cut by the answer deadline
with its text kept, and a slow one (a token every 3 s) at the deadline itself, not at its next token;
a server asking for a long pause (Retry-After: 30) is not waited out: the learner hears at once that the
model is busy and when to try again; every failure is one JSON line in ``TUTOR_HOME/logs/models.jsonl`` without the
key; a learner's text of a failure names no server and no setting.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tutor_app.core.config import load_settings
from tutor_app.core.errors import ModelError
from tutor_app.core.logs import MODEL_LOGGER, setup_model_log
from tutor_app.engine.models.chat import OpenAIChat, StreamEnd, busy_message, clean, make_chat_model, read_stream
from tutor_app.engine.models.transport import MAX_RETRY_AFTER_S, make_client

MESSAGES = [{"role": "user", "content": "What is a derivative?"}]


class SilentServer:
    """Accepts connections and reads requests, but never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.closed.set()
        self.sock.close()
        for conn in self.connections:
            conn.close()


class TrickleHandler(BaseHTTPRequestHandler):
    """One content token every ``server.gap_s`` for up to 30 s, never a finish_reason (HTTP/1.0: close-delimited)."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("x-request-id", "req-trickle-1")
        self.end_headers()
        started = time.monotonic()
        try:
            while time.monotonic() - started < 30 and not self.server.stop.is_set():
                event = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m"}
                event["choices"] = [{"index": 0, "delta": {"content": "word "}, "finish_reason": None}]
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                time.sleep(self.server.gap_s)
        except (BrokenPipeError, ConnectionResetError):
            self.server.hung_up.set()  # the client closed the stream: generation stops here


class ErrorHandler(BaseHTTPRequestHandler):
    """A 500 with a request id, or a 401 that echoes the key back as OpenAI does."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        status, message = self.server.answer
        body = json.dumps({"error": {"message": message.format(key=key)}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", "req-abc-123")
        self.end_headers()
        self.wfile.write(body)


class RefusalHandler(BaseHTTPRequestHandler):
    """Refuses every request with ``server.status`` and the headers in ``server.headers``; counts the requests."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests += 1
        body = json.dumps({"error": {"message": "Rate limit reached for requests"}}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", "req-busy-7")
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def serve(handler, **attributes) -> tuple[ThreadingHTTPServer, str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    for name, value in attributes.items():
        setattr(httpd, name, value)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/v1"


@pytest.fixture
def model_log(tmp_path):
    """The model log of a fresh home; read() flushes it and returns its records."""
    path = setup_model_log(tmp_path / "home")

    def read() -> list[dict]:
        for handler in logging.getLogger(MODEL_LOGGER).handlers:
            handler.flush()
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    return read


def settings_for(tmp_path, **overrides):
    return load_settings(env={}, secrets_file=tmp_path / "none.toml", home=tmp_path / "home", **overrides)


def embedded_chat(tmp_path, url: str, deadline_s: float | None = None, **overrides) -> OpenAIChat:
    return OpenAIChat(make_client(settings_for(tmp_path, **overrides), url), "m", "m", "embedded", deadline_s=deadline_s)


def drain(chat: OpenAIChat, limit_s: float) -> tuple[list, float]:
    started = time.monotonic()
    items = list(chat.stream(MESSAGES, max_tokens=32))
    elapsed = time.monotonic() - started
    assert elapsed < limit_s, f"took {elapsed:.1f} s"
    assert isinstance(items[-1], StreamEnd) and not any(isinstance(i, StreamEnd) for i in items[:-1])
    return items, elapsed


# --------------------------------------------------------------------------- a silent server


def test_a_silent_server_fails_after_each_attempt_waits_the_read_timeout(tmp_path, model_log):
    silent = SilentServer()
    try:
        chat = embedded_chat(tmp_path, silent.url, stream_idle_timeout_s=1, max_retries=1)
        items, elapsed = drain(chat, limit_s=5)
    finally:
        silent.close()
    end = items[-1]
    assert items == [end] and end.error_kind == "timeout" and not end.complete
    # 2 attempts x 1 s + at most 0.5 s backoff; the rest of the margin is for a busy machine.
    assert 2.0 <= elapsed < 6, f"2 attempts x 1 s + backoff took {elapsed:.2f} s"
    assert len(silent.connections) == 2  # the first try and one retry
    [record] = model_log()
    assert record["kind"] == "timeout" and record["cause"].startswith("APITimeoutError")
    assert record["endpoint"] == silent.url and record["model"] == "m" and record["status_code"] is None
    assert record["latency_s"] == pytest.approx(elapsed, abs=0.5)


@pytest.mark.slow
def test_a_silent_server_fails_within_20_seconds_with_the_default_settings(tmp_path):
    silent = SilentServer()
    try:
        chat = embedded_chat(tmp_path, silent.url)
        items, elapsed = drain(chat, limit_s=20)
    finally:
        silent.close()
    assert items[-1].error_kind == "timeout"
    print(f"silent server failed after {elapsed:.1f} s")  # measured: 18.6 s (93 s before)


# --------------------------------------------------------------------------- the answer deadline


def test_a_trickling_answer_is_cut_at_the_deadline_and_keeps_its_text(tmp_path, model_log):
    httpd, url = serve(TrickleHandler, gap_s=0.2, stop=threading.Event(), hung_up=threading.Event())
    try:
        chat = embedded_chat(tmp_path, url, deadline_s=2.0, stream_idle_timeout_s=5)
        answer = read_stream(chat.stream(MESSAGES, max_tokens=512))
        elapsed = model_log()[-1]["latency_s"]
        assert httpd.hung_up.wait(3), "the server kept generating after the deadline"
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
    assert answer.cut_by_deadline and not answer.complete and answer.end.error_kind == "deadline"
    assert answer.text.startswith("word word ") and 3 <= answer.text.count("word") <= 13
    assert 2.0 <= elapsed < 3.0  # cut at 2 s by the timer, with a margin for a busy machine
    assert "answer deadline" in answer.error and url in answer.error  # the administrator's detail
    record = model_log()[-1]
    assert record["kind"] == "deadline" and record["request_id"] == "req-trickle-1" and record["status_code"] == 200
    assert record["received_chars"] == len(answer.text)


def test_a_slow_server_is_cut_at_the_deadline_not_at_its_next_token(tmp_path, model_log):
    # One token every 3 s: checking the deadline as chunks arrive would end this answer at 3 s, not 2 s.
    httpd, url = serve(TrickleHandler, gap_s=3.0, stop=threading.Event(), hung_up=threading.Event())
    try:
        chat = embedded_chat(tmp_path, url, deadline_s=2.0, stream_idle_timeout_s=9)
        started = time.monotonic()
        answer = read_stream(chat.stream(MESSAGES, max_tokens=512))
        elapsed = time.monotonic() - started
        # TCP: the server's next write (at 3 s) meets the closed connection, the one after (6 s) fails.
        assert httpd.hung_up.wait(6), "the server kept generating after the deadline"
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
    assert 2.0 <= elapsed < 2.6, f"the answer ended {elapsed:.2f} s after the request (deadline 2 s)"
    assert answer.cut_by_deadline and answer.text == "word "  # the first token is kept; nothing after the deadline
    assert "took too long" in answer.end.student_message("en")
    record = model_log()[-1]
    assert record["kind"] == "deadline" and record["received_chars"] == len("word ")


class KeepAliveHandler(BaseHTTPRequestHandler):
    """A whole answer, one word every ``server.gap_s``, chunked on a kept-alive HTTP/1.1 connection.

    No ``[DONE]`` event: the SDK stops reading at one, closing the connection with the body unread, so only
    a body read to its end lets the connection go back to the pool."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.connections.add(self.client_address)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = ["One ", "two ", "three ", "four."]
        for n, word in enumerate(words):
            event = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m"}
            event["choices"] = [{"index": 0, "delta": {"content": word}, "finish_reason": "stop" if n == 3 else None}]
            self._chunk(f"data: {json.dumps(event)}\n\n".encode())
            time.sleep(self.server.gap_s)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def test_a_deadline_timer_never_touches_a_connection_after_its_answer_finished(tmp_path):
    # A finished answer's connection goes back to the pool and the next answer reuses it: a timer left
    # running would cut that next answer at the first one's deadline.
    httpd, url = serve(KeepAliveHandler, gap_s=0.3, connections=set())
    try:
        chat = embedded_chat(tmp_path, url, deadline_s=1.6)
        first = chat.complete(MESSAGES, 64)  # 1.2 s
        second = chat.complete(MESSAGES, 64)  # from 1.2 s to 2.4 s: past the first one's deadline, within its own
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(httpd.connections) == 1, "the second answer did not reuse the first one's connection"
    assert first.complete and second.complete and second.text == "One two three four."


def test_an_answer_within_the_deadline_is_untouched(tmp_path, model_log):
    from tests.support.scripted_server import ScriptedServer

    server = ScriptedServer(["A derivative measures change."])
    try:
        answer = embedded_chat(tmp_path, server.url, deadline_s=5).complete(MESSAGES, 64)
    finally:
        server.close()
    assert answer.complete and not answer.cut_by_deadline and answer.text == "A derivative measures change."
    assert model_log() == []


def test_the_configured_model_takes_the_deadline_from_the_settings(tmp_path):
    settings = settings_for(tmp_path, openai_api_key="sk-x", openai_base_url="http://127.0.0.1:9/v1", answer_deadline=42)
    assert make_chat_model(settings).deadline_s == 42


# --------------------------------------------------------------------------- a busy server (429, Retry-After)


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


@pytest.mark.parametrize(
    ("status", "headers", "seconds"),
    [
        (429, {"Retry-After": "30"}, 30),
        (429, {"retry-after-ms": "45000"}, 45),
        (429, {"Retry-After": "date"}, 30),
        (503, {"Retry-After": "30"}, 30),
        (429, {"Retry-After": "600"}, None),  # over the SDK's own 120 s limit too
    ],
)
def test_a_server_asking_for_a_long_pause_is_not_waited_out(tmp_path, model_log, status, headers, seconds):
    if headers.get("Retry-After") == "date":
        headers = {"Retry-After": _http_date(30)}
    httpd, url = serve(RefusalHandler, status=status, headers=headers, requests=0)
    try:
        chat = embedded_chat(tmp_path, url, max_retries=2)
        items, elapsed = drain(chat, limit_s=3)  # the SDK alone waited 30 s and asked again (32.8 s in faults.py)
    finally:
        httpd.shutdown()
        httpd.server_close()
    end = items[-1]
    assert httpd.requests == 1, "a request that asked for a long pause was sent again"
    assert end.busy and not end.complete and end.error_kind == ("rate_limit" if status == 429 else "status")
    english, chinese = end.student_message("en"), end.student_message("zh")
    if seconds is None:
        assert "try again in 10 min" in english and "10 分钟后再试" in chinese
    else:
        # An HTTP date is read against the clock: 30 s ahead may read as 29 s by the time it arrives.
        assert any(f"try again in {n} s" in english for n in (seconds - 1, seconds)), english
        assert "秒后再试" in chinese and "问题已经保存" in chinese
    for text in (english, chinese):
        assert "127.0.0.1" not in text and "TUTOR_" not in text and "OPENAI" not in text
    assert "Retry-After" in end.error and url in end.error  # the administrator's detail
    [record] = model_log()
    assert record["retry_after_s"] == pytest.approx(seconds or 600, abs=1.5) and record["request_id"] == "req-busy-7"
    assert record["status_code"] == status and record["latency_s"] < 3


def test_a_short_pause_is_waited_and_the_request_sent_again(tmp_path, model_log):
    assert MAX_RETRY_AFTER_S >= 1
    httpd, url = serve(RefusalHandler, status=429, headers={"Retry-After": "1"}, requests=0)
    try:
        items, elapsed = drain(embedded_chat(tmp_path, url, max_retries=1), limit_s=5)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert httpd.requests == 2 and elapsed >= 1.0  # asked again after the second it asked for
    end = items[-1]
    assert end.error_kind == "rate_limit" and "try again in 1 s" in end.student_message("en")
    assert model_log()[0]["kind"] == "rate_limit"


def test_a_429_without_a_pause_reads_as_busy_for_a_minute():
    end = StreamEnd(False, None, "detail", error_kind="rate_limit", where="http://10.0.0.5/v1")
    assert end.student_message("en") == "The tutor's model is busy right now. Your question is saved; try again in a minute."
    assert busy_message(150, "en").endswith("try again in 3 min.") and busy_message(0.2, "zh").startswith("导师的模型")
    assert "1 秒" in busy_message(0.2, "zh")


# --------------------------------------------------------------------------- records of failures


def test_a_server_error_is_logged_with_its_request_id_status_and_latency(tmp_path, model_log):
    httpd, url = serve(ErrorHandler, answer=(500, "The server had an error"))
    try:
        items, _ = drain(embedded_chat(tmp_path, url, max_retries=0), limit_s=5)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert items[-1].error_kind == "status"
    [record] = model_log()
    assert record["event"] == "model_failure" and record["kind"] == "status"
    assert record["request_id"] == "req-abc-123" and record["status_code"] == 500
    assert record["cause"].startswith("InternalServerError: ") and "The server had an error" in record["cause"]
    assert record["endpoint"] == url and record["model"] == "m" and record["provider"] == "embedded"
    assert 0 <= record["latency_s"] < 5


def test_the_log_never_holds_the_api_key_even_when_the_server_echoes_it(tmp_path, model_log):
    httpd, url = serve(ErrorHandler, answer=(401, "Incorrect API key provided: {key}."))
    try:
        settings = settings_for(tmp_path, openai_api_key="sk-FAKE1", openai_base_url=url)
        chat = OpenAIChat(make_client(settings), "gpt-4o-mini", "gpt-4o-mini", "openai")
        drain(chat, limit_s=5)
    finally:
        httpd.shutdown()
        httpd.server_close()
    [record] = model_log()
    assert record["kind"] == "auth" and record["status_code"] == 401 and "Incorrect API key" in record["cause"]
    assert "FAKE1" not in json.dumps(record)


def test_clean_removes_keys_bearer_tokens_and_url_passwords():
    # Placeholders shaped like the real things (none of them is a key anywhere).
    text = "key sk-FAKE2, header Bearer tok.en-1, url https://user:pa55@host/v1, azure FAKE-azure-placeholder"
    cleaned = clean(text, ["FAKE-azure-placeholder"])
    assert "FAKE2" not in cleaned and "tok.en-1" not in cleaned and "pa55" not in cleaned
    assert "FAKE-azure-placeholder" not in cleaned and "https://host/v1" in cleaned


# --------------------------------------------------------------------------- what a learner reads


@pytest.mark.parametrize("kind", ["connection", "auth", "timeout", "status", "deadline"])
def test_a_learner_reads_no_address_and_no_settings(kind):
    end = StreamEnd(False, None, "detail", error_kind=kind, where="http://10.0.0.5:8080/v1")
    for lang in ("en", "zh"):
        text = end.student_message(lang)
        assert text and "10.0.0.5" not in text and "OPENAI" not in text and "TUTOR_" not in text and "`" not in text
    assert "try again in a minute" in end.student_message("en")
    assert ("too long" in end.student_message("en")) == (kind == "deadline")
    assert "一分钟" in end.student_message("zh")


def test_a_model_error_has_a_detail_for_administrators_and_a_short_text_for_learners():
    error = ModelError("Cannot reach the model server at http://10.0.0.5/v1.", "Fix OPENAI_BASE_URL.")
    assert "10.0.0.5" in error.detail and "OPENAI_BASE_URL" in error.detail
    assert error.student_message("en") == "The tutor could not answer just now. Your question is saved; try again in a minute."
    assert "10.0.0.5" not in error.student_message("zh") and "导师" in error.student_message("zh")


def test_an_embedded_server_that_cannot_start_is_logged(tmp_path, model_log):
    class BrokenServer:
        label = "SmolLM2-135M-Instruct"

        def ensure(self):
            raise ModelError("The embedded model server did not answer within 60 s.", "See the log.")

    with pytest.raises(ModelError):
        make_chat_model(settings_for(tmp_path), BrokenServer())
    [record] = model_log()
    assert record["kind"] == "start" and record["cause"].startswith("ModelError: The embedded model server did not answer")
    assert record["model"] == "SmolLM2-135M-Instruct"


def test_a_structured_draft_has_no_answer_deadline_but_the_model_it_came_from_keeps_it():
    from tutor_app.engine.models.chat import OpenAIChat
    from tutor_app.engine.models.structured import StructuredGenerator

    chat = OpenAIChat(client=None, model="m", label="m", provider="openai", deadline_s=90)  # type: ignore[arg-type]
    assert StructuredGenerator(chat).chat.deadline_s is None
    assert chat.deadline_s == 90
