"""The player's transport bar: large touch targets for use in a moving patrol car."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

__all__ = ["TransportBar", "TOUCH_PX"]

TOUCH_PX = 48
"""Minimum height (and width) of a control, px: a gloved fingertip."""


def _button(text: str, name: str, *, checkable: bool = False, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setCheckable(checkable)
    # never narrower than its label: squeezed layouts must not clip a control's meaning
    b.setMinimumSize(max(TOUCH_PX + 24, b.fontMetrics().horizontalAdvance(text) + 28), TOUCH_PX)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to play/pause, not to a button
    if tip:
        b.setToolTip(tip)
    return b


class TransportBar(QWidget):
    """Play/pause, stop, loop, speed, volume, clip choice and the position readout."""

    play_toggled = Signal()
    stop_clicked = Signal()
    loop_toggled = Signal(bool)
    speed_changed = Signal(float)
    volume_changed = Signal(float)
    clip_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.play_button = _button("▶ Play", "audioPlay", tip="Play / pause (Space)")
        self.stop_button = _button("■ Stop", "audioStop", tip="Stop and return to the start")
        self.loop_button = _button("⟲ Loop", "audioLoop", checkable=True,
                                   tip="Loop the selection (Shift+drag on a waveform)")
        self.loop_button.setEnabled(False)
        self.speed_full = _button("1×", "audioSpeed1", checkable=True, tip="Normal speed")
        self.speed_half = _button("0.5× · pitch lower", "audioSpeedHalf", checkable=True,
                                  tip="Half speed: twice as long, an octave lower in pitch")
        self.speed_full.setChecked(True)
        speeds = QButtonGroup(self)
        speeds.setExclusive(True)
        speeds.addButton(self.speed_full)
        speeds.addButton(self.speed_half)
        self.clip_box = QComboBox()
        self.clip_box.setObjectName("audioClip")
        self.clip_box.setMinimumHeight(TOUCH_PX)
        self.clip_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("audioVolume")
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMinimumSize(120, TOUCH_PX)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.position = QLabel("0.000 s")
        self.position.setObjectName("audioPosition")
        self.position.setMinimumWidth(200)
        for w in (self.play_button, self.stop_button, self.loop_button, self.speed_full,
                  self.speed_half, self.clip_box):
            row.addWidget(w)
        row.addWidget(QLabel("Vol"))
        row.addWidget(self.volume)
        row.addWidget(self.position, 1)
        self.play_button.clicked.connect(self.play_toggled)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.loop_button.toggled.connect(self.loop_toggled)
        self.speed_full.clicked.connect(lambda: self.speed_changed.emit(1.0))
        self.speed_half.clicked.connect(lambda: self.speed_changed.emit(0.5))
        self.volume.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100.0))
        self.clip_box.currentIndexChanged.connect(self.clip_chosen)

    def set_clip_labels(self, labels: list[str]) -> None:
        self.clip_box.blockSignals(True)
        self.clip_box.clear()
        self.clip_box.addItems(labels)
        self.clip_box.blockSignals(False)
        self.clip_box.setVisible(len(labels) > 1)

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")

    def set_speed(self, speed: float) -> None:
        (self.speed_half if speed == 0.5 else self.speed_full).setChecked(True)
