"""HTML map export: self-contained (no CDN, no network), markers with popups, audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from console.domain.permissions import PermissionDenied, Role, User
from console.services.audit import AuditLog
from console.services.map_export import export_search_map, write_search_map
from console.store import audit_store
from console.store.store import Store


@dataclass(frozen=True)
class Row:  # the fields of history.IncidentSummary the export reads
    id: str
    time: datetime
    type: str
    lat: float
    lon: float
    address: str | None


def rows(n: int = 40, lat: float = 60.168, lon: float = 24.940) -> list[Row]:
    t0 = datetime(2025, 6, 1, tzinfo=UTC)
    types = ("single_gunshot", "multiple_gunshots", "probable_gunfire")
    return [Row(f"HEL-{i:04d}", t0 + timedelta(hours=i), types[i % 3],
                lat + 0.0002 * (i % 10), lon + 0.0003 * (i // 10),
                None if i % 7 == 0 else f"Katu {i} <script>alert(1)</script>")
            for i in range(n)]


def _outside_inlined_code(page: str) -> str:
    page = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    return re.sub(r"<style>.*?</style>", "", page, flags=re.S)


def test_file_has_no_cdn_links_and_embeds_tiles(tmp_path: Path) -> None:
    out = write_search_map(rows(), tmp_path / "map.html", title="June")
    page = out.path.read_text(encoding="utf-8")
    assert out.markers == 40 and out.tiles > 20 and out.zooms[0] == 12
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                         _outside_inlined_code(page))
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", page)
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg"):
        assert cdn not in page
    assert "L.markerClusterGroup" in page and "data:image/png;base64," in page
    assert "<script>alert(1)</script>" not in _outside_inlined_code(page)


def test_results_outside_the_pack_give_a_tileless_map_with_a_note(tmp_path: Path) -> None:
    out = write_search_map(rows(lat=40.44, lon=-79.99), tmp_path / "pgh.html")
    assert out.tiles == 0 and "outside the map pack" in out.note
    assert "outside the map pack" in out.path.read_text(encoding="utf-8")
    empty = write_search_map([], tmp_path / "empty.html")
    assert empty.markers == 0 and empty.path.exists()


class _Recorder(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info: Any) -> None:  # noqa: N802 - Qt's name
        self.urls.append(info.requestUrl().toString())


def _js(qtbot: Any, page: QWebEnginePage, code: str) -> Any:
    box: dict[str, Any] = {}
    page.runJavaScript(code, 0, lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10000)
    return box["v"]


def test_opens_offline_in_a_web_engine_page_showing_markers(qtbot: Any, tmp_path: Path) -> None:
    out = write_search_map(rows(), tmp_path / "map.html")
    profile = QWebEngineProfile()
    recorder = _Recorder()
    profile.setUrlRequestInterceptor(recorder)
    page = QWebEnginePage(profile)
    view = QWebEngineView()
    view.setPage(page)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(page.loadFinished, timeout=30000) as loaded:
        page.load(QUrl.fromLocalFile(str(out.path)))
    assert loaded.args == [True]
    qtbot.waitUntil(lambda: _js(qtbot, page, "window.exportedMap && window.exportedMap.count")
                    == 40, timeout=15000)
    shown = ("document.querySelectorAll('.marker-cluster').length + "
             "document.querySelectorAll('path.leaflet-interactive').length")
    qtbot.waitUntil(lambda: _js(qtbot, page, shown) > 0, timeout=15000)
    qtbot.waitUntil(lambda: _js(qtbot, page, "document.querySelectorAll("
                                "'.leaflet-tile-loaded').length") > 0, timeout=15000)
    total = _js(qtbot, page, "window.exportedMap.cluster.getLayers().length")
    assert total == 40
    popup = _js(qtbot, page, """(function(){
        var m = window.exportedMap.cluster.getLayers()[1];
        window.exportedMap.cluster.zoomToShowLayer(m, function(){ m.openPopup(); });
        return m.getPopup().getContent(); })()""")
    assert "HEL-0001" in popup and "2025-06-01 01:00:00 UTC" in popup and "multiple gunshots" in popup
    assert "&lt;script&gt;" in popup  # addresses are shown as text, never run
    view.grab().save(str(Path("artifacts/screenshots").resolve() / "records_search_map.png")) \
        if Path("artifacts/screenshots").is_dir() else None
    remote = [u for u in recorder.urls if u.startswith(("http:", "https:"))]
    assert remote == []
    assert recorder.urls  # the interceptor saw the page's own requests
    view.close()
    with qtbot.waitSignal(page.destroyed, timeout=5000):
        page.deleteLater()


def test_export_needs_the_right_role_and_is_audited(store: Store, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        export_search_map(store, User("olli", Role.OFFICER), rows(), tmp_path / "no.html")
    assert not (tmp_path / "no.html").exists()
    out = export_search_map(store, User("sanna", Role.SUPERVISOR), rows(5),
                            tmp_path / "ok.html", title="Kluuvi, June")
    assert out.markers == 5
    got = [(e.user, e.action, e.outcome, e.details.get("markers"))
           for e in audit_store.entries(store) if e.object_type == "search"]
    assert got == [("olli", "export_report", "denied", None),
                   ("sanna", "export_search_map", "ok", 5)]
    assert AuditLog(store).verify().ok


def test_a_history_query_is_run_unlimited_for_the_map(store: Store, tmp_path: Path) -> None:
    from console.services.history import HistoryQuery
    from tests.records.scenario import add_incident

    for i in range(3):
        add_incident(store, f"HEL-Q{i}", seq=10 * i + 1, audio=False, canvass=False)
    out = export_search_map(store, User("iida", Role.INVESTIGATOR),
                            HistoryQuery(limit=1, text="HEL-Q"), tmp_path / "q.html")
    assert out.markers == 3  # the page limit of the table does not cut the map
    page = out.path.read_text(encoding="utf-8")
    assert all(f"HEL-Q{i}" in page for i in range(3))
