"""The code passes ruff's lint and is formatted as ``ruff format`` would write it (settings in ruff.toml)."""

import subprocess
import sys

import pytest

from tests.support.paths import ROOT


@pytest.mark.parametrize("command", [["check", "--no-fix"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command):
    run = subprocess.run([sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"ruff {' '.join(command)} failed (run `ruff {command[0]} .` to fix):\n{run.stdout}{run.stderr}"
