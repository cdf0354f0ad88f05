"""A scripted OpenAI-compatible chat server on loopback, for studio tests that go through the real openai client.

Each POST to /v1/chat/completions gets the next scripted answer, streamed as server-sent events;
every request body is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """Answers each chat request with the next scripted text, streamed as SSE; records the requests."""

    def __init__(self, answers: list[str], refuse_formats: bool = False, delay_s: float = 0.0) -> None:
        self.answers = list(answers)
        self.requests: list[dict] = []
        self.refuse_formats = refuse_formats
        self.delay_s = delay_s  # pause between streamed pieces, to leave time for a cancel
        self.dropped = 0  # streams the client closed before the end
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                if outer.refuse_formats and "response_format" in body:
                    payload = json.dumps({"error": {"message": "response_format is not supported"}}).encode()
                    self.send_response(400)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                text = outer.answers.pop(0)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i : i + 7] for i in range(0, len(text), 7)] or [""]
                try:
                    for n, piece in enumerate(pieces):
                        last = n == len(pieces) - 1
                        event = {
                            "id": "x",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "m",
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": "stop" if last else None}],
                        }
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        if outer.delay_s:
                            time.sleep(outer.delay_s)
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    outer.dropped += 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()
