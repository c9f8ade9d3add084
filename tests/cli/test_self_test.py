"""`xindang --self-test` on this installation (tests/installer checks the frozen bundle too)."""

import os
import subprocess
import sys


def test_the_self_test_passes_and_names_every_step(tmp_path):
    env = dict(os.environ, XINDANG_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in ("vault", "scoring", "pdf with Chinese and a chart", "translations", "keyring"):
        assert any(line.startswith(f"ok    {step}") for line in lines), done.stdout
    assert lines[-1] == "self-test passed"
