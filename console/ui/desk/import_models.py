"""Table models of the import wizard: the preview rows and the validation issues."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.importer import ImportReport, RowResult

__all__ = ["IssuesModel", "PreviewModel", "ReasonsModel"]

_Index = QModelIndex | QPersistentModelIndex
_ERROR_BG = QColor("#f8d7da")
_WARN_BG = QColor("#fff3cd")
_DISPLAY = Qt.ItemDataRole.DisplayRole


class _Table(QAbstractTableModel):
    """A read-only table over a list of tuples with fixed headers."""

    headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[Any, ...]] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role == _DISPLAY:
            value = self._rows[index.row()][index.column()]
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(index.row())
        return None

    def background(self, row: int) -> QColor | None:
        return None

    def set_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


class PreviewModel(_Table):
    """The first rows of a file as the console will read them, with their issues."""

    headers = ("Line", "Status", "Type", "Time (UTC)", "Latitude", "Longitude", "Address",
               "District", "Beat", "Rounds", "Issues")

    def __init__(self) -> None:
        super().__init__()
        self._status: list[str] = []

    def set_results(self, results: tuple[RowResult, ...] | list[RowResult]) -> None:
        rows, status = [], []
        for r in results:
            a = r.alert
            state = "ok" if r.ok else "rejected"
            if r.ok and r.issues:
                state = "warning"
            issues = "; ".join(i.message for i in r.issues)
            if a is not None and r.ok:
                rows.append((r.line, state, a.alert_type, f"{a.occurred_at:%Y-%m-%d %H:%M:%S}",
                             f"{a.latitude:.6f}", f"{a.longitude:.6f}", a.address, a.district,
                             a.beat, a.rounds, issues))
            else:
                rows.append((r.line, state, "", "", "", "", "", "", "", "", issues))
            status.append(state)
        self._status = status
        self.set_rows(rows)

    def status(self, row: int) -> str:
        return self._status[row]

    def background(self, row: int) -> QColor | None:
        state = self._status[row]
        return _ERROR_BG if state == "rejected" else _WARN_BG if state == "warning" else None


class ReasonsModel(_Table):
    """Rows per rejection reason (errors) and per warning."""

    headers = ("Reason", "Severity", "Rows", "First lines")

    def set_report(self, report: ImportReport) -> None:
        rows = []
        for severity, group in (("error", report.rejections), ("warning", report.warnings)):
            for code, tally in sorted(group.items(), key=lambda kv: -kv[1].count):
                first = ", ".join(map(str, tally.lines[:8])) + (" …" if tally.count > 8 else "")
                rows.append((code.replace("_", " "), severity, tally.count, first))
        self.set_rows(rows)

    def background(self, row: int) -> QColor | None:
        return _ERROR_BG if self._rows[row][1] == "error" else _WARN_BG


class IssuesModel(_Table):
    """The first ``limit`` rows with an issue: line, reason, message, original text."""

    headers = ("Line", "Reason", "Message", "Row as in the file")

    def set_report(self, report: ImportReport, limit: int = 200) -> None:
        items = []
        for group in (report.rejections, report.warnings):
            for code, tally in group.items():
                items += [(s.line, code.replace("_", " "), s.message, s.text)
                          for s in tally.samples]
        items.sort(key=lambda i: i[0])
        self.set_rows(items[:limit])
