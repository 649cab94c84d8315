"""The import wizard's last pages: validation report and policy, import, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWizard,
)

from console.importer import ImportReport, write_report_csv
from console.services.imports import ImportResult, ImportService
from console.ui.desk.context import Cancelled, Job
from console.ui.desk.import_models import IssuesModel, ReasonsModel
from console.ui.desk.import_pages import FORMAT_NAMES, Page, error_text

if TYPE_CHECKING:
    from console.ui.desk.import_wizard import ImportWizard

__all__ = ["CheckPage", "ImportPage", "SummaryPage"]


class CheckPage(Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Validation", "Every row of the file is checked; nothing "
                         "is written yet.")
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.reasons = ReasonsModel()
        self.issues = IssuesModel()
        self.reasons_view = reasons_view = QTableView()
        self.issues_view = issues_view = QTableView()
        for view, model in ((reasons_view, self.reasons), (issues_view, self.issues)):
            view.setModel(model)
            view.verticalHeader().hide()
            view.horizontalHeader().setStretchLastSection(True)
        self.save = QPushButton("Save report as CSV…")
        self.save.clicked.connect(self._on_save)
        self.skip = QRadioButton("Skip bad rows: import the valid rows, report the rest")
        self.refuse = QRadioButton("Refuse the file if any row is bad")
        self.skip.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.skip)
        group.addButton(self.refuse)
        lay = QVBoxLayout(self)
        lay.addWidget(self.progress)
        lay.addWidget(self.summary)
        lay.addWidget(reasons_view, 1)
        lay.addWidget(QLabel("First rows with an issue:"))
        lay.addWidget(issues_view, 2)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.skip)
        lay.addWidget(self.refuse)
        lay.addWidget(self.error)
        self._job: Job | None = None
        self.setButtonText(QWizard.WizardButton.NextButton, "Import")

    def initializePage(self) -> None:  # noqa: N802
        st = self.w.state
        self.show_error("")
        if st.report is not None:
            self._show(st.report)
            return
        self.summary.setText("Checking every row …")
        self.save.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._job = self.w.ctx.run_with_progress(
            lambda progress, path, options: ImportService.validate(path, options,
                                                                   progress.report),
            st.path, st.options(), done=self._on_done, failed=self._on_failed,
            progress=self._on_progress)

    def cleanupPage(self) -> None:  # noqa: N802
        self.stop()

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.summary.setText(text)

    def _on_done(self, report: ImportReport) -> None:
        self._job = None
        self.w.state.report = report
        self._show(report)
        self.completeChanged.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._job = None
        self.summary.setText("")
        if not isinstance(exc, Cancelled):
            self.show_error(f"The file cannot be read: {error_text(exc)}")

    def _show(self, r: ImportReport) -> None:
        span = (f"{r.first:%Y-%m-%d %H:%M} – {r.last:%Y-%m-%d %H:%M} UTC"
                if r.first and r.last else "no dates")
        types = ", ".join(f"{t.replace('_', ' ')} {n:,}" for t, n in sorted(r.by_type.items()))
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.summary.setText(
            f"<b>{r.rows:,} rows</b>: <b>{r.accepted:,} valid</b>, "
            f"<b style='color:#b00020'>{r.rejected:,} rejected</b>; {span}"
            + (f"<br>{types}" if types else ""))
        self.reasons.set_report(r)
        self.issues.set_report(r)
        for view in (self.reasons_view, self.issues_view):
            view.resizeColumnsToContents()
            for col in range(view.model().columnCount() - 1):
                view.setColumnWidth(col, min(view.columnWidth(col), 320))
        self.save.setEnabled(True)

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.state.report is not None

    def validatePage(self) -> bool:  # noqa: N802
        self.w.state.policy = "refuse_file" if self.refuse.isChecked() else "reject_rows"
        return True

    def _on_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the validation report",
                                              "import-report.csv", "CSV (*.csv)")
        if name:
            self.save_report(name)

    def save_report(self, path: str) -> Job:
        """Write the report's rows to ``path`` off the GUI thread."""
        report = self.w.state.report
        assert report is not None
        return self.w.ctx.run(write_report_csv, report, path,
                              done=lambda n: self.show_error(f"Saved {n:,} rows to {path}"),
                              failed=lambda e: self.show_error(f"Not saved: {error_text(e)}"))


class ImportPage(Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Import", "All valid rows are written in one transaction: "
                         "a cancel or a failure leaves the database as it was.")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel = QPushButton("Cancel import")
        self.cancel.clicked.connect(self.stop)
        lay = QVBoxLayout(self)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.job: Job | None = None

    def initializePage(self) -> None:  # noqa: N802
        st = self.w.state
        st.result = None
        self.show_error("")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        try:
            user = self.w.ctx.user()
        except Exception as exc:  # a locked session
            self.show_error(error_text(exc))
            return
        service = ImportService(self.w.ctx.store, self.w.ctx.audit)
        self.status.setText("Starting …")
        self.cancel.setEnabled(True)
        self.job = self.w.ctx.run_with_progress(
            lambda progress: service.import_file(user, st.path, options=st.options(),
                                                 policy=st.policy, city=st.city,
                                                 progress=progress.report),
            done=self._on_done, failed=self._on_failed, progress=self._on_progress)

    def cleanupPage(self) -> None:  # noqa: N802
        self.stop()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling …")
            self.cancel.setEnabled(False)

    def running(self) -> bool:
        return self.job is not None

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(text)

    def _on_done(self, result: ImportResult) -> None:
        self.job = None
        self.cancel.setEnabled(False)
        self.w.state.result = result
        self.completeChanged.emit()
        self.w.job_finished()
        if self.w.currentPage() is self:
            self.w.next()

    def _on_failed(self, exc: BaseException) -> None:
        self.job = None
        self.cancel.setEnabled(False)
        if isinstance(exc, Cancelled):
            self.status.setText("Import cancelled: nothing was imported.")
        else:
            self.status.setText("")
            self.show_error(f"Nothing was imported: {error_text(exc)}")
        self.w.job_finished()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.state.result is not None


class SummaryPage(Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Imported")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802
        r = self.w.state.result
        assert r is not None
        reasons = "".join(f"<br>&nbsp;&nbsp;{c.replace('_', ' ')}: {t.count:,}"
                          for c, t in sorted(r.report.rejections.items()))
        self.text.setText(
            f"<b>{r.imported:,} incidents imported</b> from {r.file} "
            f"({FORMAT_NAMES.get(r.format, r.format)}, ids <tt>imp:{r.namespace}:…</tt>), "
            f"import #{r.batch_id}.<br>{r.rows:,} rows read; {r.rejected:,} rejected"
            f"{reasons}<br>{r.existing:,} already stored (left unchanged).")
