"""The Starlette application: routes, the viewer at the door, limits, headers, errors.

Read-only: GET and HEAD only. Every request names its viewer (a header a
reverse proxy sets, or a signed token); without a known viewer the answer is
401 and nothing else. Reads run on one worker thread that owns the store
(a SQLite connection belongs to the thread that opened it), each bounded by
a time limit. Errors are a page or a JSON body with the rule, never a trace.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as _dt
import logging
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from xinfang.errors import XinfangError
from xinfang.instants import SHANGHAI
from xinfang.report import LANGS
from xinfang.store import Store, UnknownCaseError, open_store
from xinfang.web._query import parse_choice, parse_date
from xinfang.web._site import Site
from xinfang.web._text import word
from xinfang.web._viewers import Auth, Viewer, Viewers, verify_token

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from xinfang.campaign import Campaign
    from xinfang.responsibility import Organization

__all__ = ["CSP", "create_app"]

log = logging.getLogger("xinfang.web")

#: The content security policy of every answer: no scripts at all, styles from the app only.
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_HEADERS: Final = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
#: How many rendered pages the app keeps (each with the site's data it rendered).
_RENDERED_KEPT: Final = 256
#: The pages whose data the site keeps per store mark (so a rendering can be kept too).
_KEPT_PAGES: Final = frozenset({"bulletin.html", "cases.html"})
#: The longest request target (path and query) the service reads.
MAX_TARGET: Final = 2048


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xinfang.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Door:
    """ASGI middleware: method, size, the viewer, the security headers, on every request."""

    def __init__(
        self, app: ASGIApp, viewers: Viewers, clock: Callable[[], float], max_body: int
    ) -> None:
        self.app = app
        self.viewers = viewers
        self.clock = clock
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k not in dict(_HEADERS)]
                message["headers"] = [*headers, *_HEADERS]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
        wants_json = _route_path(scope).startswith("/api")
        if scope["method"] not in ("GET", "HEAD"):
            status, rule = 405, "the service is read-only: GET and HEAD only"
        elif target > MAX_TARGET:
            status, rule = 414, f"a request target is at most {MAX_TARGET} bytes"
        elif int(headers.get("content-length", "0") or 0) > self.max_body or (
            "transfer-encoding" in headers
        ):
            status, rule = 413, f"a request body is at most {self.max_body} bytes"
        else:
            viewer = self._viewer(headers)
            if viewer is None:
                status, rule = 401, "a known viewer is required"
            else:
                scope.setdefault("state", {})["viewer"] = viewer
                await self.app(scope, receive, send_with_headers)
                return
        await _plain_error(status, rule, wants_json)(scope, receive, send_with_headers)

    def _viewer(self, headers: Mapping[str, str]) -> Viewer | None:
        v = self.viewers
        if v.auth is Auth.TOKEN:
            auth = headers.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer":
                return None
            official = verify_token(token.strip(), v.keys, now=self.clock())
        else:
            official = headers.get(v.header.lower())
        if not official or len(official) > 256:
            return None
        return v.get(official)


def _plain_error(status: int, rule: str, wants_json: bool) -> Response:
    """An answer at the door, before any page is read: the status and the rule only."""
    if wants_json:
        return JSONResponse({"error": {"status": status, "rule": rule}}, status_code=status)
    return Response(f"{status}: {rule}\n", status_code=status, media_type="text/plain")


def create_app(
    store: str | Callable[[], Store],
    org: Organization,
    campaign: Campaign,
    viewers: Viewers,
    *,
    as_of: Callable[[], _dt.date] | None = None,
    lang: str = "zh",
    timeout: float = 20.0,
    max_body: int = 0,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The read-only web service on a store, as an ASGI application (embed it or serve it).

    ``store``: a store URL (``sqlite:///...``, ``postgresql://...``) or a
    function opening a :class:`~xinfang.store.Store`; the app opens it on its
    own worker thread on the first request and closes it at shutdown.
    ``viewers``: who may look and how they are recognised
    (:func:`load_viewers`); every official it names must be in ``org``.
    ``as_of``: the default day of the bulletin (today in Asia/Shanghai).
    ``timeout``: seconds a request may take (503 after it); ``max_body``:
    bytes a request may carry (0: none, the service is read-only).
    """
    viewers.check(org)
    parse_choice(lang, "lang", LANGS)
    opener: Callable[[], Store]
    if isinstance(store, str):
        url = store

        def opener() -> Store:
            return open_store(url, migrate=False)
    else:
        opener = store
    default_day = as_of or (lambda: _dt.datetime.now(SHANGHAI).date())
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="xinfang-web")
    holder: dict[str, Site] = {}
    env = _env()
    # The last pages rendered, by the data they rendered (the site's cached dict, kept
    # alive here so its id stays its own): a warm page is not rendered again.
    rendered: OrderedDict[tuple[Any, ...], tuple[dict[str, Any], str]] = OrderedDict()
    css = files("xinfang.web").joinpath("static/web.css").read_text(encoding="utf-8")

    def site() -> Site:
        found = holder.get("site")
        if found is None:
            found = holder["site"] = Site(opener(), org, campaign, today=default_day)
        found.begin()
        return found

    async def run(fn: Callable[[Site], Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(pool, lambda: fn(site())), timeout=timeout
        )

    def page(
        template: str,
        build: Callable[[Site, Viewer, Mapping[str, str], _dt.date, str], dict[str, Any]],
        *,
        api: bool,
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            query = dict(request.query_params)
            asked = query.get("lang", "")
            page_lang = asked if asked in LANGS else lang
            try:
                parse_choice(query.get("lang"), "lang", LANGS)
                viewer: Viewer = request.state.viewer
                day = parse_date(query.get("as_of"), "as_of", default_day())
                data = await run(
                    lambda s: build(s, viewer, {**query, **request.path_params}, day, page_lang)
                )
                if api:
                    return JSONResponse(data)
                memo = (template, id(data), page_lang, viewer, _root(request))
                found = rendered.get(memo) if template in _KEPT_PAGES else None
                if found is not None and found[0] is data:
                    return HTMLResponse(found[1])
                body = env.get_template(template).render(
                    data=data,
                    lang=page_lang,
                    viewer=viewer,
                    root=_root(request),
                    w=lambda k: word(k, page_lang),
                )
                if template in _KEPT_PAGES:
                    rendered[memo] = (data, body)
                    if len(rendered) > _RENDERED_KEPT:
                        rendered.popitem(last=False)
            except Exception as exc:
                return _failure(
                    exc, env, api=api, lang=page_lang, timeout=timeout, root=_root(request)
                )
            return HTMLResponse(body)

        return endpoint

    def bulletin(s: Site, v: Viewer, q: Mapping[str, str], day: _dt.date, lg: str) -> Any:
        return s.bulletin(v, as_of=day, lang=lg)

    def cases(s: Site, v: Viewer, q: Mapping[str, str], day: _dt.date, lg: str) -> Any:
        return s.case_list(v, q, as_of=day, lang=lg)

    def one(s: Site, v: Viewer, q: Mapping[str, str], day: _dt.date, lg: str) -> Any:
        return s.case_page(v, q["case_id"], as_of=day, lang=lg)

    def due(s: Site, v: Viewer, q: Mapping[str, str], day: _dt.date, lg: str) -> Any:
        return s.due(v, q, as_of=day, lang=lg)

    async def stylesheet(request: Request) -> Response:
        return Response(css, media_type="text/css")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)  # no icon: browsers ask for one anyway

    routes = [
        Route("/static/web.css", stylesheet, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
    ]
    for path, template, build in (
        ("/", "bulletin.html", bulletin),
        ("/cases", "cases.html", cases),
        ("/cases/{case_id}", "case.html", one),
        ("/due", "due.html", due),
    ):
        routes.append(Route(path, page(template, build, api=False), methods=["GET"]))
        api_path = "/api" if path == "/" else f"/api{path}"
        routes.append(Route(api_path, page(template, build, api=True), methods=["GET"]))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            found = holder.pop("site", None)
            if found is not None:
                pool.submit(found.store.close).result()
            pool.shutdown(wait=True)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        api = _route_path(request.scope).startswith("/api")
        message = word("not_found", "zh") if status == 404 else "error"
        return _answer(status, message, "", env, api=api, lang="zh", root=_root(request))

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: not_found},
    )
    app.add_middleware(_Door, viewers=viewers, clock=clock, max_body=max_body)
    return app


def _route_path(scope: Scope) -> str:
    """The request's path inside the app (without where a host mounted it)."""
    path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


def _root(request: Request) -> str:
    """Where the app is mounted in a host's application ("" at the root): prefixes page links."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _failure(
    exc: Exception,
    env: jinja2.Environment,
    *,
    api: bool,
    lang: str,
    timeout: float,
    root: str = "",
) -> Response:
    """A failure as a bounded answer: the library's message and rule, never a trace."""
    if isinstance(exc, UnknownCaseError):
        return _answer(404, str(exc), "", env, api=api, lang=lang, root=root)
    if isinstance(exc, XinfangError):
        return _answer(
            400, str(exc), getattr(exc, "rule", "") or "", env, api=api, lang=lang, root=root
        )
    if isinstance(exc, TimeoutError):
        rule = f"a request may take at most {timeout:g} s"
        return _answer(503, "the request took too long", rule, env, api=api, lang=lang, root=root)
    log.error("internal error", exc_info=exc)
    return _answer(
        500, "internal error (logged by the service)", "", env, api=api, lang=lang, root=root
    )


def _answer(
    status: int,
    message: str,
    rule: str,
    env: jinja2.Environment,
    *,
    api: bool,
    lang: str,
    root: str = "",
) -> Response:
    message = message[:500]
    if api:
        return JSONResponse(
            {"error": {"status": status, "message": message, "rule": rule}}, status_code=status
        )
    body = env.get_template("error.html").render(
        status=status, message=message, rule=rule, lang=lang, root=root, w=lambda k: word(k, lang)
    )
    return HTMLResponse(body, status_code=status)
