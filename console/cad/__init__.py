"""CAD exchange formats (Qt-free): NENA EIDO export of an incident."""

from __future__ import annotations
