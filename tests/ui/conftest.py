"""UI test setup: the app:// scheme must be declared before pytest-qt builds the QApplication."""

from __future__ import annotations

import ctypes
import sys

from console.ui.app_scheme import register_app_scheme

register_app_scheme()

# PySide6 6.12.0 on CPython 3.11 drops one reference to None (and True/False) on every call
# of a C++ method returning void/bool, e.g. QTest.qWait inside qtbot.waitUntil. A few
# thousand such calls deallocate None and abort the interpreter ("none_dealloc"). From
# CPython 3.12 these objects are immortal and the bug is harmless; until the project moves
# there or pins a fixed PySide6, give them a reference reserve so long UI runs survive.
if sys.version_info < (3, 12):
    for _singleton in (None, True, False):
        for _ in range(1_000_000):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(_singleton))
