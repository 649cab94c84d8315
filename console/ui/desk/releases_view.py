"""Releases tab: request a release, the captain's queue, and the outside copy.

A thin view over :class:`console.services.releases.ReleaseService`: every call runs on
the desk's worker pool and the service decides (and audits) what is allowed; the
buttons are only enabled where a step makes sense.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Action
from console.domain.releases import ReleaseDenied, ReleaseKind, ReleaseStatus
from console.services.releases import ReleaseRecord, ReleaseService
from console.ui.desk.context import DeskContext, Job
from console.ui.desk.desk_messages import describe_error

__all__ = ["ReleaseTableModel", "ReleasesView"]

_COLUMNS = ("Request", "Incident", "Kind", "Recipient", "Purpose", "Requested by",
            "Requested", "Status", "Decided by", "Note")


class ReleaseTableModel(QAbstractTableModel):
    """Release requests as rows (read-only)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReleaseRecord] = []

    def set_rows(self, rows: Sequence[ReleaseRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> ReleaseRecord:
        return self._rows[i]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        r = self._rows[index.row()]
        values = (r.id, r.incident_id, str(r.kind), r.recipient, r.purpose, r.requested_by,
                  r.requested_at.strftime("%Y-%m-%d %H:%M"), str(r.status), r.decided_by or "",
                  r.decision_note or "")
        return values[index.column()]


def _table(model: ReleaseTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ReleasesView(QWidget):
    """The Releases tab of the desk (mount with ``ReleasesView(ctx)``)."""

    changed = Signal()  # a request was made, decided or produced

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ReleaseService(ctx.store, ctx.audit, map_pack=ctx.map_pack)
        self.can_request = ctx.may(Action.REQUEST_RELEASE)
        self.can_decide = ctx.may(Action.APPROVE_RELEASE)
        self.mine_model = ReleaseTableModel(self)
        self.pending_model = ReleaseTableModel(self)
        self.last_outputs: list[str] = []
        self._build()
        self.refresh()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.form = self._request_form()
        self.form.setVisible(self.can_request)
        layout.addWidget(self.form)
        mine = QGroupBox("My requests")
        box = QVBoxLayout(mine)
        self.mine_table = _table(self.mine_model, "releases_mine")
        self.mine_table.selectionModel().selectionChanged.connect(self._update_buttons)
        box.addWidget(self.mine_table)
        self.produce_button = QPushButton("Produce outside copy…")
        self.produce_button.setObjectName("releases_produce")
        self.produce_button.clicked.connect(lambda: self.produce_selected())
        box.addWidget(self.produce_button, alignment=Qt.AlignmentFlag.AlignRight)
        mine.setVisible(self.can_request)
        layout.addWidget(mine, 2)
        layout.addWidget(self._pending_box(), 2)
        status = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("releases_message")
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        status.addWidget(self.message, 1)
        status.addWidget(self.progress)
        layout.addLayout(status)
        self._update_buttons()

    def _request_form(self) -> QGroupBox:
        group = QGroupBox("Request release to an outside party")
        form = QFormLayout(group)
        self.incident_edit = QLineEdit()
        self.incident_edit.setObjectName("releases_incident")
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Incident report (PDF)", str(ReleaseKind.REPORT))
        self.kind_combo.addItem("Audio (WAV)", str(ReleaseKind.AUDIO))
        self.recipient_edit = QLineEdit()
        self.recipient_edit.setPlaceholderText("e.g. District Attorney, case 2026-113")
        self.purpose_edit = QPlainTextEdit()
        self.purpose_edit.setPlaceholderText("Why the copy is needed")
        self.purpose_edit.setMaximumHeight(60)
        self.submit_button = QPushButton("Submit request")
        self.submit_button.setObjectName("releases_submit")
        self.submit_button.clicked.connect(self.submit)
        form.addRow("Incident", self.incident_edit)
        form.addRow("What", self.kind_combo)
        form.addRow("Recipient", self.recipient_edit)
        form.addRow("Purpose", self.purpose_edit)
        form.addRow("", self.submit_button)
        return group

    def _pending_box(self) -> QGroupBox:
        group = QGroupBox("Awaiting a captain's decision")
        box = QVBoxLayout(group)
        self.pending_table = _table(self.pending_model, "releases_pending")
        self.pending_table.selectionModel().selectionChanged.connect(self._update_buttons)
        box.addWidget(self.pending_table)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setObjectName("releases_approve")
        self.approve_button.clicked.connect(lambda: self.approve_selected())
        self.refuse_button = QPushButton("Refuse…")
        self.refuse_button.setObjectName("releases_refuse")
        self.refuse_button.clicked.connect(lambda: self.refuse_selected())
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.refuse_button)
        box.addLayout(buttons)
        group.setVisible(self.can_decide)
        return group

    # -- reading -----------------------------------------------------------------------
    def refresh(self) -> Job:
        """Reload both lists off the GUI thread."""
        user = self._user()

        def work() -> tuple[list[ReleaseRecord], list[ReleaseRecord]]:
            return self.service.mine(user), self.service.pending(user)

        return self.ctx.run(work, done=self._show_lists, failed=self._failed)

    def _show_lists(self, lists: tuple[list[ReleaseRecord], list[ReleaseRecord]]) -> None:
        self.mine_model.set_rows(lists[0])
        self.pending_model.set_rows(lists[1])
        self._update_buttons()

    def _selected(self, table: QTableView, model: ReleaseTableModel) -> ReleaseRecord | None:
        rows = table.selectionModel().selectedRows()
        return model.row(rows[0].row()) if rows else None

    def _update_buttons(self, *_: Any) -> None:
        mine = self._selected(self.mine_table, self.mine_model)
        self.produce_button.setEnabled(mine is not None
                                       and mine.status is ReleaseStatus.APPROVED)
        pending = self._selected(self.pending_table, self.pending_model)
        for b in (self.approve_button, self.refuse_button):
            b.setEnabled(pending is not None)

    # -- actions -----------------------------------------------------------------------
    def new_request(self, incident_id: str) -> None:
        """Start a request for ``incident_id`` (the incident page's "Request release")."""
        self.incident_edit.setText(incident_id)
        self.recipient_edit.setFocus()

    def submit(self) -> Job | None:
        user = self._user()
        args = (user, self.incident_edit.text().strip(), self.kind_combo.currentData(),
                self.recipient_edit.text(), self.purpose_edit.toPlainText())
        return self._call(self.service.request, args, self._submitted)

    def _submitted(self, rec: ReleaseRecord) -> None:
        self.recipient_edit.clear()
        self.purpose_edit.clear()
        self._done(f"Request {rec.id} sent to the captains.")

    def approve_selected(self, note: str | None = None) -> Job | None:
        rec = self._selected(self.pending_table, self.pending_model)
        if rec is None:
            return None
        if note is None:
            note, ok = QInputDialog.getText(self, "Approve release",
                                            f"Note for {rec.id} (optional):")
            if not ok:
                return None
        return self._call(self.service.approve, (self._user(), rec.id, note),
                          lambda r: self._done(f"{r.id} approved."))

    def refuse_selected(self, note: str | None = None) -> Job | None:
        rec = self._selected(self.pending_table, self.pending_model)
        if rec is None:
            return None
        if note is None:
            note, ok = QInputDialog.getText(self, "Refuse release", f"Why is {rec.id} refused?")
            if not ok:
                return None
        return self._call(self.service.refuse, (self._user(), rec.id, note),
                          lambda r: self._done(f"{r.id} refused."))

    def produce_selected(self, folder: str | None = None) -> Job | None:
        rec = self._selected(self.mine_table, self.mine_model)
        if rec is None:
            return None
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, f"Folder for the copy of {rec.id}")
            if not folder:
                return None
        user = self._user()
        self.progress.setRange(0, 0)
        self.progress.show()

        def work(progress: Any) -> list[Any]:
            return self.service.produce(user, rec.id, folder, progress=progress.report)

        return self.ctx.run_with_progress(work, done=self._produced, failed=self._failed,
                                          progress=self._progressed)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.message.setText(text)

    def _produced(self, paths: list[Any]) -> None:
        self.progress.hide()
        self.last_outputs = [str(p) for p in paths]
        self._done("Outside copy written: " + ", ".join(p.name for p in paths))

    # -- plumbing ----------------------------------------------------------------------
    def _user(self) -> Any:
        """The session itself: the service refuses (and audits) a locked one."""
        return self.ctx.session

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...],
              done: Callable[[Any], None]) -> Job:
        return self.ctx.run(fn, *args, done=done, failed=self._failed)

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.changed.emit()
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        if isinstance(exc, ReleaseDenied | ValueError):
            text = str(exc)
        elif isinstance(exc, KeyError):
            text = str(exc.args[0])
        else:
            text = describe_error(exc)
        self.message.setText(text)
