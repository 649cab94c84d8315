"""What the console's offline map views share about hosting a QtWebEngine page.

:class:`OfflinePage` keeps the view on the app's own pages (a link never navigates away),
:func:`run_js` evaluates script and hands back its value as Python data, and
:func:`release_view` / :func:`reload_if_alive` cover the page's life: released before the
shared web profile at exit, reloaded after its render process died.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from shiboken6 import Shiboken

__all__ = ["OfflinePage", "release_view", "reload_if_alive", "run_js"]


class OfflinePage(QWebEnginePage):
    """Keeps the view on the map: links (e.g. in the attribution) never navigate away."""

    def acceptNavigationRequest(self, url: QUrl, nav_type: Any, is_main_frame: bool) -> bool:  # noqa: N802
        return url.scheme() == "app"


def run_js(view: QWebEngineView, code: str,
           callback: Callable[[Any], None] | None = None) -> None:
    """Evaluate JavaScript in ``view``'s page; ``callback`` gets the value as Python data.

    The value crosses as JSON, so objects and arrays arrive as dicts and lists
    (QtWebEngine would otherwise hand back an empty string for them).
    """
    wrapped = f"JSON.stringify({{v: eval({json.dumps(code)})}})"
    if callback is None:
        view.page().runJavaScript(wrapped, 0)
        return

    def deliver(result: object) -> None:
        callback(json.loads(result).get("v") if isinstance(result, str) and result else None)

    view.page().runJavaScript(wrapped, 0, deliver)


def release_view(view: QWebEngineView) -> None:
    """Delete the view (and its page) now: the shared profile dies with the application
    and its pages must go first."""
    if Shiboken.isValid(view):
        Shiboken.delete(view)


def reload_if_alive(view: QWebEngineView, url: QUrl) -> None:
    """Load ``url`` again after the render process ended, unless the view is gone (at
    shutdown the renderer ends after the view was released: nothing to reload)."""
    if not Shiboken.isValid(view) or not Shiboken.isValid(view.page()):
        return
    view.page().load(url)
