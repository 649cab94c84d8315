"""Application entry point: the console (default), ``serve`` and ``mappack`` commands.

``main.py`` at the repository root calls :func:`main`. Without ``--feed`` the console
starts the reference feed in-process on 127.0.0.1 (random port) with the demo publisher,
so it shows simulated alerts over the shipped Helsinki map at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import logging.handlers
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["RedactingFilter", "build_main_window", "log_dir", "main", "store_url"]

log = logging.getLogger("console.app")
DEMO_TOKEN = "demo-token"
APP_DIR_NAME = "MobileAlertConsole"  # the platform directories' folder name (as the store's)
#: Frozen-build smoke test (packaging/smoke_test.py): ``MAC_SMOKE_TEST=<path>`` saves a
#: screenshot to ``<path>.png`` once the first alert is on the map, replays the bundled
#: recording through the locator, prints one JSON line and exits.
SMOKE_ENV = "MAC_SMOKE_TEST"
SMOKE_TIMEOUT_S = 90.0
SMOKE_RECORDING = ("demo_recordings", "pittsburgh-fp1-test_018")


class RedactingFilter(logging.Filter):
    """Keeps secrets and sensor positions out of every log line (file and console).

    Bearer tokens and ``token=`` URL parameters become ``<redacted>``; in a line about
    sensors, coordinate-like numbers (4+ decimals) become ``<pos>``.
    """

    _BEARER = re.compile(r"(Bearer\s+)[^\s'\",;]+", re.IGNORECASE)
    _TOKEN_PARAM = re.compile(r"([?&](?:access_)?token=)[^&\s'\"]+", re.IGNORECASE)
    _COORD = re.compile(r"-?\d{1,5}\.\d{4,}")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string: log it as given, still redacted
            msg = f"{record.msg} {record.args}"
        clean = self._TOKEN_PARAM.sub(r"\1<redacted>", self._BEARER.sub(r"\1<redacted>", msg))
        if "sensor" in clean.lower():
            clean = self._COORD.sub("<pos>", clean)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._BEARER.sub(r"\1<redacted>", record.exc_text)
        record.msg, record.args = clean, None
        return True


def log_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """Where the rotating log lives: ``DIR/logs`` with ``--data-dir``, else the user log dir."""
    if data_dir is not None:
        return Path(data_dir).expanduser().resolve() / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_DIR_NAME, appauthor=False))


def _setup_logging(verbose: bool, data_dir: str | None) -> None:
    if logging.getLogger().handlers:  # configured already (an embedding host, pytest)
        return
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    # a windowed (Windows GUI) build has no stderr: the log file is all there is
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)] if sys.stderr else []
    try:
        folder = log_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            folder / "console.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"))
    except OSError as exc:  # a read-only home must not stop the console
        print(f"mobile-alert-console: no log file ({exc})", file=sys.stderr)
    # a full or read-only disk must not turn every later log line into a traceback on
    # stderr (the console keeps running; the store reports the disk in the status bar)
    logging.raiseExceptions = False
    redact = RedactingFilter()
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(redact)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers)
    if not verbose:  # Alembic lists its plugins at INFO on every start
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _places_epilog() -> str:
    from platformdirs import user_config_dir, user_data_dir

    return (f"default places: data {user_data_dir(APP_DIR_NAME, appauthor=False)}; "
            f"logs {log_dir(None)}; settings {user_config_dir(APP_DIR_NAME, appauthor=False)}. "
            "With --data-dir DIR the database is DIR/console.db and logs go to DIR/logs.")


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
                    "demo feed with simulated incidents.",
        epilog=_places_epilog())
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument("--feed", metavar="URL", help="alert feed base URL (default: in-process demo)")
    p.add_argument("--token", default=None,
                   help="feed bearer token, kept in the OS keyring for this feed once given "
                        "(default: the keyring's, or the demo token for the demo feed)")
    p.add_argument("--data-dir", metavar="DIR", help="where console.db lives "
                   "(default: the user data directory)")
    p.add_argument("--theme", choices=("day", "night"), default="day")
    p.add_argument("--desk", action="store_true",
                   help="desk mode: sign in (supervisor, investigator, captain, administrator) "
                        "for history, statistics, reports, releases and the audit log "
                        "(default: patrol car, officer)")
    p.add_argument("--idle-lock", type=float, metavar="MIN", default=30.0,
                   help="desk: lock the session after MIN minutes idle (default 30)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="run the reference feed with the demo publisher")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--token", dest="serve_token", default=None,
                   help="bearer token clients must send (default: demo token)")
    s.add_argument("--host", default="127.0.0.1")
    a = sub.add_parser("audit", help="check the audit log")
    a_sub = a.add_subparsers(dest="audit_command", required=True)
    v = a_sub.add_parser("verify", help="verify the audit log's hash chain (exit 1 if broken)")
    where = v.add_mutually_exclusive_group()
    where.add_argument("--data-dir", dest="audit_data_dir", metavar="DIR",
                       help="the console's data directory (its console.db)")
    where.add_argument("--db", metavar="URL", help="SQLAlchemy database URL")
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
    from console.ui.audio_files import install_audio_file_action
    from console.ui.canvass_dock import install_canvass
    from console.ui.verification_window import install_verification_actions

    map_widget = map_widget if map_widget is not None else QtAlertMap()
    window = MainWindow(store, client, map_widget, theme=theme, tone=Tone(enabled=sound))
    window.user = user_for_mode(mode)  # "car": officer, "desk": investigator
    install_verification_actions(window)
    install_audio_file_action(window)
    install_canvass(window)
    from console.ui.status_workflow import install_officer_workflow

    install_officer_workflow(window)
    return window


#: Exit status when another console already runs on the same data directory.
EXIT_ALREADY_RUNNING = 3
#: Exit status when the data directory or its database cannot be used.
EXIT_DATA_DIR = 2
#: Exit status when the command line cannot be acted on (e.g. no feed token).
EXIT_USAGE = 64


def _desk_sign_in(store: Any, *, demo: bool, idle_minutes: float) -> Any:
    """The sign-in dialog (the demo lists its demo accounts); None when cancelled."""
    from datetime import timedelta

    from console.services.accounts import AccountService, ensure_demo_accounts
    from console.services.audit import AuditLog
    from console.ui.desk.signin import sign_in_interactively

    demo_accounts = None
    if demo:
        demo_accounts = ensure_demo_accounts(store)
        _seed_demo_history(store)
    accounts = AccountService(store, audit=AuditLog(store))
    idle = timedelta(minutes=max(idle_minutes, 0.1))
    return sign_in_interactively(accounts, demo_accounts=demo_accounts, idle_lock=idle)


#: How much history the desk demo writes into an empty store (about a year of a busy area).
DEMO_HISTORY = (6000, 1.0)


def _seed_demo_history(store: Any) -> None:
    """Give the desk demo a year of history once (an empty store only), with progress.

    Runs on a worker thread while a progress dialog keeps the GUI alive.
    """
    from datetime import UTC, datetime

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QProgressDialog
    from sqlalchemy import func, select

    from console.demo.history import generate
    from console.store.models import Incident

    with store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Incident)).scalar_one() >= 50:
            return
    n, years = DEMO_HISTORY
    state: dict[str, Any] = {"done": 0, "finished": False, "error": None}

    def work() -> None:
        def progress(done: int, total: int, _text: str = "") -> None:
            state["done"] = done

        try:
            generate(store, n, years=years, seed=2026, end=datetime.now(UTC), progress=progress)
        except Exception as exc:  # the demo runs on without history; the log says why
            state["error"] = exc
        finally:
            state["finished"] = True

    dialog = QProgressDialog("Preparing the demo's incident history…", "", 0, n)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Mobile Alert Console")
    dialog.setMinimumDuration(0)
    dialog.show()
    threading.Thread(target=work, name="demo-history", daemon=True).start()
    loop, timer = QEventLoop(), QTimer()

    def poll() -> None:
        dialog.setValue(state["done"])
        if state["finished"]:
            loop.quit()

    timer.timeout.connect(poll)
    timer.start(100)
    loop.exec()
    timer.stop()
    dialog.close()
    if state["error"] is not None:
        log.warning("demo history not written: %s", state["error"])
    else:
        log.info("demo history: %d incidents over %.0f year(s)", n, years)


def _build_desk(store: Any, session: Any, live: Any) -> Any:
    """The desk window over the signed-in session, the live console as its first tab."""
    from console.services.audit import AuditLog
    from console.ui.desk.context import DeskContext
    from console.ui.desk.desk_window import DeskWindow
    from console.ui.desk.signin import install_session_guard

    ctx = DeskContext(store=store, session=session, audit=AuditLog(store),
                      accounts=session.accounts)
    desk = DeskWindow(ctx, live=live)
    desk.guard = install_session_guard(desk, session)
    return desk


def _fail(message: str, code: int) -> int:
    """One line on stderr (and in the log file), then the exit status ``code``."""
    record = log.makeRecord(log.name, logging.ERROR, __file__, 0, message, None, None)
    for handler in logging.getLogger().handlers:  # the file only: stderr gets the line below
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)
    print(f"mobile-alert-console: {message}", file=sys.stderr, flush=True)
    return code


def _run_console(args: argparse.Namespace) -> int:
    """Check the data directory, take its single-instance lock, then run the window."""
    from console.runtime import (
        AlreadyRunning,
        DataDirError,
        InstanceLock,
        check_data_dir,
        default_data_dir,
    )

    try:
        folder = check_data_dir(args.data_dir if args.data_dir else default_data_dir())
        lock = InstanceLock(folder).acquire()
    except DataDirError as exc:
        return _fail(str(exc), EXIT_DATA_DIR)
    except AlreadyRunning as exc:
        return _fail(str(exc), EXIT_ALREADY_RUNNING)
    except OSError as exc:  # the lock file itself cannot be made
        return _fail(f"cannot write to {args.data_dir or default_data_dir()}: "
                     f"{exc.strerror or exc}", EXIT_DATA_DIR)
    try:
        return _run_window(args)
    finally:
        lock.release()


def _open_store(args: argparse.Namespace) -> Any:
    """The store, or SystemExit with one line naming the storage problem."""
    from console.runtime import classify_store_error
    from console.store import Store

    try:
        return Store(store_url(args.data_dir))
    except Exception as exc:
        problem = classify_store_error(exc)
        if problem is None:
            raise
        where = args.data_dir or "the data directory"
        raise SystemExit(_fail(f"cannot open the store in {where}: {problem.message} "
                               f"({problem.detail})", EXIT_DATA_DIR)) from None


def _run_window(args: argparse.Namespace) -> int:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from console.ui.app_scheme import register_app_scheme

    register_app_scheme()
    from PySide6.QtWidgets import QApplication

    store = _open_store(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Mobile Alert Console")
    app.setOrganizationName(APP_DIR_NAME)  # QSettings: the platform's settings place
    server = None
    stop = threading.Event()
    feed_url, token = args.feed, args.token
    if feed_url is not None:
        from console.runtime.secrets import resolve_feed_token

        token = resolve_feed_token(args.token, feed_url)
        if not token:
            store.close()
            return _fail(f"no token for {feed_url}: give it once with --token "
                         "(it is then kept in the OS keyring)", EXIT_USAGE)
    else:
        token = args.token or DEMO_TOKEN
        from console.demo.publisher import run_demo_publisher
        from console.feed.server import FeedServer

        server = FeedServer("127.0.0.1", 0, token).start()
        feed_url = server.url
        threading.Thread(target=run_demo_publisher, args=(server, stop), name="demo-publisher",
                         daemon=True).start()
        log.info("demo feed at %s", feed_url)
    desk = None
    if args.desk:
        session = _desk_sign_in(store, demo=server is not None, idle_minutes=args.idle_lock)
        if session is None:  # the user cancelled the sign-in
            if server is not None:
                server.stop()
            store.close()
            return 0
    window = build_main_window(store, feed_url, token, theme=args.theme,
                               mode="desk" if args.desk else "car")
    if args.desk:
        window.user = session.user()
        desk = _build_desk(store, session, window)
        desk.resize(1360, 860)
        desk.show()
    else:
        window.resize(1280, 800)
        window.show()
    window.start()
    _quit_on_signals(app)
    if os.environ.get(SMOKE_ENV):
        _install_smoke_hook(app, window, os.environ[SMOKE_ENV])
    try:
        return app.exec()
    finally:
        stop.set()
        if desk is not None:
            desk.ctx.wait(10_000)
        window.shutdown()
        if desk is not None:  # its web pages go before the web profile does
            from PySide6.QtCore import QCoreApplication, QEvent

            desk.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
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


def _install_smoke_hook(app: Any, window: Any, out: str) -> None:
    """See :data:`SMOKE_ENV`: proves a frozen build shows alerts and runs the locator."""
    from PySide6.QtCore import QTimer

    t0, timer = time.monotonic(), QTimer(app)
    result: dict[str, Any] = {"smoke": "fail", "version": _version(),
                              "frozen": bool(getattr(sys, "frozen", False))}

    def done(code: int) -> None:
        timer.stop()
        line = json.dumps(result)
        print(line, flush=True)  # no stdout in a windowed Windows build: the file has it
        with contextlib.suppress(OSError):
            Path(f"{out}.json").write_text(line + "\n", encoding="utf-8")
        app.exit(code)

    def on_markers(count: Any) -> None:
        if not timer.isActive():
            return
        if not count:
            if time.monotonic() - t0 > SMOKE_TIMEOUT_S:
                result["error"] = f"no alert on the map after {SMOKE_TIMEOUT_S:.0f} s"
                done(1)
            return
        timer.stop()
        result.update(markers=int(count), first_alert_s=round(time.monotonic() - t0, 2))
        QTimer.singleShot(1500, capture)  # let the map pan to the alert and paint

    def capture() -> None:
        try:
            shot = window.grab()
            result["window"] = [shot.width(), shot.height()]
            result["screenshot"] = f"{out}.png"
            if not shot.save(result["screenshot"], "PNG"):
                raise OSError(f"cannot write {result['screenshot']}")
            result["replay"] = _smoke_replay()
            result["portaudio"] = _portaudio_library()
        except Exception as exc:  # reported in the JSON line, exit status 1
            result["error"] = f"{type(exc).__name__}: {exc}"
            done(1)
            return
        result["smoke"] = "ok"
        done(0)

    timer.timeout.connect(lambda: window.map.run_js(
        "document.querySelectorAll('[data-mac-id]').length", on_markers))
    timer.start(250)


def _portaudio_library() -> str:
    """Which PortAudio sounddevice loaded (the bundled one in a frozen Linux build)."""
    try:
        import sounddevice

        name = str(getattr(sounddevice, "_libname", "?"))
        maps = Path("/proc/self/maps")  # Linux: the file actually mapped
        if maps.exists():
            for line in maps.read_text().splitlines():
                if "libportaudio" in line:
                    return line.split()[-1]
        return name
    except Exception as exc:  # no PortAudio: the console runs silent
        return f"unavailable: {exc}"


def _smoke_replay() -> dict[str, Any]:
    """Locate the bundled recording from its audio; error against its survey in metres."""
    from console.resources import resource_path
    from locator_core.cli import solution_to_json
    from locator_core.pipeline import locate_incident
    from locator_core.readers import read_incident

    folder = resource_path(*SMOKE_RECORDING)
    t = time.perf_counter()
    doc = solution_to_json(locate_incident(read_incident(folder), source="audio"))
    out = {"recording": folder.name, "source": "audio", "rounds": doc["rounds"],
           "shooters": doc["shooters"], "type": doc["type"],
           "seconds": round(time.perf_counter() - t, 3)}
    for survey in folder.glob("*.survey.json"):
        where = json.loads(survey.read_text())["survey_location"]
        if doc["shots"]:
            first = doc["shots"][0]
            out["error_m"] = round(((first["x"] - where["x"]) ** 2
                                    + (first["y"] - where["y"]) ** 2) ** 0.5, 2)
    return out


def _serve(args: argparse.Namespace) -> int:
    from console.demo.publisher import run_demo_publisher
    from console.feed.server import serve_forever

    token = args.serve_token or args.token or DEMO_TOKEN
    serve_forever(args.port, token, run_demo_publisher, host=args.host)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console or a subcommand; returns the process exit status."""
    if getattr(sys, "frozen", False):  # `mappack build` render processes in a frozen build
        import multiprocessing

        multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mappack"]:
        from console.mappack.cli import cli

        return cli(argv[1:])
    args = _parser().parse_args(argv)
    _setup_logging(args.verbose, args.data_dir)
    if args.command == "serve":
        return _serve(args)
    if args.command == "audit":
        return _audit_verify(args)
    return _run_console(args)


def _audit_verify(args: argparse.Namespace) -> int:
    """``audit verify``: print the chain's state; 0 if it holds, 1 if broken, 2 if no store."""
    from console.services.audit import verify_store
    from console.store import Store

    url = args.db
    if url is None:
        from console.runtime.datadir import DB_NAME, default_data_dir

        folder = Path(args.audit_data_dir or args.data_dir or default_data_dir()).expanduser()
        if not (folder / DB_NAME).is_file():
            print(f"no console database at {folder / DB_NAME}", file=sys.stderr)
            return 2
        url = store_url(folder)
    with Store(url) as store:
        report = verify_store(store)
    print(report.message())
    return 0 if report.ok else 1
