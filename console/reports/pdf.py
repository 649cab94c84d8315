"""The incident report as a multi-page A4 PDF (QPdfWriter + QTextDocument, QtGui only).

The rich text is laid out at a fixed logical width and scaled onto the page, then cut
into pages by hand so that every page gets the footer (incident, page n of m) and, for
an outside copy, the release watermark: a diagonal stamp and a line naming the request.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from console.reports.html import MAP_IMAGE, report_html, wave_image
from console.reports.images import map_snapshot, waveform_image
from console.reports.model import ReportData

__all__ = ["LOGICAL_WIDTH", "render_pdf"]

LOGICAL_WIDTH = 720  # logical pixels the text is laid out in, scaled to the page width
_FOOTER = 40  # logical pixels kept free at the bottom of each page
ProgressFn = Callable[[int, int, str], None]


def _document(data: ReportData, map_pack: str | Path | None) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(QFont("DejaVu Sans", 9))
    image, note = map_snapshot(data.map, map_pack)
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(MAP_IMAGE), image)
    for i, wave in enumerate(data.waveforms):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(wave_image(i)),
                        waveform_image(wave))
    html = report_html(data, width=LOGICAL_WIDTH - 20)
    doc.setHtml(html.replace("</body>", f'<p class="muted">{note}</p></body>'))
    return doc


def render_pdf(data: ReportData, path: str | Path, *, map_pack: str | Path | None = None,
               watermark: str | None = None, progress: ProgressFn | None = None) -> int:
    """Write the report to ``path`` (via a temporary file); returns the page count."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    if progress is not None:
        progress(0, 3, "drawing map and waveforms")
    doc = _document(data, map_pack)
    writer = QPdfWriter(str(tmp))
    writer.setTitle(f"Incident report {data.incident_id}"
                    + (f" - release {watermark}" if watermark else ""))
    writer.setCreator("Mobile Alert Console")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 12), QPageLayout.Unit.Millimeter))
    paint = writer.pageLayout().paintRectPixels(writer.resolution())
    scale = paint.width() / LOGICAL_WIDTH
    page_h = paint.height() / scale
    doc.setPageSize(QSizeF(LOGICAL_WIDTH, page_h - _FOOTER))
    body_h = page_h - _FOOTER
    pages = doc.pageCount()
    if progress is not None:
        progress(1, 3, f"writing {pages} pages")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write a PDF at {path}")
    try:
        painter.scale(scale, scale)
        for i in range(pages):
            if i:
                writer.newPage()
            painter.save()
            painter.translate(0, -i * body_h)
            doc.drawContents(painter, QRectF(0, i * body_h, LOGICAL_WIDTH, body_h))
            painter.restore()
            _footer(painter, data.incident_id, i + 1, pages, page_h, watermark)
    finally:
        painter.end()
    del writer
    os.replace(tmp, path)
    if progress is not None:
        progress(3, 3, "report written")
    return pages


def _footer(p: QPainter, incident_id: str, page: int, pages: int, page_h: float,
            watermark: str | None) -> None:
    p.save()
    p.setPen(QColor("#555"))
    p.setFont(_font(9))
    line = f"Incident {incident_id} - page {page} of {pages}"
    if watermark:
        line = f"RELEASE COPY {watermark} - " + line
    p.drawText(QRectF(0, page_h - _FOOTER + 12, LOGICAL_WIDTH, 20),
               Qt.AlignmentFlag.AlignCenter, line)
    if watermark:
        p.setPen(QColor(193, 18, 31, 70))
        p.setFont(_font(46, bold=True))
        p.translate(LOGICAL_WIDTH / 2, page_h / 2)
        p.rotate(-35)
        p.drawText(QRectF(-420, -40, 840, 80), Qt.AlignmentFlag.AlignCenter,
                   f"RELEASED {watermark}")
    p.restore()


def _font(pixels: int, *, bold: bool = False) -> QFont:
    """A font sized in logical pixels (the painter is scaled, so points would be too big)."""
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font
