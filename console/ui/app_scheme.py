"""The ``app://`` URL scheme that serves the offline map to QtWebEngine.

Routes (the URL host picks the route):

- ``app://tiles/<pack>/<z>/<x>/<y>.png`` – a tile from a registered :class:`MapPack`
- ``app://res/<path>`` – a file below ``resources/`` (no escaping the tree)
- ``app://page/<name>`` – an in-memory page registered with :meth:`AppSchemeHandler.set_page`

Anything else fails with ``UrlNotFound``. :func:`register_app_scheme` must run before the
``QApplication`` is created.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, Qt
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from console.mappack import MapPack, MapPackError
from console.resources import resources_root

__all__ = ["SCHEME", "AppSchemeHandler", "map_profile", "register_app_scheme"]

SCHEME = b"app"
_TILE_PATH = re.compile(
    r"^/(?P<pack>[A-Za-z0-9_.-]+)/(?P<z>\d{1,2})/(?P<x>\d{1,8})/(?P<y>\d{1,8})\.png$"
)
_MIME = {
    ".html": b"text/html;charset=utf-8",
    ".js": b"text/javascript;charset=utf-8",
    ".css": b"text/css;charset=utf-8",
    ".png": b"image/png",
    ".svg": b"image/svg+xml",
    ".json": b"application/json",
    ".woff2": b"font/woff2",
    ".jpg": b"image/jpeg",
}
_registered = False
_profile: QWebEngineProfile | None = None


def register_app_scheme() -> None:
    """Declare the ``app`` scheme to QtWebEngine; idempotent, before ``QApplication``.

    Also asks Qt to share OpenGL contexts, which QtWebEngine needs set before the
    application object exists.
    """
    global _registered
    if _registered:
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_app_scheme() must be called before the QApplication exists")
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalAccessAllowed
        | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    _registered = True


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``app://`` requests from map packs, the resources tree and in-memory pages."""

    def __init__(self, resources_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = (resources_dir or resources_root()).resolve()
        self._packs: dict[str, MapPack] = {}
        self._pages: dict[str, bytes] = {}

    def add_pack(self, name: str, pack: MapPack) -> None:
        """Serve ``pack`` under ``app://tiles/<name>/...``."""
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ValueError(f"pack name must be URL-safe, got {name!r}")
        self._packs[name] = pack

    def set_page(self, name: str, html: str) -> None:
        """Serve ``html`` at ``app://page/<name>``."""
        self._pages[name] = html.encode("utf-8")

    def forget(self, pack: str | None = None, page: str | None = None) -> None:
        """Stop serving a pack and/or a page (unknown names are ignored)."""
        if pack is not None:
            self._packs.pop(pack, None)
        if page is not None:
            self._pages.pop(page, None)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt override)
        url = job.requestUrl()
        host, path = url.host(), url.path()
        if host == "tiles":
            self._serve_tile(job, path)
        elif host == "res":
            self._serve_file(job, path)
        elif host == "page" and path.lstrip("/") in self._pages:
            self._reply(job, b"text/html;charset=utf-8", self._pages[path.lstrip("/")])
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _serve_tile(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        m = _TILE_PATH.match(path)
        pack = self._packs.get(m["pack"]) if m else None
        if pack is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        try:
            data = pack.tile(int(m["z"]), int(m["x"]), int(m["y"]))
        except MapPackError:
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
        else:
            self._reply(job, b"image/png", data)

    def _serve_file(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        target = (self._root / path.lstrip("/")).resolve()
        mime = _MIME.get(target.suffix.lower())
        if mime is None or not target.is_relative_to(self._root) or not target.is_file():
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self._reply(job, mime, target.read_bytes())

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, mime: bytes, data: bytes) -> None:
        buf = QBuffer(parent=job)
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(mime), buf)


def map_profile() -> tuple[QWebEngineProfile, AppSchemeHandler]:
    """The application-wide off-the-record profile for map pages and its ``app`` handler.

    One profile for all map views, owned by the application object: pages must be
    deleted before their profile, which per-widget profiles cannot guarantee.
    """
    global _profile
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("map_profile() needs a QApplication")
    if _profile is None or _profile.parent() is not app:
        _profile = QWebEngineProfile(app)  # no storage name: off the record, no disk cache
        handler = AppSchemeHandler(parent=_profile)
        _profile.installUrlSchemeHandler(SCHEME, handler)
        _profile.setProperty("mac_app_handler", handler)
    return _profile, _profile.property("mac_app_handler")
