"""Process-level safety of the console: one instance per data directory, a writable data
directory checked at start, and store failures sorted into what an officer can act on."""

from __future__ import annotations

from console.runtime.datadir import DataDirError, check_data_dir, default_data_dir
from console.runtime.instance import AlreadyRunning, InstanceLock
from console.runtime.storage import StoreProblem, classify_store_error

__all__ = [
    "AlreadyRunning",
    "DataDirError",
    "InstanceLock",
    "StoreProblem",
    "check_data_dir",
    "classify_store_error",
    "default_data_dir",
]
