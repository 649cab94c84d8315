"""A data directory the console cannot write: one clear line, exit 2, no traceback."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from console.runtime import DataDirError, check_data_dir
from tests.reliability.conftest import run_console


def _one_clear_line(done, needle: str) -> str:  # noqa: ANN001 - CompletedProcess
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if needle in ln]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_read_only_mount(tmpfs: Callable[[str], Path]) -> None:
    ro = tmpfs("ro,size=1m")  # root ignores chmod, not a read-only file system
    line = _one_clear_line(run_console("--data-dir", str(ro / "data"), timeout=30),
                           "cannot write to")
    assert str(ro / "data") in line and "Read-only file system" in line
    line = _one_clear_line(run_console("--data-dir", str(ro), timeout=30), "cannot write to")
    assert "Read-only file system" in line


def test_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    line = _one_clear_line(run_console("--data-dir", str(tmp_path / "plain" / "d"),
                                       timeout=30), "cannot write to")
    assert "Not a directory" in line or "exists" in line


def test_database_path_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "console.db").mkdir()
    line = _one_clear_line(run_console("--data-dir", str(tmp_path), timeout=30),
                           "cannot write to")
    assert "not a file" in line


def test_damaged_database_is_reported_not_replaced(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    garbage = b"this is not a database\n" * 200
    db.write_bytes(garbage)
    done = run_console("--data-dir", str(tmp_path), timeout=60)
    line = _one_clear_line(done, "cannot open the store")
    assert "damaged" in line
    assert db.read_bytes() == garbage  # left for IT, never overwritten


def test_check_data_dir_creates_and_probes(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir"
    assert check_data_dir(target) == target.resolve()
    assert list(target.iterdir()) == []  # the probe file is gone
    sqlite3.connect(target / "console.db").close()
    check_data_dir(target)
    (tmp_path / "f").write_text("")
    try:
        check_data_dir(tmp_path / "f")
    except DataDirError as exc:
        assert "not a directory" in str(exc).lower()
    else:
        raise AssertionError("a file was accepted as the data directory")


def test_full_disk_at_start(tmpfs: Callable[[str], Path]) -> None:
    from tests.reliability.test_store_faults import _fill

    full = tmpfs("size=1m")
    (full / "data").mkdir()
    _fill(full)
    line = _one_clear_line(run_console("--data-dir", str(full / "data"), timeout=30),
                           "cannot write to")
    assert "No space left on device" in line
