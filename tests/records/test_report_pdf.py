"""Incident report PDF: sections, images, pages, permission and audit (both backends)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdf
import pytest

from console.domain.permissions import PermissionDenied, Role, User
from console.reports.html import SECTIONS
from console.services.audit import AuditLog
from console.services.reports import ReportError, export_incident_report
from console.store import audit_store
from console.store.store import Store
from tests.records.scenario import add_incident

INVESTIGATOR = User("iida", Role.INVESTIGATOR)


def _pages(path: Path) -> list[str]:
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split())
            for p in pypdf.PdfReader(str(path)).pages]


def test_report_has_every_section_and_the_map_and_waveform_images(
        store: Store, tmp_path: Path, qapp: object) -> None:
    sc = add_incident(store)
    path = tmp_path / "report.pdf"
    pages = export_incident_report(store, INVESTIGATOR, sc.incident_id, path)
    text = " ".join(_pages(path))
    assert pages == len(pypdf.PdfReader(str(path)).pages)
    for title in SECTIONS:
        assert title in text, title
    for fact in ("HEL-2026-0042", "multiple gunshots", "Aleksanterinkatu 52", "Kluuvi / K1",
                 "reviewed", "en route", "on scene", "evidence_found", "3 min 00 s",
                 "circle of 120 m", "Heard shots", "Witnesses recorded 1",
                 "Supplement number 1: dark sedan eastbound", "9 mm casings by the kerb",
                 "consistent", "Audio clip 0: 2.0 s at 16000 Hz", "page 1 of"):
        assert fact in text, fact
    # the witness stays in the car's store: never in a report
    assert sc.witness_name not in text and "123 4567" not in text
    assert "/data/recordings" not in text  # the verified data's path is not printed
    images = [img for page in pypdf.PdfReader(str(path)).pages for img in page.images]
    sizes = sorted((img.image.width, img.image.height) for img in images)
    assert (1400, 800) in sizes and (1400, 260) in sizes  # map snapshot and one waveform
    assert "RELEASE" not in text  # internal copies carry no release watermark
    _save_first_page(path, "records_report_page1.png")


def _save_first_page(path: Path, name: str) -> None:
    """Render page 1 with Qt's own PDF engine (it must open) and keep it as a screenshot."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    image = doc.render(0, QSize(900, 1273))
    assert not image.isNull()
    shots = Path("artifacts/screenshots")
    if shots.is_dir():
        image.save(str(shots / name))


def test_map_snapshot_shows_pack_tiles_around_the_incident(tmp_path: Path,
                                                            qapp: object) -> None:
    from console.reports.images import map_snapshot
    from console.reports.model import MapSnapshotSpec
    from console.services.reports import default_map_pack

    img, note = map_snapshot(MapSnapshotSpec(60.17163, 24.9443, 35.0), default_map_pack())
    assert "zoom" in note
    colours = {img.pixel(x, y) for x in range(0, 1400, 50) for y in range(0, 800, 50)}
    assert len(colours) > 8  # drawn tiles, not one background colour
    far, note = map_snapshot(MapSnapshotSpec(40.44, -79.99, 35.0), default_map_pack())
    assert "outside the map pack" in note
    missing, note = map_snapshot(MapSnapshotSpec(60.17, 24.94, 35.0), tmp_path / "none.mbtiles")
    assert "unavailable" in note and not missing.isNull()


def test_long_incident_makes_more_pages_with_a_footer_on_each(store: Store, tmp_path: Path,
                                                             qapp: object) -> None:
    add_incident(store, "HEL-LONG", supplements=60)
    path = tmp_path / "long.pdf"
    pages = export_incident_report(store, INVESTIGATOR, "HEL-LONG", path)
    texts = _pages(path)
    assert pages >= 3 and len(texts) == pages
    for i, page in enumerate(texts, start=1):
        assert f"Incident HEL-LONG - page {i} of {pages}" in page
    assert "Supplement number 59" in " ".join(texts)


def test_export_needs_the_right_role_and_is_audited(store: Store, tmp_path: Path,
                                                    qapp: object) -> None:
    add_incident(store)
    with pytest.raises(PermissionDenied):
        export_incident_report(store, User("olli", Role.OFFICER), "HEL-2026-0042",
                               tmp_path / "no.pdf")
    assert not (tmp_path / "no.pdf").exists()
    with pytest.raises(ReportError, match="no incident"):
        export_incident_report(store, INVESTIGATOR, "NOPE", tmp_path / "x.pdf")
    with pytest.raises(ReportError, match="cannot write"):
        export_incident_report(store, INVESTIGATOR, "HEL-2026-0042",
                               tmp_path / "missing-dir" / "x.pdf")
    export_incident_report(store, User("kaisa", Role.CAPTAIN), "HEL-2026-0042",
                           tmp_path / "ok.pdf")
    got = [(e.user, e.outcome, e.object_id) for e in audit_store.entries(store)
           if e.action == "export_report"]
    assert got == [("olli", "denied", "HEL-2026-0042"), ("iida", "failed", "NOPE"),
                   ("iida", "failed", "HEL-2026-0042"), ("kaisa", "ok", "HEL-2026-0042")]
    assert AuditLog(store).verify().ok
