"""``HistoryView``: the desk's incident history — filters, a sortable results table and the
map of every match (clusters / heat map), with the selection linked both ways.

Searches run through :meth:`DeskContext.run` (never on the GUI thread); a newer search
supersedes an older one still running. Errors show in the view. Double-click or Enter on
a row says :attr:`HistoryView.incident_opened`. "Export CSV…" writes every match off the
GUI thread with progress and Cancel.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Action
from console.services import history
from console.ui.desk.context import Cancelled, DeskContext, Job
from console.ui.desk.desk_map import DeskMap, EncodedPoints, encode_points
from console.ui.desk.desk_messages import describe_error
from console.ui.desk.history_filters import HistoryFilterBar
from console.ui.desk.history_model import HistoryTableModel

__all__ = ["HistoryView"]

_ERROR_STYLE = "color: #b00020;"


def _fetch(store: Any, query: history.HistoryQuery, user: Any, audit: Any
           ) -> tuple[Any, EncodedPoints]:
    """Worker: one page of rows and every match's map point, encoded for the page."""
    result = history.search(store, query, user=user, audit=audit)
    return result, encode_points(history.map_points(store, query))


def _fetch_rows(store: Any, query: history.HistoryQuery, user: Any, audit: Any) -> Any:
    return history.search(store, query, user=user, audit=audit)


def _export(progress: Any, store: Any, query: history.HistoryQuery, path: str,
            user: Any, audit: Any) -> int:
    return history.export_search_csv(store, query, path, user=user, audit=audit,
                                     progress=progress.report)


class HistoryView(QWidget):
    """Filter bar on top; results table and map side by side; count and export below."""

    incident_opened = Signal(str)
    #: a search (rows and map points) has been shown: (total matches, rows shown)
    results_shown = Signal(int, int)
    #: a CSV export finished: rows written
    exported = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None, *,
                 limit: int = 5000) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._limit = limit
        self._generation = 0
        self._query: history.HistoryQuery | None = None
        self._export_job: Job | None = None
        self._drawing_map = False
        self._quiet_selection = False

        self.filters = HistoryFilterBar()
        self.model = HistoryTableModel(self)
        self.table = QTableView(objectName="history_table")
        self.map = DeskMap(ctx.map_pack)
        self.count_label = QLabel("", objectName="history_count")
        self.status_label = QLabel("", objectName="history_status", wordWrap=True)
        self.search_button = QPushButton("Search", objectName="history_search")
        self.export_button = QPushButton("Export CSV…", objectName="history_export")
        self.export_progress = QProgressBar(objectName="history_export_progress")
        self.cancel_export_button = QPushButton("Cancel", objectName="history_export_cancel")
        self.markers_box = QCheckBox("Incidents", checked=True, objectName="map_markers")
        self.heat_box = QCheckBox("Heat map", objectName="map_heat")
        self.fit_button = QPushButton("Fit to results", objectName="map_fit")
        self._build()
        self._connect()
        self._offer_export()
        self._load_areas()
        self.search()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((150, 150, 150, 80, 180, 90, 70, 60, 65, 90, 120)):
            self.table.setColumnWidth(column, width)

        map_box = QWidget()
        map_layout = QVBoxLayout(map_box)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_bar = QHBoxLayout()
        for widget in (self.markers_box, self.heat_box, self.fit_button):
            map_bar.addWidget(widget)
        map_bar.addStretch(1)
        map_layout.addLayout(map_bar)
        map_layout.addWidget(self.map, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="history_splitter")
        splitter.addWidget(self.table)
        splitter.addWidget(map_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.status_label, 1)
        self.export_progress.setMaximumWidth(220)
        self.export_progress.hide()
        self.cancel_export_button.hide()
        for widget in (self.export_progress, self.cancel_export_button, self.export_button):
            bottom.addWidget(widget)

        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        top.addWidget(self.search_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.filters.changed.connect(self.search)
        self.filters.draw_requested.connect(self._on_draw_requested)
        self.filters.area_cleared.connect(self.map.clear_polygon)
        self.search_button.clicked.connect(self.search)
        self.model.sort_changed.connect(self._on_sort_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.activated.connect(self._on_activated)
        self.map.incident_selected.connect(self._on_map_selected)
        self.map.polygon_drawn.connect(self.filters.set_polygon)
        self.map.drawing_cancelled.connect(self.filters.drawing_ended)
        self.map.drawing_progress.connect(self._on_map_progress)
        self.map.points_drawn.connect(self._on_map_drawn)
        self.markers_box.toggled.connect(self.map.set_markers_visible)
        self.heat_box.toggled.connect(self.map.set_heat_visible)
        self.fit_button.clicked.connect(self.map.fit_points)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.cancel_export_button.clicked.connect(self._cancel_export)

    # -- searching ---------------------------------------------------------------------

    def query(self, **overrides: Any) -> history.HistoryQuery:
        """The query the filters describe (raises ValueError when they make none)."""
        sort, descending = self.model.sort_order
        fields = {**self.filters.query_kwargs(), "sort": sort, "descending": descending,
                  "limit": self._limit, **overrides}
        return history.HistoryQuery(**fields)

    @Slot()
    def search(self) -> None:
        """Run the search the filters describe (off the GUI thread) and show it."""
        try:
            query = self.query()
            user = self.ctx.user()
        except Exception as exc:  # a malformed filter or a locked session: say so
            self._show_error(exc)
            return
        self._generation += 1
        generation = self._generation
        self._query = query
        self._set_status("Searching…")
        self.ctx.run(_fetch, self.ctx.store, query, user, self.ctx.audit,
                     done=lambda res: self._on_results(generation, *res),
                     failed=lambda exc: self._on_failed(generation, exc))

    def _on_results(self, generation: int, result: Any, points: Any) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        selected = self.selected_id()
        self.model.set_rows(result.rows, result.total)
        self.map.set_points(points)
        if points.count:
            self.map.fit_points()  # a new search shows where its matches are
        self._update_count()
        self._set_status("")
        if selected is not None and self.model.row_of(selected) is not None:
            self.select_incident(selected, pan=False)
        self.results_shown.emit(self.model.total, self.model.rowCount())

    def _on_map_progress(self, done: int, total: int) -> None:
        self._drawing_map = True
        self._set_status(f"Drawing the map… {100 * done // max(total, 1)} %")

    def _on_map_drawn(self, _count: int) -> None:
        if self._drawing_map:
            self._drawing_map = False
            self._set_status("")

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._show_error(exc)

    def _on_sort_changed(self, key: str, descending: bool) -> None:
        # sorted here already; a cut result asks for the first rows in the new order
        if not self.model.truncated or self._query is None:
            return
        self._generation += 1
        generation = self._generation
        query = self._query = replace(self._query, sort=key, descending=descending)
        try:
            user = self.ctx.user()
        except Exception as exc:
            self._show_error(exc)
            return
        self._set_status("Sorting…")
        self.ctx.run(_fetch_rows, self.ctx.store, query, user, self.ctx.audit,
                     done=lambda res: self._on_sorted_rows(generation, res),
                     failed=lambda exc: self._on_failed(generation, exc))

    def _on_sorted_rows(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        selected = self.selected_id()
        self.model.set_rows(result.rows, result.total)
        self._update_count()
        self._set_status("")
        if selected is not None and self.model.row_of(selected) is not None:
            self.select_incident(selected, pan=False)

    def _load_areas(self) -> None:
        self.ctx.run(history.areas, self.ctx.store, done=self.filters.set_areas,
                     failed=self._show_error)

    def _update_count(self) -> None:
        total, shown = self.model.total, self.model.rowCount()
        text = f"{total:,} incident{'s' if total != 1 else ''}"
        if shown < total:
            text += f" (showing {shown:,})"
        self.count_label.setText(text)

    # -- selection, both ways ----------------------------------------------------------

    def selected_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if not rows or not index.isValid():
            return None
        return self.model.incident(index.row()).id

    def select_incident(self, incident_id: str, *, pan: bool = True) -> bool:
        """Select the incident's row (scrolled to) and ring it on the map."""
        row = self.model.row_of(incident_id)
        self.map.select(incident_id, pan=pan)
        if row is None:
            self._set_status(f"{incident_id} is not among the rows shown; "
                             "narrow the search or sort to bring it into the table.")
            return False
        self._select_row(row)  # the map was told above, with or without a pan
        return True

    def _select_row(self, row: int) -> None:
        """Select and show ``row`` without telling the map (the caller did)."""
        index = self.model.index(row, 0)
        self._quiet_selection = True
        try:
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._quiet_selection = False
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet_selection:
            self.map.select(self.model.incident(current.row()).id, pan=True)

    def _on_map_selected(self, incident_id: str) -> None:
        row = self.model.row_of(incident_id)
        if row is None:
            self._set_status(f"{incident_id} is not among the rows shown; "
                             "narrow the search or sort to bring it into the table.")
            return
        self._set_status("")
        self._select_row(row)  # the map already shows it: no pan back

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.incident_opened.emit(self.model.incident(index.row()).id)

    # -- drawn area --------------------------------------------------------------------

    def _on_draw_requested(self, start: bool) -> None:
        if start:
            self.map.start_drawing()
            self._set_status("Click the corners of the area on the map; double-click "
                             "or Finish area closes it.")
        else:
            self.map.cancel_drawing()
            self._set_status("")

    # -- export ------------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export search as CSV",
                                              str(Path.home() / "incidents.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> Job | None:
        """Write every match of the current search to ``path`` (off the GUI thread)."""
        if self._export_job is not None:
            return None
        try:
            query = self.query(limit=None, offset=0)
            user = self.ctx.user()
        except Exception as exc:
            self._show_error(exc)
            return None
        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.cancel_export_button.show()
        self._set_status(f"Exporting to {Path(path).name}…")
        self._export_job = self.ctx.run_with_progress(
            _export, self.ctx.store, query, str(path), user, self.ctx.audit,
            done=lambda n: self._on_export_done(n, Path(path)),
            failed=self._on_export_failed, progress=self._on_export_progress)
        return self._export_job

    def _on_export_progress(self, done: int, total: int, _text: str) -> None:
        self.export_progress.setRange(0, max(total, 0))
        self.export_progress.setValue(min(done, total) if total else 0)

    def _offer_export(self) -> None:
        # the service decides (and audits a refusal); the button only says what to expect
        allowed = self.ctx.may(Action.EXPORT_REPORT)
        self.export_button.setEnabled(allowed)
        self.export_button.setToolTip("" if allowed else "Your role may not export searches.")

    def _end_export(self) -> None:
        self._export_job = None
        self._offer_export()
        self.export_progress.hide()
        self.cancel_export_button.hide()

    def _on_export_done(self, rows: int, path: Path) -> None:
        self._end_export()
        self._set_status(f"Exported {rows:,} incidents to {path.name}.")
        self.exported.emit(rows)

    def _on_export_failed(self, exc: BaseException) -> None:
        self._end_export()
        if isinstance(exc, Cancelled):
            self._set_status("Export cancelled; no file was written.")
        else:
            self._show_error(exc)

    def _cancel_export(self) -> None:
        if self._export_job is not None:
            self._export_job.cancel()

    # -- messages ----------------------------------------------------------------------

    def _set_status(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet(_ERROR_STYLE)
        self.status_label.setText(describe_error(exc))
