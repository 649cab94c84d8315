"""The desk's wizard for importing a published alert table (CSV) into the incidents.

Pages: choose the file (and the city, or let the coordinates tell) -> detected format
and the column mapping (each console field can be re-mapped to another column) ->
preview of the first rows -> validation report of every row (counts, first issues, save
as CSV; the bad-row policy) -> import with progress and Cancel -> summary. Reading,
validating and importing run on the desk's workers (:class:`DeskContext`); the database
is never touched on the GUI thread. Mount: ``ImportWizard(ctx, parent=None)``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizard

from console.ui.desk.context import DeskContext
from console.ui.desk.import_pages import (
    CHECK,
    FILE,
    IMPORT,
    MAPPING,
    PREVIEW,
    SUMMARY,
    FilePage,
    MappingPage,
    Page,
    PreviewPage,
    WizardState,
)
from console.ui.desk.import_run_pages import CheckPage, ImportPage, SummaryPage

__all__ = ["CHECK", "FILE", "IMPORT", "MAPPING", "PREVIEW", "SUMMARY", "CheckPage",
           "FilePage", "ImportPage", "ImportWizard", "MappingPage", "PreviewPage",
           "SummaryPage"]


class ImportWizard(QWizard):
    """Import a published alert table; give it the desk's :class:`DeskContext`."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = WizardState()
        self.setWindowTitle("Import alert table")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(900, 640)
        self.pages: dict[int, Page] = {
            FILE: FilePage(self), MAPPING: MappingPage(self), PREVIEW: PreviewPage(self),
            CHECK: CheckPage(self), IMPORT: ImportPage(self), SUMMARY: SummaryPage(self)}
        for page_id, page in self.pages.items():
            self.setPage(page_id, page)
        self._closing = False

    def job_finished(self) -> None:
        if self._closing:
            self._closing = False
            super().reject()

    def reject(self) -> None:
        """Closing while the import runs cancels it and closes once it has rolled back."""
        page = self.pages[IMPORT]
        assert isinstance(page, ImportPage)
        check = self.pages[CHECK]
        assert isinstance(check, CheckPage)
        check.stop()
        if page.running():
            self._closing = True
            page.stop()
            return
        super().reject()
