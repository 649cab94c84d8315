"""Dispatch supplements section: victim-confirmed at the top in red and bold."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from console.domain.alert import Supplement
from console.ui.status_panel import ModelLabel
from console.ui.status_timeline_model import SupplementsModel

__all__ = ["SupplementsView"]


class SupplementsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("<b>Dispatch supplements</b>")
        layout.addWidget(self.title)
        self.model = SupplementsModel(self)
        self.list = ModelLabel(self.model)
        self.list.setObjectName("supplements")
        layout.addWidget(self.list)
        self.set_supplements(())

    def set_supplements(self, items: Sequence[Supplement]) -> None:
        self.model.set_supplements(items)
        self.setVisible(bool(items))
