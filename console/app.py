"""Application entry point: the console (default), ``serve`` and ``mappack`` commands.

``main.py`` at the repository root calls :func:`main`. Without ``--feed`` the console
starts the reference feed in-process on 127.0.0.1 (random port) with the demo publisher,
so it shows simulated alerts over the shipped Helsinki map at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_main_window", "main", "store_url"]

log = logging.getLogger("console.app")
DEMO_TOKEN = "demo-token"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("mobile-alert-console")
    except Exception:
        return "0.1.0"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mobile-alert-console",
        description="Mobile Alert Console: acoustic gunshot alerts for patrol cars. "
                    "Without a command the console runs; without --feed it runs a local "
                    "demo feed with simulated incidents.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument("--feed", metavar="URL", help="alert feed base URL (default: in-process demo)")
    p.add_argument("--token", default=DEMO_TOKEN, help="feed bearer token (default: demo token)")
    p.add_argument("--data-dir", metavar="DIR", help="where console.db lives "
                   "(default: the user data directory)")
    p.add_argument("--theme", choices=("day", "night"), default="day")
    p.add_argument("--desk", action="store_true",
                   help="desk mode: the user is an investigator (default: patrol car, officer)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="run the reference feed with the demo publisher")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--token", dest="serve_token", default=None,
                   help="bearer token clients must send (default: demo token)")
    s.add_argument("--host", default="127.0.0.1")
    m = sub.add_parser("mappack", help="build or inspect offline map packs", add_help=False)
    m.add_argument("args", nargs=argparse.REMAINDER)
    return p


def store_url(data_dir: str | os.PathLike[str] | None) -> str | None:
    """SQLAlchemy URL of the console database in ``data_dir`` (None: the default)."""
    if data_dir is None:
        return None
    path = Path(data_dir).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite+pysqlite:///{path / 'console.db'}"


def build_main_window(store: Any, feed_url: str, token: str, *, theme: str = "day",
                      sound: bool = True, map_widget: Any = None,
                      client_options: dict[str, Any] | None = None, mode: str = "car") -> Any:
    """The console window wired to a feed client and the offline map (not yet started).

    The QApplication must exist (and ``register_app_scheme`` must have run before it).
    Call ``window.start()`` to begin polling and ``window.shutdown()`` to stop.
    """
    from console.feed.client import FeedClient
    from console.ui.alert_map import QtAlertMap
    from console.ui.main_window import MainWindow, Tone

    client = FeedClient(feed_url, token, store, **(client_options or {}))
    from console.domain.permissions import user_for_mode
    from console.ui.verification_window import install_verification_actions

    map_widget = map_widget if map_widget is not None else QtAlertMap()
    window = MainWindow(store, client, map_widget, theme=theme, tone=Tone(enabled=sound))
    window.user = user_for_mode(mode)  # "car": officer, "desk": investigator
    install_verification_actions(window)
    return window


def _run_console(args: argparse.Namespace) -> int:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from console.ui.app_scheme import register_app_scheme

    register_app_scheme()
    from PySide6.QtWidgets import QApplication

    from console.store import Store

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Mobile Alert Console")
    server = None
    stop = threading.Event()
    feed_url, token = args.feed, args.token
    if feed_url is None:
        from console.demo.publisher import run_demo_publisher
        from console.feed.server import FeedServer

        server = FeedServer("127.0.0.1", 0, token).start()
        feed_url = server.url
        threading.Thread(target=run_demo_publisher, args=(server, stop), name="demo-publisher",
                         daemon=True).start()
        log.info("demo feed at %s", feed_url)
    store = Store(store_url(args.data_dir))
    window = build_main_window(store, feed_url, token, theme=args.theme,
                               mode="desk" if args.desk else "car")
    window.resize(1280, 800)
    window.show()
    window.start()
    _quit_on_signals(app)
    try:
        return app.exec()
    finally:
        stop.set()
        window.shutdown()
        if server is not None:
            server.stop()
        store.close()


def _quit_on_signals(app: Any) -> None:
    """Let Ctrl+C and SIGTERM close the console cleanly (Qt's loop hides them otherwise)."""
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)  # give the interpreter a chance to run handlers
    timer.start(250)


def _serve(args: argparse.Namespace) -> int:
    from console.demo.publisher import run_demo_publisher
    from console.feed.server import serve_forever

    token = args.serve_token or (args.token if args.token != DEMO_TOKEN else DEMO_TOKEN)
    serve_forever(args.port, token, run_demo_publisher, host=args.host)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console or a subcommand; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mappack"]:
        from console.mappack.cli import cli

        return cli(argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if args.command == "serve":
        return _serve(args)
    return _run_console(args)
