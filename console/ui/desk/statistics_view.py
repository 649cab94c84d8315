"""``StatisticsView``: figures per area and period for the project supervisor — a table of
the service's ``AreaStats`` (and the total), four plots and "Export CSV…".

The report is computed through :meth:`DeskContext.run` (never on the GUI thread); a newer
request supersedes one still running. Errors show in the view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Action
from console.services import statistics
from console.ui.desk.context import DeskContext
from console.ui.desk.desk_messages import describe_error
from console.ui.desk.history_filters import STATS_PERIODS, PeriodPicker
from console.ui.desk.history_model import label
from console.ui.desk.statistics_plots import StatisticsPlots

__all__ = ["StatisticsTableModel", "StatisticsView", "format_figure"]

_Index = QModelIndex | QPersistentModelIndex
_FIGURES = (
    ("dispatch_to_en_route_median_s", "En route median", "duration"),
    ("dispatch_to_en_route_p90_s", "En route p90", "duration"),
    ("dispatch_to_on_scene_median_s", "On scene median", "duration"),
    ("dispatch_to_on_scene_p90_s", "On scene p90", "duration"),
    ("canvass_completion", "Canvassed", "share"),
    ("evidence_found_rate", "Evidence found", "share"),
)


def format_figure(value: float | int | None, kind: str) -> str:
    """A table cell: ``"4:05"`` (minutes:seconds), ``"37.5 %"``, ``"1,234"``; ``"–"`` if none."""
    if value is None:
        return "\u2013"
    if kind == "duration":
        seconds = round(float(value))
        return f"{seconds // 60}:{seconds % 60:02d}"
    if kind == "share":
        return f"{100.0 * float(value):.1f} %"
    return f"{int(value):,}"


class StatisticsTableModel(QAbstractTableModel):
    """One row per area and a last "All areas" row; a column per alert type."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._types: list[str] = []

    def set_report(self, report: Any | None) -> None:
        self.beginResetModel()
        self._rows = [] if report is None else [*report.areas, report.total]
        self._types = [] if report is None else sorted(report.total.by_type)
        self.endResetModel()

    def columns(self) -> list[tuple[str, str, str]]:
        """``(field, header, kind)``; type columns have field ``type:<code>``."""
        return [("area", "Area", "text"), ("alerts", "Alerts", "count"),
                *((f"type:{t}", label(t), "count") for t in self._types), *_FIGURES]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns())

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns()[section][1]
        return None

    def value(self, row: int, field: str) -> Any:
        area = self._rows[row]
        if field.startswith("type:"):
            return area.by_type.get(field[5:], 0)
        return getattr(area, field)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field, _header, kind = self.columns()[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.value(index.row(), field)
            return str(value) if kind == "text" else format_figure(value, kind)
        if role == Qt.ItemDataRole.UserRole:
            return self.value(index.row(), field)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind != "text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self._rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _report(store: Any, start: Any, end: Any, group_by: str, bucket: str, user: Any,
            audit: Any) -> Any:
    return statistics.area_statistics(store, start, end, group_by=group_by, bucket=bucket,
                                      user=user, audit=audit)


def _export(report: Any, path: str, user: Any, audit: Any) -> int:
    audit.authorize(user, Action.VIEW_STATISTICS)
    rows = statistics.write_stats_csv(report, path)
    audit.record(user.name, "export_stats_csv", "allowed", object_type="statistics",
                 details={"rows": rows, "file": Path(path).name, "group_by": report.group_by})
    return rows


class StatisticsView(QWidget):
    """Period, grouping and bucket on top; the table above the plots; export below."""

    #: a report has been shown (the service's StatsReport)
    report_shown = Signal(object)
    #: a CSV export finished: rows written
    exported = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Any = None
        self._generation = 0
        self.period = PeriodPicker(STATS_PERIODS, "Last 30 days")
        self.group_by = QComboBox(objectName="stats_group_by")
        self.group_by.addItem("District", "district")
        self.group_by.addItem("Beat", "beat")
        self.bucket = QComboBox(objectName="stats_bucket")
        for text, value in (("Day", "day"), ("Week", "week"), ("Month", "month")):
            self.bucket.addItem(text, value)
        self.refresh_button = QPushButton("Refresh", objectName="stats_refresh")
        self.export_button = QPushButton("Export CSV…", objectName="stats_export")
        self.model = StatisticsTableModel(self)
        self.table = QTableView(objectName="stats_table")
        self.plots = StatisticsPlots()
        self.status_label = QLabel("", objectName="stats_status", wordWrap=True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.refresh)
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(self.period)
        for widget in (QLabel("Group by"), self.group_by, QLabel("Buckets"), self.bucket,
                       self.refresh_button):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([240, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)
        self.period.changed.connect(self._on_choice_changed)
        self.group_by.currentIndexChanged.connect(self._on_choice_changed)
        self.bucket.currentIndexChanged.connect(self._on_choice_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._on_export_clicked)

    def _on_choice_changed(self, *_args: object) -> None:
        self._generation += 1  # a report still on its way no longer answers the choice
        self._debounce.start()

    @Slot()
    def refresh(self) -> None:
        """Compute the report for the chosen period and grouping (off the GUI thread)."""
        self._debounce.stop()
        start, end = self.period.range()
        try:
            user = self.ctx.user()
        except Exception as exc:
            self._show_error(exc)
            return
        self._generation += 1
        generation = self._generation
        self._set_status("Computing…")
        self.ctx.run(_report, self.ctx.store, start, end, self.group_by.currentData(),
                     self.bucket.currentData(), user, self.ctx.audit,
                     done=lambda report: self._on_report(generation, report),
                     failed=lambda exc: self._on_failed(generation, exc))

    def _on_report(self, generation: int, report: Any) -> None:
        if generation != self._generation:
            return
        self.report = report
        self.model.set_report(report)
        self.plots.show_report(report)
        total = report.total.alerts
        self._set_status(f"{total:,} alert{'s' if total != 1 else ''} in "
                         f"{len(report.areas)} area{'s' if len(report.areas) != 1 else ''}.")
        self.report_shown.emit(report)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._show_error(exc)

    # -- export ------------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export statistics as CSV",
                                              str(Path.home() / "statistics.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> None:
        """Write the report shown to ``path`` (off the GUI thread); audited."""
        if self.report is None:
            self._set_status("Nothing to export yet.")
            return
        try:
            user = self.ctx.user()
        except Exception as exc:
            self._show_error(exc)
            return
        self.export_button.setEnabled(False)
        self._set_status(f"Exporting to {Path(path).name}…")
        self.ctx.run(_export, self.report, str(path), user, self.ctx.audit,
                     done=lambda n: self._on_exported(n, Path(path)),
                     failed=self._on_export_failed)

    def _on_exported(self, rows: int, path: Path) -> None:
        self.export_button.setEnabled(True)
        self._set_status(f"Exported {rows} rows to {path.name}.")
        self.exported.emit(rows)

    def _on_export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self._show_error(exc)

    def _set_status(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet("color: #b00020;")
        self.status_label.setText(describe_error(exc))
