"""The import wizard driven through every page on real files (pytest-qt, both backends)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.services.accounts import AccountService, ensure_demo_accounts
from console.services.audit import AuditLog
from console.services.sessions import UserSession
from console.store import Store
from console.ui.desk.context import DeskContext
from console.ui.desk.import_wizard import (
    CHECK,
    FILE,
    IMPORT,
    MAPPING,
    PREVIEW,
    SUMMARY,
    CheckPage,
    FilePage,
    ImportPage,
    ImportWizard,
    MappingPage,
    PreviewPage,
    SummaryPage,
)
from tests.imports.conftest import DC, STL, counts, dc_rows, import_entries, write

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _ctx(store: Store, role: str) -> DeskContext:
    ensure_demo_accounts(store)
    accounts = AccountService(store)
    session = UserSession.sign_in(accounts, f"demo-{role}", f"demo-{role}-pass")
    return DeskContext(store=store, session=session, audit=AuditLog(store), accounts=accounts)


@pytest.fixture
def wizard(qtbot, store: Store) -> Iterator[ImportWizard]:  # noqa: F811
    ctx = _ctx(store, "supervisor")
    w = ImportWizard(ctx)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.reject()
    ctx.wait()


def _shot(w: ImportWizard, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(SHOTS / f"import_wizard_{name}.png"))


def _goto(qtbot, w: ImportWizard, page_id: int, timeout: int = 20_000) -> None:
    w.next()
    qtbot.waitUntil(lambda: w.currentId() == page_id, timeout=timeout)


def test_wizard_imports_a_dc_file_through_every_page(qtbot, wizard: ImportWizard,
                                                     store: Store, tmp_path: Path) -> None:
    w = wizard
    path = write(tmp_path, "dc_shots.csv", DC)
    file_page = w.page(FILE)
    assert isinstance(file_page, FilePage)
    file_page.path.setText(str(path))
    _goto(qtbot, w, MAPPING)
    mapping = w.page(MAPPING)
    assert isinstance(mapping, MappingPage)
    assert "Washington DC" in mapping.facts.text()
    assert w.state.city == "dc"  # found from the coordinates
    assert mapping.combos["type"].currentText() == "Type"
    assert mapping.combos["district"].currentData() == ""
    _shot(w, "mapping")
    _goto(qtbot, w, PREVIEW)
    preview = w.page(PREVIEW)
    assert isinstance(preview, PreviewPage)
    assert preview.model.rowCount() == 7
    assert [preview.model.status(i) for i in range(7)] == [
        "ok", "ok", "rejected", "rejected", "rejected", "rejected", "ok"]
    first_time = preview.model.index(0, 3).data()
    assert first_time == "2024-03-01 17:00:00"  # 12:00 in Washington, shown in UTC
    _shot(w, "preview")
    _goto(qtbot, w, CHECK)
    check = w.page(CHECK)
    assert isinstance(check, CheckPage)
    qtbot.waitUntil(check.isComplete, timeout=20_000)
    assert "7 rows" in check.summary.text() and "3 valid" in check.summary.text()
    assert "4 rejected" in check.summary.text()
    assert check.reasons.rowCount() == 4 and check.issues.rowCount() == 4
    _shot(w, "validation")
    report = tmp_path / "report.csv"
    job = check.save_report(str(report))
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    with report.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["line"], r["code"]) for r in rows] == [
        ("5", "bad_date"), ("6", "swapped_coordinates"), ("7", "unknown_type"),
        ("8", "coordinates_out_of_range")]  # line 4 is blank
    assert rows[2]["original_text"].startswith("1005,Helicopter")
    _goto(qtbot, w, SUMMARY, timeout=30_000)
    summary = w.page(SUMMARY)
    assert isinstance(summary, SummaryPage)
    assert "3 incidents imported" in summary.text.text()
    assert "4 rejected" in summary.text.text()
    _shot(w, "summary")
    assert counts(store) == (3, 3, 1)
    [entry] = import_entries(store)
    assert (entry.user, entry.outcome) == ("demo-supervisor", "ok")


def test_unrecognised_columns_are_mapped_by_hand(qtbot, wizard: ImportWizard, store: Store,
                                                 tmp_path: Path) -> None:
    # A St. Louis table whose columns carry other names.
    text = STL.replace("Type,Date,Latitude,Longitude", "Kind,When,North,East")
    path = write(tmp_path, "stl_odd.csv", text)
    w = wizard
    file_page = w.page(FILE)
    assert isinstance(file_page, FilePage)
    file_page.path.setText(str(path))
    _goto(qtbot, w, MAPPING)
    mapping = w.page(MAPPING)
    assert isinstance(mapping, MappingPage)
    assert "not recognised" in mapping.facts.text()
    for fld, header in (("type", "Kind"), ("date", "When"), ("latitude", "North"),
                        ("longitude", "East")):
        mapping.combos[fld].setCurrentIndex(mapping.combos[fld].findData(header))
    _shot(w, "mapping_by_hand")
    _goto(qtbot, w, PREVIEW)
    preview = w.page(PREVIEW)
    assert isinstance(preview, PreviewPage)
    assert w.state.city == "st_louis"  # found from the coordinates once they were known
    assert [preview.model.status(i) for i in range(5)] == [
        "ok", "ok", "rejected", "rejected", "rejected"]
    assert preview.model.index(0, 3).data() == "2022-07-05 04:15:00"
    # back: read the type from the date column instead, and every row is refused
    w.back()
    mapping.combos["type"].setCurrentIndex(mapping.combos["type"].findData("When"))
    _goto(qtbot, w, PREVIEW)
    assert {preview.model.status(i) for i in range(5)} == {"rejected"}
    assert "unknown type" in preview.model.index(0, 10).data()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"\x00\x01\x02\xff binary \x03\x04" * 40, "header not recognised"),
])
def test_bad_file_gets_a_clear_message(qtbot, wizard: ImportWizard, tmp_path: Path,
                                       content: bytes, message: str) -> None:
    w = wizard
    file_page = w.page(FILE)
    assert isinstance(file_page, FilePage)
    file_page.path.setText(str(write(tmp_path, "bad.csv", content)))
    w.next()
    qtbot.waitUntil(lambda: message in file_page.error.text(), timeout=10_000)
    assert w.currentId() == FILE  # the message stays on the page; nothing crashed
    _shot(w, "bad_file")


def test_cancel_during_import_leaves_nothing(qtbot, wizard: ImportWizard, store: Store,
                                             tmp_path: Path) -> None:
    w = wizard
    path = write(tmp_path, "big.csv", dc_rows(20_000))
    file_page = w.page(FILE)
    assert isinstance(file_page, FilePage)
    file_page.path.setText(str(path))
    _goto(qtbot, w, MAPPING)
    _goto(qtbot, w, PREVIEW)
    _goto(qtbot, w, CHECK)
    check = w.page(CHECK)
    qtbot.waitUntil(check.isComplete, timeout=30_000)
    w.next()
    page = w.page(IMPORT)
    assert isinstance(page, ImportPage)
    qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=20_000)
    page.cancel.click()
    qtbot.waitUntil(lambda: not page.running(), timeout=30_000)
    if w.state.result is None:  # the cancel came in time (the usual case)
        assert "nothing was imported" in page.status.text()
        assert counts(store) == (0, 0, 0)
        assert import_entries(store)[-1].outcome == "failed"
    else:  # the import had already committed: then all of it is there
        assert counts(store) == (20_000, 20_000, 1)


def test_officer_is_told_and_refused(qtbot, store: Store, tmp_path: Path) -> None:
    ctx = _ctx(store, "officer")
    w = ImportWizard(ctx)
    qtbot.addWidget(w)
    w.show()
    try:
        file_page = w.page(FILE)
        assert isinstance(file_page, FilePage)
        assert "may not import" in file_page.denied.text()
        file_page.path.setText(str(write(tmp_path, "dc.csv", DC)))
        _goto(qtbot, w, MAPPING)
        _goto(qtbot, w, PREVIEW)
        _goto(qtbot, w, CHECK)
        qtbot.waitUntil(w.page(CHECK).isComplete, timeout=20_000)
        w.next()
        page = w.page(IMPORT)
        assert isinstance(page, ImportPage)
        qtbot.waitUntil(lambda: "may not import data" in page.error.text(), timeout=20_000)
        assert counts(store) == (0, 0, 0)
        [entry] = import_entries(store)
        assert (entry.user, entry.outcome) == ("demo-officer", "denied")
    finally:
        w.reject()
        ctx.wait()


def _to_import_page(qtbot, w: ImportWizard, path: Path) -> ImportPage:
    file_page = w.page(FILE)
    assert isinstance(file_page, FilePage)
    file_page.path.setText(str(path))
    _goto(qtbot, w, MAPPING)
    _goto(qtbot, w, PREVIEW)
    _goto(qtbot, w, CHECK)
    qtbot.waitUntil(w.page(CHECK).isComplete, timeout=30_000)
    w.next()
    page = w.page(IMPORT)
    assert isinstance(page, ImportPage)
    return page


def test_the_same_file_again_is_refused_with_the_reason(qtbot, wizard: ImportWizard,
                                                        store: Store, tmp_path: Path) -> None:
    from console.importer import preset
    from console.services.imports import ImportService
    from tests.imports.conftest import NOW, SUPERVISOR
    path = write(tmp_path, "dc.csv", DC)
    ImportService(store).import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    page = _to_import_page(qtbot, wizard, path)
    qtbot.waitUntil(lambda: "already imported" in page.error.text(), timeout=20_000)
    assert "Nothing was imported" in page.error.text()
    assert wizard.currentId() == IMPORT and counts(store) == (3, 3, 1)
    _shot(wizard, "refused")


def test_closing_during_the_import_cancels_it_first(qtbot, wizard: ImportWizard,
                                                    store: Store, tmp_path: Path) -> None:
    page = _to_import_page(qtbot, wizard, write(tmp_path, "big.csv", dc_rows(20_000)))
    qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=20_000)
    wizard.reject()
    assert wizard.isVisible() or not page.running()  # stays open until rolled back
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=30_000)
    assert not page.running()
    assert counts(store) in ((0, 0, 0), (20_000, 20_000, 1))  # nothing, or all of it
