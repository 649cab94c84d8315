"""The incident report as rich text (the subset of HTML that QTextDocument lays out).

Images are referenced by name (:data:`MAP_IMAGE`, :func:`wave_image`) and supplied by
the PDF renderer as document resources. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from console.reports.model import ReportData

__all__ = ["MAP_IMAGE", "SECTIONS", "report_html", "wave_image"]

MAP_IMAGE = "report:map"
#: Section titles in print order (tests look for them in the PDF's text).
SECTIONS = ("Incident", "Map", "Audio", "Status timeline", "Response times", "Canvass",
            "Supplements", "Evidence", "Verification", "Revisions")
_STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 15pt; margin: 0; }
h2 { font-size: 11pt; margin-top: 12px; margin-bottom: 4px; color: #1d3557; }
table.grid { border-collapse: collapse; }
table.grid td, table.grid th { border: 1px solid #999; padding: 2px 5px; }
th { background: #e6ebf2; text-align: left; }
.muted { color: #666; }
"""


def wave_image(i: int) -> str:
    return f"report:wave{i}"


def _t(at: datetime | None) -> str:
    return "-" if at is None else at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _v(value: object) -> str:
    return "-" if value is None or value == "" else escape(str(value))


def _table(head: Sequence[str], rows: Iterable[Sequence[object]], empty: str) -> str:
    rows = list(rows)
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    out = ['<table class="grid" width="100%" cellspacing="0"><thead><tr>']
    out += [f"<th>{escape(h)}</th>" for h in head]
    out.append("</tr></thead>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_v(c)}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _header(d: ReportData) -> str:
    area = " / ".join(x for x in (d.district, d.beat) if x) or None
    pairs = [("Incident id", d.incident_id), ("Type", d.type.replace("_", " ")),
             ("Time", _t(d.time)), ("Address", d.address), ("Area", area),
             ("Review", d.review), ("Revision", d.revision),
             ("Location", f"{d.lat:.5f}, {d.lon:.5f} (± {d.uncertainty_m:.0f} m)"),
             ("Rounds", d.rounds), ("Shooters", d.shooters), ("Notes", d.notes)]
    rows = "".join(f'<tr><th width="22%">{escape(k)}</th><td>{_v(v)}</td></tr>'
                   for k, v in pairs)
    return (f"<h1>Incident report {escape(d.incident_id)}</h1>"
            f'<p class="muted">Generated {_t(d.generated_at)} by {escape(d.generated_by)}</p>'
            f'<h2>Incident</h2><table class="grid" width="100%" cellspacing="0">{rows}</table>')


def _audio(d: ReportData, width: int) -> str:
    if not d.waveforms:
        return '<h2>Audio</h2><p class="muted">No audio cached for this incident.</p>'
    parts = ["<h2>Audio</h2>"]
    for i, w in enumerate(d.waveforms):
        parts.append(f"<p>{escape(w.label)}: {w.seconds:.1f} s at {w.sample_rate} Hz<br/>"
                     f'<img src="{wave_image(i)}" width="{width}"/></p>')
    return "".join(parts)


def _canvass(d: ReportData) -> str:
    if not d.canvass:
        return '<h2>Canvass</h2><p class="muted">No canvass logged.</p>'
    rows = "".join(f'<tr><th width="30%">{escape(k)}</th><td>{_v(v)}</td></tr>'
                   for k, v in d.canvass)
    outcomes = _table(("Outcome", "Doors"), d.canvass_outcomes, "No door results.")
    return (f'<h2>Canvass</h2><table class="grid" width="100%" cellspacing="0">{rows}'
            f"</table><p></p>{outcomes}")


def report_html(d: ReportData, *, width: int = 700) -> str:
    """The report's rich text; images are ``width`` logical pixels wide."""
    timeline = [(_t(e.at), e.unit, e.status.replace("_", " ") + (" (undone)" if e.undone else ""),
                 e.disposition) for e in d.timeline]
    evidence = [(_t(e.at), e.kind, e.count, e.unit, f"{e.lat:.5f}, {e.lon:.5f}", e.note)
                for e in d.evidence]
    parts = [
        f"<html><head><style>{_STYLE}</style></head><body>",
        _header(d),
        f'<h2>Map</h2><p><img src="{MAP_IMAGE}" width="{width}"/><br/>'
        '<span class="muted">Incident location with its 90 % uncertainty circle; evidence '
        "as squares. Map data © OpenStreetMap contributors.</span></p>",
        _audio(d, width),
        "<h2>Status timeline</h2>",
        _table(("Time", "Unit", "Status", "Disposition"), timeline, "No unit status recorded."),
        "<h2>Response times</h2>",
        _table(("Unit", "Dispatch → en route", "En route → on scene", "On scene → clear"),
               d.responses, "No response times (no unit reached en route)."),
        _canvass(d),
        "<h2>Supplements</h2>",
        _table(("Time", "Kind", "Text"),
               [(_t(a), k.replace("_", " "), t) for a, k, t in d.supplements],
               "No supplements."),
        "<h2>Evidence</h2>",
        _table(("Time", "Kind", "Count", "Unit", "Position", "Note"), evidence,
               "No evidence recorded."),
        "<h2>Verification</h2>",
        _table(("Time", "By", "Source", "Verdict", "Distance (m)", "Rounds", "Shooters"),
               d.verifications, "No verification run."),
        "<h2>Revisions</h2>",
        _table(("Revision", "Review", "Type", "Received", "Changes"),
               [(r, rv, t.replace("_", " "), _t(at), ch) for r, rv, t, at, ch in d.revisions],
               "No revisions."),
        "</body></html>",
    ]
    return "".join(parts)
