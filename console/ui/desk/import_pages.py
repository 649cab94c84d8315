"""The import wizard's first pages: the file and its city, the column mapping, the preview.

The wizard's state (:class:`WizardState`) and the page base classes live here too; the
pages reach the desk's context and the state through their wizard (``page.w``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from console.domain.permissions import Action
from console.importer import HeaderNotRecognised, ImportOptions, ImportReport, Preview
from console.importer.headers import FIELDS
from console.services.imports import ImportResult, detect, options_for
from console.ui.desk.context import Job
from console.ui.desk.import_models import PreviewModel

if TYPE_CHECKING:
    from console.ui.desk.import_wizard import ImportWizard

__all__ = ["CHECK", "CITIES", "FILE", "IMPORT", "MAPPING", "PREVIEW", "SUMMARY", "FilePage",
           "MappingPage", "Page", "PreviewPage", "WizardState", "error_text"]

FILE, MAPPING, PREVIEW, CHECK, IMPORT, SUMMARY = range(6)
CITIES: tuple[tuple[str, str | None], ...] = (
    ("Detect from the coordinates", None), ("Washington DC", "dc"), ("Chicago", "chicago"),
    ("St. Louis", "st_louis"), ("Other: times in the time zone below", ""))
ZONES = ("UTC", "America/New_York", "America/Chicago", "America/Denver",
         "America/Los_Angeles", "Europe/Helsinki")
FORMAT_NAMES = {"washington_dc": "Washington DC", "chicago": "Chicago",
                "st_louis": "St. Louis", "generic": "generic (type, date, coordinates)"}
NOT_USED = "— not in the file —"
FIELD_LABELS = {"id": "Id", "block": "Address (block)", "location": "Location (point)",
                "rounds": "Rounds", "zip_code": "ZIP code", "source": "Source"}
_REQUIRED = ("type", "date")


@dataclass
class WizardState:
    """What the pages decided so far."""

    path: str = ""
    city_choice: str | None = None  # None: detect; "": none (time zone below)
    timezone: str = "UTC"
    mapping: dict[str, str] = field(default_factory=dict)
    preview: Preview | None = None
    city: str | None = None  # the city the file is read as
    report: ImportReport | None = None
    policy: str = "reject_rows"
    result: ImportResult | None = None

    def options(self) -> ImportOptions:
        return options_for(self.city, self.timezone, self.mapping)

    def key(self) -> tuple[object, ...]:
        return (self.path, self.city_choice, self.timezone, tuple(sorted(self.mapping.items())))


def error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 600 else text[:600] + " …"


def _mappable(exc: BaseException) -> bool:
    """A table whose header was not recognised, with enough plain cells to map by hand."""
    return (isinstance(exc, HeaderNotRecognised) and len(exc.headers) >= 3
            and all(h.isprintable() for h in exc.headers))


class Page(QWizardPage):
    def __init__(self, wizard: ImportWizard, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_error(self, text: str) -> None:
        self.error.setText(text)


class _LoadingPage(Page):
    """A page whose Next first (re)reads the file's preview off the GUI thread."""

    def __init__(self, wizard: ImportWizard, title: str, subtitle: str = "") -> None:
        super().__init__(wizard, title, subtitle)
        self._loaded_key: tuple[object, ...] | None = None
        self._job: Job | None = None

    def collect(self) -> bool:
        """Copy the widgets into the state; False (with a message) when incomplete."""
        return True

    def validatePage(self) -> bool:  # noqa: N802
        if not self.collect():
            return False
        st = self.w.state
        if st.preview is not None and self._loaded_key == st.key():
            return True
        if self._job is None:
            self.show_error("Reading the file …")
            self._job = self.w.ctx.run(detect, st.path, st.city_choice, st.timezone,
                                       dict(st.mapping), done=self._on_loaded,
                                       failed=self._on_failed)
        return False

    def _on_loaded(self, result: tuple[Preview, str | None]) -> None:
        self._job = None
        st = self.w.state
        st.preview, st.city = result
        st.report = None
        self._loaded_key = st.key()
        self.show_error("")
        if self.w.currentPage() is self:
            self.w.next()

    def _on_failed(self, exc: BaseException) -> None:
        self._job = None
        if self.w.currentId() == FILE and _mappable(exc):
            # let the user say which column is which on the mapping page
            st = self.w.state
            st.preview = Preview("unrecognised", "", "", exc.headers, {}, (),
                                 ("header not recognised: choose the columns below",))
            st.city = st.city_choice or None
            st.report = None
            self._loaded_key = st.key()
            self.show_error("")
            self.w.next()
            return
        self.show_error(error_text(exc))


class FilePage(_LoadingPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Choose a file",
                         "A published gunshot-alert table (CSV): Washington DC, St. Louis, "
                         "Chicago, or any table with a type, a date and coordinates.")
        self.path = QLineEdit()
        self.path.setPlaceholderText("path of a .csv file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.city = QComboBox()
        for label, key in CITIES:
            self.city.addItem(label, key)
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(ZONES)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("City", self.city)
        form.addRow("Time zone (other cities)", self.zone)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        self.denied = QLabel()
        self.denied.setWordWrap(True)
        lay.addWidget(self.denied)
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.path.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        if not self.w.ctx.may(Action.IMPORT_DATA):
            self.denied.setText("Your role may not import data; the import will be refused "
                                "(and the attempt recorded).")

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open an alert table", "",
                                              "CSV tables (*.csv *.txt *.tsv);;All files (*)")
        if name:
            self.path.setText(name)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip())

    def collect(self) -> bool:
        st = self.w.state
        path = self.path.text().strip()
        if path != st.path:
            st.mapping = {}  # another file: detect its columns afresh
        st.path = path
        st.city_choice = self.city.currentData()
        st.timezone = self.zone.currentText().strip() or "UTC"
        return True


class MappingPage(_LoadingPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Format and columns",
                         "Each console field is read from the column shown; choose another "
                         "column where the detection got it wrong.")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for fld in FIELDS:
            combo = QComboBox()
            self.combos[fld] = combo
            self.form.addRow(FIELD_LABELS.get(fld, fld.replace("_", " ").capitalize()), combo)
        holder = QWidget()
        holder.setLayout(self.form)
        lay = QVBoxLayout(self)
        lay.addWidget(self.facts)
        lay.addWidget(holder)
        lay.addWidget(self.error)

    def initializePage(self) -> None:  # noqa: N802
        p = self.w.state.preview
        assert p is not None
        city = self.w.state.city
        names = {key: label for label, key in CITIES}
        how = " (found from the coordinates)" if self.w.state.city_choice is None else ""
        where = (f"read as {names.get(city, city)}{how}" if city
                 else f"no known city: local times in {self.w.state.timezone}")
        notes = "".join(f"<br>• {n}" for n in p.notes)
        if p.format == "unrecognised":
            if self.w.state.city_choice is None:
                where = "the city is found from the coordinates once their columns are chosen"
            self.facts.setText(f"<b>Columns not recognised</b> · {where}{notes}")
        else:
            self.facts.setText(
                f"<b>Format:</b> {FORMAT_NAMES.get(p.format, p.format)} · <b>encoding</b> "
                f"{p.encoding} · <b>delimiter</b> {p.delimiter!r} · {where}{notes}")
        for fld, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_USED, "")
            for h in p.headers:
                combo.addItem(h or "(blank header)", h)
            mapped = p.mapping.get(fld)
            combo.setCurrentIndex(0 if mapped is None else max(0, combo.findData(mapped)))
            combo.blockSignals(False)
        self._loaded_key = self.w.state.key()

    def chosen(self) -> dict[str, str]:
        return {fld: combo.currentData() or "" for fld, combo in self.combos.items()}

    def collect(self) -> bool:
        chosen = self.chosen()
        missing = [f for f in _REQUIRED if not chosen[f]]
        if missing or not ((chosen["latitude"] and chosen["longitude"]) or chosen["location"]):
            self.show_error("Choose the columns of the type, the date and the coordinates "
                            "(latitude and longitude, or a location).")
            return False
        p = self.w.state.preview
        assert p is not None
        detected = {f: p.mapping.get(f, "") for f in FIELDS}
        if chosen != detected:
            self.w.state.mapping = chosen
        return True


class PreviewPage(Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Preview",
                         "The first rows as the console will store them (times in UTC). "
                         "Rows in red would be rejected, in yellow kept with a warning.")
        self.model = PreviewModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)

    def initializePage(self) -> None:  # noqa: N802
        p = self.w.state.preview
        assert p is not None
        self.model.set_results(p.rows)
        self.table.resizeColumnsToContents()
        for col in range(self.model.columnCount() - 1):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 220))


