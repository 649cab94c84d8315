"""A process killed in the middle of writing an import leaves the database as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from console.importer import preset
from console.services.imports import ImportService
from console.store import Store
from tests.imports.conftest import NOW, SUPERVISOR, counts, dc_rows, write

ROOT = Path(__file__).resolve().parents[2]

# Imports the file and SIGKILLs itself once two write batches are in the transaction.
_CHILD = """
import os, signal, sys
from datetime import UTC, datetime
from console.domain.permissions import Role, User
from console.importer import preset
from console.services.imports import ImportService
from console.store import Store

def progress(done, total, text):
    if text.startswith("Stored") and done > 700:
        os.kill(os.getpid(), signal.SIGKILL)

store = Store(sys.argv[1])
ImportService(store).import_file(
    User("sam", Role.SUPERVISOR), sys.argv[2],
    options=preset("dc", now=datetime(2026, 1, 1, tzinfo=UTC)), progress=progress)
print("not killed")
"""


def test_killed_midway_leaves_zero_rows(store_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", dc_rows(6000))
    Store(store_url).close()  # migrate first: the child only imports
    proc = subprocess.run([sys.executable, "-c", _CHILD, store_url, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store = Store(store_url)
    try:
        assert counts(store) == (0, 0, 0)
        res = ImportService(store).import_file(SUPERVISOR, path,
                                               options=preset("dc", now=NOW))
        assert res.imported == 6000 and counts(store) == (6000, 6000, 1)
    finally:
        store.close()
