"""Small parts the governance views share: a read-only table model over records, a status
line for results and refusals, password fields with the policy, and a way to run a
service call as the signed-in user off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from console.services.accounts import password_problem
from console.ui.desk.context import DeskContext, Job

__all__ = ["Column", "PasswordFields", "RecordsModel", "StatusLine", "local_time",
           "run_as_user"]

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], object]]


def local_time(at: datetime | None) -> str:
    return "" if at is None else at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class RecordsModel(QAbstractTableModel, Generic[T]):
    """Rows of frozen records shown through ``columns`` (header, value of a record)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[T] = []
        self._marked: Callable[[T], bool] = lambda _row: False

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_marked(self, marked: Callable[[T], bool]) -> None:
        """Show rows for which ``marked(row)`` holds in red (e.g. a broken audit link)."""
        self._marked = marked
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._columns) - 1))

    def row(self, r: int) -> T:
        return self._rows[r]

    def rows(self) -> list[T]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor("#ffcdd2") if self._marked(self._rows[index.row()]) else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        value = self._columns[index.column()][1](self._rows[index.row()])
        return "" if value is None else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section][0]
        return None


class StatusLine(QLabel):
    """One line saying what happened: plain for results, red for refusals and errors."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def ok(self, text: str) -> None:
        self.setStyleSheet("color: #1b5e20")
        self.setText(text)

    def error(self, text: str) -> None:
        self.setStyleSheet("color: #b00020; font-weight: bold")
        self.setText(text)

    def busy(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)


def run_as_user(ctx: DeskContext, status: StatusLine, fn: Callable[..., Any], *args: Any,
                done: Callable[[Any], None], busy: str | None = "Working…",
                progress: Callable[[int, int, str], None] | None = None) -> Job | None:
    """Run ``fn(user, *args)`` off the GUI thread for the signed-in user.

    Refusals and errors (a locked session, a permission denied, bad input) land in
    ``status`` (which shows ``busy`` meanwhile, if given); ``done`` gets the result on the
    GUI thread. With ``progress`` given,
    ``fn`` is called as ``fn(progress_handle, user, *args)``.
    """
    try:
        user = ctx.user()
    except Exception as exc:  # a locked session: say so, do nothing
        status.error(str(exc))
        return None
    if busy:
        status.busy(busy)

    def failed(exc: BaseException) -> None:
        status.error(str(exc) or type(exc).__name__)

    if progress is not None:
        return ctx.run_with_progress(fn, user, *args, done=done, failed=failed,
                                     progress=progress)
    return ctx.run(fn, user, *args, done=done, failed=failed)


class PasswordFields:
    """Password and confirmation rows for a form, checked against the policy as typed."""

    def __init__(self, form: QFormLayout, username: Callable[[], str]) -> None:
        self._username = username
        self.password = QLineEdit()
        self.confirm = QLineEdit()
        for field in (self.password, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #b00020")
        form.addRow("Password", self.password)
        form.addRow("Confirm password", self.confirm)
        form.addRow("", self.hint)

    def problem(self) -> str | None:
        """Why the passwords cannot be used yet, or None."""
        text = self.password.text()
        problem = password_problem(text, self._username())
        if problem is None and text != self.confirm.text():
            problem = "the two passwords differ"
        return problem

    def refresh(self) -> bool:
        problem = self.problem()
        self.hint.setText("" if problem is None else problem[:1].upper() + problem[1:])
        return problem is None
