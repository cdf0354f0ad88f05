"""The ``openai`` client's transport: timeouts, bounded retries, the ``Retry-After`` cap, the deadline timer.

``make_client`` builds the client for the configured provider with explicit connect/read timeouts and
bounded retries (the SDK backs off on 429 and 5xx), so a silent server fails within 20 s; a server that asks
for a longer pause than ``MAX_RETRY_AFTER_S`` (``Retry-After``) is not retried, so the learner hears at once
that the model is busy and for how long. ``DeadlineTimer`` ends a streamed response at the answer deadline.
Reading streams, describing failures and logging them live in ``chat``.
"""

from __future__ import annotations

import email.utils
import math
import os
import socket
import threading
import time

import openai

from tutor_app.core.config import Provider, Settings

# The longest pause a server may ask for (Retry-After) and still be asked again: beyond it the learner is told at once
# that the model is busy and when to try again, instead of waiting it out (the SDK would wait up to 120 s).
MAX_RETRY_AFTER_S = 5.0


def _timeout(settings: Settings) -> openai.Timeout:
    # The read timeout bounds the wait for the first byte and doubles as the budget between streamed
    # chunks. The SDK retries a timeout like a 5xx, with the same timeouts, so a server that accepts
    # the connection and says nothing fails after (max_retries + 1) x read + the backoff before each
    # retry (0.5 s x 2^n, less up to 25 %): with the defaults 2 x 9 s + 0.5 s = 18.5 s, within 20 s
    # (measured: 18.6 s, tests/engine/models/test_bounded_waits.py). A host that never accepts the
    # connection: 2 x 5 s (connect) + 0.5 s.
    # A 429 or 5xx whose Retry-After asks for more than MAX_RETRY_AFTER_S is not retried (_cap_retry_after).
    return openai.Timeout(connect=settings.connect_timeout_s, read=settings.stream_idle_timeout_s, write=30.0, pool=10.0)


def retry_after_seconds(headers) -> float | None:
    """The pause a response asks for, in seconds: ``retry-after-ms``, else ``Retry-After`` as seconds or as
    an HTTP date (the headers the SDK reads, in its order); None when it names none."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            continue
    value = headers.get("retry-after")
    try:
        moment = email.utils.parsedate_tz(value) if value else None
        return None if moment is None else float(email.utils.mktime_tz(moment) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _cap_retry_after(response) -> None:
    """A response hook: a refusal asking for a pause over MAX_RETRY_AFTER_S gets ``x-should-retry: false``.

    The SDK obeys that header before its own rules (it would otherwise sleep the whole Retry-After, up to
    120 s, then ask again), so the error reaches ``OpenAIChat.stream`` at once with the header intact."""
    if response.status_code < 400:
        return
    wait = retry_after_seconds(response.headers)
    if wait is not None and (not math.isfinite(wait) or wait > MAX_RETRY_AFTER_S):
        response.headers["x-should-retry"] = "false"


class _HttpClient(openai.DefaultHttpxClient):
    """The SDK's HTTP client with its defaults, plus ``_cap_retry_after``; closed when dropped, as the SDK's own."""

    def __init__(self, timeout: openai.Timeout) -> None:
        super().__init__(timeout=timeout, event_hooks={"response": [_cap_retry_after]})

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def make_client(settings: Settings, base_url: str | None = None) -> openai.OpenAI:
    timeout = _timeout(settings)
    common = {"timeout": timeout, "max_retries": settings.max_retries, "http_client": _HttpClient(timeout)}
    if settings.provider is Provider.AZURE:
        return openai.AzureOpenAI(
            api_key=settings.azure_openai_api_key.get_secret_value(),
            azure_endpoint=settings.azure_openai_endpoint,
            api_version=settings.azure_openai_api_version,
            **common,
        )
    if settings.provider is Provider.OPENAI:
        return openai.OpenAI(api_key=settings.openai_api_key.get_secret_value(), base_url=settings.openai_base_url, **common)
    # The embedded server ignores the key, but the SDK insists on one.
    return openai.OpenAI(api_key="local-no-key", base_url=base_url, **common)


class DeadlineTimer:
    """Ends a streamed response at the answer deadline, even while a read is waiting for the next chunk.

    Closing the response from another thread would not wake that read; shutting the socket down does (the
    read sees the end of the stream) and tells the server to stop generating. The socket is shut down
    through a duplicate of its descriptor, which leaves a TLS layer's state to the thread reading it. Without
    access to the socket (another transport) the response is closed: the stream then ends at the next chunk.
    ``cancel`` (under the same lock) makes sure a finished response, back in the pool, is never touched.
    """

    def __init__(self, response, seconds: float) -> None:
        self._response = response
        self._lock = threading.Lock()
        self._done = False
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = None
            network = getattr(self._response, "extensions", {}).get("network_stream")
            if network is not None:
                sock = network.get_extra_info("socket")
            try:
                if sock is not None:
                    with socket.socket(fileno=os.dup(sock.fileno())) as duplicate:
                        duplicate.shutdown(socket.SHUT_RDWR)
                else:
                    self._response.close()
            except OSError:
                pass  # already closed: the stream has ended anyway
