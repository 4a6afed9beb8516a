"""The leading group's view in a browser: the bulletin served live from the store.

``create_app(store, org, campaign, viewers)`` is a read-only ASGI application
(Starlette, Jinja2 templates with autoescaping): the bulletin at ``/`` with
every count a link to the cases behind it, case lists at ``/cases``, a case at
``/cases/{id}``, the due list at ``/due``, and the same data as JSON under
``/api/``. Every read goes through the viewer-scoped store
(:meth:`xinfang.store.Store.for_viewer`). ``xinfang serve`` runs it with
uvicorn. Needs the ``web`` extra (``pip install 'xinfang[web]'``); without
it, :func:`create_app` raises :class:`~xinfang.errors.MissingDependencyError`
naming the extra, and the rest of this package (the viewers file, tokens,
the command's parser) still imports. See ``docs/web.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xinfang.errors import MissingDependencyError
from xinfang.web._command import add_parser as add_serve_command
from xinfang.web._command import demo_viewers
from xinfang.web._counts import ALL_UNITS, BULLETIN_COUNTS, COUNT_NAMES, UNPLACED
from xinfang.web._viewers import (
    DEFAULT_HEADER,
    Auth,
    Viewer,
    ViewerRole,
    Viewers,
    load_viewers,
    sign_token,
    verify_token,
)

if TYPE_CHECKING:
    from xinfang.web._app import CSP, create_app

__all__ = [
    "ALL_UNITS",
    "BULLETIN_COUNTS",
    "COUNT_NAMES",
    "CSP",
    "DEFAULT_HEADER",
    "UNPLACED",
    "Auth",
    "Viewer",
    "ViewerRole",
    "Viewers",
    "add_serve_command",
    "create_app",
    "demo_viewers",
    "load_viewers",
    "sign_token",
    "verify_token",
]


def __getattr__(name: str) -> Any:
    """``create_app`` and ``CSP`` need the ``web`` extra: imported on first use."""
    if name in ("create_app", "CSP"):
        try:
            import xinfang.web._app as app  # needs starlette and jinja2 (xinfang[web])
        except ImportError as exc:
            raise MissingDependencyError(
                f"xinfang.web.{name} needs the web extra: pip install 'xinfang[web]' "
                f"({exc.name} is missing)",
                rule="optional dependency",
            ) from None
        return getattr(app, name)
    raise AttributeError(f"module 'xinfang.web' has no attribute {name!r}")
