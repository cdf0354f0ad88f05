"""The llm layer against a misbehaving OpenAI-compatible server.

A small threaded HTTP server on 127.0.0.1 serves POST /v1/chat/completions as
server-sent events; each test chooses how it behaves (normal, cut off, garbled,
401, 429, hangs, absent). Requests go through the real ``openai`` client built
by ``make_client``; every way a stream fails must end in exactly one
``StreamEnd`` with a message that says what happened, and no exception.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tutor_app.core.config import load_settings
from tutor_app.engine.models.chat import OpenAIChat, StreamEnd, describe_error
from tutor_app.engine.models.transport import make_client

MESSAGES = [{"role": "user", "content": "What is a derivative?"}]
HANG_LIMIT_S = 10.0  # the longest any handler may block; the fixture releases it sooner


# --------------------------------------------------------------------------- fake server


def chunk(content: str | None = None, finish: str | None = None) -> dict:
    delta = {} if content is None else {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def usage_chunk(prompt: int, completion: int) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        self.server.record(self.path, dict(self.headers), body)
        if self.path != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        self.server.next_behaviour()(self)

    # --- building blocks for behaviours

    def send_json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def start_sse(self, chunked: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            # HTTP/1.0 style: the body ends when the connection closes.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.chunked = chunked

    def send_raw_event(self, text: str) -> None:
        data = text.encode()
        if self.chunked:
            data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        self.wfile.write(data)
        self.wfile.flush()

    def send_event(self, payload: dict | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self.send_raw_event(f"data: {text}\n\n")

    def end_chunked(self) -> None:
        if self.chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    def drop_connection(self) -> None:
        """Close the socket abruptly, with no end-of-body marker."""
        self.close_connection = True
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


Behaviour = Callable[[Handler], None]


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviours: list[Behaviour] = [normal_stream]
        self.requests: list[dict] = []
        self.release = threading.Event()  # set at teardown: hanging handlers return
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def serve(self, *behaviours: Behaviour) -> None:
        """Behaviours for successive requests; the last one repeats."""
        self.behaviours = list(behaviours)

    def record(self, path: str, headers: dict, body) -> None:
        with self._lock:
            self.requests.append({"path": path, "headers": {k.lower(): v for k, v in headers.items()}, "body": body})

    def next_behaviour(self) -> Behaviour:
        with self._lock:
            index = min(len(self.requests) - 1, len(self.behaviours) - 1)
            return self.behaviours[index]

    def handle_error(self, request, client_address):
        # A client that hangs up mid-stream (as it should on a garbled chunk) is not a test failure.
        pass


# --- behaviours


def normal_stream(h: Handler) -> None:
    h.start_sse()
    for piece in ("A derivative ", "measures ", "change."):
        h.send_event(chunk(piece))
    h.send_event(chunk(finish="stop"))
    h.send_event(usage_chunk(12, 3))
    h.send_event("[DONE]")
    h.end_chunked()


def cut_off_chunked(h: Handler) -> None:
    """Two pieces over chunked encoding, then the socket closes mid-body (how a crashed server looks)."""
    h.start_sse(chunked=True)
    h.send_event(chunk("First "))
    h.send_event(chunk("second "))
    h.drop_connection()


def cut_off_close_delimited(h: Handler) -> None:
    """Two pieces, then a clean close of a close-delimited body: no finish_reason, no [DONE]."""
    h.start_sse(chunked=False)
    h.send_event(chunk("First "))
    h.send_event(chunk("second "))
    h.drop_connection()


def garbled(h: Handler) -> None:
    h.start_sse()
    h.send_event(chunk("Before "))
    h.send_raw_event("data: {not json\n\n")
    h.send_event(chunk("after", finish="stop"))
    h.send_event("[DONE]")
    h.end_chunked()


def unauthorized(h: Handler) -> None:
    # Like OpenAI, echo (part of) the key back: describe_error must not pass it on.
    key = h.headers.get("Authorization", "").removeprefix("Bearer ")
    h.send_json(
        401,
        {"error": {"message": f"Incorrect API key provided: {key}.", "type": "invalid_request_error", "code": "invalid_api_key"}},
    )


def rate_limited(h: Handler) -> None:
    h.send_json(429, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}})


def one_piece_then_hang(h: Handler) -> None:
    h.start_sse()
    h.send_event(chunk("Kept "))
    h.server.release.wait(HANG_LIMIT_S)
    h.drop_connection()


@pytest.fixture
def server():
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive(), "fake server did not shut down"


# --------------------------------------------------------------------------- helpers


def local_settings(tmp_path, **overrides):
    return load_settings(env={}, secrets_file=tmp_path / "no-secrets.toml", home=tmp_path / "home", **overrides)


def embedded_chat(tmp_path, base_url: str, **overrides) -> OpenAIChat:
    settings = local_settings(tmp_path, **overrides)
    assert settings.provider == "embedded"
    return OpenAIChat(make_client(settings, base_url), "m", "m", "embedded")


def drain(chat: OpenAIChat, limit_s: float = 20.0) -> tuple[list, float]:
    """Consume chat.stream in a daemon thread; fail (not hang) if it takes longer than limit_s."""
    items: list = []
    errors: list[BaseException] = []

    def run():
        try:
            for item in chat.stream(MESSAGES, max_tokens=32):
                items.append(item)
        except BaseException as exc:  # noqa: BLE001 - any escape is a test failure
            errors.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit_s)
    elapsed = time.monotonic() - started
    assert not worker.is_alive(), f"stream did not end within {limit_s} s"
    assert not errors, f"an exception escaped OpenAIChat.stream: {errors[0]!r}"
    return items, elapsed


def split(items: list) -> tuple[list[str], StreamEnd]:
    """Pieces and the single StreamEnd, which must come last."""
    ends = [i for i in items if isinstance(i, StreamEnd)]
    assert len(ends) == 1, f"expected exactly one StreamEnd, got {items!r}"
    assert isinstance(items[-1], StreamEnd), "StreamEnd must be the last item"
    pieces = items[:-1]
    assert all(isinstance(p, str) for p in pieces)
    return pieces, ends[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- (a) normal


def test_normal_stream_yields_pieces_then_complete_end(server, tmp_path):
    server.serve(normal_stream)
    chat = embedded_chat(tmp_path, server.url)

    pieces, end = split(drain(chat)[0])

    assert pieces == ["A derivative ", "measures ", "change."]
    assert end == StreamEnd(True, "stop", None, 12, 3)
    # What the client sent: one streaming request for the chosen model, with usage requested.
    assert len(server.requests) == 1
    body = server.requests[0]["body"]
    assert body["model"] == "m" and body["stream"] is True and body["max_tokens"] == 32
    assert body["messages"] == MESSAGES
    assert body["stream_options"] == {"include_usage": True}


# --------------------------------------------------------------------------- (b) cut off


def test_stream_closed_without_finish_reason_is_incomplete_and_says_cut_off(server, tmp_path):
    server.serve(cut_off_close_delimited)
    chat = embedded_chat(tmp_path, server.url)

    pieces, end = split(drain(chat)[0])

    assert pieces == ["First ", "second "]
    assert end.complete is False
    assert end.finish_reason is None
    assert "cut off" in end.error
    assert server.url in end.error


def test_chunked_stream_dropped_mid_body_says_cut_off(server, tmp_path):
    server.serve(cut_off_chunked)
    chat = embedded_chat(tmp_path, server.url)

    pieces, end = split(drain(chat)[0])

    assert pieces == ["First ", "second "]
    assert end.complete is False
    assert "cut off" in end.error


def test_chunked_stream_dropped_mid_body_keeps_pieces_and_ends_incomplete(server, tmp_path):
    """The part that already works for a crashed chunked stream: pieces kept, one incomplete end, no retry."""
    server.serve(cut_off_chunked)
    chat = embedded_chat(tmp_path, server.url)

    pieces, end = split(drain(chat)[0])

    assert pieces == ["First ", "second "]
    assert end.complete is False and end.finish_reason is None and end.error
    assert len(server.requests) == 1  # a half-delivered stream is not silently re-requested


# --------------------------------------------------------------------------- (c) garbled


def test_garbled_chunk_ends_incomplete_without_exception(server, tmp_path):
    server.serve(garbled)
    chat = embedded_chat(tmp_path, server.url)

    pieces, end = split(drain(chat)[0])

    assert pieces == ["Before "]
    assert end.complete is False
    assert "garbled" in end.error


# --------------------------------------------------------------------------- (d) 401


def test_unauthorized_mentions_the_api_key_and_never_leaks_it(server, tmp_path):
    server.serve(unauthorized)
    settings = local_settings(tmp_path, openai_api_key="sk-FAKE1", openai_base_url=server.url)
    assert settings.provider == "openai"
    chat = OpenAIChat(make_client(settings, server.url), "m", "m", "openai")

    pieces, end = split(drain(chat)[0])

    assert pieces == []
    assert end.complete is False
    assert "API key" in end.error
    # The key really was sent (and echoed back by the server), so the next check means something.
    assert server.requests[0]["headers"]["authorization"] == "Bearer sk-FAKE1"
    assert "FAKE1" not in end.error
    assert len(server.requests) == 1  # 401 is not retried


def test_describe_error_on_a_real_authentication_error_has_no_key(server, tmp_path):
    """describe_error given the SDK's own exception, whose message contains the echoed key."""
    import openai

    server.serve(unauthorized)
    settings = local_settings(tmp_path, openai_api_key="sk-FAKE1", openai_base_url=server.url)
    client = make_client(settings)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="m", messages=MESSAGES, max_tokens=8)
    assert "FAKE1" in str(caught.value)  # the raw SDK error does carry it

    message = describe_error(caught.value, server.url)

    assert "FAKE1" not in message
    assert "sk-test" not in message
    assert "API key" in message


# --------------------------------------------------------------------------- (e) 429


def test_rate_limit_once_is_retried_and_completes(server, tmp_path):
    server.serve(rate_limited, normal_stream)
    chat = embedded_chat(tmp_path, server.url, max_retries=2)

    pieces, end = split(drain(chat)[0])

    assert "".join(pieces) == "A derivative measures change."
    assert end.complete is True and end.finish_reason == "stop"
    assert len(server.requests) == 2
    assert server.requests[0]["body"] == server.requests[1]["body"]


def test_rate_limit_that_persists_gives_up_after_max_retries(server, tmp_path):
    server.serve(rate_limited)
    chat = embedded_chat(tmp_path, server.url, max_retries=2)

    pieces, end = split(drain(chat)[0])

    assert pieces == []
    assert end.complete is False
    assert "rate-limiting" in end.error
    assert len(server.requests) == 3  # the first try plus max_retries


# --------------------------------------------------------------------------- (f) hang


def test_server_that_hangs_mid_stream_times_out_and_keeps_first_piece(server, tmp_path):
    server.serve(one_piece_then_hang)
    chat = embedded_chat(tmp_path, server.url, stream_idle_timeout_s=1)

    items, elapsed = drain(chat, limit_s=HANG_LIMIT_S - 2)
    pieces, end = split(items)

    assert pieces == ["Kept "]
    assert end.complete is False
    assert "timed out" in end.error
    assert elapsed < 5, f"idle timeout of 1 s took {elapsed:.1f} s to fire"
    assert len(server.requests) == 1


# --------------------------------------------------------------------------- (g) nobody home


def test_nothing_listening_says_cannot_reach(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    chat = embedded_chat(tmp_path, url, max_retries=2)

    items, elapsed = drain(chat)
    pieces, end = split(items)

    assert pieces == []
    assert end.complete is False
    assert "Cannot reach" in end.error
    assert url in end.error
    assert elapsed < 10
