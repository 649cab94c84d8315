"""Related alerts (within 200 m / 10 min, offered to link) and prior incidents nearby."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.domain.alert import Alert
from console.domain.nearby import distance_m

__all__ = ["RelatedIncidentsView"]


def _line(center: Alert, other: Alert) -> str:
    when = other.time.astimezone()
    return (f"{other.id} · {when:%Y-%m-%d %H:%M} · {distance_m(center, other):.0f} m · "
            f"{str(other.type).replace('_', ' ')}")


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)  # the panel is narrow: never let a line widen it
    return label


class RelatedIncidentsView(QWidget):
    link_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.link_buttons: dict[str, QPushButton] = {}
        self.related_ids: list[str] = []
        self.prior_ids: list[str] = []

    def _clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
            elif item.layout() is not None:
                sub = item.layout()
                while sub.count():
                    w = sub.takeAt(0).widget()
                    if w is not None:
                        w.deleteLater()
        self.link_buttons.clear()

    def set_incidents(self, center: Alert, related: Sequence[Alert], linked: Collection[str],
                      prior: Sequence[Alert]) -> None:
        self._clear()
        self.related_ids = [a.id for a in related]
        self.prior_ids = [a.id for a in prior]
        if related:
            self._layout.addWidget(_wrapped("<b>Related alerts</b> (200 m, 10 min)"))
        for other in related:
            row = QHBoxLayout()
            row.addWidget(_wrapped(_line(center, other)), 1)
            button = QPushButton("Linked ✓" if other.id in linked else "Link")
            button.setObjectName(f"link_{other.id}")
            button.setEnabled(other.id not in linked)
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, i=other.id: self.link_requested.emit(i))
            row.addWidget(button)
            self.link_buttons[other.id] = button
            self._layout.addLayout(row)
        title = _wrapped(f"<b>Prior incidents</b> (500 m, 90 days): {len(prior) or 'none'}")
        title.setObjectName("priorTitle")
        self._layout.addWidget(title)
        for other in prior[:10]:
            self._layout.addWidget(_wrapped("⚠ " + _line(center, other)))
        if len(prior) > 10:
            self._layout.addWidget(_wrapped(f"… and {len(prior) - 10} more"))
