"""Call-sign dialog: the car's unit identity, set once per shift (non-modal)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = ["CallSignDialog"]


class CallSignDialog(QDialog):
    accepted_call_sign = Signal(str)

    def __init__(self, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callSignDialog")
        self.setWindowTitle("Unit call sign")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Call sign of this car for the shift (e.g. P-12):"))
        self.edit = QLineEdit(current)
        self.edit.setMaxLength(32)
        self.edit.setMinimumHeight(40)
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.edit.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.ok_button.setEnabled(bool(current.strip()))

    def _on_ok(self) -> None:
        text = self.edit.text().strip()
        if text:
            self.accepted_call_sign.emit(text)
            self.accept()
