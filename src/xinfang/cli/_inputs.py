"""What the command reads: files and standard input, their encodings, ledgers, TOML files.

Every input is opened in binary and decoded here (UTF-8 with or without a BOM
by default; ``--encoding`` for GBK and the like), so a decode error names the
file, the line and the byte. A ledger (JSON Lines) is streamed line by line;
an organisation or campaign TOML file goes through the library's loader; a
problem the library's own checks missed still names the file. The store a
``db`` command (or the demo) works on is opened here too.
"""

from __future__ import annotations

import io
import os
import shlex
import sys
import time
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, NamedTuple, TypeVar

from xinfang.campaign import load_campaign
from xinfang.cli._clock import since
from xinfang.cli._output import EXIT_DATA, EXIT_USAGE, MAX_SHOWN, Exit, Progress, log
from xinfang.errors import InvalidDataError, XinfangError
from xinfang.responsibility import load_organization
from xinfang.serialization import from_json
from xinfang.store import Store, open_store

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterator

    from tqdm import tqdm

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign
    from xinfang.case import Case
    from xinfang.responsibility import Organization

__all__ = [
    "UNCHECKED",
    "Input",
    "LedgerLine",
    "encoding_hint",
    "ledger_cases",
    "ledger_lines",
    "load_campaign_file",
    "load_ledger",
    "load_org_file",
    "not_json_lines",
    "only_one_stdin",
    "open_db",
    "parse_case",
    "read_toml",
    "unchecked",
]

_T = TypeVar("_T")


def encoding_hint(encoding: str) -> str:
    """How to fix a file that did not decode as ``encoding``."""
    if encoding == "utf-8":
        return "if the file was saved as GBK (as office PCs often do), add --encoding gbk"
    return "check the file's encoding (--encoding)"


def _decode_error(path: str, line: int, encoding: str, exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.start + 1]
    return (
        f"{path}:{line}: not valid {encoding}: byte 0x{bad.hex()} at position {exc.start + 1} "
        "of the line"
    )


class Input:
    """One input file (or ``-``: standard input), opened in binary."""

    def __init__(self, path: str, encoding: str) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.encoding = encoding
        # An ASCII-compatible encoding other than UTF-8 (gbk, gb18030, big5 ...) is
        # the fallback for bytes that are not UTF-8: UTF-8 files still read as UTF-8.
        self.ascii_compatible = "\n".encode(encoding, "ignore") == b"\n"
        self.utf8_first = encoding != "utf-8" and self.ascii_compatible
        self.undecodable = 0  # lines that could not be decoded (for one hint at the end)
        self.tried = f"{encoding} (nor utf-8)" if self.utf8_first else encoding

    def hint(self) -> str:
        """How to fix the encoding, when a line could not be decoded ("" otherwise)."""
        return f"; {encoding_hint(self.encoding)}" if self.undecodable else ""

    def size(self) -> int | None:
        """The file's size in bytes (``None`` for standard input or a file not there)."""
        if self.path == "-":
            return None
        try:
            return Path(self.path).stat().st_size
        except OSError:
            return None  # open() names the problem

    def open(self, stack: ExitStack) -> tuple[BinaryIO, int | None]:
        """The binary stream and its size where known."""
        if self.path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:  # a text-only stdin (embedded use): re-encode it
                data = sys.stdin.read().encode(self.encoding, "surrogateescape")
                return io.BytesIO(data), len(data)
            return stream, None
        try:
            fh = stack.enter_context(Path(self.path).open("rb"))  # noqa: SIM115 - the stack closes it
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise Exit(EXIT_USAGE, f"cannot read {self.path}: {exc.strerror or exc}") from None
        return fh, size

    def _decode(self, data: bytes) -> str:
        if self.utf8_first:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return data.decode(self.encoding)

    def read_text(self) -> str:
        """The whole file as text (BOM dropped); a decode error names the line."""
        with ExitStack() as stack:
            stream, _ = self.open(stack)
            return self._decode_all(self._read(stream))

    def _read(self, stream: BinaryIO) -> bytes:
        try:
            return stream.read()
        except OSError as exc:
            raise Exit(EXIT_USAGE, f"cannot read {self.name}: {exc.strerror or exc}") from None

    def _decode_all(self, data: bytes) -> str:
        try:
            text = self._decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
            bad = data[exc.start : exc.start + 1]
            raise Exit(
                EXIT_DATA,
                f"{self.name}:{line}: not valid {self.tried}: byte 0x{bad.hex()} at position "
                f"{column + 1} of the line; {encoding_hint(self.encoding)}",
            ) from None
        return text.removeprefix("\ufeff")

    def lines(self, bar: tqdm[Any]) -> Iterator[tuple[int, str | None, str]]:
        """``(line number, text, problem)`` of every non-blank line, streamed.

        ``text`` is ``None`` where the line cannot be decoded (``problem`` says
        why). JSON Lines split on newline bytes only.
        """
        with ExitStack() as stack:
            stream, _ = self.open(stack)
            if not self.ascii_compatible:
                # An encoding whose newline is not the byte 0x0a (UTF-16, UTF-32):
                # decode the whole file first.
                data = self._read(stream)
                bar.update(len(data))
                text = self._decode_all(data)
                for number, line in enumerate(text.split("\n"), start=1):
                    if line.strip():
                        yield number, line, ""
                return
            for number, raw in enumerate(stream, start=1):
                bar.update(len(raw))
                try:
                    line = self._decode(raw)
                except UnicodeDecodeError as exc:
                    self.undecodable += 1
                    yield number, None, _decode_error(self.name, number, self.tried, exc)
                    continue
                if number == 1:
                    line = line.removeprefix("\ufeff")
                if line.strip():
                    yield number, line, ""


#: The endings of the files a 台账 comes as (``xinfang sheet`` reads them, a ledger is not one).
_SHEET_SUFFIXES: Final = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
#: What separates the cells of a CSV line (a JSON Lines line starts with "{").
_CELL_SEPARATORS: Final = (",", "\t", ";", "，")


def _looks_like_a_sheet(head: str, name: str) -> bool:
    """Whether a first line (not JSON) and a file name look like a spreadsheet or CSV."""
    if head.startswith(("{", "[")):
        return False
    return name.lower().endswith(_SHEET_SUFFIXES) or any(s in head for s in _CELL_SEPARATORS)


def not_json_lines(line: str, name: str = "") -> str:
    """Why a ledger's first line shows the file is not JSON Lines ("" when it may be).

    ``name`` is the file's name: a ``.csv`` or ``.xlsx`` (whose first line may
    not even decode: pass ``""``) is pointed to ``xinfang sheet``.
    """
    head = line.strip()
    if head.startswith("["):
        kind, fix = "a JSON array", "jq -c '.[]' FILE > ledger.jsonl"
    elif head == "{" or (head.startswith("{") and head.endswith(("{", "[", ","))):
        kind, fix = "a JSON document spread over several lines", "jq -c . FILE > ledger.jsonl"
    elif _looks_like_a_sheet(head, name):
        shown = shlex.quote(name) if name and name != "-" else "FILE"
        return (
            "this looks like a CSV/Excel file (a 台账, one row per matter), not a ledger "
            "(JSON Lines, one case per line): use "
            f"`xinfang sheet check {shown} --org org.toml` to see what it would import, "
            f"then `xinfang sheet import {shown} --org org.toml -o ledger.jsonl`"
        )
    else:
        return ""
    return (
        f"this file is {kind}, but a ledger holds one case per line (JSON Lines: each "
        "line one whole JSON object, as 'xinfang demo --export' writes it); write each "
        f"case on a line of its own, e.g. {fix}"
    )


def ledger_lines(source: Input, bar: tqdm[Any]) -> Iterator[tuple[int, str | None, str]]:
    """``source.lines``, but a file that is not JSON Lines is refused at once, in one message.

    A JSON array or a pretty-printed document would otherwise give one error per line;
    a spreadsheet or CSV (even one whose first line does not decode) is pointed to
    ``xinfang sheet``.
    """
    first = True
    for number, line, problem in source.lines(bar):
        if first:
            shape = not_json_lines("" if line is None else line, source.name)
            if shape:
                raise Exit(EXIT_DATA, f"{source.name}:{number}: {shape}")
        first = False
        yield number, line, problem


def only_one_stdin(*paths: str | None) -> None:
    """Refuse (exit 2) more than one input read from standard input."""
    if sum(p == "-" for p in paths) > 1:
        raise Exit(EXIT_USAGE, "only one input can be read from standard input ('-')")


def read_toml(path: str, encoding: str) -> dict[str, Any]:
    """A TOML file's table; not valid TOML exits 1 naming the file."""
    source = Input(path, encoding)
    try:
        return tomllib.loads(source.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise Exit(EXIT_DATA, f"{source.name}: not valid TOML: {exc}") from None


#: What a loader of the library may raise on malformed data that its own checks
#: missed; the command still names the file rather than show a traceback.
UNCHECKED: Final = (TypeError, ValueError, KeyError, AttributeError, IndexError)


def unchecked(exc: Exception) -> str:
    """The message of an exception in ``UNCHECKED``: a bug to report, shown in one line."""
    return (
        f"{type(exc).__name__}: {exc} (malformed data that xinfang's checks did not name; "
        "please report it)"
    )


def _load_toml(path: str, encoding: str, loader: Callable[[dict[str, Any]], _T]) -> _T:
    """A TOML file read by one of the library's loaders; problems name the file."""
    data = read_toml(path, encoding)
    try:
        return loader(data)
    except XinfangError as exc:
        raise Exit(EXIT_DATA, f"{path}: {exc}") from None
    except UNCHECKED as exc:
        raise Exit(EXIT_DATA, f"{path}: {unchecked(exc)}") from None


def load_org_file(path: str, encoding: str) -> Organization:
    """The organisation TOML file at ``path`` (``--org``)."""
    return _load_toml(path, encoding, load_organization)


def load_campaign_file(path: str, encoding: str) -> Campaign:
    """The campaign TOML file at ``path`` (``--campaign``)."""
    return _load_toml(path, encoding, load_campaign)


def parse_case(line: str, source: str) -> Case:
    """One case document; every problem is an ``InvalidDataError`` naming ``source``."""
    try:
        case: Case = from_json(line, source=source)
    except RecursionError:
        raise InvalidDataError([("$", "nested too deeply")], source=source) from None
    except XinfangError:
        raise
    except UNCHECKED as exc:
        raise InvalidDataError([("$", unchecked(exc))], source=source) from None
    return case


class LedgerLine(NamedTuple):
    """One line of a ledger as the commands read it: its case, or what is wrong with it."""

    number: int
    case: Case | None
    problems: list[str]
    duplicate: bool


def ledger_cases(source: Input, bar: tqdm[Any]) -> Iterator[LedgerLine]:
    """Each non-blank line of ``source`` parsed: the one reading ``validate`` and the loaders share.

    A line that does not parse gives its problems and no case; a valid line naming a
    case id an earlier line named gives its case, ``duplicate`` and the problem
    ``LEDGER:LINE: $.id: duplicate case id 'X' (first on line N)``.
    """
    first_line: dict[str, int] = {}
    for number, line, problem in ledger_lines(source, bar):
        if line is None:
            yield LedgerLine(number, None, [problem], False)
            continue
        try:
            case = parse_case(line, f"{source.name}:{number}")
        except InvalidDataError as exc:
            found = [f"{source.name}:{number}: {p}: {m}" for p, m in exc.problems]
            yield LedgerLine(number, None, found, False)
            continue
        seen = first_line.setdefault(case.id, number)
        if seen == number:
            yield LedgerLine(number, case, [], False)
        else:
            again = f"{source.name}:{number}: $.id: duplicate case id {case.id!r}"
            again += f" (first on line {seen})"
            yield LedgerLine(number, case, [again], True)


def load_ledger(
    path: str, encoding: str, progress: Progress, lines: list[int] | None = None
) -> list[Case]:
    """Every case of a ledger, or exit 1 listing the first problems (bad lines, duplicate ids).

    ``lines``, when given, receives each case's line number (for messages about the case).
    """
    started = time.perf_counter()
    source = Input(path, encoding)
    cases: list[Case] = []
    problems: list[str] = []
    duplicates = 0
    with progress.bar(f"reading {source.name}", source.size(), unit="B") as bar:
        for read in ledger_cases(source, bar):
            problems += read.problems
            duplicates += read.duplicate
            if read.case is not None:
                cases.append(read.case)
                if lines is not None:
                    lines.append(read.number)
    if problems:
        for text in problems[:MAX_SHOWN]:
            print(text, file=sys.stderr)
        more = f" (first {MAX_SHOWN} shown)" if len(problems) > MAX_SHOWN else ""
        dup = f", {duplicates} duplicate case id(s)" if duplicates else ""
        hint = f"; run 'xinfang validate {path}' to list them all" if more else ""
        raise Exit(
            EXIT_DATA,
            f"{len(problems)} problem(s) in {source.name}{dup}{more}{hint}{source.hint()}",
        )
    log.info("read %d cases from %s in %.2f s", len(cases), source.name, since(started))
    return cases


def open_db(url: str, calendar: WorkCalendar) -> Store:
    """The store at ``url``, projecting under ``calendar`` (every command: ``calendar(args)``)."""
    try:
        return open_store(url, calendar=calendar)
    except XinfangError:
        raise
    except OSError as exc:  # pragma: no cover - the store names its own errors
        raise Exit(EXIT_USAGE, f"cannot open {url}: {exc.strerror or exc}") from None
