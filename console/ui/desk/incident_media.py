"""The incident page's map and audio tabs, built when first shown.

:class:`MapSection` puts the incident (uncertainty circle, shots, mobile track), its
canvass area with each door's latest outcome, the evidence pins and the newest
verification's computed location (never a sensor) on the offline map.
:class:`AudioSection` plays the clips the store has cached, through the console's audio
player (waveform, spectrogram, shot markers); the clips are read off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from console.audio.markers import shot_offsets
from console.services.dossier import Dossier

__all__ = ["AudioSection", "MapSection", "cached_blobs", "canvass_payload",
           "verification_payload"]

Run = Callable[..., Any]  # DeskContext.run


def canvass_payload(d: Dossier, doors: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The canvass as :meth:`QtAlertMap.show_canvass` takes it (None without an area)."""
    c = d.canvass
    if c is None or c.area is None:
        return None
    return {
        "incident_id": d.alert.id,
        "outline": [list(p) for p in c.area.outline()],
        "addresses": [{**door, "outcome": c.doors.get(door["key"])} for door in doors],
        "evidence": [{"kind": str(e.kind), "lat": e.lat, "lon": e.lon, "count": e.count,
                      "label": str(e.kind).capitalize() + (f" ×{e.count}" if e.count else "")}
                     for e in d.evidence],
        "progress": {"visited": c.addresses_visited, "total": c.addresses_total or 0},
        "selected": None, "fit": False,
    }


def verification_payload(d: Dossier) -> dict[str, Any] | None:
    """The newest geographic verification as :meth:`QtAlertMap.show_verification` takes
    it: computed and reported places only, never a sensor (None when there is none)."""
    for v in reversed(d.verifications):
        computed, reported = v.result.get("computed"), v.result.get("reported")
        if not (isinstance(computed, dict) and computed.get("lat") is not None
                and computed.get("lon") is not None):
            continue
        return {"computed": {k: computed.get(k) for k in ("lat", "lon", "radius_m")},
                "reported": None if not isinstance(reported, dict) or reported.get("lat")
                is None else {k: reported.get(k) for k in ("lat", "lon", "radius_m")},
                "shots": [], "distance_m": v.result.get("distance_m"), "outside_pack": False}
    return None


def _note(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("padding: 24px; font-size: 12pt;")
    return label


class MapSection(QWidget):
    """The incident on the offline map; the QtWebEngine page is made on first show."""

    def __init__(self, pack_path: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack_path = pack_path
        self.map: Any = None
        self._dossier: Dossier | None = None
        self._doors: list[dict[str, Any]] = []
        self.note = _note("The map opens when the incident has loaded.", "map_note")
        self.note.setStyleSheet("padding: 4px 8px;")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.note)

    def set_dossier(self, d: Dossier, doors: Sequence[dict[str, Any]] = ()) -> None:
        self._dossier, self._doors = d, list(doors)
        if self.map is not None:
            self._push()

    def activate(self) -> None:
        """Build the map (once) and show the incident on it."""
        if self._dossier is None:
            return
        if self.map is None:
            from console.ui.alert_map import QtAlertMap

            self.map = QtAlertMap(self.pack_path)
            self.map.setObjectName("incident_map")
            self.layout().addWidget(self.map, 1)
        self._push()

    def _push(self) -> None:
        from console.ui.main_window import map_payload

        d = self._dossier
        assert d is not None and self.map is not None
        alert = d.alert
        self.map.clear()
        self.map.clear_canvass()
        self.map.show_incident(map_payload(alert, d.incident.acknowledged_at is not None),
                               focus=True)
        canvass = canvass_payload(d, self._doors)
        if canvass is not None:
            self.map.show_canvass(canvass)
        verified = verification_payload(d)
        if verified is not None:
            self.map.show_verification(verified)
        else:
            self.map.clear_verification()
        inside = self.map.contains(alert.location.lat, alert.location.lon)
        text = (f"±{alert.location.uncertainty_m:g} m (90 %), {len(alert.shots)} "
                f"shot{'s' if len(alert.shots) != 1 else ''} located")
        if verified is not None and verified.get("distance_m") is not None:
            text += (f"; newest verification (dashed) {verified['distance_m']:g} m from "
                     "the alert")
        if not inside:
            text += " — the incident lies outside this map pack: no streets are drawn there."
        self.note.setText(text)


def cached_blobs(store: Any, incident_id: str, ns: Sequence[int]) -> list[bytes]:
    """The cached clips ``ns`` of an incident (worker thread)."""
    out = []
    for n in ns:
        clip = store.cached_audio(incident_id, n)
        if clip is not None:
            out.append(clip.data)
    return out


class AudioSection(QWidget):
    """The cached clips in the audio player, or why there is nothing to play."""

    def __init__(self, run: Run, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run, self._store = run, store
        self._dossier: Dossier | None = None
        self.player: Any = None
        self.info = _note("", "audio_info")
        self.info.setStyleSheet("")
        self.empty = _note("No audio cached for this incident.", "audio_empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        col = QVBoxLayout(self)
        col.addWidget(self.info)
        col.addWidget(self.stack, 1)

    def set_dossier(self, d: Dossier) -> None:
        self._dossier = d
        lines = [f"Clip {c.n + 1}: {c.mime}, "
                 + ("length unknown" if c.seconds is None else f"{c.seconds:.1f} s")
                 + ("" if c.cached else " — not cached (never fetched from the feed)")
                 for c in d.audio]
        self.info.setText("<br>".join(lines) if lines else "The alert carries no audio.")
        if not any(c.cached for c in d.audio):
            self.empty.setText("No audio cached for this incident.")
            self.stack.setCurrentWidget(self.empty)
        elif self.player is not None:
            self._load()

    def activate(self) -> None:
        """Build the player (once) and load the cached clips into it."""
        d = self._dossier
        if d is None or not any(c.cached for c in d.audio) or self.player is not None:
            return
        from console.ui.audio_player import AudioPlayerWidget

        self.player = AudioPlayerWidget(self)
        self.stack.addWidget(self.player)
        self.stack.setCurrentWidget(self.player)
        self._load()

    def _load(self) -> None:
        d = self._dossier
        assert d is not None
        ns = [c.n for c in d.audio if c.cached]
        offsets = shot_offsets(d.alert)
        self._run(cached_blobs, self._store, d.alert.id, ns,
                  done=lambda blobs: self.player.load_blobs(blobs, shot_offsets_s=offsets),
                  failed=lambda exc: self.player.show_error(
                      f"The cached audio could not be read: {exc}"))

    def pause(self) -> None:
        if self.player is not None:
            self.player.pause()

    def shutdown(self) -> None:
        if self.player is not None:
            self.player.shutdown()

