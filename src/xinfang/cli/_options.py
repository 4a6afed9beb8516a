"""The options several commands share: argument types, help texts and parent parsers.

``Shared`` holds the parent parsers a command's parser is built from
(``parents=[shared.common, shared.reading, ...]``): ``-q``/``-v``,
``--encoding``, the calendar options, and the bulletin's ``--format``,
``--lang`` and ``-o``. They are built afresh for each parser (argparse
parsers are mutable).
"""

from __future__ import annotations

import argparse
import codecs
from typing import TYPE_CHECKING, Final, TypeAlias

import attrs

from xinfang import report
from xinfang.convert import date_from_text, instant_from_text
from xinfang.errors import InvalidDataError, quoted

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt

    #: What a command module's ``add_parsers`` receives: the top level's subparsers.
    SubParsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = [
    "ALLOW_UNPLACED",
    "LANG_HELP",
    "Shared",
    "codec",
    "date",
    "instant",
    "non_negative",
    "shared_options",
]

#: The help of ``--lang`` on the commands that print lists and verdicts.
LANG_HELP: Final = "the language of labels, statuses and citations: zh (default) or en"
ALLOW_UNPLACED: Final = (
    "render even when cases are not placed (an id not in the organisation): the bulletin "
    "shows them in its not-placed (未归属) rows (default: refuse, exit 1)"
)


# ---------------------------------------------------------- argument types
def codec(name: str) -> str:
    """An ``--encoding``: the codec's canonical name, or a message naming the unknown one."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {quoted(name)}") from None


def date(text: str) -> _dt.date:
    """A date option: ``YYYY-MM-DD`` in the accepted range, or a message with an example."""
    try:
        return date_from_text(text)
    except InvalidDataError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0][1]) from None


def non_negative(text: str) -> int:
    """A whole number of 0 or more (``--within``, ``--expected-version``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {quoted(text)}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def instant(text: str) -> _dt.datetime:
    """An instant option: ISO 8601 with its offset, or a message showing the form by example."""
    try:
        return instant_from_text(text, "at")
    except InvalidDataError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0][1]) from None


# ----------------------------------------------------------- parent parsers
@attrs.frozen
class Shared:
    """The parent parsers shared by the commands (pass them as ``parents=[...]``)."""

    #: ``-q``/``--quiet`` and ``-v``/``--verbose``: every command.
    common: argparse.ArgumentParser
    #: ``--encoding``: every command that reads files.
    reading: argparse.ArgumentParser
    #: ``--calendar``, ``--strict-calendar``, ``--provisional``: every command that counts days.
    counting: argparse.ArgumentParser
    #: ``--format``, ``--lang``, ``-o``: the commands that render a bulletin.
    bulletin: argparse.ArgumentParser


def shared_options() -> Shared:
    """Fresh parent parsers for one top-level parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars, summaries or notes"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what is done to standard error (-vv: more)",
    )
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--encoding",
        type=codec,
        default="utf-8",
        help="encoding of the input files (default utf-8, with or without BOM; e.g. gbk)",
    )
    counting = argparse.ArgumentParser(add_help=False)
    counting.add_argument(
        "--calendar",
        action="append",
        metavar="FILE",
        help="a State Council arrangement or local closures (calendar TOML); repeatable",
    )
    counting.add_argument(
        "--strict-calendar",
        action="store_true",
        help="refuse dates past the loaded holiday data instead of counting them provisionally",
    )
    counting.add_argument(
        "--provisional",
        action="store_true",
        help="accepted for compatibility; provisional counting is the default",
    )
    bulletin = argparse.ArgumentParser(add_help=False)
    bulletin.add_argument("--format", choices=(*report.FORMATS, "xlsx"), default="md")
    bulletin.add_argument("--lang", choices=report.LANGS, default="zh")
    bulletin.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")
    return Shared(common=common, reading=reading, counting=counting, bulletin=bulletin)
