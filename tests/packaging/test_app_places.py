"""The console's conventional places and log hygiene (fast: no frozen build needed)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from console.app import RedactingFilter, log_dir

ROOT = Path(__file__).resolve().parents[2]


def _redacted(msg: str, *args: object) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args or None, None)
    assert RedactingFilter().filter(record)
    return record.getMessage()


def test_bearer_tokens_and_token_parameters_are_redacted() -> None:
    assert _redacted("sending Authorization: Bearer abc.DEF-123_x") == (
        "sending Authorization: Bearer <redacted>")
    assert _redacted("headers %s", {"Authorization": "Bearer s3cr3t"}) == (
        "headers {'Authorization': 'Bearer <redacted>'}")
    assert _redacted("GET https://feed/x?since=3&token=s3cr3t&y=1") == (
        "GET https://feed/x?since=3&token=<redacted>&y=1")
    assert "s3cr3t" not in _redacted("feed %s failed", "bearer s3cr3t")


def test_sensor_positions_are_redacted_but_other_numbers_stay() -> None:
    line = _redacted("sensor %s at %.6f, %.6f", "S1", 60.170123, 24.941234)
    assert "60.170123" not in line and "24.941234" not in line and "<pos>" in line
    assert _redacted("alert %s at %.6f", "A1", 60.170123) == "alert A1 at 60.170123"
    assert _redacted("rev %d received", 3) == "rev 3 received"


def test_traceback_text_is_redacted() -> None:
    try:
        raise RuntimeError("Authorization: Bearer leaked")
    except RuntimeError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    RedactingFilter().filter(record)
    assert "leaked" not in record.exc_text and "Bearer <redacted>" in record.exc_text


def test_log_dir_follows_data_dir_else_platform_place(tmp_path: Path) -> None:
    assert log_dir(tmp_path) == tmp_path.resolve() / "logs"
    from platformdirs import user_log_dir

    assert log_dir(None) == Path(user_log_dir("MobileAlertConsole", appauthor=False))


def test_version_and_help_from_source() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("mobile-alert-console ")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert "--data-dir" in r.stdout and "default places" in r.stdout
