"""`main.py --desk` end to end: the demo's sign-in dialog, then the desk with live alerts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget

from console import app as console_app
from console.store import Store, audit_store
from console.ui.desk.desk_window import DeskWindow
from console.ui.desk.signin import SignInDialog


# Qt messages are not captured here: the web engine's GPU thread logs while the console's
# own event loop runs, and pytest-qt's capturing handler is not safe across that.
@pytest.mark.no_qt_log
def test_desk_demo_signs_in_and_shows_the_desk_with_the_live_console(qtbot, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def sign_in() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, SignInDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(100, sign_in)
            return
        dialog = dialogs[0]
        seen["dialog_text"] = " ".join(
            [w.text() for w in dialog.findChildren(QLabel)]
            + [t.item(r, c).text() for t in dialog.findChildren(QTableWidget)
               for r in range(t.rowCount()) for c in range(t.columnCount())])
        dialog.username.setText("demo-captain")
        dialog.password.setText("wrong password")
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: dialog.message.text() not in ("", "Checking…"),
                        timeout=20_000)
        seen["refusal"] = dialog.message.text()
        dialog.password.setText("demo-captain-pass")
        dialog.sign_in_button.click()
        QTimer.singleShot(200, look)

    def look() -> None:
        desks = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, DeskWindow) and w.isVisible()]
        if not desks:
            QTimer.singleShot(200, look)
            return
        desk = desks[0]
        seen["tabs"] = [desk.tabs.tabText(i) for i in range(desk.tabs.count())]
        seen["user"] = desk.user_label.text()
        live = desk.live
        # the seeded history's ids are HKI-…; the demo feed's alerts arrive live
        qtbot.waitUntil(lambda: any(not i.startswith("HKI-") for i in live.model.ids()),
                        timeout=60_000)
        seen["live_alerts"] = sum(not i.startswith("HKI-") for i in live.model.ids())
        desk.close()

    QTimer.singleShot(0, sign_in)
    code = console_app.main(["--desk", "--data-dir", str(tmp_path)])
    assert code == 0
    assert "Demo accounts" in str(seen["dialog_text"])
    assert "demo-captain-pass" in str(seen["dialog_text"])
    assert seen["refusal"]
    assert seen["tabs"] == ["Live", "History", "Statistics", "Releases", "Audit"]
    assert seen["user"] == "Signed in: demo-captain (captain)"
    assert int(seen["live_alerts"]) >= 1  # type: ignore[call-overload]
    with Store(console_app.store_url(tmp_path)) as store:
        actions = [(e.user, e.action, e.outcome) for e in audit_store.entries(store)]
    signs = [a for a in actions if a[1] == "sign_in"]
    assert signs == [("demo-captain", "sign_in", "denied"), ("demo-captain", "sign_in", "allowed")]
