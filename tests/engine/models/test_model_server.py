"""The real embedded llama.cpp server (xllamacpp), started through EmbeddedServer.

One server is started for the module and stopped at the end (the last test
checks ``stop()`` itself; the fixture stops it again in case that test did not
run). The error cases need no running server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tutor_app.core.config import load_settings
from tutor_app.core.errors import ModelError
from tutor_app.engine.models.chat import StreamEnd, make_chat_model
from tutor_app.engine.models.server import EmbeddedServer, bundled_model_path

pytestmark = pytest.mark.slow

URL_RE = re.compile(r"^http://127\.0\.0\.1:(\d+)/v1$")


def build_settings(home: Path, **overrides):
    return load_settings(env={}, secrets_file=home.parent / "no-secrets.toml", home=home, **overrides)


@pytest.fixture(scope="module")
def llama_cpp_available():
    # In a child process: a llama.cpp build for the wrong CPU dies with SIGILL instead of raising.
    try:
        probe = subprocess.run([sys.executable, "-c", "import xllamacpp"], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("`import xllamacpp` did not finish within 120 s")
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
        pytest.skip(f"`import xllamacpp` fails (not installed or broken; `bash tutor.sh setup` installs it): {last}")


@pytest.fixture(scope="module")
def bundled_model(llama_cpp_available):
    path = bundled_model_path()
    if path is None:
        pytest.skip("the bundled SmolLM2 GGUF file is missing: run `bash tutor.sh setup`")
    return path


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory, bundled_model):
    settings = build_settings(
        tmp_path_factory.mktemp("home"), embedded_context=1024, embedded_parallel=4, embedded_start_timeout_s=120
    )
    assert settings.provider == "embedded"
    return settings


@pytest.fixture(scope="module")
def server(module_settings):
    srv = EmbeddedServer(module_settings)
    try:
        srv.ensure()
    except ModelError as exc:
        srv.stop()
        pytest.fail(f"the embedded server did not start: {exc}")
    yield srv
    srv.stop()
    process = srv.process
    assert process is None or process.poll() is not None


def get_json(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, json.loads(response.read())


# --------------------------------------------------------------------------- a running server


def test_ensure_returns_loopback_url_that_answers_models(server, module_settings):
    url = server.ensure()

    match = URL_RE.match(url)
    assert match, url
    assert 0 < int(match.group(1)) < 65536
    status, body = get_json(f"{url}/models")
    assert status == 200
    assert server.label == "SmolLM2-135M-Instruct.Q4_1"
    assert [Path(m["id"]).stem for m in body["data"]] == [server.label]  # llama.cpp names the model by its file
    # It was started by this handle and recorded for reuse.
    assert server.process is not None and server.process.poll() is None
    state = json.loads(server.state_file.read_text())
    assert state == {"base_url": url, "pid": server.process.pid, "model": str(server.model)}
    # A second ensure() on the same handle is the same server.
    assert server.ensure() == url


def test_second_handle_reuses_the_running_server(server, module_settings):
    url = server.ensure()
    pid = server.process.pid

    other = EmbeddedServer(module_settings)
    assert other.ensure() == url
    assert other.process is None  # no second llama.cpp process
    assert json.loads(other.state_file.read_text())["pid"] == pid
    # The reusing handle does not own the server: stopping it leaves the server up.
    other.stop()
    assert server.process.poll() is None
    assert get_json(f"{url}/models")[0] == 200


def test_chat_model_streams_a_complete_answer(server, module_settings):
    chat = make_chat_model(module_settings, server)
    assert chat.provider == "embedded"
    assert chat.model == server.label
    assert str(chat.client.base_url).rstrip("/") == server.ensure()

    started = time.monotonic()
    items = list(
        chat.stream([{"role": "user", "content": "What is the capital of France? Answer in one sentence."}], max_tokens=24)
    )
    elapsed = time.monotonic() - started

    *pieces, end = items
    assert isinstance(end, StreamEnd)
    assert all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip(), "the model answered nothing"
    assert end.complete is True, end.error
    assert end.finish_reason in ("stop", "length")
    assert end.error is None
    assert elapsed < 60


def test_slots_answer_concurrent_requests_together(server):
    # With one slot the fourth request would see its first token only after the other three finished.
    import threading

    chat = make_chat_model(server.settings, server)
    chat.extra_body = {**(chat.extra_body or {}), "ignore_eos": True}  # every answer runs its full length
    first_token: dict[int, float] = {}
    finished: dict[int, float] = {}

    def ask(n: int) -> None:
        for item in chat.stream([{"role": "user", "content": f"Count from {n} to 100."}], max_tokens=96):
            if isinstance(item, StreamEnd):
                assert item.complete, item.error
                finished[n] = time.monotonic()
            else:
                first_token.setdefault(n, time.monotonic())

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(finished) == 4 and len(first_token) == 4
    assert max(first_token.values()) < min(finished.values()), "a request waited for another to finish"


@pytest.mark.parametrize("schema_name", ["plan", "quiz"])
def test_the_studio_schemas_compile_on_the_server(server, schema_name):
    # llama.cpp answers HTTP 400 when it cannot turn a schema into a grammar; ours must all convert.
    from tutor_app.engine.models.structured import response_format
    from tutor_app.studio.plan_writer import plan_schema
    from tutor_app.studio.quiz_writer import quiz_schema

    schema = (
        plan_schema(3, 3)
        if schema_name == "plan"
        else quiz_schema([("multiple_choice", "apply"), ("true_false", "remember"), ("short_answer", "create")], 2, 3)
    )
    chat = make_chat_model(server.settings, server)
    reply = chat.client.chat.completions.create(
        model=chat.model,
        messages=[{"role": "user", "content": "JSON please"}],
        max_tokens=4,
        response_format=response_format(schema_name, schema),
    )
    assert reply.choices[0].message.content.lstrip().startswith("{")


def test_stop_ends_the_process_and_removes_the_state_file(server):
    # Runs last in this module: it stops the shared server.
    server.ensure()
    process = server.process
    url = server.base_url
    assert process is not None and server.state_file.exists()

    server.stop()

    assert process.poll() is not None
    assert not server.state_file.exists()
    assert server.process is None and server.base_url is None
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/models", timeout=2)


# --------------------------------------------------------------------------- error cases


def test_missing_model_file_says_how_to_fix_it(tmp_path):
    missing = tmp_path / "nowhere" / "model.gguf"
    settings = build_settings(tmp_path / "home", embedded_model_path=missing)

    with pytest.raises(ModelError) as caught:
        EmbeddedServer(settings)

    message = str(caught.value)
    assert str(missing) in message
    assert "does not exist" in message
    assert "TUTOR_EMBEDDED_MODEL_PATH" in caught.value.fix


def test_model_file_that_is_not_gguf_fails_fast_with_the_servers_reason(tmp_path, llama_cpp_available):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"this is not a GGUF file\x00\x01\x02" * 64)
    settings = build_settings(tmp_path / "home", embedded_model_path=bad, embedded_start_timeout_s=60)
    server = EmbeddedServer(settings)

    started = time.monotonic()
    try:
        with pytest.raises(ModelError) as caught:
            server.ensure()
    finally:
        server.stop()
    elapsed = time.monotonic() - started

    message = str(caught.value)
    assert elapsed < settings.embedded_start_timeout_s
    assert "exited at start" in message  # not the "did not answer within" timeout
    code = server_exit_code(message)
    assert code is not None and code != 0, message
    log_lines = server.log_file.read_text(errors="replace").strip().splitlines()
    assert log_lines, "the server wrote nothing to its log"
    assert log_lines[-1][:300] in message
    assert "bad.gguf" in message  # names the file it could not load
    assert "invalid magic" in message  # and llama.cpp's own reason
    assert not server.state_file.exists()
    assert server.base_url is None


def test_stop_after_the_server_died_removes_its_state_file(tmp_path):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")  # only needs to exist: nothing is started
    server = EmbeddedServer(build_settings(tmp_path / "home", embedded_model_path=model))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    server.process = dead
    server.base_url = "http://127.0.0.1:9/v1"
    server.state_file.parent.mkdir(parents=True)
    server.state_file.write_text(json.dumps({"base_url": server.base_url, "pid": dead.pid, "model": str(model)}))

    server.stop()

    assert server.process is None
    assert not server.state_file.exists()
    assert server.base_url is None


def server_exit_code(message: str) -> int | None:
    match = re.search(r"\(code (-?\d+)\)", message)
    return int(match.group(1)) if match else None
