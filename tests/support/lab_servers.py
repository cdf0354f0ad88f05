"""OpenAI-compatible chat servers on loopback for the model lab's tests: fixed answers, usage or not, refusals.

Unlike ``scripted_server`` (one scripted answer per request, in order), a ``LabServer`` gives every
request the same answer (or ``answer(body)`` when it is a function), so several runs can ask it at once.
With ``usage`` it sends a final usage chunk when the client asks for one (``stream_options.include_usage``),
as OpenAI and vLLM do; ``status=401`` refuses every request as a wrong key would. Every request body is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LabServer:
    def __init__(
        self,
        answer: str | Callable[[dict], str],
        usage: tuple[int, int] | None = None,
        status: int = 200,
        delay_s: float = 0.0,
    ) -> None:
        self.answer = answer
        self.usage = usage
        self.status = status
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer._lock:
                    outer.requests.append(body | {"authorization": self.headers.get("Authorization", "")})
                if outer.status != 200:
                    payload = json.dumps({"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}})
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                    return
                text = outer.answer(body) if callable(outer.answer) else outer.answer
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i : i + 9] for i in range(0, len(text), 9)] or [""]
                for n, piece in enumerate(pieces):
                    last = n == len(pieces) - 1
                    self._event([{"index": 0, "delta": {"content": piece}, "finish_reason": "stop" if last else None}], body)
                    if outer.delay_s:
                        time.sleep(outer.delay_s)
                if outer.usage and (body.get("stream_options") or {}).get("include_usage"):
                    prompt, completion = outer.usage
                    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
                    self._event([], body, usage)
                self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, choices, body, usage=None):
                event = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "")}
                event["choices"] = choices
                if usage:
                    event["usage"] = usage
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def user_text(body: dict) -> str:
    """The last user message a server received."""
    return next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")


def dead_url() -> str:
    """The base URL of a loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
