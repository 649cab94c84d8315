"""The desk's wizard for importing a published alert table (CSV) into the incidents.

Pages: choose the file (and the city, or let the coordinates tell) -> detected format
and the column mapping (each console field can be re-mapped to another column) ->
preview of the first rows -> validation report of every row (counts, first issues, save
as CSV; the bad-row policy) -> import with progress and Cancel -> summary. Reading,
validating and importing run on the desk's workers (:class:`DeskContext`); the database
is never touched on the GUI thread. Mount: ``ImportWizard(ctx, parent=None)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from console.domain.permissions import Action
from console.importer import HeaderNotRecognised, ImportReport, Preview, write_report_csv
from console.importer.headers import FIELDS
from console.services.imports import ImportResult, ImportService, detect, options_for
from console.ui.desk.context import Cancelled, DeskContext, Job
from console.ui.desk.import_models import IssuesModel, PreviewModel, ReasonsModel

__all__ = ["ImportWizard"]

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
class _State:
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

    def options(self) -> Any:
        return options_for(self.city, self.timezone, self.mapping)

    def key(self) -> tuple[object, ...]:
        return (self.path, self.city_choice, self.timezone, tuple(sorted(self.mapping.items())))


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 600 else text[:600] + " …"


def _mappable(exc: BaseException) -> bool:
    """A table whose header was not recognised, with enough plain cells to map by hand."""
    return (isinstance(exc, HeaderNotRecognised) and len(exc.headers) >= 3
            and all(h.isprintable() for h in exc.headers))


class _Page(QWizardPage):
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


class _LoadingPage(_Page):
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
        self.show_error(_message(exc))


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


class PreviewPage(_Page):
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


class CheckPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Validation", "Every row of the file is checked; nothing "
                         "is written yet.")
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.reasons = ReasonsModel()
        self.issues = IssuesModel()
        self.reasons_view = reasons_view = QTableView()
        self.issues_view = issues_view = QTableView()
        for view, model in ((reasons_view, self.reasons), (issues_view, self.issues)):
            view.setModel(model)
            view.verticalHeader().hide()
            view.horizontalHeader().setStretchLastSection(True)
        self.save = QPushButton("Save report as CSV…")
        self.save.clicked.connect(self._on_save)
        self.skip = QRadioButton("Skip bad rows: import the valid rows, report the rest")
        self.refuse = QRadioButton("Refuse the file if any row is bad")
        self.skip.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.skip)
        group.addButton(self.refuse)
        lay = QVBoxLayout(self)
        lay.addWidget(self.progress)
        lay.addWidget(self.summary)
        lay.addWidget(reasons_view, 1)
        lay.addWidget(QLabel("First rows with an issue:"))
        lay.addWidget(issues_view, 2)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.skip)
        lay.addWidget(self.refuse)
        lay.addWidget(self.error)
        self._job: Job | None = None
        self.setButtonText(QWizard.WizardButton.NextButton, "Import")

    def initializePage(self) -> None:  # noqa: N802
        st = self.w.state
        self.show_error("")
        if st.report is not None:
            self._show(st.report)
            return
        self.summary.setText("Checking every row …")
        self.save.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._job = self.w.ctx.run_with_progress(
            lambda progress, path, options: ImportService.validate(path, options,
                                                                   progress.report),
            st.path, st.options(), done=self._on_done, failed=self._on_failed,
            progress=self._on_progress)

    def cleanupPage(self) -> None:  # noqa: N802
        self.stop()

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.summary.setText(text)

    def _on_done(self, report: ImportReport) -> None:
        self._job = None
        self.w.state.report = report
        self._show(report)
        self.completeChanged.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._job = None
        self.summary.setText("")
        if not isinstance(exc, Cancelled):
            self.show_error(f"The file cannot be read: {_message(exc)}")

    def _show(self, r: ImportReport) -> None:
        span = (f"{r.first:%Y-%m-%d %H:%M} – {r.last:%Y-%m-%d %H:%M} UTC"
                if r.first and r.last else "no dates")
        types = ", ".join(f"{t.replace('_', ' ')} {n:,}" for t, n in sorted(r.by_type.items()))
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.summary.setText(
            f"<b>{r.rows:,} rows</b>: <b>{r.accepted:,} valid</b>, "
            f"<b style='color:#b00020'>{r.rejected:,} rejected</b>; {span}"
            + (f"<br>{types}" if types else ""))
        self.reasons.set_report(r)
        self.issues.set_report(r)
        for view in (self.reasons_view, self.issues_view):
            view.resizeColumnsToContents()
            for col in range(view.model().columnCount() - 1):
                view.setColumnWidth(col, min(view.columnWidth(col), 320))
        self.save.setEnabled(True)

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.state.report is not None

    def validatePage(self) -> bool:  # noqa: N802
        self.w.state.policy = "refuse_file" if self.refuse.isChecked() else "reject_rows"
        return True

    def _on_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the validation report",
                                              "import-report.csv", "CSV (*.csv)")
        if name:
            self.save_report(name)

    def save_report(self, path: str) -> Job:
        """Write the report's rows to ``path`` off the GUI thread."""
        report = self.w.state.report
        assert report is not None
        return self.w.ctx.run(write_report_csv, report, path,
                              done=lambda n: self.show_error(f"Saved {n:,} rows to {path}"),
                              failed=lambda e: self.show_error(f"Not saved: {_message(e)}"))


class ImportPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Import", "All valid rows are written in one transaction: "
                         "a cancel or a failure leaves the database as it was.")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel = QPushButton("Cancel import")
        self.cancel.clicked.connect(self.stop)
        lay = QVBoxLayout(self)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.job: Job | None = None

    def initializePage(self) -> None:  # noqa: N802
        st = self.w.state
        st.result = None
        self.show_error("")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        try:
            user = self.w.ctx.user()
        except Exception as exc:  # a locked session
            self.show_error(_message(exc))
            return
        service = ImportService(self.w.ctx.store, self.w.ctx.audit)
        self.status.setText("Starting …")
        self.cancel.setEnabled(True)
        self.job = self.w.ctx.run_with_progress(
            lambda progress: service.import_file(user, st.path, options=st.options(),
                                                 policy=st.policy, city=st.city,
                                                 progress=progress.report),
            done=self._on_done, failed=self._on_failed, progress=self._on_progress)

    def cleanupPage(self) -> None:  # noqa: N802
        self.stop()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling …")
            self.cancel.setEnabled(False)

    def running(self) -> bool:
        return self.job is not None

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(text)

    def _on_done(self, result: ImportResult) -> None:
        self.job = None
        self.cancel.setEnabled(False)
        self.w.state.result = result
        self.completeChanged.emit()
        self.w.job_finished()
        if self.w.currentPage() is self:
            self.w.next()

    def _on_failed(self, exc: BaseException) -> None:
        self.job = None
        self.cancel.setEnabled(False)
        if isinstance(exc, Cancelled):
            self.status.setText("Import cancelled: nothing was imported.")
        else:
            self.status.setText("")
            self.show_error(f"Nothing was imported: {_message(exc)}")
        self.w.job_finished()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.state.result is not None


class SummaryPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Imported")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802
        r = self.w.state.result
        assert r is not None
        reasons = "".join(f"<br>&nbsp;&nbsp;{c.replace('_', ' ')}: {t.count:,}"
                          for c, t in sorted(r.report.rejections.items()))
        self.text.setText(
            f"<b>{r.imported:,} incidents imported</b> from {r.file} "
            f"({FORMAT_NAMES.get(r.format, r.format)}, ids <tt>imp:{r.namespace}:…</tt>), "
            f"import #{r.batch_id}.<br>{r.rows:,} rows read; {r.rejected:,} rejected"
            f"{reasons}<br>{r.existing:,} already stored (left unchanged).")


class ImportWizard(QWizard):
    """Import a published alert table; give it the desk's :class:`DeskContext`."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = _State()
        self.setWindowTitle("Import alert table")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(900, 640)
        self.pages: dict[int, _Page] = {
            FILE: FilePage(self), MAPPING: MappingPage(self), PREVIEW: PreviewPage(self),
            CHECK: CheckPage(self), IMPORT: ImportPage(self), SUMMARY: SummaryPage(self)}
        for page_id, page in self.pages.items():
            self.setPage(page_id, page)
        self._closing = False

    def job_finished(self) -> None:
        if self._closing:
            self._closing = False
            super().reject()

    def reject(self) -> None:
        """Closing while the import runs cancels it and closes once it has rolled back."""
        page = self.pages[IMPORT]
        assert isinstance(page, ImportPage)
        check = self.pages[CHECK]
        assert isinstance(check, CheckPage)
        check.stop()
        if page.running():
            self._closing = True
            page.stop()
            return
        super().reject()
