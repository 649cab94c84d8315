"""Importing published gunshot-alert tables (CSV) — the Qt-free, database-free core.

Reads the layouts cities publish (Washington DC, St. Louis, Chicago, or any file whose
header names a type, a date and coordinates), checks every row, and produces a report and
an all-or-nothing :class:`ImportPlan` for the database step to write in one transaction.
"""

from __future__ import annotations

from console.importer.api import Batch, Import, Preview, iter_batches, plan, preview, validate
from console.importer.headers import ALERT_TYPES, Layout, detect_layout, map_type
from console.importer.options import (
    PRESETS,
    BBox,
    CsvImportError,
    HeaderNotRecognised,
    ImportOptions,
    preset,
)
from console.importer.report import (
    ImportPlan,
    ImportReport,
    ReasonTally,
    RejectedRow,
    write_report_csv,
)
from console.importer.rows import ImportedAlert, Issue, RowResult

__all__ = [
    "ALERT_TYPES", "PRESETS", "BBox", "Batch", "CsvImportError", "HeaderNotRecognised",
    "Import", "ImportOptions",
    "ImportPlan", "ImportReport", "ImportedAlert", "Issue", "Layout", "Preview",
    "ReasonTally", "RejectedRow", "RowResult", "detect_layout", "iter_batches", "map_type",
    "plan", "preset", "preview", "validate", "write_report_csv",
]
