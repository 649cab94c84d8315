"""The desk as `main.py --desk` builds it: the demo's sign-in dialog (with its accounts and
a year of history), then the desk with the live console on a real loopback feed."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget

from console import app as console_app
from console.demo.publisher import run_demo_publisher
from console.feed.server import FeedServer
from console.services import history
from console.store import Store, audit_store
from console.ui.desk.signin import SignInDialog


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

    store = Store(console_app.store_url(tmp_path))
    stop = threading.Event()
    with FeedServer("127.0.0.1", 0, console_app.DEMO_TOKEN) as server:
        threading.Thread(target=run_demo_publisher, args=(server, stop), daemon=True).start()
        try:
            QTimer.singleShot(0, sign_in)
            session = console_app._desk_sign_in(store, demo=True, idle_minutes=30)
            assert session is not None
            window = console_app.build_main_window(store, server.url, console_app.DEMO_TOKEN,
                                                   sound=False, mode="desk")
            window.user = session.user()
            desk = console_app._build_desk(store, session, window)
            desk.show()
            window.start()
            tabs = [desk.tabs.tabText(i) for i in range(desk.tabs.count())]
            user = desk.user_label.text()
            # the seeded history's ids are HKI-…; the demo feed's alerts arrive live
            qtbot.waitUntil(lambda: any(not i.startswith("HKI-") for i in window.model.ids()),
                            timeout=60_000)
            seeded = history.search(store, history.HistoryQuery(limit=1)).total
            window.shutdown()
            desk.ctx.wait()
            gone: list[bool] = []
            desk.destroyed.connect(lambda: gone.append(True))
            desk.close()
            desk.deleteLater()
            qtbot.waitUntil(lambda: bool(gone), timeout=5000)
        finally:
            stop.set()
    try:
        assert "Demo accounts" in str(seen["dialog_text"])
        assert "demo-captain-pass" in str(seen["dialog_text"])
        assert "Wrong user name or password" in str(seen["refusal"])
        assert tabs == ["Live", "History", "Statistics", "Releases", "Audit"]
        assert user == "Signed in: demo-captain (captain)"
        assert seeded >= console_app.DEMO_HISTORY[0]
        signs = [(e.user, e.outcome) for e in audit_store.entries(store) if e.action == "sign_in"]
        assert signs == [("demo-captain", "denied"), ("demo-captain", "allowed")]
    finally:
        store.close()
