"""Real servers for the two-server test: a ``chroma run`` server and app-server processes that talk JSON lines.

``ChromaServer`` starts the Chroma CLI from the project's virtual environment on a free loopback port and
waits for its heartbeat. ``AppServer`` starts ``tests.support.two_servers_worker`` with a ``TUTOR_HOME`` of
its own (so a keyword index of its own) and the shared Chroma and app database URLs, and sends it requests.
Both are stopped by their own process id. This module starts processes; it asserts nothing.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.support.paths import ROOT

CHROMA = Path(sys.executable).with_name("chroma")
_PROVIDER_KEYS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """``chroma run --path FOLDER`` on 127.0.0.1 and a free port, until ``stop``."""

    def __init__(self, folder: Path, timeout_s: float = 60.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "chroma.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run gave no heartbeat within {timeout_s:.0f} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        _stop(self.process)


class AppServer:
    """One app process (``two_servers_worker``) with its own TUTOR_HOME, on shared Chroma and database URLs."""

    def __init__(self, name: str, home: Path, chroma_url: str, database_url: str, timeout_s: float = 180.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_") and k not in _PROVIDER_KEYS}
        env.update(
            TUTOR_HOME=str(home),
            TUTOR_CHROMA_URL=chroma_url,
            TUTOR_DATABASE_URL=database_url,
            TUTOR_SAMPLE_COURSE="false",
            PYTHONPATH=str(ROOT),
        )
        self.name = name
        self.log = home.parent / f"{name}.log"
        home.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.two_servers_worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                encoding="utf-8",
            )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._answer(timeout_s)  # {"ready": true} once the services are built

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _answer(self, timeout_s: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise RuntimeError(f"{self.name} gave no answer within {timeout_s:.0f} s; log: {self.log}") from None
        if line is None:
            raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-3000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.name} failed: {answer['error']}")
        return answer

    def request(self, timeout_s: float = 120.0, **request) -> dict:
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return self._answer(timeout_s)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        _stop(self.process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
