"""The top-level parser and ``main``: parse, configure logging for the run, run, map errors.

``COMMANDS`` lists the command modules' ``add_parsers``, in the order
``xinfang --help`` lists their commands. ``main`` turns every way a run can
end into an exit code and one message on standard error: ``Exit`` (the
commands' own stop), the library's errors (they name their field path and
rule), a closed pipe, an interrupt, and a bug (one line; the traceback at
``-vv``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import ExitStack
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Final

from tqdm.contrib.logging import logging_redirect_tqdm

from xinfang.cli._calendars import Notes
from xinfang.cli._db import add_parsers as add_db_commands
from xinfang.cli._files import add_parsers as add_file_commands
from xinfang.cli._options import shared_options
from xinfang.cli._output import EXIT_DATA, EXIT_OK, EXIT_USAGE, Exit, log, say
from xinfang.cli._sheets import add_parsers as add_sheet_commands
from xinfang.errors import CalendarRangeError, XinfangError
from xinfang.web import add_serve_command

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    from xinfang.cli._options import Shared, SubParsers

__all__ = ["COMMANDS", "main", "main_exit", "parser"]

#: Each command module's ``add_parsers``, in the order ``--help`` lists the commands.
COMMANDS: Final[tuple[Callable[[SubParsers, Shared], None], ...]] = (
    add_file_commands,
    add_db_commands,
    add_sheet_commands,
    add_serve_command,
)


def parser() -> argparse.ArgumentParser:
    """The ``xinfang`` parser: the top level, then each module of ``COMMANDS`` adds its own."""
    try:
        __version__ = version("xinfang")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        __version__ = "0+unknown"
    ap = argparse.ArgumentParser(
        prog="xinfang",
        description="Petition (信访) casework: campaign bulletins, clocks, classification.",
        epilog="Exit codes: 0 success, 1 invalid data, 2 bad usage or unreadable/unwritable files.",
    )
    ap.add_argument("--version", action="version", version=f"xinfang {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = shared_options()
    for add_parsers in COMMANDS:
        add_parsers(sub, shared)
    return ap


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at devnull so the exit flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both
        pass  # not a real file (embedded use, tests): nothing will flush to it


def _logging(verbose: int) -> logging.Handler:
    logger = logging.getLogger("xinfang")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("xinfang: %(levelname)s: %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(
        logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    )
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 ok, 1 invalid data, 2 usage or files)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.notes = Notes(args.quiet, getattr(args, "lang", "zh"))
    handler = _logging(args.verbose)
    logger = logging.getLogger("xinfang")
    try:
        with ExitStack() as stack:
            if not args.quiet and getattr(sys.stderr, "isatty", lambda: False)():
                stack.enter_context(logging_redirect_tqdm(loggers=[logger]))
            code: int = args.run(args)
            return code
    except Exit as exc:
        if exc.message:
            say(exc.message)
        return exc.code
    except CalendarRangeError as exc:
        hint = "load the arrangement with --calendar FILE (xinfang calendar --template)" + (
            " or drop --strict-calendar" if getattr(args, "strict_calendar", False) else ""
        )
        say(f"{exc}\n  from the command line: {hint}")
        return EXIT_DATA
    except XinfangError as exc:  # the library's own errors name their path and rule
        say(str(exc))
        return EXIT_DATA
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception as exc:  # a bug: one line by default, the traceback with -v
        log.debug("internal error", exc_info=True)
        say(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in xinfang; please "
            "report it with the command that caused it (-vv shows the traceback)"
        )
        return EXIT_DATA
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def main_exit() -> None:
    """The console entry point: run and exit with the code."""
    sys.exit(main())
