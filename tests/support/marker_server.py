"""An OpenAI-compatible chat server on loopback whose answers show which server and which prompt answered.

Every chat request is answered with ``[NAME] MARK <sentence>``, streamed as server-sent events with a usage
chunk at the end. MARK is the first ``LAB-MARK-…`` word found in the request's messages (``no-mark`` when
there is none), so a browser test can see, in the text a person reads, that an activated prompt version
reached the model. Requests are recorded. For tests only.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_MARK = re.compile(r"LAB-MARK-[A-Z0-9]+")


class MarkerServer:
    def __init__(self, name: str, sentence: str = "Temperature controls how predictable the next word is [1].") -> None:
        self.name = name
        self.sentence = sentence
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # /v1/models, for health checks
                body = json.dumps({"object": "list", "data": [{"id": f"{outer.name}-model", "object": "model"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(request)
                found = _MARK.search(json.dumps(request.get("messages", []), ensure_ascii=False))
                text = f"[{outer.name}] {found.group(0) if found else 'no-mark'} {outer.sentence}"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = text.split(" ")
                for i, word in enumerate(words):
                    self._event({"choices": [{"index": 0, "delta": {"content": word + (" " if i < len(words) - 1 else "")}}]})
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                usage = {"prompt_tokens": 100, "completion_tokens": len(words), "total_tokens": 100 + len(words)}
                self._event({"choices": [], "usage": usage})
                self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, chunk: dict) -> None:
                chunk = {"id": "chatcmpl-marker", "object": "chat.completion.chunk", "model": request_model(), **chunk}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        def request_model() -> str:
            return outer.requests[-1].get("model", "") if outer.requests else ""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> MarkerServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
