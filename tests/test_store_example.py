"""examples/store_host.py runs on both backends and prints what docs/store.md promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import store_helpers
from xinfang.store import SCHEMA_VERSION

store_url = store_helpers.store_url
SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "store_host.py"


def test_store_host_example(store_url: str) -> None:
    """The host script registers, applies, retries a conflict and queries through the store.

    On SQLite it runs without arguments, on its default database (a temporary
    SQLite file); on PostgreSQL it is given the server's URL.
    """
    sqlite = store_url.startswith("sqlite")
    env = dict(os.environ)
    src = str(SCRIPT.parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *([] if sqlite else [store_url])],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    if sqlite:
        assert out.startswith(f"store: sqlite, schema version {SCHEMA_VERSION}")
    else:
        assert out.startswith("store: postgresql, schema version ")
    assert "conflict: case HOST-1: expected version 1, but the store holds version 2" in out
    assert "HOST-1 is accepted at version 3" in out
    assert "D2-S (accused unit) sees: no such case" in out
    assert "D3-S sees: RedactedCase" in out
    assert "ID numbers masked: True" in out
    assert out.rstrip().endswith("check: ok")
