"""What the command writes: standard output and files, messages, exit codes, progress bars.

Also the control-flow signal ``Exit`` (a message on standard error and an exit
code) that every command raises to stop, and the display width of text on a
terminal (wide CJK characters take two columns).
"""

from __future__ import annotations

import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from tqdm import tqdm

if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = [
    "EXIT_DATA",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAX_SHOWN",
    "Exit",
    "Progress",
    "check_writable",
    "log",
    "out",
    "pad",
    "progress_bars",
    "say",
    "width",
    "write",
]

#: Exit codes: success, invalid data, bad usage or a file that cannot be read or written.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
MAX_SHOWN: Final = 20  # problems shown before "run xinfang validate"

#: The command's logger (``-v`` shows its records as ``xinfang: INFO: xinfang.cli: ...``).
log = logging.getLogger("xinfang.cli")


class Exit(Exception):  # noqa: N818 - a control-flow signal, not an error class
    """Stop the command with a message on standard error and an exit code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ------------------------------------------------------------------ output
def say(message: str) -> None:
    """A message on standard error, prefixed ``xinfang:``."""
    print(f"xinfang: {message}", file=sys.stderr)


def out(text: str) -> None:
    """Write to standard output, in UTF-8 where the terminal's encoding cannot hold it."""
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # pragma: no cover - a text-only stream that cannot encode
            stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))
        else:
            buffer.write(text.encode("utf-8"))
    stream.flush()


def check_writable(output: str | None) -> None:
    """Refuse an ``-o`` path that cannot be written before any work is done."""
    if output is None or output == "-":
        return
    path = Path(output)
    parent = path.parent if str(path.parent) else Path()
    if path.is_dir():
        raise Exit(EXIT_USAGE, f"cannot write {output}: it is a directory")
    if not parent.is_dir():
        raise Exit(EXIT_USAGE, f"cannot write {output}: no directory {parent}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise Exit(EXIT_USAGE, f"cannot write {output}: permission denied")


def write(text: str, output: str | None) -> None:
    """``text`` to the ``-o`` file, or to standard output when there is none (or ``-``)."""
    if output is None or output == "-":
        out(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Exit(EXIT_USAGE, f"cannot write {output}: {exc.strerror or exc}") from None
    log.info("wrote %s (%d characters)", output, len(text))


# ------------------------------------------------------------------- width
def width(text: str) -> int:
    """Display columns of ``text`` on a terminal (wide CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` display columns."""
    return text + " " * max(columns - width(text), 0)


# -------------------------------------------------------------- progress
class Progress:
    """tqdm bars for the phases of one run, on a terminal only (never with ``--quiet``)."""

    def __init__(self, enabled: bool, phases: int) -> None:
        self.enabled = enabled
        self.phases = phases
        self.phase = 0

    def bar(self, what: str, total: float | None = None, *, unit: str = "it") -> tqdm[Any]:
        """The bar of the next phase (a byte bar when ``unit`` is ``"B"``)."""
        self.phase += 1
        return tqdm(
            total=total,
            desc=f"[{self.phase}/{self.phases}] {what}",
            unit=unit,
            unit_scale=unit == "B",
            unit_divisor=1024 if unit == "B" else 1000,
            file=sys.stderr,
            disable=not self.enabled,
            leave=False,
            dynamic_ncols=True,
            mininterval=0.2,
        )


def progress_bars(args: argparse.Namespace, phases: int) -> Progress:
    """The progress bars of a run of ``phases`` phases (shown on a terminal unless ``-q``)."""
    isatty = getattr(sys.stderr, "isatty", None)
    on_terminal = bool(isatty and isatty())
    return Progress(on_terminal and not args.quiet, phases)
