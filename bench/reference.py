"""Runs code against an earlier revision of the ``streams`` package, in a child process, so a bench can
put the shipped code and the code it replaced side by side in one run."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_at_revision(revision: str, code: str, stdin: bytes) -> bytes:
    """Standard output of ``python -c code`` with ``revision``'s ``streams/`` first on the path."""
    archive = subprocess.run(["git", "archive", revision, "streams"], cwd=ROOT, capture_output=True, check=True)
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        run = subprocess.run([sys.executable, "-c", code], input=stdin, cwd=folder, capture_output=True, check=True)
    return run.stdout
