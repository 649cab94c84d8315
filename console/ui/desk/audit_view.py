"""Audit: the append-only, hash-chained audit log as a table with filters, and a check of
the whole chain that reports the first broken link exactly as ``python main.py audit
verify`` does. Reading and verifying are for supervisors, captains and administrators
(the audit service checks and audits refusals); both run off the GUI thread.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.audit import AuditEntry
from console.services.audit import VerifyReport
from console.ui.desk.context import DeskContext, Job, Progress
from console.ui.desk.governance_parts import RecordsModel, StatusLine, local_time, run_as_user

__all__ = ["AuditView"]

LIMIT = 1000


def _object(e: AuditEntry) -> str:
    if e.object_type and e.object_id:
        return f"{e.object_type} {e.object_id}"
    return e.object_type or e.object_id or ""


_COLUMNS = [
    ("Seq", lambda e: e.seq),
    ("Time", lambda e: local_time(e.at)),
    ("User", lambda e: e.user),
    ("Action", lambda e: e.action),
    ("Object", _object),
    ("Outcome", lambda e: e.outcome),
    ("Details", lambda e: json.dumps(e.details, ensure_ascii=False, sort_keys=True)
     if e.details else ""),
]


def _bound(check: QCheckBox, edit: QDateTimeEdit) -> datetime | None:
    if not check.isChecked():
        return None
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)


class AuditView(QWidget):
    """Audit entries (newest first, filtered) and the "Verify chain" check."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model: RecordsModel[AuditEntry] = RecordsModel(_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.status = StatusLine()
        self.verify_result = StatusLine()
        self.verify_job: Job | None = None
        self._build_filters()
        self.verify_button = QPushButton("Verify chain")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button.hide()
        self.verify_button.clicked.connect(self.verify)
        self.cancel_button.clicked.connect(self._on_cancel)
        verify_row = QHBoxLayout()
        verify_row.addWidget(self.verify_button)
        verify_row.addWidget(self.progress, 1)
        verify_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "<b>Audit log</b> — append-only: the database refuses changes and deletions, "
            "each entry is chained to the one before by its SHA-256 hash, and the console "
            "never purges it."))
        layout.addLayout(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(verify_row)
        layout.addWidget(self.verify_result)
        self.refresh()

    def _build_filters(self) -> None:
        self.user_filter = QLineEdit(placeholderText="any user")
        self.action_filter = QLineEdit(placeholderText="any action, e.g. sign_in")
        self.object_filter = QLineEdit(placeholderText="any object id")
        now = QDateTime.currentDateTime()
        self.since_check, self.until_check = QCheckBox("From"), QCheckBox("Until")
        self.since_edit = QDateTimeEdit(now.addDays(-7), calendarPopup=True)
        self.until_edit = QDateTimeEdit(now.addDays(1), calendarPopup=True)
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.refresh)
        for field in (self.user_filter, self.action_filter, self.object_filter):
            field.returnPressed.connect(self.refresh)
        grid = QGridLayout()
        grid.addWidget(QLabel("User"), 0, 0)
        grid.addWidget(self.user_filter, 0, 1)
        grid.addWidget(QLabel("Action"), 0, 2)
        grid.addWidget(self.action_filter, 0, 3)
        grid.addWidget(QLabel("Object id"), 0, 4)
        grid.addWidget(self.object_filter, 0, 5)
        grid.addWidget(self.since_check, 1, 0)
        grid.addWidget(self.since_edit, 1, 1)
        grid.addWidget(self.until_check, 1, 2)
        grid.addWidget(self.until_edit, 1, 3)
        grid.addWidget(self.apply_button, 1, 5)
        self.filters = grid

    def filter_values(self) -> dict[str, Any]:
        """The filters as the audit service takes them (empty fields: no filter)."""
        return {"user": self.user_filter.text().strip() or None,
                "action": self.action_filter.text().strip() or None,
                "object_id": self.object_filter.text().strip() or None,
                "since": _bound(self.since_check, self.since_edit),
                "until": _bound(self.until_check, self.until_edit),
                "limit": LIMIT}

    def refresh(self) -> None:
        """Reload the entries that match the filters (newest first)."""
        filters = self.filter_values()
        run_as_user(self.ctx, self.status, lambda user: self.ctx.audit.search(user, **filters),
                    done=self._on_loaded, busy="Loading the audit log…")

    def _on_loaded(self, entries: list[AuditEntry]) -> None:
        self.model.set_rows(entries)
        more = " (the newest; narrow the filters to see older ones)" if len(
            entries) >= LIMIT else ""
        self.status.ok(f"{len(entries)} entries{more}")

    # -- verify ------------------------------------------------------------------------
    def verify(self) -> None:
        """Check the whole chain off the GUI thread, with progress and Cancel."""
        if self.verify_job is not None:
            return

        def check(progress: Progress, user: Any) -> VerifyReport:
            return self.ctx.audit.verify_as(user, progress=progress.report)

        self.verify_result.busy("Verifying the audit chain…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.verify_button.setEnabled(False)
        self.verify_job = run_as_user(self.ctx, self.verify_result, check,
                                      done=self._on_verified, progress=self._on_progress,
                                      busy="Verifying the audit chain…")
        if self.verify_job is None:
            self._verify_finished()
        else:
            self.verify_job.failed.connect(lambda _e: self._verify_finished())

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _on_verified(self, report: VerifyReport) -> None:
        self._verify_finished()
        broken = report.broken
        self.model.set_marked(lambda e: broken is not None and e.seq == broken.seq)
        if broken is None:
            self.verify_result.ok(report.message())
        else:
            self.verify_result.error(report.message())
        self.refresh()  # the check itself is an audit entry

    def _verify_finished(self) -> None:
        self.verify_job = None
        self.progress.hide()
        self.cancel_button.hide()
        self.verify_button.setEnabled(True)

    def _on_cancel(self) -> None:
        if self.verify_job is not None:
            self.verify_job.cancel()
