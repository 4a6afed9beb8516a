"""The ``xinfang`` command: the library on the demo data or an office's own files.

    xinfang demo [--as-of DATE] [--format md|html|json] [--lang zh|en] [-o FILE]
                 [--export DIR [--force]]
    xinfang report LEDGER --campaign FILE --org FILE [--as-of DATE] [--format ...]
                   [--allow-unplaced]
    xinfang due LEDGER [--within N] [--as-of DATE] [--format text|json]
    xinfang classify CASE.json [--facts FACTS.json]
    xinfang validate LEDGER [--org FILE] [--campaign FILE]
    xinfang calendar [FILE ...] [--year YEAR] [--template]

Every command that counts days takes ``--calendar FILE`` (repeatable) and
``--strict-calendar``; every command that reads files takes ``--encoding``
(UTF-8 with or without a BOM by default) and ``-`` for standard input;
``-q`` / ``-v`` everywhere. Exit codes: 0 success, 1 invalid data, 2 bad
usage or a file that cannot be read or written (``docs/cli.md``).

A thin edge: it reads files, calls the library, writes text. It is the only
place that reads the clock (today's date), draws progress bars (tqdm, on a
terminal only) and configures logging (``--verbose``), for the length of
one run.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as _dt
import io
import json
import logging
import os
import sys
import tempfile
import time
import tomllib
import unicodedata
import zoneinfo
from contextlib import ExitStack
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, TypeVar

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from xinfang import report
from xinfang.calendar import china_mainland
from xinfang.campaign import check_references, load_campaign, snapshot
from xinfang.case import Case
from xinfang.changes import Change, Register
from xinfang.classification import CaseFacts, classify
from xinfang.convert import date_from_text, instant_from_text
from xinfang.deadlines import (
    ClockStatus,
    clock_table,
    kind_label,
    status_label,
)
from xinfang.demo import demo_world
from xinfang.errors import (
    CalendarRangeError,
    InvalidDataError,
    XinfangError,
    quoted,
)
from xinfang.periods import cite
from xinfang.responsibility import load_organization
from xinfang.rulebook import LimitKind
from xinfang.serialization import dump_ledger, from_dict, from_json, to_dict, to_toml
from xinfang.store import DEFAULT_URL, Store, ViewerStore, app_role_sql, init_store, open_store
from xinfang.web import add_serve_command

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterator, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, ReferenceProblem, Snapshot
    from xinfang.deadlines import Clock
    from xinfang.responsibility import Organization


__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "TEMPLATE", "main", "main_exit"]

#: Exit codes: success, invalid data, bad usage or a file that cannot be read or written.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
#: The template for a new year's State Council arrangement (calendar format 1).
TEMPLATE: Final = Path(__file__).resolve().parent / "data" / "calendars" / "template-next-year.toml"
#: Text in a calendar file's ``source`` that marks an unfilled template.
_PLACEHOLDER: Final = "PLACEHOLDER"
_SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
_CHUNK: Final = 20_000  # cases per clock-table call in ``due`` (progress steps)
_MAX_SHOWN: Final = 20  # problems shown before "run xinfang validate"
_ALLOW_UNPLACED: Final = (
    "render even when cases are not placed (an id not in the organisation): the bulletin "
    "shows them in its not-placed (未归属) rows (default: refuse, exit 1)"
)

log = logging.getLogger("xinfang.cli")
_T = TypeVar("_T")


class _Exit(Exception):  # noqa: N818 - a control-flow signal, not an error class
    """Stop the command with a message on standard error and an exit code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _now() -> _dt.datetime:
    """Now in Asia/Shanghai (the only clock the command reads; tests replace it)."""
    return _dt.datetime.now(_SHANGHAI)


def _today() -> _dt.date:
    """Today in Asia/Shanghai."""
    return _now().date()


# ------------------------------------------------------------------ output
def _say(message: str) -> None:
    print(f"xinfang: {message}", file=sys.stderr)


def _out(text: str) -> None:
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


def _check_writable(out: str | None) -> None:
    """Refuse an ``-o`` path that cannot be written before any work is done."""
    if out is None or out == "-":
        return
    path = Path(out)
    parent = path.parent if str(path.parent) else Path()
    if path.is_dir():
        raise _Exit(EXIT_USAGE, f"cannot write {out}: it is a directory")
    if not parent.is_dir():
        raise _Exit(EXIT_USAGE, f"cannot write {out}: no directory {parent}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _Exit(EXIT_USAGE, f"cannot write {out}: permission denied")


def _write(text: str, out: str | None) -> None:
    if out is None or out == "-":
        _out(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _Exit(EXIT_USAGE, f"cannot write {out}: {exc.strerror or exc}") from None
    log.info("wrote %s (%d characters)", out, len(text))


# -------------------------------------------------------------- progress
class _Progress:
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


def _progress(args: argparse.Namespace, phases: int) -> _Progress:
    isatty = getattr(sys.stderr, "isatty", None)
    on_terminal = bool(isatty and isatty())
    return _Progress(on_terminal and not args.quiet, phases)


# ------------------------------------------------------------------ input
def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {quoted(name)}") from None


def _hint(encoding: str) -> str:
    if encoding == "utf-8":
        return "if the file was saved as GBK (as office PCs often do), add --encoding gbk"
    return "check the file's encoding (--encoding)"


def _decode_error(path: str, line: int, encoding: str, exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.start + 1]
    return (
        f"{path}:{line}: not valid {encoding}: byte 0x{bad.hex()} at position {exc.start + 1} "
        "of the line"
    )


class _Input:
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
        return f"; {_hint(self.encoding)}" if self.undecodable else ""

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
            raise _Exit(EXIT_USAGE, f"cannot read {self.path}: {exc.strerror or exc}") from None
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
            raise _Exit(EXIT_USAGE, f"cannot read {self.name}: {exc.strerror or exc}") from None

    def _decode_all(self, data: bytes) -> str:
        try:
            text = self._decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
            bad = data[exc.start : exc.start + 1]
            raise _Exit(
                EXIT_DATA,
                f"{self.name}:{line}: not valid {self.tried}: byte 0x{bad.hex()} at position "
                f"{column + 1} of the line; {_hint(self.encoding)}",
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


def _not_json_lines(line: str) -> str:
    """Why a ledger's first line shows the file is not JSON Lines ("" when it may be)."""
    head = line.strip()
    if head.startswith("["):
        kind, fix = "a JSON array", "jq -c '.[]' FILE > ledger.jsonl"
    elif head == "{" or (head.startswith("{") and head.endswith(("{", "[", ","))):
        kind, fix = "a JSON document spread over several lines", "jq -c . FILE > ledger.jsonl"
    else:
        return ""
    return (
        f"this file is {kind}, but a ledger holds one case per line (JSON Lines: each "
        "line one whole JSON object, as 'xinfang demo --export' writes it); write each "
        f"case on a line of its own, e.g. {fix}"
    )


def _ledger_lines(source: _Input, bar: tqdm[Any]) -> Iterator[tuple[int, str | None, str]]:
    """``source.lines``, but a file that is not JSON Lines is refused at once, in one message.

    A JSON array or a pretty-printed document would otherwise give one error per line.
    """
    first = True
    for number, line, problem in source.lines(bar):
        if first and line is not None:
            shape = _not_json_lines(line)
            if shape:
                raise _Exit(EXIT_DATA, f"{source.name}:{number}: {shape}")
        first = False
        yield number, line, problem


def _only_one_stdin(*paths: str | None) -> None:
    if sum(p == "-" for p in paths) > 1:
        raise _Exit(EXIT_USAGE, "only one input can be read from standard input ('-')")


def _read_toml(path: str, encoding: str) -> dict[str, Any]:
    source = _Input(path, encoding)
    try:
        return tomllib.loads(source.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise _Exit(EXIT_DATA, f"{source.name}: not valid TOML: {exc}") from None


#: What a loader of the library may raise on malformed data that its own checks
#: missed; the command still names the file rather than show a traceback.
_UNCHECKED: Final = (TypeError, ValueError, KeyError, AttributeError, IndexError)


def _unchecked(exc: Exception) -> str:
    return (
        f"{type(exc).__name__}: {exc} (malformed data that xinfang's checks did not name; "
        "please report it)"
    )


def _load_toml(path: str, encoding: str, loader: Callable[[dict[str, Any]], _T]) -> _T:
    """A TOML file read by one of the library's loaders; problems name the file."""
    data = _read_toml(path, encoding)
    try:
        return loader(data)
    except XinfangError as exc:
        raise _Exit(EXIT_DATA, f"{path}: {exc}") from None
    except _UNCHECKED as exc:
        raise _Exit(EXIT_DATA, f"{path}: {_unchecked(exc)}") from None


def _load_org(path: str, encoding: str) -> Organization:
    return _load_toml(path, encoding, load_organization)


def _load_campaign(path: str, encoding: str) -> Campaign:
    return _load_toml(path, encoding, load_campaign)


def _parse_case(line: str, source: str) -> Case:
    try:
        case: Case = from_json(line, source=source)
    except RecursionError:
        raise InvalidDataError([("$", "nested too deeply")], source=source) from None
    except XinfangError:
        raise
    except _UNCHECKED as exc:
        raise InvalidDataError([("$", _unchecked(exc))], source=source) from None
    return case


def _load_ledger(
    path: str, encoding: str, progress: _Progress, lines: list[int] | None = None
) -> list[Case]:
    """Every case of a ledger, or exit 1 listing the first problems (bad lines, duplicate ids).

    ``lines``, when given, receives each case's line number (for messages about the case).
    """
    started = time.perf_counter()
    source = _Input(path, encoding)
    cases: list[Case] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    duplicates = 0
    with progress.bar(f"reading {source.name}", source.size(), unit="B") as bar:
        for number, line, problem in _ledger_lines(source, bar):
            if line is None:
                problems.append(problem)
                continue
            try:
                case = _parse_case(line, f"{source.name}:{number}")
            except InvalidDataError as exc:
                problems.extend(f"{source.name}:{number}: {p}: {m}" for p, m in exc.problems)
                continue
            seen = first_line.setdefault(case.id, number)
            if seen != number:
                duplicates += 1
                problems.append(
                    f"{source.name}:{number}: $.id: duplicate case id {case.id!r} "
                    f"(first on line {seen})"
                )
            cases.append(case)
            if lines is not None:
                lines.append(number)
    if problems:
        for text in problems[:_MAX_SHOWN]:
            print(text, file=sys.stderr)
        more = f" (first {_MAX_SHOWN} shown)" if len(problems) > _MAX_SHOWN else ""
        dup = f", {duplicates} duplicate case id(s)" if duplicates else ""
        hint = f"; run 'xinfang validate {path}' to list them all" if more else ""
        raise _Exit(
            EXIT_DATA,
            f"{len(problems)} problem(s) in {source.name}{dup}{more}{hint}{source.hint()}",
        )
    log.info("read %d cases from %s in %.2f s", len(cases), source.name, _since(started))
    return cases


def _since(started: float) -> float:
    return time.perf_counter() - started


# --------------------------------------------------------------- calendar
def _calendar(args: argparse.Namespace) -> WorkCalendar:
    """The calendar a command counts on: the mainland one, then each ``--calendar`` file."""
    cal = china_mainland(strict=args.strict_calendar)
    for path in args.calendar or ():
        cal, problem = _extend(cal, path, args.encoding)
        if problem:
            raise _Exit(EXIT_DATA, problem)
    log.info(
        "calendar %s covers %s..%s; provisional years: %s",
        cal.name,
        cal.first,
        cal.last,
        _years(cal.provisional_years) or "none",
    )
    return cal


def _extend(cal: WorkCalendar, path: str, encoding: str) -> tuple[WorkCalendar, str]:
    """``cal`` with the calendar file applied, or ``cal`` and the problem found."""
    try:
        data = _read_toml(path, encoding)
    except _Exit as exc:
        if exc.code == EXIT_USAGE:
            raise
        return cal, exc.message
    for j, entry in enumerate(data.get("year", []) if isinstance(data.get("year"), list) else []):
        source = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(source, str) and _PLACEHOLDER in source.upper():
            return cal, (
                f"{path}: year[{j}].source: still the template's placeholder; fill in the "
                "year's days off and make-up working days from the State Council notice and "
                "put the notice's title in 'source'"
            )
    try:
        return cal.extend(data, origin=path), ""
    except XinfangError as exc:
        return cal, str(exc)
    except _UNCHECKED as exc:
        return cal, f"{path}: {_unchecked(exc)}"


def _years(years: frozenset[int] | Sequence[int]) -> str:
    """Years as ranges: ``2027-2035`` or ``2027, 2029``."""
    ys = sorted(years)
    runs: list[str] = []
    start = prev = None
    for y in [*ys, None]:
        if y is not None and prev is not None and y == prev + 1:
            prev = y
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = y
    return ", ".join(runs)


class _Notes:
    """Messages said once per run on standard error (the provisional-calendar note)."""

    def __init__(self, quiet: bool, lang: str = "zh") -> None:
        self.quiet = quiet
        self.lang = lang
        self.said: set[str] = set()

    def provisional(self, dates: Sequence[_dt.date]) -> None:
        """Say once how to load the real arrangement, when provisional dates were shown."""
        if self.quiet or not dates or "provisional" in self.said:
            return
        self.said.add("provisional")
        years = sorted({d.year for d in dates})
        if self.lang == "zh":
            _say(
                f"注意: 所示 {len(dates)} 个日期落在 {_years(years)} 年, 尚未载入该年国务院办公厅"
                "放假安排: 已按暂定日历(仅法定节假日及其补休, 无调休上班日)计算, 标为“暂定”。"
                f"安排公布后, 按模板填写('xinfang calendar --template > {years[0]}.toml'; "
                f"模板文件 {TEMPLATE}), 用 'xinfang calendar FILE' 检查, 再以 --calendar FILE "
                "载入。--strict-calendar 则拒绝此类日期。"
            )
            return
        _say(
            f"note: {len(dates)} date(s) shown fall in {_years(years)}, for which no State "
            "Council holiday arrangement is loaded: they were counted on the provisional "
            "calendar (statutory holidays only, no make-up working days) and are marked "
            "provisional. Once the arrangement is published, fill in a copy of the template "
            f"('xinfang calendar --template > {years[0]}.toml'; the file is {TEMPLATE}), "
            "check it with 'xinfang calendar FILE' and pass it with --calendar FILE. "
            "--strict-calendar refuses such dates instead."
        )


# --------------------------------------------------------------- commands
def _bulletin(
    args: argparse.Namespace,
    *,
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    calendar: WorkCalendar,
    as_of: _dt.date,
    basis: str,
    progress: _Progress,
    check: Callable[[Snapshot], None] | None = None,
) -> int:
    """Snapshot, burndown and rendering: the shared tail of ``demo`` and ``report``.

    ``check`` sees the bulletin's snapshot before it is rendered (and may refuse it).
    """
    started = time.perf_counter()
    points = sorted(
        {d for d in (campaign.start, *campaign.reviews()) if d < as_of} | {as_of}
    )  # the dates of xinfang.trend's default burndown
    snaps: dict[_dt.date, Snapshot] = {}
    with progress.bar("computing snapshots", len(points), unit="snapshot") as bar:
        for day in reversed(points):  # the bulletin's own snapshot first
            snaps[day] = snapshot(campaign, cases, org, as_of=day, calendar=calendar)
            bar.update()
    snap = snaps[as_of]
    if check is not None:
        check(snap)
    burndown = [(d, snaps[d].overall.open) for d in points]
    log.info("%d snapshots as of %s in %.2f s", len(points), as_of, _since(started))
    started = time.perf_counter()
    with progress.bar(f"rendering {args.format}", 1, unit="bulletin") as bar:
        text = report.render(
            snap,
            burndown,
            format=args.format,
            lang=args.lang,
            calendar=calendar,
            as_of_basis=basis,
            today=_today() if basis != "given" else None,
        )
        bar.update()
    log.info("rendered the bulletin (%s, %s) in %.2f s", args.format, args.lang, _since(started))
    _write(text, args.output)
    args.notes.provisional(report.provisional_dates(snap, calendar))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.export is not None:
        return _export(args)
    _check_writable(args.output)
    progress = _progress(args, 3)
    calendar = _calendar(args)
    with progress.bar("building the demo corps", 1, unit="world") as bar:
        world = demo_world()
        bar.update()
    with ExitStack() as stack:
        if args.db is None:  # an embedded database in a temporary directory
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="xinfang-demo-"))
            url = f"sqlite:///{Path(folder) / 'demo.db'}"
        else:
            url = args.db
        store = _open(url, calendar)
        stack.callback(store.close)
        with progress.bar("storing the demo corps", 1, unit="ledger") as bar:
            result = store.import_ledger(dump_ledger(world.cases, reveal_personal_data=True))
            bar.update()
        log.info("stored in %s: %s", store.url, result)
        cases = list(store.iter_cases())  # the bulletin is computed from the store
    return _bulletin(
        args,
        campaign=world.campaign,
        cases=cases,
        org=world.org,
        calendar=calendar,
        as_of=args.as_of or world.as_of,
        basis="given",
        progress=progress,
    )


def _export(args: argparse.Namespace) -> int:
    world = demo_world()
    folder = Path(args.export)
    files = {
        "ledger.jsonl": dump_ledger(world.cases),
        "org.toml": to_toml(world.org),
        "campaign.toml": to_toml(world.campaign),
    }
    existing = [name for name in files if (folder / name).exists()]
    if existing and not args.force:
        raise _Exit(
            EXIT_USAGE,
            f"{folder / existing[0]} exists (edited files are not overwritten); "
            "choose another directory or add --force",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        where = exc.filename or folder
        raise _Exit(EXIT_USAGE, f"cannot write {where}: {exc.strerror or exc}") from None
    d = str(folder)
    _out(
        f"wrote {folder / 'ledger.jsonl'} ({len(world.cases)} cases), {folder / 'org.toml'}, "
        f"{folder / 'campaign.toml'}\n"
        "next:\n"
        f"  xinfang validate {d}/ledger.jsonl\n"
        f"  xinfang report {d}/ledger.jsonl --org {d}/org.toml --campaign {d}/campaign.toml "
        f"--as-of {world.as_of}\n"
        f"  xinfang due {d}/ledger.jsonl --as-of {world.as_of}\n"
    )
    return EXIT_OK


def _report_date(given: _dt.date | None, campaign: Campaign) -> tuple[_dt.date, str]:
    """The snapshot date and how it was chosen: given, or today within the campaign."""
    if given is not None:
        return given, "given"
    today = _today()
    as_of = min(max(today, campaign.start), campaign.end)
    basis = (
        "today"
        if as_of == today
        else ("campaign_start" if today < campaign.start else "campaign_end")
    )
    log.info("as of %s (%s)", as_of, basis)
    return as_of, basis


def _cmd_report(args: argparse.Namespace) -> int:
    _only_one_stdin(args.ledger, args.org, args.campaign, *(args.calendar or ()))
    lines: list[int] = []
    name = "<stdin>" if args.ledger == "-" else args.ledger
    return _report(
        args,
        lambda progress, _calendar: _load_ledger(args.ledger, args.encoding, progress, lines),
        lambda k: f"{name}:{lines[k]}",
    )


def _reference_line(p: ReferenceProblem, where: Callable[[int], str], campaign_file: str) -> str:
    """One problem in one line: where (file and line), the case, the field, the id, the nearest."""
    place = where(p.index) if p.index is not None else campaign_file
    return f"{place}: {p}"


def _check_placed(
    args: argparse.Namespace,
    cases: Sequence[Case],
    org: Organization,
    campaign: Campaign,
    where: Callable[[int], str],
) -> None:
    """Refuse (exit 1) a bulletin with cases not placed, one line per problem; or note them."""
    found = check_references(cases, org, campaign)
    stopping = [p for p in found if p.unplaced or p.index is None]
    if stopping and not args.allow_unplaced:
        for p in stopping[:_MAX_SHOWN]:
            print(_reference_line(p, where, args.campaign), file=sys.stderr)
        unplaced = len({p.index for p in stopping if p.index is not None})
        own = sum(p.index is None for p in stopping)
        more = f" (first {_MAX_SHOWN} shown)" if len(stopping) > _MAX_SHOWN else ""
        ledger = getattr(args, "ledger", None) or f"- (from 'xinfang db export --db {args.db}')"
        what = ", ".join(
            text
            for n, text in (
                (unplaced, f"{unplaced} case(s) not placed (未归属)"),
                (own, f"{own} id(s) of the campaign file that name nothing"),
            )
            if n
        )
        raise _Exit(
            EXIT_DATA,
            f"{len(stopping)} reference problem(s){more}: {what}"
            "; fix the ids (the nearest known id is shown when one is close), or add "
            "--allow-unplaced to render the bulletin with the not-placed rows; "
            f"'xinfang validate {ledger} --org {args.org} --campaign {args.campaign}' "
            "lists every problem",
        )
    if found and not args.quiet:
        rest = len(found) - len(stopping)
        shown = f"{len(stopping)} reference problem(s) shown in the bulletin's reconciliation"
        other = f"{rest} unknown id(s) that place nothing" if rest else ""
        _say(
            "note: "
            + "; ".join(t for t in (shown if stopping else "", other) if t)
            + " ('xinfang validate --org --campaign' lists them)"
        )


def _report(
    args: argparse.Namespace,
    read_cases: Callable[[_Progress, WorkCalendar], list[Case]],
    where: Callable[[int], str],
) -> int:
    """The bulletin of ``report`` and ``db report``: files first, then the cases, then render.

    A case not placed (an id it names is not in the organisation), a target
    with no case or a campaign unit missing from the organisation refuses
    the bulletin (exit 1, one line per problem) unless ``--allow-unplaced``.
    """
    _check_writable(args.output)
    progress = _progress(args, 3)
    org = _load_org(args.org, args.encoding)
    campaign = _load_campaign(args.campaign, args.encoding)
    calendar = _calendar(args)
    cases = read_cases(progress, calendar)
    _check_placed(args, cases, org, campaign, where)
    as_of, basis = _report_date(args.as_of, campaign)

    def placed_as_of(snap: Snapshot) -> None:
        """Refuse a case not placed as the cases stood on the day (an id fixed only later)."""
        groups = snap.reconciliation.unplaced
        if not groups or args.allow_unplaced:
            return
        index = {case.id: k for k, case in enumerate(cases)}
        for g in groups[:_MAX_SHOWN]:
            near = f" (nearest known: {g.nearest})" if g.nearest else ""
            print(
                f"{where(index[g.first_case])}: case {g.first_case}: {g.field}: "
                f"{g.code.replace('_', ' ')} id {quoted(g.unknown)}{near}, as of {as_of} "
                f"({g.cases} case(s))",
                file=sys.stderr,
            )
        raise _Exit(
            EXIT_DATA,
            f"{snap.reconciliation.not_placed} case(s) not placed (未归属) as they stood on "
            f"{as_of}; fix the ids or add --allow-unplaced",
        )

    return _bulletin(
        args,
        campaign=campaign,
        cases=cases,
        org=org,
        calendar=calendar,
        as_of=as_of,
        basis=basis,
        progress=progress,
        check=placed_as_of,
    )


_LISTED: Final = (ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED)


def _due_summary(args: argparse.Namespace, rows: Sequence[Clock], as_of: _dt.date) -> int:
    """The summary line and the provisional note of ``due`` and ``db due``."""
    if not args.quiet:
        _say(
            f"截至 {as_of}, {len(rows)} 个时限在 {args.within} 个工作日内到期、已超期或暂停"
            if args.lang == "zh"
            else f"{len(rows)} clock(s) due within {args.within} working days or overdue, "
            f"as of {as_of}"
        )
    args.notes.provisional([c.due for c in rows if c.provisional])
    return EXIT_OK


#: ``--kind`` of due and db due: which clocks to list (statutory limits, plan clocks, or all).
_KINDS: Final[dict[str, frozenset[LimitKind] | None]] = {
    "all": None,
    "statutory": frozenset({LimitKind.DUTY, LimitKind.WINDOW}),
    "plan": frozenset({LimitKind.PLAN}),
}
_KIND_HELP: Final = (
    "which clocks: all (default), statutory (the rulebook's limits) or plan "
    "(settlement plans' deadlines and steps, campaign clocks)"
)


#: The provisional mark of a due date, by language (as the bulletin marks it).
_PROVISIONAL_MARK: Final = {"zh": "(暂定)", "en": " (provisional)"}


def _width(text: str) -> int:
    """Display columns of ``text`` on a terminal (wide CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - _width(text), 0)


def _due_line(c: Clock, lang: str = "zh") -> str:
    """One line of ``due``: date, status, case, limit, article, provisional mark; in ``lang``."""
    status = status_label(c.status, lang)
    title = c.title if lang == "zh" else (c.title_en or c.key.replace("_", " "))
    mark = _PROVISIONAL_MARK[lang] if c.provisional else ""
    kind = kind_label(c.kind, lang)
    return (
        f"{c.due}  {_pad(status, 16 if lang == 'en' else 10)}  {_pad(c.case_id, 16)} "
        f"{_pad(kind, 10)} {_pad(title, 28)} {cite(c.citation, lang)}{mark}"
        f"{_last_report_text(c, lang)}\n"
    )


def _last_report_text(c: Clock, lang: str) -> str:
    """A plan clock's last progress report (进展情况) as ``due`` shows it; empty for others."""
    if c.kind is not LimitKind.PLAN:
        return ""
    if c.last_report is None:
        return "  尚无进展报告" if lang == "zh" else "  no progress report yet"
    return f"  最近进展 {c.last_report}" if lang == "zh" else f"  last report {c.last_report}"


def _due_json(c: Clock, lang: str) -> dict[str, Any]:
    """A clock as ``due --format json`` writes it: its codes, and their text in ``lang``."""
    doc: dict[str, Any] = to_dict(c)
    doc["status_text"] = status_label(c.status, lang)
    doc["title_text"] = c.title if lang == "zh" else (c.title_en or c.key.replace("_", " "))
    doc["citation_text"] = cite(c.citation, lang)
    doc["kind_text"] = kind_label(c.kind, lang)
    doc["last_report_text"] = _last_report_text(c, lang).strip()
    return doc


def _cmd_due(args: argparse.Namespace) -> int:
    kinds = _KINDS[args.kind]
    _only_one_stdin(args.ledger, *(args.calendar or ()))
    _check_writable(args.output)
    progress = _progress(args, 3)
    calendar = _calendar(args)
    cases = _load_ledger(args.ledger, args.encoding, progress)
    as_of = args.as_of or _today()
    started = time.perf_counter()
    rows: list[Clock] = []
    with progress.bar("computing clocks", len(cases), unit="case") as bar:
        for i in range(0, len(cases), _CHUNK):
            chunk = cases[i : i + _CHUNK]
            table = clock_table(chunk, as_of=as_of, calendar=calendar, due_soon=args.within)
            rows += [
                c
                for c in table.to_clocks()
                if c.status in _LISTED and (kinds is None or c.kind in kinds)
            ]
            bar.update(len(chunk))
    rows.sort(key=lambda c: (c.due, c.case_id, c.key))
    log.info("clocks of %d cases as of %s in %.2f s", len(cases), as_of, _since(started))
    with progress.bar(f"writing {args.format}", 1, unit="list") as bar:
        text = _due_text(args, rows, as_of, calendar)
        bar.update()
    _write(text, args.output)
    return _due_summary(args, rows, as_of)


def _due_text(
    args: argparse.Namespace, rows: Sequence[Clock], as_of: _dt.date, calendar: WorkCalendar
) -> str:
    """What ``due`` and ``db due`` print (``--format`` text or json), alike."""
    if args.format == "json":
        doc = {
            "schema_version": 1,
            "as_of": as_of.isoformat(),
            "within": args.within,
            "calendar": {
                "name": calendar.name,
                "provisional_years": sorted(calendar.provisional_years),
            },
            "lang": args.lang,
            "clocks": [_due_json(c, args.lang) for c in rows],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return "".join(_due_line(c, args.lang) for c in rows)


def _cmd_classify(args: argparse.Namespace) -> int:
    _only_one_stdin(args.case, args.facts)
    source = _Input(args.case, args.encoding)
    try:
        case = _parse_case(source.read_text(), source.name)
    except InvalidDataError as exc:
        raise _Exit(EXIT_DATA, str(exc)) from None
    assessed: dict[str, Any] = {}
    if args.facts:
        facts_file = _Input(args.facts, args.encoding)
        text = facts_file.read_text()
        try:
            loaded = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _Exit(EXIT_DATA, f"{facts_file.name}: not valid JSON: {exc}"[:300]) from None
        if not isinstance(loaded, dict):
            raise _Exit(
                EXIT_DATA,
                f"{facts_file.name}: $: expected a JSON object of CaseFacts fields, "
                f"got {type(loaded).__name__}",
            )
        assessed = loaded
    derived = to_dict(CaseFacts.from_case(case))
    try:
        facts = from_dict({**derived, **assessed}, CaseFacts, source=args.facts or source.name)
    except InvalidDataError as exc:
        raise _Exit(EXIT_DATA, f"bad facts: {exc}") from None
    result = classify(facts)
    _out(json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    _only_one_stdin(args.ledger, args.org, args.campaign)
    org = _load_org(args.org, args.encoding) if args.org else None
    campaign = _load_campaign(args.campaign, args.encoding) if args.campaign else None
    keep = org is not None or campaign is not None
    kept: list[Case] = []
    kept_lines: list[int] = []
    progress = _progress(args, 1)
    source = _Input(args.ledger, args.encoding)
    bad = good = duplicates = 0
    first_line: dict[str, int] = {}
    out: list[str] = []
    with progress.bar(f"validating {source.name}", source.size(), unit="B") as bar:
        for number, line, problem in _ledger_lines(source, bar):
            if line is None:
                bad += 1
                out.append(problem)
            else:
                try:
                    case = _parse_case(line, f"{source.name}:{number}")
                except InvalidDataError as exc:
                    bad += 1
                    out += [f"{source.name}:{number}: {p}: {m}" for p, m in exc.problems]
                else:
                    good += 1
                    if keep:
                        kept.append(case)
                        kept_lines.append(number)
                    seen = first_line.setdefault(case.id, number)
                    if seen != number:
                        duplicates += 1
                        out.append(
                            f"{source.name}:{number}: $.id: duplicate case id {case.id!r} "
                            f"(first on line {seen})"
                        )
            if len(out) > 1000:
                _out("".join(f"{text}\n" for text in out))
                out.clear()
    _out("".join(f"{text}\n" for text in out))
    found = check_references(kept, org, campaign) if keep else ()
    _out(
        "".join(
            _reference_line(p, lambda k: f"{source.name}:{kept_lines[k]}", args.campaign or "")
            + ("" if p.unplaced or p.index is None else " (not read: another unit places it)")
            + "\n"
            for p in found
        )
    )
    if not args.quiet:
        dup = f", {duplicates} duplicate case id(s)" if duplicates else ""
        refs = f", {len(found)} reference problem(s)" if keep else ""
        _say(f"{good} valid, {bad} invalid record(s){dup}{refs}{source.hint()}")
    return EXIT_DATA if bad or duplicates or found else EXIT_OK


def _cmd_calendar(args: argparse.Namespace) -> int:
    if args.template:
        _out(TEMPLATE.read_text(encoding="utf-8"))
        return EXIT_OK
    _only_one_stdin(*args.files)
    cal = china_mainland(strict=args.strict_calendar)
    lines: list[str] = []
    bad = 0
    for path in args.files:
        before = cal
        cal, problem = _extend(cal, path, args.encoding)
        if problem:
            bad += 1
            _say(problem)
            lines.append(f"  {path}: NOT LOADED (see above)")
        else:
            added = cal.sources[len(before.sources) :]
            lines.append(f"  {path}: ok ({'; '.join(added) or 'no change'})")
    prov = _years(cal.provisional_years)
    text = [
        f"calendar: {cal.name}",
        f"covers: {cal.first}..{cal.last}",
        (
            f"provisional years: {prov} (statutory holidays and their weekday compensation "
            "only; no make-up working days; dates counted on them are marked provisional)"
            if prov
            else "provisional years: none"
        ),
        "sources:",
        *(f"  {s}" for s in cal.sources),
    ]
    if args.files:
        text += ["files:", *lines]
    if args.year is not None:
        text += _year_listing(cal, args.year)
    _out("\n".join(text) + "\n")
    return EXIT_DATA if bad else EXIT_OK


def _year_listing(cal: WorkCalendar, year: int) -> list[str]:
    first, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    if not (cal.covers(first) and cal.covers(last)):
        raise _Exit(EXIT_DATA, f"year {year} is outside the calendar ({cal.first}..{cal.last})")
    off = sorted(d for d in cal.holidays if d.year == year)
    on = sorted(d for d in cal.makeup_workdays if d.year == year)
    flag = " (provisional)" if year in cal.provisional_years else ""
    out = [f"{year}{flag}: {len(off)} day(s) off, {len(on)} make-up working day(s)"]
    out += [f"  off  {d} {d.strftime('%a')}  {cal.label(d) or ''}".rstrip() for d in off]
    out += [f"  work {d} {d.strftime('%a')}  {cal.label(d) or ''}".rstrip() for d in on]
    return out


# ----------------------------------------------------------------- parser
def _date(text: str) -> _dt.date:
    """A date option: ``YYYY-MM-DD`` in the accepted range, or a message with an example."""
    try:
        return date_from_text(text)
    except InvalidDataError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0][1]) from None


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {quoted(text)}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


# --------------------------------------------------------------- the store
def _open(url: str, calendar: WorkCalendar) -> Store:
    """The store at ``url``, projecting under ``calendar`` (every command: ``_calendar(args)``)."""
    try:
        return open_store(url, calendar=calendar)
    except XinfangError:
        raise
    except OSError as exc:  # pragma: no cover - the store names its own errors
        raise _Exit(EXIT_USAGE, f"cannot open {url}: {exc.strerror or exc}") from None


def _cmd_db_init(args: argparse.Namespace) -> int:
    if args.print_sql:  # the application role's grants, for a DBA to run: nothing changes
        if not args.app_role:
            raise _Exit(EXIT_USAGE, "--print-sql prints the grants of --app-role NAME")
        _out("".join(f"{sql};\n" for sql in app_role_sql(args.db, args.app_role)))
        return EXIT_OK
    # Run as the schema's owner; a journal from before the projections gets them under
    # this calendar; --app-role creates (if missing) and grants the application's role.
    version_reached = init_store(args.db, calendar=_calendar(args), app_role=args.app_role)
    if not args.quiet:
        _say(f"{args.db}: schema version {version_reached}")
        if args.app_role:
            _say(f"{args.db}: role {args.app_role} may read and append the journal only")
    return EXIT_OK


def _viewer(args: argparse.Namespace, store: Store) -> Store | ViewerStore:
    """The store as ``--viewer`` may see it (with ``--org``); the whole store without one."""
    if not getattr(args, "viewer", None):
        return store
    if not args.org:
        raise _Exit(EXIT_USAGE, "--viewer needs --org FILE (who may see what is decided on it)")
    return store.for_viewer(args.viewer, _load_org(args.org, args.encoding))


def _cmd_db_import(args: argparse.Namespace) -> int:
    text = _Input(args.ledger, args.encoding).read_text()
    if not text.strip():
        raise _Exit(EXIT_DATA, f"{args.ledger}: the ledger is empty")
    first = next((n, ln) for n, ln in enumerate(text.split("\n"), start=1) if ln.strip())
    shape = _not_json_lines(first[1])
    if shape:
        raise _Exit(EXIT_DATA, f"{args.ledger}:{first[0]}: {shape}")
    if "\n" not in text:
        text += "\n"  # a one-line ledger is still text, not a path
    org = _load_org(args.org, args.encoding) if args.org else None
    campaign = _load_campaign(args.campaign, args.encoding) if args.campaign else None
    with _open(args.db, _calendar(args)) as store:
        try:
            result = store.import_ledger(text, org=org, campaign=campaign)
        except InvalidDataError as exc:  # one line per problem; nothing was written
            for path, message in exc.problems[:_MAX_SHOWN]:
                print(f"{args.ledger}: {path}: {message}", file=sys.stderr)
            n = len(exc.problems)
            more = f" (first {_MAX_SHOWN} shown)" if n > _MAX_SHOWN else ""
            raise _Exit(
                EXIT_DATA, f"{n} problem(s) in {args.ledger}{more}; nothing was imported"
            ) from None
    if not args.quiet:
        _say(
            f"{args.db}: {result.added} case(s) added, {result.extended} extended, "
            f"{result.unchanged} unchanged, {result.events} event(s) written"
        )
    return EXIT_OK


def _cmd_db_export(args: argparse.Namespace) -> int:
    _check_writable(args.output)
    with _open(args.db, _calendar(args)) as store:
        text = _viewer(args, store).export_ledger(reveal_personal_data=args.reveal_personal_data)
    _write(text, args.output)
    return EXIT_OK


def _instant(text: str) -> _dt.datetime:
    """An instant option: ISO 8601 with its offset, or a message showing the form by example."""
    try:
        return instant_from_text(text, "at")
    except InvalidDataError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0][1]) from None


def _cmd_db_apply(args: argparse.Namespace) -> int:
    source = _Input(args.change, args.encoding)
    try:
        data = json.loads(source.read_text())
    except ValueError as exc:
        raise _Exit(EXIT_DATA, f"{source.name}: not valid JSON: {exc}") from None
    change: Change = from_dict(data, Change, source=source.name)  # type: ignore[arg-type]
    org = _load_org(args.org, args.encoding) if args.org else None
    at = args.at or _now()
    with _open(args.db, _calendar(args)) as store:
        if args.viewer:  # recorded as the viewer's, on a case they may see in full
            view = _viewer(args, store)
            assert isinstance(view, ViewerStore)  # noqa: S101 - --viewer gives a view
            if isinstance(change, Register):
                case, event = view.register(change, at, idempotency_key=args.idempotency_key)
            else:
                case, event = view.apply(
                    args.case_id,
                    change,
                    at=at,
                    expected_version=args.expected_version,
                    idempotency_key=args.idempotency_key,
                )
        elif isinstance(change, Register):
            case, event = store.register(
                change, at, by=args.by, idempotency_key=args.idempotency_key
            )
        else:
            case, event = store.apply(
                args.case_id,
                change,
                at=at,
                by=args.by,
                expected_version=args.expected_version,
                idempotency_key=args.idempotency_key,
                org=org,
            )
    _out(json.dumps(to_dict(event), ensure_ascii=False) + "\n")
    if not args.quiet:
        _say(f"case {case.id}: {event.kind} recorded as version {event.seq}")
    return EXIT_OK


def _cmd_db_due(args: argparse.Namespace) -> int:
    as_of = args.as_of or _today()
    with _open(args.db, _calendar(args)) as store:
        rows = _viewer(args, store).due(as_of, args.within, kinds=_KINDS[args.kind])
        calendar = store.calendar
    _out(_due_text(args, rows, as_of, calendar))
    return _due_summary(args, rows, as_of)


def _cmd_db_report(args: argparse.Namespace) -> int:
    def read_cases(progress: _Progress, calendar: WorkCalendar) -> list[Case]:
        with (
            _open(args.db, calendar) as store,
            progress.bar("reading the store", store.count(), unit="case") as bar,
        ):
            cases = []
            view = _viewer(args, store)
            for case in view.iter_cases():
                if isinstance(case, Case):  # the bulletin counts what the viewer sees in full
                    cases.append(case)
                bar.update()
            return cases

    return _report(args, read_cases, lambda _k: args.db)


def _cmd_db_check(args: argparse.Namespace) -> int:
    with _open(args.db, _calendar(args)) as store:
        found = store.check()
    _out(_check_text(found.cases, found.problems, args.lang))
    return EXIT_OK if found.ok else EXIT_DATA


#: What ``db check`` reports of a case: the store's wording → (Chinese, English).
_CHECK_WORDS: Final = (
    ("the journal does not replay: ", "日志无法重放: ", "the journal does not replay: "),
    ("case row ", "案件投影与按日志重算的不符", "the case row differs from the journal's"),
    ("clock rows ", "时限投影与按日志重算的不符", "the clock rows differ from the journal's"),
    ("a case row without journal rows", "有案件投影而无日志", "a case row without journal rows"),
)


def _check_problem(problem: str, lang: str) -> str:
    """One problem of ``db check`` in ``lang``, without the rows' Python reprs (logged at -v)."""
    log.info("db check: %s", problem)
    head, sep, rest = problem.partition(": ")
    if not (sep and head.startswith("case ")):
        return problem
    case = head.removeprefix("case ")
    for start, zh, en in _CHECK_WORDS:
        if rest.startswith(start):
            words = zh if lang == "zh" else en
            if start.endswith(": "):  # the replay error's own text follows
                words += rest.removeprefix(start)
            return f"案件 {case}: {words}" if lang == "zh" else f"case {case}: {words}"
    return problem


def _check_text(cases: int, problems: Sequence[str], lang: str) -> str:
    """What ``db check`` prints: the cases checked and the verdict, then each problem."""
    if lang == "zh":
        head = f"已核对 {cases} 件案件: " + (
            "投影与日志一致" if not problems else f"发现 {len(problems)} 处不一致"
        )
    else:
        head = f"checked {cases} case(s): " + (
            "the projections agree with the journal"
            if not problems
            else f"{len(problems)} problem(s)"
        )
    lines = [head, *(f"  {_check_problem(p, lang)}" for p in problems)]
    return "".join(f"{line}\n" for line in lines)


def _cmd_db_rebuild(args: argparse.Namespace) -> int:
    with _open(args.db, _calendar(args)) as store:
        n = store.rebuild()
    if not args.quiet:
        _say(f"{args.db}: projections of {n} case(s) rebuilt from the journal")
    return EXIT_OK


#: The help of ``--lang`` on the commands that print lists and verdicts.
_LANG_HELP: Final = "the language of labels, statuses and citations: zh (default) or en"


def _parser() -> argparse.ArgumentParser:
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
        type=_codec,
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
    bulletin.add_argument("--format", choices=report.FORMATS, default="md")
    bulletin.add_argument("--lang", choices=report.LANGS, default="zh")
    bulletin.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")

    demo = sub.add_parser(
        "demo",
        parents=[common, reading, counting, bulletin],
        help="the campaign bulletin of the bundled demo corps",
    )
    demo.add_argument("--as-of", type=_date, help="the snapshot date (default 2026-11-27)")
    demo.add_argument(
        "--export", metavar="DIR", help="write the demo's ledger, org and campaign files to DIR"
    )
    demo.add_argument("--force", action="store_true", help="with --export: overwrite files")
    demo.add_argument(
        "--db",
        metavar="URL",
        help="keep the demo corps in this store (default: a temporary SQLite file)",
    )
    demo.set_defaults(run=_cmd_demo)

    rep = sub.add_parser(
        "report",
        parents=[common, reading, counting, bulletin],
        help="the campaign bulletin of a JSON Lines ledger",
    )
    rep.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    rep.add_argument("--campaign", required=True, metavar="FILE", help="campaign TOML file")
    rep.add_argument("--org", required=True, metavar="FILE", help="organisation TOML file")
    rep.add_argument(
        "--as-of", type=_date, help="the snapshot date (default: today, within the campaign)"
    )
    rep.add_argument("--allow-unplaced", action="store_true", help=_ALLOW_UNPLACED)
    rep.set_defaults(run=_cmd_report)

    due = sub.add_parser(
        "due", parents=[common, reading, counting], help="clocks due soon, overdue or paused"
    )
    due.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    due.add_argument(
        "--within", type=_non_negative, default=3, help="working days ahead (default 3)"
    )
    due.add_argument("--as-of", type=_date, help="default: today (Asia/Shanghai)")
    due.add_argument("--kind", choices=tuple(_KINDS), default="all", help=_KIND_HELP)
    due.add_argument("--format", choices=("text", "json"), default="text")
    due.add_argument("--lang", choices=report.LANGS, default="zh", help=_LANG_HELP)
    due.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")
    due.set_defaults(run=_cmd_due)

    cls = sub.add_parser("classify", parents=[common, reading], help="classify one case document")
    cls.add_argument("case", help="a case JSON document ('-': stdin)")
    cls.add_argument(
        "--facts", metavar="FILE", help="JSON object of staff assessments (CaseFacts fields)"
    )
    cls.set_defaults(run=_cmd_classify)

    add_serve_command(sub)  # xinfang serve: the web service (xinfang.web)

    val = sub.add_parser(
        "validate", parents=[common, reading], help="list every bad record of a ledger"
    )
    val.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    val.add_argument(
        "--org", metavar="FILE", help="organisation TOML: check the units and officials cases name"
    )
    val.add_argument(
        "--campaign",
        metavar="FILE",
        help="campaign TOML: check its targets (and, with --org, its units and placement)",
    )
    val.set_defaults(run=_cmd_validate)

    cal = sub.add_parser(
        "calendar",
        parents=[common, reading],
        help="show the working-day calendar and check calendar files",
    )
    cal.add_argument("files", nargs="*", metavar="FILE", help="calendar TOML files to check")
    cal.add_argument("--year", type=int, help="list that year's days off and make-up days")
    cal.add_argument(
        "--strict-calendar", action="store_true", help="the published data only (no provisional)"
    )
    cal.add_argument(
        "--template", action="store_true", help="print the template for a new year's arrangement"
    )
    cal.set_defaults(run=_cmd_calendar, calendar=None)

    db = sub.add_parser("db", help="the journal store: cases kept in SQLite or PostgreSQL")
    dbs = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--db",
        metavar="URL",
        default=DEFAULT_URL,
        help=f"sqlite:///PATH or postgresql://... (default {DEFAULT_URL})",
    )
    # Every db command takes the calendar options: the projections (clock due dates) are
    # computed under the calendar the store is opened with, by whichever command writes them.
    parents = [common, reading, store, counting]
    ini = dbs.add_parser("init", parents=parents, help="create or migrate the schema")
    ini.add_argument(
        "--app-role",
        metavar="NAME",
        help="PostgreSQL: create (if missing) the application's role, granted only SELECT and "
        "INSERT on the journal and what the projections need",
    )
    ini.add_argument(
        "--print-sql",
        action="store_true",
        help="print the --app-role grants instead of running them",
    )
    ini.set_defaults(run=_cmd_db_init)
    # What an official asks for goes through --viewer: every case they may not see is,
    # to the command, a case that does not exist (信访工作条例 Art. 30 ¶3).
    viewing = argparse.ArgumentParser(add_help=False)
    viewing.add_argument(
        "--viewer",
        metavar="OFFICIAL_ID",
        help="answer as this official may see (needs --org): hidden cases do not exist",
    )
    imp = dbs.add_parser("import", parents=parents, help="import a JSON Lines ledger")
    imp.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    imp.add_argument(
        "--org",
        metavar="FILE",
        help="organisation TOML: refuse a ledger naming units or officials it lacks",
    )
    imp.add_argument(
        "--campaign",
        metavar="FILE",
        help="campaign TOML: also refuse targets with no case and units not in --org",
    )
    imp.set_defaults(run=_cmd_db_import)
    exp = dbs.add_parser("export", parents=[*parents, viewing], help="export the store as a ledger")
    exp.add_argument("--org", metavar="FILE", help="organisation TOML (for --viewer)")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")
    exp.add_argument(
        "--reveal-personal-data", action="store_true", help="ID numbers and phones in full"
    )
    exp.set_defaults(run=_cmd_db_export)
    app = dbs.add_parser(
        "apply", parents=[*parents, viewing], help="apply one change (JSON) to a stored case"
    )
    app.add_argument("case_id", help="the case (ignored for a registration)")
    app.add_argument("change", help="the change as JSON, with its kind ('-': stdin)")
    app.add_argument("--at", type=_instant, help="when it happened (default: now, +08:00)")
    app.add_argument("--by", default="system", help="who records it")
    app.add_argument("--expected-version", type=_non_negative, help="refuse if the case moved")
    app.add_argument("--idempotency-key", help="a repeated key returns the first result")
    app.add_argument("--org", metavar="FILE", help="organisation TOML (for chain changes)")
    app.set_defaults(run=_cmd_db_apply)
    dd = dbs.add_parser("due", parents=[*parents, viewing], help="clocks due soon or overdue")
    dd.add_argument("--org", metavar="FILE", help="organisation TOML (for --viewer)")
    dd.add_argument("--within", type=_non_negative, default=5, help="working days (default 5)")
    dd.add_argument("--as-of", type=_date, help="default: today (Asia/Shanghai)")
    dd.add_argument("--kind", choices=tuple(_KINDS), default="all", help=_KIND_HELP)
    dd.add_argument("--format", choices=("text", "json"), default="text")
    dd.add_argument("--lang", choices=report.LANGS, default="zh", help=_LANG_HELP)
    dd.set_defaults(run=_cmd_db_due)
    dr = dbs.add_parser(
        "report", parents=[*parents, bulletin, viewing], help="the bulletin from the store"
    )
    dr.add_argument("--campaign", required=True, metavar="FILE", help="campaign TOML file")
    dr.add_argument("--org", required=True, metavar="FILE", help="organisation TOML file")
    dr.add_argument("--as-of", type=_date, help="default: today, within the campaign")
    dr.add_argument("--allow-unplaced", action="store_true", help=_ALLOW_UNPLACED)
    dr.set_defaults(run=_cmd_db_report)
    chk = dbs.add_parser(
        "check", parents=parents, help="compare projections and snapshots with the journal"
    )
    chk.add_argument("--lang", choices=report.LANGS, default="zh", help=_LANG_HELP)
    chk.set_defaults(run=_cmd_db_check)
    dbs.add_parser(
        "rebuild", parents=parents, help="recompute the projections from the journal"
    ).set_defaults(run=_cmd_db_rebuild)
    return ap


# ------------------------------------------------------------------- main
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
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.notes = _Notes(args.quiet, getattr(args, "lang", "zh"))
    handler = _logging(args.verbose)
    logger = logging.getLogger("xinfang")
    try:
        with ExitStack() as stack:
            if not args.quiet and getattr(sys.stderr, "isatty", lambda: False)():
                stack.enter_context(logging_redirect_tqdm(loggers=[logger]))
            code: int = args.run(args)
            return code
    except _Exit as exc:
        if exc.message:
            _say(exc.message)
        return exc.code
    except CalendarRangeError as exc:
        hint = "load the arrangement with --calendar FILE (xinfang calendar --template)" + (
            " or drop --strict-calendar" if getattr(args, "strict_calendar", False) else ""
        )
        _say(f"{exc}\n  from the command line: {hint}")
        return EXIT_DATA
    except XinfangError as exc:  # the library's own errors name their path and rule
        _say(str(exc))
        return EXIT_DATA
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # a bug: one line by default, the traceback with -v
        log.debug("internal error", exc_info=True)
        _say(
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


if __name__ == "__main__":  # pragma: no cover
    main_exit()
