"""Retention: the dry-run preview of a purge, legal holds, the purge itself (an
administrator types the confirmation) and the tombstones purges leave.

Incidents, their audio and records are kept seven years. The audit log is append-only
and is never purged by the console. All store work runs off the GUI thread; the purge
reports progress per batch and can be cancelled between batches.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Action
from console.services import retention
from console.services.retention import PurgePlan, PurgeResult
from console.store import retention_store
from console.store.retention_store import HoldRecord, TombstoneRecord
from console.ui.desk.context import DeskContext, Job, Progress
from console.ui.desk.governance_parts import RecordsModel, StatusLine, local_time, run_as_user

__all__ = ["HoldDialog", "RetentionView"]

_HOLDS = [
    ("Incident", lambda h: h.incident_id),
    ("Reason", lambda h: h.reason),
    ("Placed by", lambda h: h.placed_by),
    ("Placed", lambda h: local_time(h.placed_at)),
    ("Released", lambda h: "" if h.active else
     f"{local_time(h.released_at)} by {h.released_by}: {h.release_reason}"),
]
_COUNTS = [("Table", lambda c: c[0]), ("Rows to delete", lambda c: c[1])]
_HELD = [("Incident", lambda h: h.incident_id), ("Time", lambda h: local_time(h.time)),
         ("Held for", lambda h: "; ".join(h.reasons))]
_TOMBSTONES = [
    ("Incident", lambda t: t.incident_id), ("Type", lambda t: t.type),
    ("Original time", lambda t: local_time(t.original_time)),
    ("Purged", lambda t: local_time(t.purged_at)), ("By", lambda t: t.purged_by),
    ("Reason", lambda t: t.reason),
]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _table(model: RecordsModel[Any]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class HoldDialog(QDialog):
    """Incident id (when placing) and the reason for placing or releasing a hold."""

    def __init__(self, title: str, *, incident_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.incident = QLineEdit(incident_id or "")
        self.incident.setReadOnly(incident_id is not None)
        self.reason = QLineEdit(placeholderText="case number, request or order")
        form.addRow("Incident", self.incident)
        form.addRow("Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class RetentionView(QWidget):
    """Preview, legal holds, purge with typed confirmation, tombstones."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: PurgePlan | None = None
        self.purge_job: Job | None = None
        self.status = StatusLine()
        self.counts: RecordsModel[tuple[str, int]] = RecordsModel(_COUNTS, self)
        self.held: RecordsModel[Any] = RecordsModel(_HELD, self)
        self.holds: RecordsModel[HoldRecord] = RecordsModel(_HOLDS, self)
        self.tombstones: RecordsModel[TombstoneRecord] = RecordsModel(_TOMBSTONES, self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "<b>Retention</b> — incidents, their audio and records are kept "
            f"{retention.KEEP_YEARS} years, then purged by an administrator; legal holds "
            "keep an incident past that. A tombstone and an audit entry remain for every "
            "purged incident. <b>The audit log is append-only and is never purged by the "
            "console.</b>", wordWrap=True))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._preview_box())
        split.addWidget(self._holds_box())
        split.addWidget(self._tombstones_box())
        layout.addWidget(split, 1)
        layout.addWidget(self._purge_box())
        layout.addWidget(self.status)
        self.preview()
        self.load_holds()

    # -- layout ------------------------------------------------------------------------
    def _preview_box(self) -> QWidget:
        box = QGroupBox("Preview (dry run: nothing is changed)")
        self.preview_button = QPushButton("Preview purge")
        self.preview_button.clicked.connect(self.preview)
        self.summary = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(_table(self.counts), 1)
        row.addWidget(_table(self.held), 2)
        v = QVBoxLayout(box)
        top = QHBoxLayout()
        top.addWidget(self.preview_button)
        top.addWidget(self.summary, 1)
        v.addLayout(top)
        v.addLayout(row)
        return box

    def _holds_box(self) -> QWidget:
        box = QGroupBox("Legal holds")
        self.holds_table = _table(self.holds)
        self.place_button = QPushButton("Place hold…")
        self.release_button = QPushButton("Release hold…")
        self.show_released = QCheckBox("Show released")
        self.place_button.clicked.connect(self._on_place)
        self.release_button.clicked.connect(self._on_release)
        self.show_released.toggled.connect(lambda _on: self.load_holds())
        may = self.ctx.may(Action.MANAGE_LEGAL_HOLDS)
        self.place_button.setEnabled(may)
        self.release_button.setEnabled(may)
        bar = QHBoxLayout()
        for w in (self.place_button, self.release_button, self.show_released):
            bar.addWidget(w)
        bar.addStretch(1)
        v = QVBoxLayout(box)
        v.addLayout(bar)
        v.addWidget(self.holds_table)
        return box

    def _tombstones_box(self) -> QWidget:
        box = QGroupBox("Tombstones of purged incidents (newest first)")
        v = QVBoxLayout(box)
        v.addWidget(_table(self.tombstones))
        return box

    def _purge_box(self) -> QWidget:
        box = QGroupBox("Purge")
        self.reason = QLineEdit(retention.DEFAULT_REASON)
        self.confirm = QLineEdit()
        self.confirm_label = QLabel()
        self.purge_button = QPushButton("Purge")
        self.purge_button.setStyleSheet("QPushButton:enabled { color: #b00020; "
                                        "font-weight: bold }")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        for w in (self.progress, self.cancel_button):
            w.hide()
        self.confirm.textChanged.connect(self._update_purge_button)
        self.purge_button.clicked.connect(self.purge)
        self.cancel_button.clicked.connect(self._on_cancel)
        form = QFormLayout(box)
        form.addRow("Reason", self.reason)
        form.addRow(self.confirm_label, self.confirm)
        row = QHBoxLayout()
        row.addWidget(self.purge_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        form.addRow(row)
        self._update_purge_button()
        return box

    # -- preview -----------------------------------------------------------------------
    def preview(self) -> None:
        """Run the dry run off the GUI thread and show what a purge would remove."""
        self.preview_button.setEnabled(False)
        job = run_as_user(self.ctx, self.status, lambda _u: self._read_preview(),
                          done=self._on_preview, busy=None)
        if job is None:
            self.preview_button.setEnabled(True)
        else:
            job.failed.connect(lambda _e: self.preview_button.setEnabled(True))

    def _read_preview(self) -> tuple[PurgePlan, list[TombstoneRecord]]:
        return (retention.plan_purge(self.ctx.store),
                retention_store.tombstones(self.ctx.store, limit=500))

    def _on_preview(self, result: tuple[PurgePlan, list[TombstoneRecord]]) -> None:
        plan, stones = result
        self.preview_button.setEnabled(True)
        self.plan = plan
        self.counts.set_rows([(t, n) for t, n in plan.counts.items() if n])
        self.held.set_rows(plan.held)
        self.tombstones.set_rows(stones)
        n, held = len(plan.incident_ids), len(plan.held)
        self.summary.setText(
            f"Cut-off {local_time(plan.cutoff)} (kept {plan.keep_years} years): "
            f"<b>{_count(n, 'incident')}</b> would be purged ({_count(plan.total_rows, 'row')}); "
            f"{_count(held, 'older incident')} under a legal hold "
            f"{'stays' if held == 1 else 'stay'}.")
        self.confirm_label.setText(f"Type <b>{plan.confirmation}</b> to confirm")
        self.confirm.clear()
        self._update_purge_button()

    # -- holds -------------------------------------------------------------------------
    def load_holds(self) -> None:
        released = self.show_released.isChecked()
        run_as_user(self.ctx, self.status,
                    lambda _u: retention.list_holds(self.ctx.store, include_released=released),
                    done=self.holds.set_rows, busy=None)

    def place_hold(self, incident_id: str, reason: str) -> None:
        run_as_user(self.ctx, self.status,
                    lambda u: retention.place_hold(self.ctx.store, u, incident_id, reason,
                                                   audit=self.ctx.audit),
                    done=lambda h: self._hold_changed(f"Legal hold placed on {h.incident_id}"),
                    busy=f"Placing a legal hold on {incident_id}…")

    def release_hold(self, hold_id: int, reason: str) -> None:
        run_as_user(self.ctx, self.status,
                    lambda u: retention.release_hold(self.ctx.store, u, hold_id, reason,
                                                     audit=self.ctx.audit),
                    done=lambda h: self._hold_changed(
                        f"Legal hold on {h.incident_id} released"),
                    busy="Releasing the legal hold…")

    def _hold_changed(self, text: str) -> None:
        self.status.ok(text)
        self.load_holds()
        self.preview()

    def _selected_hold(self) -> HoldRecord | None:
        rows = self.holds_table.selectionModel().selectedRows()
        return self.holds.row(rows[0].row()) if rows else None

    def _on_place(self) -> None:
        dialog = HoldDialog("Place a legal hold", parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.place_hold(dialog.incident.text().strip(), dialog.reason.text())

    def _on_release(self) -> None:
        hold = self._selected_hold()
        if hold is None or not hold.active:
            self.status.error("Select an active legal hold to release.")
            return
        dialog = HoldDialog("Release a legal hold", incident_id=hold.incident_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.release_hold(hold.id, dialog.reason.text())

    # -- purge -------------------------------------------------------------------------
    def _update_purge_button(self) -> None:
        plan = self.plan
        ready = (plan is not None and bool(plan.incident_ids) and self.purge_job is None
                 and self.confirm.text().strip() == plan.confirmation
                 and self.ctx.may(Action.PURGE_RECORDS))
        self.purge_button.setEnabled(ready)
        if not self.ctx.may(Action.PURGE_RECORDS):
            self.purge_button.setToolTip("Only an administrator purges records.")

    def purge(self) -> None:
        """Purge the previewed incidents; the service checks the role and the typed text."""
        if self.plan is None or self.purge_job is not None:
            return
        plan, typed, reason = self.plan, self.confirm.text(), self.reason.text()

        def work(progress: Progress, user: Any) -> PurgeResult:
            return retention.purge(self.ctx.store, user, plan, typed, audit=self.ctx.audit,
                                   reason=reason, progress=progress.report)

        self.progress.setRange(0, max(len(plan.incident_ids), 1))
        self.progress.setValue(0)
        for w in (self.progress, self.cancel_button):
            w.show()
        self.purge_job = run_as_user(self.ctx, self.status, work, done=self._on_purged,
                                     progress=self._on_progress, busy="Purging…")
        if self.purge_job is not None:
            self.purge_job.failed.connect(lambda _e: self._purge_finished())
        else:
            self._purge_finished()
        self._update_purge_button()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _on_purged(self, result: PurgeResult) -> None:
        self._purge_finished()
        rows = sum(result.counts.values())
        skipped = (f"; {len(result.skipped)} skipped (held or changed since the preview)"
                   if result.skipped else "")
        text = (f"Purged {_count(len(result.purged), 'incident')} ({_count(rows, 'row')})"
                f"{skipped}. "
                "Tombstones and audit entries remain.")
        self.status.ok(text)
        self.preview()

    def _purge_finished(self) -> None:
        self.purge_job = None
        for w in (self.progress, self.cancel_button):
            w.hide()
        self.confirm.clear()
        self._update_purge_button()

    def _on_cancel(self) -> None:
        if self.purge_job is not None:
            self.purge_job.cancel()
