"""``xinfang serve``: the parser and the run function of the command (hooked into the CLI).

Importing this module needs no optional package; running the command needs
the ``web`` extra (``pip install 'xinfang[web]'``), and says so when it is missing.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xinfang.calendar import china_mainland
from xinfang.campaign import load_campaign
from xinfang.demo import demo_world
from xinfang.errors import MissingDependencyError
from xinfang.report import LANGS
from xinfang.responsibility import Organization, Post, load_organization
from xinfang.serialization import dump_ledger
from xinfang.store import open_store
from xinfang.web._viewers import Viewer, ViewerRole, Viewers, load_viewers

if TYPE_CHECKING:
    import argparse
    import datetime as _dt
    from collections.abc import Callable

    from starlette.applications import Starlette

    from xinfang.calendar import WorkCalendar
    from xinfang.store import Store

__all__ = ["add_parser", "demo_viewers", "load_app", "run"]

_EXIT_USAGE = 2


def demo_viewers(org: Organization, *, leading_group: tuple[str, ...] = ()) -> Viewers:
    """Every official of ``org`` as a viewer: the leading group, the petition staff, the units.

    ``leading_group`` officials (the campaign's) see as the leading group; staff
    (the units' 信访干事) as the petition office, who see personal data in
    full; heads and leadership members as their units.
    """
    rows = []
    for o in org.officials:
        if o.id in leading_group:
            role = ViewerRole.LEADING_GROUP
        elif o.post is Post.STAFF:
            role = ViewerRole.PETITION_OFFICE
        else:
            role = ViewerRole.UNIT
        rows.append(Viewer(official=o.id, role=role))
    return Viewers(viewers=tuple(rows))


def add_parser(subparsers: Any, shared: Any = None) -> None:
    """Add ``serve`` to the command's sub-parsers (``argparse``).

    ``shared``: the command's shared parent parsers, if any; their ``common``
    (``-q``, ``-v``) is used when given, else ``serve`` adds its own.
    """
    common = getattr(shared, "common", None)
    serve: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        parents=[common] if common is not None else [],
        help="serve the live bulletin, case lists and cases to officials (read-only web; "
        "needs xinfang[web])",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="serve the demo corps from a temporary SQLite store (every official a viewer)",
    )
    serve.add_argument("--db", metavar="URL", help="the store (sqlite:///... or postgresql://...)")
    serve.add_argument("--org", metavar="FILE", help="organisation TOML file")
    serve.add_argument("--campaign", metavar="FILE", help="campaign TOML file")
    serve.add_argument("--viewers", metavar="FILE", help="viewers TOML file (who may look)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    serve.add_argument(
        "--root-path",
        default="",
        metavar="PATH",
        help="the path a reverse proxy serves the app under (e.g. /xinfang), for its links",
    )
    serve.add_argument("--lang", choices=LANGS, default="zh", help="default language")
    serve.add_argument(
        "--timeout", type=float, default=20.0, help="seconds a request may take (default 20)"
    )
    if common is None:
        serve.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
        serve.add_argument(
            "-v", "--verbose", action="count", default=0, help="log what is done (-vv: more)"
        )
    serve.set_defaults(run=run)


def load_app(args: argparse.Namespace, folder: str) -> tuple[Starlette, str]:
    """The app the arguments describe and a line saying what it serves (``--demo``: in ``folder``).

    Raises :class:`~xinfang.errors.MissingDependencyError` without the ``web`` extra.
    """
    try:
        from xinfang.web._app import create_app
    except ImportError as exc:
        raise MissingDependencyError(
            "xinfang serve needs the web extra: pip install 'xinfang[web]' "
            f"({exc.name} is missing)",
            rule="optional dependency",
        ) from None
    as_of: Callable[[], _dt.date] | None = None
    calendar: WorkCalendar
    if args.demo:
        world = demo_world()
        calendar = world.calendar
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with open_store(url, calendar=calendar) as store:
            store.import_ledger(dump_ledger(world.cases, reveal_personal_data=True))
        org, campaign = world.org, world.campaign
        viewers = demo_viewers(org, leading_group=campaign.leading_group)
        day = world.as_of

        def as_of() -> _dt.date:  # the demo's day, as `xinfang demo` counts it
            return day

        lines = ["the demo corps; viewers (send one in the X-Official-Id header):"]
        lines += [f"  {v.official:8} {v.role.value}" for v in viewers.viewers]
        what = "\n".join(lines)
    else:
        calendar = china_mainland()
        url = args.db
        org = load_organization(args.org)
        campaign = load_campaign(args.campaign)
        viewers = load_viewers(args.viewers)
        what = f"{url} for {len(viewers.viewers)} viewers"

    def opener() -> Store:
        return open_store(url, calendar=calendar)

    app = create_app(
        opener, org, campaign, viewers, as_of=as_of, lang=args.lang, timeout=args.timeout
    )
    return app, what


def run(args: argparse.Namespace) -> int:
    """Run ``xinfang serve`` until interrupted; the exit code."""
    if not args.demo and not (args.db and args.org and args.campaign and args.viewers):
        sys.stderr.write(
            "xinfang serve: give --demo, or all of --db URL --org FILE --campaign FILE "
            "--viewers FILE\n"
        )
        return _EXIT_USAGE
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError(
            "xinfang serve needs the web extra: pip install 'xinfang[web]' (uvicorn is missing)",
            rule="optional dependency",
        ) from None
    with tempfile.TemporaryDirectory(prefix="xinfang-serve-") as folder:
        app, what = load_app(args, folder)
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="info" if args.verbose else "warning",
            root_path=args.root_path,
            server_header=False,
            h11_max_incomplete_event_size=16 * 1024,
        )
        if not args.quiet:
            host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
            sys.stderr.write(f"xinfang serve: {what}\n")
            sys.stderr.write(f"xinfang serve: http://{host}:{port}/ (Ctrl-C stops)\n")
            sys.stderr.flush()
        uvicorn.Server(config).run(sockets=[sock])
    return 0
