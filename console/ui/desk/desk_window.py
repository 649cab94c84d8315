"""The desk window: live alerts, history, statistics, incident pages and the records work.

Tabs are offered by role (the services check again when an action is taken): everyone
signed in sees Live, History and Statistics; Releases is for those who request or decide
releases; Audit for supervisors, captains and administrators; Retention and Accounts for
administrators. Incident pages open as closable tabs from the history (double-click).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from console.domain.permissions import Action
from console.ui.desk.context import DeskContext

__all__ = ["DeskWindow"]

log = logging.getLogger(__name__)


class DeskWindow(QMainWindow):
    """The supervisor's and investigator's window over one :class:`DeskContext`."""

    signed_out = Signal()

    def __init__(self, ctx: DeskContext, *, live: QWidget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Mobile Alert Console — Desk")
        self.setMinimumSize(1100, 720)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("desk_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.setCentralWidget(self.tabs)
        self.live = live
        self.incident_pages: dict[str, QWidget] = {}
        self._fixed: list[QWidget] = []
        self.history: Any = None
        self.statistics: Any = None
        self.releases: Any = None
        self.audit_view: Any = None
        self.retention: Any = None
        self.accounts_view: Any = None
        self._build_tabs()
        self._build_menus()
        self.user_label = QLabel()
        self.user_label.setObjectName("desk_user")
        self.statusBar().addPermanentWidget(self.user_label)
        self._show_user()

    # -- tabs --------------------------------------------------------------------------
    def _add_fixed(self, widget: QWidget, title: str) -> None:
        self.tabs.addTab(widget, title)
        self._fixed.append(widget)

    def _build_tabs(self) -> None:
        from console.ui.desk.history_view import HistoryView
        from console.ui.desk.statistics_view import StatisticsView

        if self.live is not None:
            self._add_fixed(self.live, "Live")
        if self.ctx.may(Action.SEARCH_HISTORY):
            self.history = HistoryView(self.ctx)
            self.history.incident_opened.connect(self.open_incident)
            self._add_fixed(self.history, "History")
        if self.ctx.may(Action.VIEW_STATISTICS):
            self.statistics = StatisticsView(self.ctx)
            self._add_fixed(self.statistics, "Statistics")
        if self.ctx.may(Action.REQUEST_RELEASE) or self.ctx.may(Action.APPROVE_RELEASE):
            from console.ui.desk.releases_view import ReleasesView

            self.releases = ReleasesView(self.ctx)
            self._add_fixed(self.releases, "Releases")
        if self.ctx.may(Action.VERIFY_AUDIT):
            from console.ui.desk.audit_view import AuditView

            self.audit_view = AuditView(self.ctx)
            self._add_fixed(self.audit_view, "Audit")
        if self.ctx.may(Action.PURGE_RECORDS):
            from console.ui.desk.retention_view import RetentionView

            self.retention = RetentionView(self.ctx)
            self._add_fixed(self.retention, "Retention")
        if self.ctx.may(Action.MANAGE_ACCOUNTS):
            from console.ui.desk.accounts_view import AccountsView

            self.accounts_view = AccountsView(self.ctx)
            self._add_fixed(self.accounts_view, "Accounts")
        bar = self.tabs.tabBar()
        for i in range(self.tabs.count()):  # the fixed tabs have no close button
            for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
                button = bar.tabButton(i, side)
                if button is not None:
                    button.resize(0, 0)
                    button.hide()

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget in self._fixed:
            return
        for incident_id, page in list(self.incident_pages.items()):
            if page is widget:
                del self.incident_pages[incident_id]
        self.tabs.removeTab(index)
        if hasattr(widget, "shutdown"):  # an incident page: release its sound device
            widget.shutdown()
        widget.deleteLater()

    def open_incident(self, incident_id: str) -> QWidget:
        """Show the incident's page (opening it once; the view is audited by the page)."""
        page = self.incident_pages.get(incident_id)
        if page is None:
            from console.ui.desk.incident_page import IncidentPage

            page = IncidentPage(self.ctx, incident_id)
            self._connect_page(page)
            self.incident_pages[incident_id] = page
            self.tabs.addTab(page, incident_id)
        self.tabs.setCurrentWidget(page)
        return page

    def _connect_page(self, page: Any) -> None:
        if hasattr(page, "export_requested"):
            page.export_requested.connect(self.export_report)
        if hasattr(page, "release_requested"):
            page.release_requested.connect(self.request_release)

    # -- menus -------------------------------------------------------------------------
    def _action(self, menu: Any, text: str, slot: Callable[[], Any], *,
                shortcut: str | None = None, name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.import_action = self._action(file_menu, "Import alert table (CSV)…",
                                          self.open_import_wizard, name="desk_import")
        self.import_action.setEnabled(self.ctx.may(Action.IMPORT_DATA))
        self.map_export_action = self._action(file_menu, "Export search as map (HTML)…",
                                              self.export_search_map, name="desk_map_export")
        self.map_export_action.setEnabled(self.history is not None
                                          and self.ctx.may(Action.EXPORT_REPORT))
        file_menu.addSeparator()
        self._action(file_menu, "Close desk", self.close, shortcut="Ctrl+Q")
        session = bar.addMenu("&Session")
        # Ctrl+L is the session guard's application-wide shortcut
        self.lock_action = self._action(session, "Lock now\tCtrl+L", self.lock, name="desk_lock")
        self._action(session, "Sign out", self.sign_out, name="desk_sign_out")

    def _show_user(self) -> None:
        try:
            user = self.ctx.user()
        except Exception:
            self.user_label.setText("Locked")
            return
        self.user_label.setText(f"Signed in: {user.name} ({user.role})")

    # -- actions -----------------------------------------------------------------------
    def open_import_wizard(self) -> Any:
        from console.ui.desk.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.finished.connect(lambda _r: self.history.refresh()
                                if hasattr(self.history, "refresh") else None)
        wizard.open()
        return wizard

    def export_report(self, incident_id: str, path: str | None = None) -> None:
        """Save the incident report PDF (internal copy; audited by the service)."""
        from console.services.reports import export_incident_report

        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export incident report", f"{incident_id}.pdf", "PDF (*.pdf)")
            if not path:
                return
        self.statusBar().showMessage(f"Exporting {incident_id}…")
        user = self.ctx.user()

        def work(progress: Any) -> int:
            return export_incident_report(
                self.ctx, user, incident_id, path,
                progress=lambda done, total, text="": progress.report(done, total, text))

        def report(done: int, total: int, text: str) -> None:
            self.statusBar().showMessage(f"Exporting {incident_id}: {text or ''} "
                                         f"{done}/{total}")

        self.last_export = self.ctx.run_with_progress(
            work, done=lambda pages: self.statusBar().showMessage(
                f"Report saved ({pages} pages): {path}", 8000),
            failed=self._failed("Export report"), progress=report)

    def export_search_map(self, path: str | None = None) -> None:
        """The history's current search as one offline HTML map (audited by the service)."""
        from console.services.map_export import export_search_map

        if self.history is None:
            return
        try:
            query = self.history.query(limit=None)
            user = self.ctx.user()
        except Exception as exc:  # a malformed filter or a locked session
            self._failed("Export map")(exc)
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export search as map",
                                                  "incidents-map.html", "HTML (*.html)")
            if not path:
                return

        def work(progress: Any) -> Any:
            return export_search_map(
                self.ctx, user, query, path,
                progress=lambda done, total, text="": progress.report(done, total, text))

        def report(done: int, total: int, text: str) -> None:
            self.statusBar().showMessage(f"Exporting map: {text or ''} {done}/{total}")

        def saved(result: Any) -> None:
            self.last_map = result
            self.statusBar().showMessage(
                f"Map saved ({result.markers} incidents): {path}"
                + (f" — {result.note}" if result.note else ""), 8000)

        self.last_export = self.ctx.run_with_progress(
            work, done=saved, failed=self._failed("Export map"), progress=report)

    def request_release(self, incident_id: str) -> None:
        if self.releases is None:
            QMessageBox.information(self, "Request release",
                                    "Your role may not request a release.")
            return
        self.tabs.setCurrentWidget(self.releases)
        self.releases.new_request(incident_id)

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def show(exc: BaseException) -> None:
            self.statusBar().showMessage(f"{what}: {exc}", 10000)
            QMessageBox.warning(self, what, str(exc))
        return show

    def lock(self) -> None:
        guard = getattr(self, "guard", None)
        if guard is not None:
            guard.lock_now()
        else:
            self.ctx.session.lock()
        self._show_user()

    def sign_out(self) -> None:
        guard = getattr(self, "guard", None)
        if guard is not None:
            guard.sign_out()  # audited; closes the window
            return
        self.ctx.session.lock()
        self.signed_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        for page in self.incident_pages.values():
            if hasattr(page, "shutdown"):
                page.shutdown()
        self.ctx.wait(10_000)
        super().closeEvent(event)
