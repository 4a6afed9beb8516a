"""The ``xinfang`` command: the library on the demo data or a host's own ledger.

    xinfang demo [--as-of DATE] [--format md|html|json] [--lang zh|en] [-o FILE]
    xinfang report LEDGER --campaign FILE --org FILE [--as-of DATE] [--format ...]
    xinfang due LEDGER [--within N] [--as-of DATE]
    xinfang classify CASE.json [--facts FACTS.json]
    xinfang validate LEDGER

Exit codes: 0 success, 1 bad data (``validate`` found problems), 2 bad usage
or unreadable input. A thin edge: it reads files, calls the library, writes
text; it holds no logic of its own.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from xinfang import report
from xinfang.calendar import china_mainland
from xinfang.campaign import load_campaign, snapshot, trend
from xinfang.classification import CaseFacts, classify
from xinfang.clocks import ClockStatus, clock_table
from xinfang.demo import demo_world
from xinfang.errors import InvalidDataError, XinfangError
from xinfang.responsibility import load_organization
from xinfang.serialization import from_json, to_dict

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator, Sequence

    from xinfang.case import Case


__all__ = ["main", "main_exit"]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _progress(lines: Sequence[str], stream: TextIO) -> Iterator[tuple[int, str]]:
    """Yield numbered lines, drawing a progress bar on ``stream`` for large ledgers."""
    total = len(lines)
    show = total >= 2000 and stream.isatty()
    step = max(total // 50, 1)
    for i, line in enumerate(lines, start=1):
        if show and (i % step == 0 or i == total):
            done = i * 30 // total
            stream.write(f"\r[{'#' * done}{'.' * (30 - done)}] {i:,}/{total:,}")
            stream.flush()
        yield i, line
    if show:
        stream.write("\n")


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SystemExit(_fail(f"cannot read {path}: {exc.strerror}", EXIT_USAGE)) from None


def _fail(message: str, code: int) -> int:
    print(f"xinfang: {message}", file=sys.stderr)
    return code


def _load_ledger(path: str) -> list[Case]:

    cases: list[Case] = []
    problems: list[tuple[int, str, str]] = []
    for number, line in _progress(_read_lines(path), sys.stderr):
        if not line.strip():
            continue
        try:
            cases.append(from_json(line))
        except InvalidDataError as exc:
            problems.extend((number, p, m) for p, m in exc.problems)
    if problems:
        for number, p, m in problems[:20]:
            print(f"{path}:{number}: {p}: {m}", file=sys.stderr)
        raise SystemExit(
            _fail(f"{len(problems)} problem(s); run 'xinfang validate {path}'", EXIT_DATA)
        )
    return cases


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _cmd_demo(args: argparse.Namespace) -> int:

    world = demo_world()
    as_of = args.as_of or world.as_of
    snap = snapshot(world.campaign, world.cases, world.org, as_of=as_of, calendar=world.calendar)
    burndown = trend(world.campaign, world.cases, world.org, as_of=as_of, calendar=world.calendar)
    _write(report.render(snap, burndown, format=args.format, lang=args.lang), args.output)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:

    cases = _load_ledger(args.ledger)
    org = load_organization(args.org)
    campaign = load_campaign(args.campaign)
    calendar = china_mainland(provisional=args.provisional)
    as_of = args.as_of or campaign.end
    snap = snapshot(campaign, cases, org, as_of=as_of, calendar=calendar)
    burndown = trend(campaign, cases, org, as_of=as_of, calendar=calendar)
    _write(report.render(snap, burndown, format=args.format, lang=args.lang), args.output)
    return EXIT_OK


def _cmd_due(args: argparse.Namespace) -> int:

    cases = _load_ledger(args.ledger)
    as_of = args.as_of or _dt.date.today()
    calendar = china_mainland(provisional=args.provisional)
    table = clock_table(cases, as_of=as_of, calendar=calendar, due_soon=args.within)
    rows = [
        c
        for c in table.to_clocks()
        if c.status in (ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED)
    ]
    rows.sort(key=lambda c: (c.due, c.case_id, c.key))
    for c in rows:
        flag = " (provisional)" if c.provisional else ""
        print(f"{c.due}  {c.status.value:<8} {c.case_id:<16} {c.key:<18} {c.citation}{flag}")
    print(
        f"{len(rows)} clock(s) due within {args.within} working days or overdue, as of {as_of}",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_classify(args: argparse.Namespace) -> int:

    try:
        case: Case = from_json(Path(args.case).read_text(encoding="utf-8"), source=args.case)
        extra: dict[str, Any] = {}
        if args.facts:
            extra = json.loads(Path(args.facts).read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"cannot read: {exc.strerror}", EXIT_USAGE)
    except InvalidDataError as exc:
        return _fail(str(exc), EXIT_DATA)
    try:
        facts = CaseFacts.from_case(case, **extra)
    except TypeError as exc:
        return _fail(f"bad facts: {exc}", EXIT_DATA)
    result = classify(facts)
    print(json.dumps(to_dict(result), ensure_ascii=False, indent=2))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:

    bad = good = 0
    for number, line in _progress(_read_lines(args.ledger), sys.stderr):
        if not line.strip():
            continue
        try:
            from_json(line)
            good += 1
        except InvalidDataError as exc:
            bad += 1
            for p, m in exc.problems:
                print(f"{args.ledger}:{number}: {p}: {m}")
    print(f"{good} valid, {bad} invalid record(s)", file=sys.stderr)
    return EXIT_DATA if bad else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    try:
        __version__ = version("xinfang")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        __version__ = "0+unknown"
    ap = argparse.ArgumentParser(
        prog="xinfang",
        description="Petition (信访) casework: campaign bulletins, clocks, classification.",
    )
    ap.add_argument("--version", action="version", version=f"xinfang {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def bulletin_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--as-of", type=_date, help="the snapshot date (YYYY-MM-DD)")
        p.add_argument("--format", choices=("md", "html", "json"), default="md")
        p.add_argument("--lang", choices=("zh", "en"), default="zh")
        p.add_argument("-o", "--output", help="write to FILE instead of standard output")

    demo = sub.add_parser("demo", help="the campaign bulletin of the bundled demo corps")
    bulletin_options(demo)
    demo.set_defaults(run=_cmd_demo)

    rep = sub.add_parser("report", help="the campaign bulletin of a JSON Lines ledger")
    rep.add_argument("ledger")
    rep.add_argument("--campaign", required=True, help="campaign TOML file")
    rep.add_argument("--org", required=True, help="organisation TOML file")
    rep.add_argument(
        "--provisional", action="store_true", help="provisional calendar past the data"
    )
    bulletin_options(rep)
    rep.set_defaults(run=_cmd_report)

    due = sub.add_parser("due", help="clocks due soon or overdue")
    due.add_argument("ledger")
    due.add_argument("--within", type=int, default=3, help="working days (default 3)")
    due.add_argument("--as-of", type=_date, help="default: today")
    due.add_argument(
        "--provisional", action="store_true", help="provisional calendar past the data"
    )
    due.set_defaults(run=_cmd_due)

    cls = sub.add_parser("classify", help="classify one case document")
    cls.add_argument("case", help="a case JSON document")
    cls.add_argument("--facts", help="JSON object of staff assessments (CaseFacts fields)")
    cls.set_defaults(run=_cmd_classify)

    val = sub.add_parser("validate", help="report every bad record of a ledger")
    val.add_argument("ledger")
    val.set_defaults(run=_cmd_validate)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # the library's own errors name their rule; show them plainly
        if isinstance(exc, XinfangError):
            return _fail(str(exc), EXIT_DATA)
        raise
    return code


def main_exit() -> None:
    """The console entry point: run and exit with the code."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main_exit()
