"""The commands on files: ``demo``, ``report``, ``due``, ``classify``, ``validate``, ``calendar``.

Each reads its files (a ledger, the organisation and campaign TOML, a case
document, calendar files), calls the library and writes text; ``add_parsers``
adds their parsers to the top level's subparsers.
"""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from xinfang import report
from xinfang.calendar import china_mainland
from xinfang.campaign import check_references
from xinfang.classification import CaseFacts, classify
from xinfang.cli._bulletins import bulletin, reference_line, report_from
from xinfang.cli._calendars import TEMPLATE, counting_calendar, extend, year_ranges
from xinfang.cli._clock import since, today
from xinfang.cli._due import KIND_HELP, KINDS, LISTED, due_summary, due_text
from xinfang.cli._inputs import (
    Input,
    ledger_cases,
    load_campaign_file,
    load_ledger,
    load_org_file,
    only_one_stdin,
    open_db,
    parse_case,
)
from xinfang.cli._options import ALLOW_UNPLACED, LANG_HELP, date, non_negative
from xinfang.cli._output import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    Exit,
    check_writable,
    log,
    out,
    progress_bars,
    say,
    write,
)
from xinfang.deadlines import clock_table
from xinfang.demo import demo_world
from xinfang.errors import InvalidDataError
from xinfang.serialization import dump_ledger, from_dict, to_dict, to_toml
from xinfang.sheets import due_xlsx

if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.cli._options import Shared, SubParsers
    from xinfang.deadlines import Clock

__all__ = ["add_parsers"]

_CHUNK: Final = 20_000  # cases per clock-table call in ``due`` (progress steps)


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.export is not None:
        return _export(args)
    check_writable(args.output)
    progress = progress_bars(args, 3)
    calendar = counting_calendar(args)
    with progress.bar("building the demo corps", 1, unit="world") as bar:
        world = demo_world()
        bar.update()
    with ExitStack() as stack:
        if args.db is None:  # an embedded database in a temporary directory
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="xinfang-demo-"))
            url = f"sqlite:///{Path(folder) / 'demo.db'}"
        else:
            url = args.db
        store = open_db(url, calendar)
        stack.callback(store.close)
        with progress.bar("storing the demo corps", 1, unit="ledger") as bar:
            result = store.import_ledger(dump_ledger(world.cases, reveal_personal_data=True))
            bar.update()
        log.info("stored in %s: %s", store.url, result)
        cases = list(store.iter_cases())  # the bulletin is computed from the store
    return bulletin(
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
        raise Exit(
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
        raise Exit(EXIT_USAGE, f"cannot write {where}: {exc.strerror or exc}") from None
    d = str(folder)
    out(
        f"wrote {folder / 'ledger.jsonl'} ({len(world.cases)} cases), {folder / 'org.toml'}, "
        f"{folder / 'campaign.toml'}\n"
        "next:\n"
        f"  xinfang validate {d}/ledger.jsonl\n"
        f"  xinfang report {d}/ledger.jsonl --org {d}/org.toml --campaign {d}/campaign.toml "
        f"--as-of {world.as_of}\n"
        f"  xinfang due {d}/ledger.jsonl --as-of {world.as_of}\n"
    )
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    only_one_stdin(args.ledger, args.org, args.campaign, *(args.calendar or ()))
    lines: list[int] = []
    name = "<stdin>" if args.ledger == "-" else args.ledger
    return report_from(
        args,
        lambda progress, _calendar: load_ledger(args.ledger, args.encoding, progress, lines),
        lambda k: f"{name}:{lines[k]}",
    )


def _cmd_due(args: argparse.Namespace) -> int:
    kinds = KINDS[args.kind]
    only_one_stdin(args.ledger, *(args.calendar or ()))
    check_writable(args.output)
    progress = progress_bars(args, 3)
    calendar = counting_calendar(args)
    cases = load_ledger(args.ledger, args.encoding, progress)
    as_of = args.as_of or today()
    started = time.perf_counter()
    rows: list[Clock] = []
    with progress.bar("computing clocks", len(cases), unit="case") as bar:
        for i in range(0, len(cases), _CHUNK):
            chunk = cases[i : i + _CHUNK]
            table = clock_table(chunk, as_of=as_of, calendar=calendar, due_soon=args.within)
            rows += [
                c
                for c in table.to_clocks()
                if c.status in LISTED and (kinds is None or c.kind in kinds)
            ]
            bar.update(len(chunk))
    rows.sort(key=lambda c: (c.due, c.case_id, c.key))
    log.info("clocks of %d cases as of %s in %.2f s", len(cases), as_of, since(started))
    if args.format == "xlsx":  # a workbook (xinfang.sheets), to -o FILE
        due_xlsx(args, rows, as_of)
        return due_summary(args, rows, as_of)
    with progress.bar(f"writing {args.format}", 1, unit="list") as bar:
        text = due_text(args, rows, as_of, calendar)
        bar.update()
    write(text, args.output)
    return due_summary(args, rows, as_of)


def _cmd_classify(args: argparse.Namespace) -> int:
    only_one_stdin(args.case, args.facts)
    source = Input(args.case, args.encoding)
    try:
        case = parse_case(source.read_text(), source.name)
    except InvalidDataError as exc:
        raise Exit(EXIT_DATA, str(exc)) from None
    assessed: dict[str, Any] = {}
    if args.facts:
        facts_file = Input(args.facts, args.encoding)
        text = facts_file.read_text()
        try:
            loaded = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise Exit(EXIT_DATA, f"{facts_file.name}: not valid JSON: {exc}"[:300]) from None
        if not isinstance(loaded, dict):
            raise Exit(
                EXIT_DATA,
                f"{facts_file.name}: $: expected a JSON object of CaseFacts fields, "
                f"got {type(loaded).__name__}",
            )
        assessed = loaded
    derived = to_dict(CaseFacts.from_case(case))
    try:
        facts = from_dict({**derived, **assessed}, CaseFacts, source=args.facts or source.name)
    except InvalidDataError as exc:
        raise Exit(EXIT_DATA, f"bad facts: {exc}") from None
    result = classify(facts)
    out(json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    only_one_stdin(args.ledger, args.org, args.campaign)
    org = load_org_file(args.org, args.encoding) if args.org else None
    campaign = load_campaign_file(args.campaign, args.encoding) if args.campaign else None
    keep = org is not None or campaign is not None
    kept: list[Case] = []
    kept_lines: list[int] = []
    progress = progress_bars(args, 1)
    source = Input(args.ledger, args.encoding)
    bad = good = duplicates = 0
    problems: list[str] = []
    with progress.bar(f"validating {source.name}", source.size(), unit="B") as bar:
        for read in ledger_cases(source, bar):
            problems += read.problems
            duplicates += read.duplicate
            if read.case is None:
                bad += 1
            else:
                good += 1
                if keep:
                    kept.append(read.case)
                    kept_lines.append(read.number)
            if len(problems) > 1000:
                out("".join(f"{text}\n" for text in problems))
                problems.clear()
    out("".join(f"{text}\n" for text in problems))
    found = check_references(kept, org, campaign) if keep else ()
    out(
        "".join(
            reference_line(p, lambda k: f"{source.name}:{kept_lines[k]}", args.campaign or "")
            + ("" if p.unplaced or p.index is None else " (not read: another unit places it)")
            + "\n"
            for p in found
        )
    )
    if not args.quiet:
        dup = f", {duplicates} duplicate case id(s)" if duplicates else ""
        refs = f", {len(found)} reference problem(s)" if keep else ""
        say(f"{good} valid, {bad} invalid record(s){dup}{refs}{source.hint()}")
    return EXIT_DATA if bad or duplicates or found else EXIT_OK


def _cmd_calendar(args: argparse.Namespace) -> int:
    if args.template:
        out(TEMPLATE.read_text(encoding="utf-8"))
        return EXIT_OK
    only_one_stdin(*args.files)
    cal = china_mainland(strict=args.strict_calendar)
    lines: list[str] = []
    bad = 0
    for path in args.files:
        before = cal
        cal, problem = extend(cal, path, args.encoding)
        if problem:
            bad += 1
            say(problem)
            lines.append(f"  {path}: NOT LOADED (see above)")
        else:
            added = cal.sources[len(before.sources) :]
            lines.append(f"  {path}: ok ({'; '.join(added) or 'no change'})")
    prov = year_ranges(cal.provisional_years)
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
    out("\n".join(text) + "\n")
    return EXIT_DATA if bad else EXIT_OK


def _year_listing(cal: WorkCalendar, year: int) -> list[str]:
    first, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    if not (cal.covers(first) and cal.covers(last)):
        raise Exit(EXIT_DATA, f"year {year} is outside the calendar ({cal.first}..{cal.last})")
    off = sorted(d for d in cal.holidays if d.year == year)
    on = sorted(d for d in cal.makeup_workdays if d.year == year)
    flag = " (provisional)" if year in cal.provisional_years else ""
    listing = [f"{year}{flag}: {len(off)} day(s) off, {len(on)} make-up working day(s)"]
    listing += [f"  off  {d} {d.strftime('%a')}  {cal.label(d) or ''}".rstrip() for d in off]
    listing += [f"  work {d} {d.strftime('%a')}  {cal.label(d) or ''}".rstrip() for d in on]
    return listing


def add_parsers(sub: SubParsers, shared: Shared) -> None:
    """Add ``demo``, ``report``, ``due``, ``classify``, ``validate`` and ``calendar``."""
    common, reading, counting = shared.common, shared.reading, shared.counting
    demo = sub.add_parser(
        "demo",
        parents=[common, reading, counting, shared.bulletin],
        help="the campaign bulletin of the bundled demo corps",
    )
    demo.add_argument("--as-of", type=date, help="the snapshot date (default 2026-11-27)")
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
        parents=[common, reading, counting, shared.bulletin],
        help="the campaign bulletin of a JSON Lines ledger",
    )
    rep.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    rep.add_argument("--campaign", required=True, metavar="FILE", help="campaign TOML file")
    rep.add_argument("--org", required=True, metavar="FILE", help="organisation TOML file")
    rep.add_argument(
        "--as-of", type=date, help="the snapshot date (default: today, within the campaign)"
    )
    rep.add_argument("--allow-unplaced", action="store_true", help=ALLOW_UNPLACED)
    rep.set_defaults(run=_cmd_report)

    due = sub.add_parser(
        "due", parents=[common, reading, counting], help="clocks due soon, overdue or paused"
    )
    due.add_argument("ledger", help="JSON Lines ledger ('-': stdin)")
    due.add_argument(
        "--within", type=non_negative, default=3, help="working days ahead (default 3)"
    )
    due.add_argument("--as-of", type=date, help="default: today (Asia/Shanghai)")
    due.add_argument("--kind", choices=tuple(KINDS), default="all", help=KIND_HELP)
    due.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    due.add_argument("--lang", choices=report.LANGS, default="zh", help=LANG_HELP)
    due.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")
    due.set_defaults(run=_cmd_due)

    cls = sub.add_parser("classify", parents=[common, reading], help="classify one case document")
    cls.add_argument("case", help="a case JSON document ('-': stdin)")
    cls.add_argument(
        "--facts", metavar="FILE", help="JSON object of staff assessments (CaseFacts fields)"
    )
    cls.set_defaults(run=_cmd_classify)

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
