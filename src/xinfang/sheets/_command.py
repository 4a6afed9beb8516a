"""The ``xinfang sheet`` commands: check, import, template, export; and Excel output of ``due``.

    xinfang sheet check FILE --org ORG [--mapping MAP] [--sheet NAME] [--header-row N]
    xinfang sheet import FILE --org ORG [--mapping MAP] (-o LEDGER | --db URL)
                         [--skip-bad-rows [--rejected FILE]]
    xinfang sheet template -o FILE --org ORG [--mapping MAP]
    xinfang sheet export (LEDGER | --db URL) -o FILE --org ORG [--mapping MAP]
                         [--reveal-personal-data]

The CLI (``xinfang.cli``) adds these with :func:`add_parsers`, passing its
shared option parsers and how it builds the calendar from them. Exit codes
as everywhere: 0 success, 1 invalid data (a refused row), 2 bad usage or a
file that cannot be read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Final

from xinfang.errors import XinfangError
from xinfang.responsibility import load_organization
from xinfang.serialization import dump_ledger, load_ledger
from xinfang.sheets._api import import_sheet
from xinfang.sheets._errors import SheetError, SheetRowsError
from xinfang.sheets._export import not_carried
from xinfang.sheets._mapping import load_mapping
from xinfang.sheets._readers import read_sheet
from xinfang.sheets._rows import cases_from_table
from xinfang.sheets._writers import write_cases, write_due, write_rejected, write_template
from xinfang.store import DEFAULT_URL, open_store

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Callable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.deadlines import Clock
    from xinfang.responsibility import Organization
    from xinfang.sheets._mapping import SheetMapping
    from xinfang.sheets._rows import SheetImport

__all__ = ["add_parsers", "due_xlsx"]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
_MAX_SHOWN: Final = 50


def _say(message: str) -> None:
    print(f"xinfang: {message}", file=sys.stderr)


class _Usage(Exception):  # noqa: N818 - a control-flow signal: exit 2 with a message
    pass


def _mapping(args: argparse.Namespace) -> SheetMapping:
    return load_mapping(args.mapping)


def _org(args: argparse.Namespace) -> Organization:
    if not Path(args.org).is_file():
        raise _Usage(f"{args.org}: no such organisation file")
    return load_organization(args.org)


def _input(path: str) -> None:
    if not Path(path).is_file():
        raise _Usage(f"{path}: no such file")


def _writable(path: str | None) -> None:
    if path is None or path == "-":
        return
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise _Usage(f"{path}: the folder {folder} does not exist")
    if Path(path).is_dir():
        raise _Usage(f"{path}: is a folder")


def _atomic_text(text: str, out: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    target = Path(out)
    fd, tmp = tempfile.mkstemp(dir=target.resolve().parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Usage problems (a missing file, a folder that is not there) exit 2 with one line."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except _Usage as exc:
            _say(str(exc))
            return EXIT_USAGE
        except SheetError as exc:
            _say(str(exc))
            unreadable = "cannot read" in exc.message or "not a workbook" in exc.message
            return EXIT_USAGE if unreadable else EXIT_DATA

    return wrapped


def _summary(result: SheetImport, encoding: str) -> str:
    enc = f", read as {encoding}" if encoding else ""
    return (
        f"{result.source}!{result.sheet}: header in row {result.header_row}{enc}; "
        f"{result.rows} row(s) below it: {len(result.cases)} case(s), "
        f"{len(result.refused_rows)} refused, {len(result.blank_rows)} blank, "
        f"{len(result.other_rows)} totals or signature row(s)"
    )


def _problems(result: SheetImport) -> None:
    for p in result.problems[:_MAX_SHOWN]:
        print(str(p), file=sys.stderr)
    if len(result.problems) > _MAX_SHOWN:
        _say(f"... {len(result.problems) - _MAX_SHOWN} more problem(s)")


def _read(
    args: argparse.Namespace, calendar_of: Callable[[argparse.Namespace], WorkCalendar]
) -> tuple[SheetImport, str]:
    _input(args.file)
    mapping = _mapping(args)
    org = _org(args)
    table = read_sheet(
        args.file,
        mapping=mapping,
        sheet=args.sheet,
        header_row=args.header_row,
        encoding=args.sheet_encoding,
    )
    result = cases_from_table(table, mapping, org, calendar=calendar_of(args))
    return result, table.encoding


def _check(calendar_of: Callable[[argparse.Namespace], WorkCalendar]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        result, encoding = _read(args, calendar_of)
        _problems(result)
        if not args.quiet:
            _say(_summary(result, encoding))
        for case, row in zip(result.cases, result.case_rows, strict=True):
            if args.verbose:
                print(f"row {row}: {case.id} {case.stage.value} ({len(case.events)} events)")
        return EXIT_DATA if result.problems else EXIT_OK

    return run


def _import(calendar_of: Callable[[argparse.Namespace], WorkCalendar]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        if (args.output is None) == (args.db is None):
            raise _Usage("give one of -o LEDGER or --db URL")
        _writable(args.output)
        _writable(args.rejected)
        _input(args.file)
        calendar = calendar_of(args)
        org = _org(args)
        try:
            result, table = import_sheet(
                args.file,
                _mapping(args),
                org,
                sheet=args.sheet,
                header_row=args.header_row,
                encoding=args.sheet_encoding,
                skip_bad_rows=args.skip_bad_rows,
                calendar=calendar,
            )
        except SheetRowsError as exc:
            for p in exc.problems[:_MAX_SHOWN]:
                print(str(p), file=sys.stderr)
            bad = len({p.row for p in exc.problems})
            _say(
                f"{bad} row(s) refused; nothing was imported. Fix them, or add "
                "--skip-bad-rows to import the others and write the refused rows to a "
                "workbook of their own"
            )
            return EXIT_DATA
        if result.refused_rows:
            rejected = args.rejected or str(Path(args.file).with_suffix("")) + ".rejected.xlsx"
            write_rejected(rejected, result, table)
            _problems(result)
            _say(f"{len(result.refused_rows)} refused row(s) written to {rejected} (with reasons)")
        text = dump_ledger(result.cases, reveal_personal_data=True)
        if args.output is not None:
            _atomic_text(text, args.output)
            where = args.output
        else:
            with open_store(args.db, calendar=calendar) as store:
                done = store.import_ledger(text or "\n", org=org)
            where = (
                f"{args.db} ({done.added} added, {done.extended} extended, "
                f"{done.unchanged} unchanged)"
            )
        if not args.quiet:
            _say(_summary(result, table.encoding) + f"; written to {where}")
        return EXIT_DATA if result.refused_rows else EXIT_OK

    return run


def _template(args: argparse.Namespace) -> int:
    _writable(args.output)
    write_template(args.output, _mapping(args), _org(args))
    if not args.quiet:
        _say(f"template written to {args.output}")
    return EXIT_OK


def _export(calendar_of: Callable[[argparse.Namespace], WorkCalendar]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        if (args.ledger is None) == (args.db is None):
            raise _Usage("give one of LEDGER or --db URL")
        _writable(args.output)
        org = _org(args)
        cases: Sequence[Case]
        if args.ledger is not None:
            _input(args.ledger)
            cases = load_ledger(
                Path(args.ledger).read_text(encoding="utf-8-sig"), source=args.ledger
            )
        else:
            with open_store(args.db, calendar=calendar_of(args)) as store:
                cases = list(store.iter_cases())
        n = write_cases(
            args.output, cases, _mapping(args), org, reveal_personal_data=args.reveal_personal_data
        )
        lost = Counter(kind for c in cases for kind in not_carried(c))
        if not args.quiet:
            _say(f"{n} case(s) written to {args.output}")
            if lost:
                kinds = ", ".join(f"{k} ({v})" for k, v in sorted(lost.items()))
                _say(f"note: a row cannot carry these events, left out of the sheet: {kinds}")
        return EXIT_OK

    return run


def due_xlsx(args: argparse.Namespace, rows: Sequence[Clock], as_of: _dt.date) -> None:
    """``due --format xlsx -o FILE``: the listed clocks as a workbook (overdue highlighted)."""
    out = getattr(args, "output", None)
    if not out or out == "-":
        raise XinfangError("--format xlsx writes a workbook: give -o FILE.xlsx", path="--output")
    write_due(out, rows, as_of=as_of, lang=args.lang)


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
    calendar_of: Callable[[argparse.Namespace], WorkCalendar],
) -> None:
    """Add ``xinfang sheet ...`` to the CLI's subcommands.

    ``parents``: the CLI's shared option parsers (quiet and verbose, the
    calendar options); ``calendar_of``: how the CLI builds the calendar
    from the parsed options.
    """
    sheet = sub.add_parser("sheet", help="台账 workbooks and CSV: check, import, template, export")
    cmds = sheet.add_subparsers(dest="sheet_command", required=True, metavar="SHEET_COMMAND")
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument("file", help="the 台账: .xlsx, .xls, .ods or .csv")
    reading.add_argument("--org", required=True, metavar="FILE", help="organisation TOML")
    reading.add_argument(
        "--mapping", metavar="FILE", help="mapping TOML (default: the template's layout)"
    )
    reading.add_argument(
        "--sheet", metavar="NAME", help="the sheet (default: the first with a header)"
    )
    reading.add_argument(
        "--header-row", type=int, metavar="N", help="the header's row number (default: found)"
    )
    reading.set_defaults(encoding="utf-8")  # of --calendar files
    reading.add_argument(
        "--encoding",
        dest="sheet_encoding",
        metavar="NAME",
        help="a CSV's encoding (default: UTF-8 with or without BOM, else GB18030/GBK)",
    )
    chk = cmds.add_parser(
        "check",
        parents=[*parents, reading],
        help="a dry run: what would be imported, and every problem",
    )
    chk.set_defaults(run=_guarded(_check(calendar_of)))
    imp = cmds.add_parser(
        "import", parents=[*parents, reading], help="import a 台账 into a ledger or a store"
    )
    imp.add_argument("-o", "--output", metavar="LEDGER", help="write a JSON Lines ledger")
    imp.add_argument("--db", metavar="URL", help=f"import into a store (e.g. {DEFAULT_URL})")
    imp.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the good rows; write the refused ones to a workbook with a reason column",
    )
    imp.add_argument(
        "--rejected", metavar="FILE", help="where the refused rows go (default FILE.rejected.xlsx)"
    )
    imp.set_defaults(run=_guarded(_import(calendar_of)))
    tpl = cmds.add_parser("template", parents=list(parents), help="write the blank 台账 template")
    tpl.add_argument("-o", "--output", required=True, metavar="FILE", help="the .xlsx to write")
    tpl.add_argument("--org", required=True, metavar="FILE", help="organisation TOML")
    tpl.add_argument("--mapping", metavar="FILE", help="mapping TOML (default layout)")
    tpl.set_defaults(run=_guarded(_template), encoding="utf-8")
    exp = cmds.add_parser(
        "export", parents=list(parents), help="cases of a ledger or store as a 台账 workbook"
    )
    exp.add_argument("ledger", nargs="?", help="JSON Lines ledger")
    exp.add_argument("--db", metavar="URL", help="export the store's cases instead")
    exp.add_argument("-o", "--output", required=True, metavar="FILE", help="the .xlsx to write")
    exp.add_argument("--org", required=True, metavar="FILE", help="organisation TOML")
    exp.add_argument("--mapping", metavar="FILE", help="mapping TOML (default layout)")
    exp.add_argument(
        "--reveal-personal-data", action="store_true", help="ID numbers and phones in full"
    )
    exp.set_defaults(run=_guarded(_export(calendar_of)), encoding="utf-8")
