"""``python -m locator_core``: see :mod:`locator_core.cli`."""

from __future__ import annotations

import sys

from locator_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
