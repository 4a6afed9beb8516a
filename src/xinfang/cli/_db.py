"""The ``db`` commands: the journal store of cases, in SQLite or PostgreSQL.

``init``, ``import``, ``export``, ``apply``, ``due``, ``report``, ``check`` and
``rebuild``, each opening the store under the calendar of the command line (the
projections' due dates are computed under it); ``--viewer`` answers as one
official may see. ``add_parsers`` adds ``db`` and its subcommands.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Final

from xinfang import report
from xinfang.case import Case
from xinfang.changes import Change, Register
from xinfang.cli._bulletins import report_from
from xinfang.cli._calendars import counting_calendar
from xinfang.cli._clock import now, today
from xinfang.cli._due import KIND_HELP, KINDS, due_summary, due_text
from xinfang.cli._inputs import Input, load_campaign_file, load_org_file, not_json_lines, open_db
from xinfang.cli._options import ALLOW_UNPLACED, LANG_HELP, date, instant, non_negative
from xinfang.cli._output import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    MAX_SHOWN,
    Exit,
    Progress,
    check_writable,
    log,
    out,
    say,
    write,
)
from xinfang.errors import InvalidDataError
from xinfang.serialization import from_dict, to_dict
from xinfang.sheets import due_xlsx
from xinfang.store import DEFAULT_URL, Store, ViewerStore, app_role_sql, init_store

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.cli._options import Shared, SubParsers

__all__ = ["add_parsers"]


def _cmd_db_init(args: argparse.Namespace) -> int:
    if args.print_sql:  # the application role's grants, for a DBA to run: nothing changes
        if not args.app_role:
            raise Exit(EXIT_USAGE, "--print-sql prints the grants of --app-role NAME")
        out("".join(f"{sql};\n" for sql in app_role_sql(args.db, args.app_role)))
        return EXIT_OK
    # Run as the schema's owner; a journal from before the projections gets them under
    # this calendar; --app-role creates (if missing) and grants the application's role.
    version_reached = init_store(args.db, calendar=counting_calendar(args), app_role=args.app_role)
    if not args.quiet:
        say(f"{args.db}: schema version {version_reached}")
        if args.app_role:
            say(f"{args.db}: role {args.app_role} may read and append the journal only")
    return EXIT_OK


def _viewer(args: argparse.Namespace, store: Store) -> Store | ViewerStore:
    """The store as ``--viewer`` may see it (with ``--org``); the whole store without one."""
    if not getattr(args, "viewer", None):
        return store
    if not args.org:
        raise Exit(EXIT_USAGE, "--viewer needs --org FILE (who may see what is decided on it)")
    return store.for_viewer(args.viewer, load_org_file(args.org, args.encoding))


def _cmd_db_import(args: argparse.Namespace) -> int:
    text = Input(args.ledger, args.encoding).read_text()
    if not text.strip():
        raise Exit(EXIT_DATA, f"{args.ledger}: the ledger is empty")
    first = next((n, ln) for n, ln in enumerate(text.split("\n"), start=1) if ln.strip())
    shape = not_json_lines(first[1], args.ledger)
    if shape:
        raise Exit(EXIT_DATA, f"{args.ledger}:{first[0]}: {shape}")
    if "\n" not in text:
        text += "\n"  # a one-line ledger is still text, not a path
    org = load_org_file(args.org, args.encoding) if args.org else None
    campaign = load_campaign_file(args.campaign, args.encoding) if args.campaign else None
    with open_db(args.db, counting_calendar(args)) as store:
        try:
            result = store.import_ledger(text, org=org, campaign=campaign)
        except InvalidDataError as exc:  # one line per problem; nothing was written
            for path, message in exc.problems[:MAX_SHOWN]:
                print(f"{args.ledger}: {path}: {message}", file=sys.stderr)
            n = len(exc.problems)
            more = f" (first {MAX_SHOWN} shown)" if n > MAX_SHOWN else ""
            raise Exit(
                EXIT_DATA, f"{n} problem(s) in {args.ledger}{more}; nothing was imported"
            ) from None
    if not args.quiet:
        say(
            f"{args.db}: {result.added} case(s) added, {result.extended} extended, "
            f"{result.unchanged} unchanged, {result.events} event(s) written"
        )
    return EXIT_OK


def _cmd_db_export(args: argparse.Namespace) -> int:
    check_writable(args.output)
    with open_db(args.db, counting_calendar(args)) as store:
        text = _viewer(args, store).export_ledger(reveal_personal_data=args.reveal_personal_data)
    write(text, args.output)
    return EXIT_OK


def _cmd_db_apply(args: argparse.Namespace) -> int:
    source = Input(args.change, args.encoding)
    try:
        data = json.loads(source.read_text())
    except ValueError as exc:
        raise Exit(EXIT_DATA, f"{source.name}: not valid JSON: {exc}") from None
    change: Change = from_dict(data, Change, source=source.name)  # type: ignore[arg-type]
    org = load_org_file(args.org, args.encoding) if args.org else None
    at = args.at or now()
    with open_db(args.db, counting_calendar(args)) as store:
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
    out(json.dumps(to_dict(event), ensure_ascii=False) + "\n")
    if not args.quiet:
        say(f"case {case.id}: {event.kind} recorded as version {event.seq}")
    return EXIT_OK


def _cmd_db_due(args: argparse.Namespace) -> int:
    as_of = args.as_of or today()
    with open_db(args.db, counting_calendar(args)) as store:
        rows = _viewer(args, store).due(as_of, args.within, kinds=KINDS[args.kind])
        calendar = store.calendar
    if args.format == "xlsx":  # a workbook (xinfang.sheets), to -o FILE
        due_xlsx(args, rows, as_of)
        return due_summary(args, rows, as_of)
    out(due_text(args, rows, as_of, calendar))
    return due_summary(args, rows, as_of)


def _cmd_db_report(args: argparse.Namespace) -> int:
    def read_cases(progress: Progress, calendar: WorkCalendar) -> list[Case]:
        with (
            open_db(args.db, calendar) as store,
            progress.bar("reading the store", store.count(), unit="case") as bar,
        ):
            cases = []
            view = _viewer(args, store)
            for case in view.iter_cases():
                if isinstance(case, Case):  # the bulletin counts what the viewer sees in full
                    cases.append(case)
                bar.update()
            return cases

    return report_from(args, read_cases, lambda _k: args.db)


def _cmd_db_check(args: argparse.Namespace) -> int:
    with open_db(args.db, counting_calendar(args)) as store:
        found = store.check()
    out(_check_text(found.cases, found.problems, args.lang))
    return EXIT_OK if found.ok else EXIT_DATA


#: What ``db check`` reports of a case: the store's wording → (Chinese, English).
_CHECK_WORDS: Final = (
    ("the journal does not replay: ", "日志无法重放: ", "the journal does not replay: "),
    ("case row ", "案件投影与按日志重算的不符", "the case row differs from the journal's"),
    ("clock rows ", "时限投影与按日志重算的不符", "the clock rows differ from the journal's"),
    ("milestones row missing", "缺少里程碑投影", "the milestones row is missing"),
    ("milestones row ", "里程碑投影与按日志重算的不符", "the milestones row differs"),
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
    with open_db(args.db, counting_calendar(args)) as store:
        n = store.rebuild()
    if not args.quiet:
        say(f"{args.db}: projections of {n} case(s) rebuilt from the journal")
    return EXIT_OK


def add_parsers(sub: SubParsers, shared: Shared) -> None:
    """Add ``db`` and its subcommands (each takes the calendar options and ``--db``)."""
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
    parents = [shared.common, shared.reading, store, shared.counting]
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
    app.add_argument("--at", type=instant, help="when it happened (default: now, +08:00)")
    app.add_argument("--by", default="system", help="who records it")
    app.add_argument("--expected-version", type=non_negative, help="refuse if the case moved")
    app.add_argument("--idempotency-key", help="a repeated key returns the first result")
    app.add_argument("--org", metavar="FILE", help="organisation TOML (for chain changes)")
    app.set_defaults(run=_cmd_db_apply)
    dd = dbs.add_parser("due", parents=[*parents, viewing], help="clocks due soon or overdue")
    dd.add_argument("--org", metavar="FILE", help="organisation TOML (for --viewer)")
    dd.add_argument("--within", type=non_negative, default=5, help="working days (default 5)")
    dd.add_argument("--as-of", type=date, help="default: today (Asia/Shanghai)")
    dd.add_argument("--kind", choices=tuple(KINDS), default="all", help=KIND_HELP)
    dd.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    dd.add_argument("-o", "--output", metavar="FILE", help="with --format xlsx: the workbook")
    dd.add_argument("--lang", choices=report.LANGS, default="zh", help=LANG_HELP)
    dd.set_defaults(run=_cmd_db_due)
    dr = dbs.add_parser(
        "report", parents=[*parents, shared.bulletin, viewing], help="the bulletin from the store"
    )
    dr.add_argument("--campaign", required=True, metavar="FILE", help="campaign TOML file")
    dr.add_argument("--org", required=True, metavar="FILE", help="organisation TOML file")
    dr.add_argument("--as-of", type=date, help="default: today, within the campaign")
    dr.add_argument("--allow-unplaced", action="store_true", help=ALLOW_UNPLACED)
    dr.set_defaults(run=_cmd_db_report)
    chk = dbs.add_parser(
        "check", parents=parents, help="compare projections and snapshots with the journal"
    )
    chk.add_argument("--lang", choices=report.LANGS, default="zh", help=LANG_HELP)
    chk.set_defaults(run=_cmd_db_check)
    dbs.add_parser(
        "rebuild", parents=parents, help="recompute the projections from the journal"
    ).set_defaults(run=_cmd_db_rebuild)
